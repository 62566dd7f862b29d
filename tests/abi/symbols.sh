#!/bin/bash
# SPDX-License-Identifier: MIT
#
# symbols.sh HEADER LIBRARY: one TAP line saying whether LIBRARY (the
# built libkmscap.so) exports exactly the functions HEADER declares with
# KMSCAP_API, nothing more and nothing less.  Skipped when LIBRARY is not
# built.
hdr=$1 lib=$2
if [ ! -f "$lib" ]; then
	echo "ok - libkmscap exports exactly its API # SKIP $lib is not built"
	exit 0
fi
want=$(sed -n 's/^KMSCAP_API[^(]*[ *]\(kmscap_[a-z0-9_]*\)(.*/\1/p' "$hdr" | sort -u)
got=$(nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
missing=$(comm -23 <(echo "$want") <(echo "$got"))
extra=$(comm -13 <(echo "$want") <(echo "$got"))
if [ -z "$want" ]; then
	echo "not ok - libkmscap exports exactly its API # no KMSCAP_API function found in $hdr"
elif [ -z "$missing$extra" ]; then
	echo "ok - libkmscap exports exactly the $(echo "$want" | wc -l) KMSCAP_API functions of its header"
else
	echo "not ok - libkmscap exports exactly its API # missing: $(echo $missing) extra: $(echo $extra)"
fi
