#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Prove that make check-debug's checkers are live: boot the debug kernel
# with a stand-in kmscap.ko (tests/vm/canary/) that leaks allocations,
# locks two mutexes of one class and reads past an allocation, and check
# that the VM run reports lockdep's and KASAN's reports in "kernel log
# clean" and the leak (and only it) in "kmemleak finds nothing of
# kmscap's".  A debug kernel whose checkers were silently off would pass
# every real test; this one would fail.
#
# Usage: debug-canary.sh --kernel BUNDLE [--tap FILE]
#   BUNDLE  the debug kernel bundle (build/debug-kernel)
#   FILE    TAP output (default build/results-debug/debug-canary.tap)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tap=$top/build/results-debug/debug-canary.tap
bundle=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) bundle=$2; shift 2 ;;
	--tap) tap=$2; shift 2 ;;
	*) echo "debug-canary: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$bundle" ] || { echo "debug-canary: --kernel BUNDLE is required" >&2; exit 2; }

w=$top/build/debug-canary
rm -rf "$w"
mkdir -p "$w/src" "$w/bin" "$(dirname "$tap")"
n=0
results=()
# kmscap_expect DESCRIPTION FILE EXTENDED-REGEX
kmscap_expect() {
	n=$((n + 1))
	if grep -qE -- "$3" "$2"; then
		results+=("ok $n - debug kernel: $1")
	else
		results+=("not ok $n - debug kernel: $1 # no line matching '$3' in ${2#"$top"/}")
	fi
}
kmscap_finish() {
	{
		echo "1..$n"
		printf '%s\n' "${results[@]}"
	} >"$tap"
	sed 's/^/    /' "$tap" | grep -v '^    1\.\.'
	! grep -q '^not ok' "$tap"
}

cp "$top"/tests/vm/canary/Kbuild "$top"/tests/vm/canary/canary.c "$w/src/"
echo "  CC [M]  ${w#"$top"/}/src/kmscap.ko (the canary)"
n=$((n + 1))
if make -C "$bundle/obj" M="$w/src" modules >"$w/build.log" 2>&1; then
	results+=("ok $n - debug kernel: the canary module builds")
else
	results+=("not ok $n - debug kernel: the canary module builds # see ${w#"$top"/}/build.log")
	kmscap_finish
	exit 1
fi
${CC:-cc} -O2 -Wall -o "$w/bin/a_pass" "$top/tests/vm/harness-prog.c"

rc=0
KMSCAP_VM_KERNEL=$bundle "$top/tests/vm/run-vm.sh" --name debug-canary \
	--ko "$w/src/kmscap.ko" --tap "$w/vm.tap" "$w/bin/a_pass" >"$w/run.out" 2>&1 || rc=$?
n=$((n + 1))
if [ $rc -eq 1 ]; then
	results+=("ok $n - debug kernel: the canary's run fails")
else
	results+=("not ok $n - debug kernel: the canary's run fails # run-vm.sh exit $rc, see ${w#"$top"/}/run.out")
fi
kmscap_expect "the canary loads and unloads" "$w/vm.tap" '^ok [0-9]+ - rmmod kmscap$'
kmscap_expect "lockdep reports the recursive locking" "$w/vm.tap" \
	'^#   .*WARNING: possible recursive locking detected'
kmscap_expect "KASAN reports the out-of-bounds read" "$w/vm.tap" \
	'^#   .*BUG: KASAN: slab-out-of-bounds in kmscap_canary_overread'
kmscap_expect "the kernel log check fails on them" "$w/vm.tap" \
	'^not ok [0-9]+ - vm: kernel log clean # '
kmscap_expect "kmemleak finds the leaked objects of kmscap's" "$w/vm.tap" \
	"^not ok [0-9]+ - vm: kmemleak finds nothing of kmscap's # kmemleak: [2-6] unreferenced objects allocated by kmscap"
kmscap_expect "the leaks shown are the 192-byte ones" "$w/vm.tap" \
	'^#   unreferenced object 0x[0-9a-f]+ \(size 192\)'
kmscap_finish
