#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run-unit.sh OUT_TAP WORKDIR TEST...
#
# Run each Check test binary with its TAP log (CK_TAP_LOG_FILE_NAME) and
# skip file (KMSCAP_SKIP_FILE) in a fresh WORKDIR/run.XXXXXX (removed
# afterwards), then merge every test case into OUT_TAP, numbered 1..N.
# A TEST of the form "skip:NAME:REASON" adds one skipped line for a test
# that could not be built.  A binary that dies
# without a TAP log, or fails without a failing test case, adds a "not ok"
# line.  Exits 1 if anything failed.

out=$1
work=$2
shift 2
# The suite's name, from the TAP file's: unit, or unit-asan for the
# sanitizer build.
label=$(basename "$out" .tap)
mkdir -p "$work" "$(dirname "$out")" || exit 1
# a private directory per run: two runs at once must not mix their lines
work=$(mktemp -d "$work/run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
lines="$work/unit.lines"
: > "$lines"

for t in "$@"; do
	case $t in
	skip:*)
		rest=${t#skip:}
		printf 'ok - %s/%s # SKIP %s\n' "$label" "${rest%%:*}" "${rest#*:}" >> "$lines"
		continue
		;;
	esac
	name=$(basename "$t")
	tap="$work/$name.tap"
	skip="$work/$name.skip"
	rm -f "$tap" "$skip"
	CK_TAP_LOG_FILE_NAME=$tap KMSCAP_SKIP_FILE=$skip CK_FORK=yes "$t"
	rc=$?
	[ -f "$skip" ] || : > "$skip"
	if [ -s "$tap" ]; then
		# "ok 3 - test_mode.c:tcase:test_x: Passed" -> "ok - unit/test_mode:tcase:test_x"
		awk -v skipfile="$skip" -v rc="$rc" -v name="$name" -v label="$label" '
		BEGIN {
			FS = "\n"
			while ((getline l < skipfile) > 0) {
				i = index(l, "\t")
				if (i)
					why[substr(l, 1, i - 1)] = substr(l, i + 1)
			}
		}
		# first pass: count the names, to number loop tests from [0]
		NR == FNR {
			if ($0 ~ /^(not )?ok [0-9]+ - /) {
				d = $0
				sub(/^(not )?ok [0-9]+ - /, "", d)
				split(d, p, ":")
				total[p[1] ":" p[2] ":" p[3]]++
			}
			next
		}
		/^(not )?ok [0-9]+ - / {
			notok = ($0 ~ /^not ok/)
			d = $0
			sub(/^(not )?ok [0-9]+ - /, "", d)
			gsub(/#/, "\\#", d)
			# file.c:tcase:test: message
			n = split(d, p, ":")
			file = p[1]; sub(/^.*\//, "", file); sub(/\.c$/, "", file)
			key = p[1] ":" p[2] ":" p[3]
			id = file ":" p[2] ":" p[3]
			msg = d
			sub(/^[^:]*:[^:]*:[^:]*: ?/, "", msg)
			if (total[key] > 1)
				id = id "[" seen[key]++ "]"
			if (notok) {
				printf "not ok - %s/%s: %s\n", label, id, msg
				failed++
			} else if (p[3] in why) {
				printf "ok - %s/%s # SKIP %s\n", label, id, why[p[3]]
			} else {
				printf "ok - %s/%s\n", label, id
			}
		}
		END {
			if (rc != 0 && rc != 77 && !failed)
				printf "not ok - %s/%s: exited with status %d\n", label, name, rc
		}' "$tap" "$tap" >> "$lines"
	elif [ "$rc" -eq 77 ]; then
		why=$(cut -f2 "$skip" | head -n 1)
		printf 'ok - %s/%s # SKIP %s\n' "$label" "$name" \
			"${why:-the test exited with status 77 (skip)}" >> "$lines"
	else
		printf 'not ok - %s/%s: no TAP output, exited with status %d\n' "$label" \
			"$name" "$rc" >> "$lines"
	fi
done

awk '
{ n++; sub(/^ok -/, "ok " n " -"); sub(/^not ok -/, "not ok " n " -"); body[n] = $0 }
END { print "1.." n; for (i = 1; i <= n; i++) print body[i] }' "$lines" > "$work/unit.tap" &&
	mv "$work/unit.tap" "$out" || exit 1

pass=$(grep -c '^ok [0-9]* - ' "$out" | tr -d ' ')
skipped=$(grep -c '^ok [0-9]* - .*# SKIP' "$out" | tr -d ' ')
fail=$(grep -c '^not ok ' "$out" | tr -d ' ')
echo "$label: $((pass - skipped)) passed, $fail failed, $skipped skipped ($out)"
[ "$fail" -eq 0 ]
