# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Sourced by the VM harness's own tests (harness-test.sh, debug-canary.sh):
# a list of TAP results, written at the end.  Needs $top.
#   kmscap_result STATUS DESCRIPTION [WHY]  one check: STATUS 0 is ok
#                        (callers run under set -e: cond || st=1, then this)
#   kmscap_expect DESCRIPTION FILE ERE      ok when a line of FILE matches
#   kmscap_checks_write TAP                 write the plan and the results,
#                                           print them; fail if one failed
n=0
results=()

kmscap_result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		results+=("ok $n - $2")
	else
		results+=("not ok $n - $2${3:+ # $3}")
	fi
}

kmscap_expect() {
	local st=0

	grep -qE -- "$3" "$2" || st=1
	kmscap_result $st "$1" "no line matching '$3' in ${2#"$top"/}"
}

kmscap_checks_write() {
	{
		echo "1..$n"
		printf '%s\n' "${results[@]}"
	} >"$1"
	sed 's/^/    /' "$1" | grep -v '^    1\.\.'
	! grep -q '^not ok' "$1"
}
