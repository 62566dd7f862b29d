#!/bin/bash
# SPDX-License-Identifier: MIT
#
# host-ips.sh: how many user-space instructions a second one core of this
# machine executes, for kmscap-bench-instr's "fraction of a core at 60 Hz".
# Prints the number on stdout, how it was found on stderr.
#
# No hardware counters are needed (a VM host often has none: perf stat
# says "<not supported>"): a CPU-bound workload, gzip -6 of a fixed 4.5 MB
# text (the numbers 1 to 600000), is run once under callgrind, which
# counts its instructions exactly, and 5 times natively, whose least user
# CPU time (bash's times, 1 ms resolution) is the one least disturbed by
# other load.  ips = instructions / that time.  A workload's instructions
# a second depend on its mix: gzip is integer code with branches and
# memory traffic, as kmscap-stream's bookkeeping is, not vector code.
set -euo pipefail

die() {
	echo "host-ips: $*" >&2
	exit 1
}

for t in valgrind gzip seq; do
	command -v $t >/dev/null || die "$t not found (tests/deps.sh installs valgrind and gzip)"
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
seq 1 600000 >"$dir/in"

valgrind --tool=callgrind --callgrind-out-file="$dir/cg" gzip -6 -c "$dir/in" \
	>/dev/null 2>"$dir/vg.log" || die "valgrind failed: $(tail -n 3 "$dir/vg.log")"
instr=$(sed -n 's/^summary: *//p' "$dir/cg")
[ -n "$instr" ] || die "no summary line in callgrind's profile $dir/cg"

best=
for _ in 1 2 3 4 5; do
	# user time of the children, in seconds with 3 decimals
	u=$( { TIMEFORMAT=%3U; time gzip -6 -c "$dir/in" >/dev/null; } 2>&1 )
	ms=$(( 10#${u%.*} * 1000 + 10#${u#*.} ))
	[ "$ms" -gt 0 ] || die "gzip took no measurable user time ($u s)"
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
ips=$(( instr * 1000 / best ))
echo "host-ips: gzip -6 of 4.5 MB: $instr instructions (callgrind), least user time of 5 runs $best ms: $((ips / 1000000)) million instructions a second" >&2
echo "$ips"
