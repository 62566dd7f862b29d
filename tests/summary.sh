#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Sum up the TAP files of a test run.
#
# Usage: summary.sh DIR [SUITE...]
#        summary.sh --total DIR...
#   DIR     holds one <suite>.tap per test suite.
#   SUITE   suites that must have written DIR/SUITE.tap (or DIR/SUITE*.tap);
#           a missing one counts as one failure, and is written as such
#           into DIR/SUITE.tap (so that a --total over DIR counts it too).
#   --total the TAP files of every DIR together (make check, then
#           make check-debug: .ci/run).
#
# Counts "ok" (passed), "ok ... # SKIP" and "not ok ... # TODO" (skipped),
# "not ok" (failed), "Bail out!" and tests a "1..N" plan promised but that
# never reported (failed).  Failures are listed on stderr; stdout gets
# exactly one line:  N passed, N failed, N skipped
# Exit status: 1 if anything failed or no test ran (nothing passed or failed),
# else 0.
set -euo pipefail

usage="usage: summary.sh DIR [SUITE...] | summary.sh --total DIR..."
dirs=()
if [ "${1:-}" = --total ]; then
	shift
	[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }
	dirs=("$@")
	set --
else
	dirs=("${1:?$usage}")
	shift
fi

pass=0
fail=0
skip=0

shopt -s nullglob
for s in "$@"; do
	dir=${dirs[0]}
	files=("$dir/$s"[.]tap "$dir/$s"[-_.]*.tap)
	if [ ${#files[@]} -eq 0 ]; then
		echo "not ok 1 - $s: the suite crashed or did not run (no $dir/$s.tap)" >"$dir/$s.tap"
	fi
done

tapfiles=()
for d in "${dirs[@]}"; do
	tapfiles+=("$d"/*.tap)
done
for f in "${tapfiles[@]}"; do
	suite=$(basename "$f" .tap)
	# p f s on the first line, then the failure messages.
	res=$(awk -v suite="$suite" '
		/^[ \t]/ || /^#/ { next }
		/^Bail out!/ { f++; msg = msg "FAIL " suite ": " $0 "\n"; next }
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; hasplan = 1; next }
		/^not ok/ {
			n++
			if ($0 ~ /#[ \t]*[Tt][Oo][Dd][Oo]/) s++
			else { f++; msg = msg "FAIL " suite ": " $0 "\n" }
			next
		}
		/^ok/ {
			n++
			if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) s++
			else p++
			next
		}
		END {
			if (plan > n) {
				f += plan - n
				msg = msg "FAIL " suite ": planned " plan " tests, only " n " reported\n"
			}
			if (hasplan && plan == 0 && n == 0) {
				s++	# "1..0 # SKIP reason": the whole suite skipped
			} else if (n == 0 && f == 0) {
				f++
				msg = msg "FAIL " suite ": no test results in the file\n"
			}
			printf "%d %d %d\n%s", p, f, s, msg
		}' "$f")
	read -r p f s <<<"$(head -n 1 <<<"$res")"
	tail -n +2 <<<"$res" | sed '/^$/d' >&2
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
done

[ $((pass + fail)) -eq 0 ] && echo "FAIL: no test ran (all skipped or none found in ${dirs[*]})" >&2
echo "$pass passed, $fail failed, $skip skipped"
if [ "$fail" -ne 0 ] || [ $((pass + fail)) -eq 0 ]; then
	exit 1
fi
exit 0
