# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Sourced by the scripts of tests/install after they set $tap (the TAP
# file, emptied here) and $tap_what (the name failures and skips are
# printed with):
#   ok DESCRIPTION
#   notok DESCRIPTION [DIAGNOSTIC...]   also counted in $fails
#   skip DESCRIPTION REASON
# $tap and $tap_what are set by the sourcing script:
# shellcheck disable=SC2154
n=0
fails=0
: >"$tap"

ok() {
	n=$((n + 1))
	echo "ok $n - $1" >>"$tap"
}
notok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1" >>"$tap"
	echo "  FAIL    $tap_what: $1" >&2
	shift
	for l in "$@"; do echo "# $l" >>"$tap"; done
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2" >>"$tap"
	echo "  SKIP    $tap_what: $1 ($2)"
}
