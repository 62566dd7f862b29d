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
# shellcheck source=tests/vm/checks.sh
. "$top/tests/vm/checks.sh"

cp "$top"/tests/vm/canary/Kbuild "$top"/tests/vm/canary/canary.c "$w/src/"
echo "  CC [M]  ${w#"$top"/}/src/kmscap.ko (the canary)"
rc=0
make -C "$bundle/obj" M="$w/src" modules >"$w/build.log" 2>&1 || rc=$?
kmscap_result $rc "debug kernel: the canary module builds" "see ${w#"$top"/}/build.log"
if [ $rc -ne 0 ]; then
	kmscap_checks_write "$tap"
	exit 1
fi
${CC:-cc} -O2 -Wall -o "$w/bin/a_pass" "$top/tests/vm/harness-prog.c"

rc=0
KMSCAP_VM_KERNEL=$bundle "$top/tests/vm/run-vm.sh" --name debug-canary \
	--ko "$w/src/kmscap.ko" --tap "$w/vm.tap" "$w/bin/a_pass" >"$w/run.out" 2>&1 || rc=$?
st=0
[ $rc -eq 1 ] || st=1
kmscap_result $st "debug kernel: the canary's run fails" \
	"run-vm.sh exit $rc, see ${w#"$top"/}/run.out"
kmscap_expect "debug kernel: the canary loads and unloads" "$w/vm.tap" '^ok [0-9]+ - rmmod kmscap$'
kmscap_expect "debug kernel: lockdep reports the recursive locking" "$w/vm.tap" \
	'^#   .*WARNING: possible recursive locking detected'
kmscap_expect "debug kernel: KASAN reports the out-of-bounds read" "$w/vm.tap" \
	'^#   .*BUG: KASAN: slab-out-of-bounds in kmscap_canary_overread'
kmscap_expect "debug kernel: the kernel log check fails on them" "$w/vm.tap" \
	'^not ok [0-9]+ - vm: kernel log clean # '
kmscap_expect "debug kernel: kmemleak finds the leaked objects of kmscap's" "$w/vm.tap" \
	"^not ok [0-9]+ - vm: kmemleak finds nothing of kmscap's # kmemleak: [2-6] unreferenced objects allocated by kmscap"
kmscap_expect "debug kernel: the leaks shown are the 192-byte ones" "$w/vm.tap" \
	'^#   unreferenced object 0x[0-9a-f]+ \(size 192\)'
kmscap_checks_write "$tap"
