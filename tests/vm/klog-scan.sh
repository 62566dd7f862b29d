#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Find the reports of the kernel's checkers in a kernel log, and the
# kmemleak objects that kmscap allocated.  Used by tests/vm/run-vm.sh;
# tested on the samples in tests/vm/klog-samples/ by harness-test.sh.
#
# Usage:
#   klog-scan.sh [LOG]
#       Print every line of LOG (default stdin) that is a report: WARN,
#       BUG, Oops, panics, lockdep's reports, KASAN, UBSAN, kmemleak,
#       debug objects, list corruption, refcount, hung tasks, RCU stalls,
#       lockups, and DRM's atomic helpers timing out on a completion.  Lines of the form "kmscap-vm: start NAME" / "... end
#       NAME" (written by the VM's /init) mark which program ran; a
#       report gets "   <- during NAME".  Boot banners that merely name a
#       checker ("RCU lockdep checking is enabled.") are not reports.
#   klog-scan.sh --kmemleak REPORT [--modrange ADDR SIZE]...
#       REPORT is /sys/kernel/debug/kmemleak after a scan.  Print each
#       unreferenced object whose allocation backtrace is in kmscap (a
#       frame "[kmscap]" or "kmscap_...", or an address within ADDR..+SIZE,
#       kmscap.ko's core or init code, for frames that lost their names at
#       rmmod or when the init code was freed),
#       each as one line "unreferenced object ... <- frame".  Then a last
#       line "total N other M": kmscap's objects and the others.
# Exit status: 0 always; the output is the verdict.
set -euo pipefail

# One extended regular expression per kind of report.
kmscap_bad=(
	'WARNING:'			# WARN*(), and lockdep's, RCU's, ODEBUG's headers
	'BUG:'				# BUG: KASAN:, sleeping function..., NULL pointer...
	'kernel BUG at'
	'Oops'
	'general protection fault'
	'Kernel panic'
	'Call Trace:'			# a stack dump of any kind
	'possible circular locking'
	'possible recursive locking'
	'inconsistent lock state'
	'suspicious RCU usage'
	'possible irq lock inversion'
	'bad unlock balance'
	'held lock freed'
	'lock held when returning to user space'
	'DEBUG_LOCKS_WARN_ON'
	'KASAN:'
	'UBSAN:'
	'kmemleak:.*(suspected memory leak|unreferenced object)'
	'unreferenced object 0x'
	'kmemleak: (Cannot allocate|Memory pool empty|Kernel memory leak detector disabled)'
	'ODEBUG: '
	'refcount_t:'
	'list_(add|del) corruption'
	'blocked for more than [0-9]+ seconds'
	'detected stalls?( on CPUs)?'
	'soft lockup'
	'hard LOCKUP'
	'(flip_done|hw_done|cleanup_done|commit wait) timed out'	# DRM's atomic helpers: a lost completion
)
# Lines that match one of the above but are no report.
kmscap_benign=(
	'ODEBUG: selftest passed'
	'ODEBUG: [0-9]+ of [0-9]+ active objects replaced'
)

kmscap_join() {
	local IFS='|'
	echo "$*"
}

if [ "${1:-}" = --kmemleak ]; then
	report=${2:?usage: klog-scan.sh --kmemleak REPORT [--modrange ADDR SIZE]...}
	shift 2
	ranges=
	while [ $# -gt 0 ]; do
		[ "$1" = --modrange ] && [ $# -ge 3 ] ||
			{ echo "klog-scan: bad argument '$1' (--modrange ADDR SIZE)" >&2; exit 2; }
		ranges="$ranges $2:$3"
		shift 3
	done
	# Addresses are 64-bit: compare them as 16 hex digits, as strings.
	awk -v ranges="$ranges" '
	function hex16(s) {
		sub(/^0x/, "", s)
		s = tolower(s)
		while (length(s) < 16) s = "0" s
		return s
	}
	# ADDR + SIZE (decimal) as 16 hex digits, without 64-bit arithmetic.
	function hexadd(h, n,    i, d, c, out, digits) {
		digits = "0123456789abcdef"
		out = ""
		c = n
		for (i = 16; i >= 1; i--) {
			d = index(digits, substr(h, i, 1)) - 1 + c % 16
			c = int(c / 16) + int(d / 16)
			out = substr(digits, d % 16 + 1, 1) out
		}
		return out
	}
	function flush() {
		if (obj == "") return
		if (hit != "") { print obj " <- " hit; mine++ } else { other++ }
		obj = ""; hit = ""
	}
	BEGIN {
		nr = split(ranges, rs, " ")
		for (i = 1; i <= nr; i++) {
			split(rs[i], p, ":")
			lo[i] = hex16(p[1])
			hi[i] = hexadd(lo[i], p[2] + 0)
		}
	}
	/^unreferenced object / { flush(); obj = $0; next }
	obj != "" && /\[<[0-9a-fA-F]+>\]/ {
		line = $0
		sub(/^[ \t]+/, "", line)
		if (hit == "" && (line ~ /\[kmscap\]/ || line ~ /[ \t]kmscap_[A-Za-z0-9_]*\+0x/)) {
			hit = line
		} else if (hit == "" && nr > 0) {
			a = line
			sub(/^\[</, "", a)
			sub(/>\].*/, "", a)
			a = hex16(a)
			for (i = 1; i <= nr; i++)
				if (a >= lo[i] && a < hi[i]) hit = line " (in kmscap.ko, freed)"
		}
	}
	END { flush(); printf "total %d other %d\n", mine, other }
	' "$report"
	exit 0
fi

log=${1:-/dev/stdin}
tr -d '\r' <"$log" | awk -v bad="$(kmscap_join "${kmscap_bad[@]}")" \
	-v benign="$(kmscap_join "${kmscap_benign[@]}")" '
	/kmscap-vm: start / { cur = $NF; next }
	/kmscap-vm: end / { cur = ""; next }
	$0 ~ bad && $0 !~ benign { print $0 (cur != "" ? "   <- during " cur : "") }'
