#!/bin/bash
# SPDX-License-Identifier: MIT
#
# abicheck.sh check ROOT BASELINE WORK: TAP lines saying whether the
# libkmscap.so.1 installed under ROOT (make install DESTDIR=ROOT
# PREFIX=/usr) keeps the ABI recorded in BASELINE (abidw's XML, public
# types only: struct kmscap_dev and struct kmscap_bufcache stay opaque).
# Added functions pass (with a note to update the baseline); a removed or
# changed function or variable, or anything abidiff calls incompatible,
# fails.  First, the classification itself is checked on two tiny
# libraries whose second version changes a structure (it must fail).
#
# abicheck.sh update ROOT BASELINE: write BASELINE from ROOT's library.
#
# Skipped, saying why, where abidw/abidiff (Debian: abigail-tools) are
# missing.
set -uo pipefail

mode=$1 root=$2 baseline=$3 work=${4:-}
lib=$root/usr/lib/libkmscap.so.1
hdrs=$root/usr/include
top=$(cd "$(dirname "$0")/../.." && pwd)

# abidw of $1 (headers $2), with source paths relative to the tree.
abi_dump() {
	abidw --no-corpus-path --no-comp-dir-path --drop-private-types \
		--headers-dir "$2" "$1" | sed "s|path='$top/|path='|g"
}

# Run abidiff on $1 $2 (new headers $3); its report in $4.  Returns 0 when
# nothing was removed or changed, 1 otherwise.  abidiff's exit status: bit
# 0 error, 1 usage error, 2 some change, 3 an incompatible change; type
# changes of existing functions set only bit 2, so the summary is read too.
abi_compatible() {
	local rc
	abidiff --drop-private-types --headers-dir2 "$3" "$1" "$2" >"$4" 2>&1
	rc=$?
	if [ $((rc & 3)) -ne 0 ] || [ $((rc & 8)) -ne 0 ]; then
		return 1
	fi
	! grep -qE '(^|[^0-9])[1-9][0-9]* (Removed|Changed)' "$4"
}

if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
	echo "ok - libkmscap keeps the ABI of $(basename "$baseline") # SKIP abidw/abidiff not installed (abigail-tools: make deps)"
	exit 0
fi
if [ ! -f "$lib" ]; then
	echo "not ok - libkmscap keeps its ABI # $lib was not installed"
	exit 0
fi

if [ "$mode" = update ]; then
	# abidiff wants the root element first: the SPDX line goes after it
	abi_dump "$lib" "$hdrs" | sed '1a\
  <!-- SPDX-License-Identifier: MIT -->\
  <!-- written by tests/abi/abicheck.sh (make -C tests/abi abi-baseline) -->' \
		>"$baseline" || exit 1
	echo "  ABI     wrote $baseline: $(grep -c '<elf-symbol ' "$baseline") symbols"
	exit 0
fi

# The classification, on a structure that grows between two versions.
mkdir -p "$work/self/1" "$work/self/2"
for v in 1 2; do
	mkdir -p "$work/self/$v/usr/include" "$work/self/$v/usr/lib"
	{
		echo "struct abi_s { int a;$([ $v = 2 ] && echo ' long b;') };"
		echo "int abi_f(struct abi_s *s);"
	} >"$work/self/$v/usr/include/abi_s.h"
	printf '#include "abi_s.h"\nint abi_f(struct abi_s *s) { return s->a; }\n' \
		>"$work/self/$v/abi_s.c"
	cc -g -O0 -fPIC -shared -I"$work/self/$v/usr/include" -o "$work/self/$v/usr/lib/libabi_s.so" \
		"$work/self/$v/abi_s.c" || exit 1
done
abi_dump "$work/self/1/usr/lib/libabi_s.so" "$work/self/1/usr/include" >"$work/self/1.abi"
if abi_compatible "$work/self/1.abi" "$work/self/2/usr/lib/libabi_s.so" \
	"$work/self/2/usr/include" "$work/self/report"; then
	echo "not ok - abicheck.sh fails a grown structure # it passed: $(head -3 "$work/self/report" | tr '\n' ' ')"
else
	echo "ok - abicheck.sh fails a structure that grew"
fi

if [ ! -f "$baseline" ]; then
	echo "not ok - libkmscap keeps its ABI # no baseline $baseline (make -C tests/abi abi-baseline)"
	exit 0
fi
report=$work/abidiff.txt
if abi_compatible "$baseline" "$lib" "$hdrs" "$report"; then
	added=$(sed -n 's/.* \([0-9][0-9]*\) Added function.*/\1/p' "$report" | head -1)
	if [ -n "$added" ] && [ "$added" != 0 ]; then
		echo "ok - libkmscap keeps the ABI of $(basename "$baseline"), $added functions added" \
			"(make -C tests/abi abi-baseline records them)"
	else
		echo "ok - libkmscap keeps the ABI of $(basename "$baseline")"
	fi
else
	echo "not ok - libkmscap keeps the ABI of $(basename "$baseline") # abidiff: $report"
	sed 's/^/# /' "$report"
fi
