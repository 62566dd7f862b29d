#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# install-test.sh SCRATCH TAP: the top-level install targets, checked.
#   1. make install DESTDIR=SCRATCH/root puts every file where it belongs;
#   2. the installed module is the one built for KVER, at version VERSION;
#   3. the installed tools run (kmscap-top and its man page where it is
#      built), their man pages and libkmscap(3) are complete and render
#      without warnings (manpages.sh), and examples/capture builds against
#      the installed library through its pkg-config file and starts;
#   4. dkms.conf, user/lib/Makefile, MODULE_VERSION and kmscap-stream agree on
#      the version;
#   5. make uninstall removes every file install put there;
#   6. make install KMOD_INSTALL=no leaves the module out (DKMS has it);
#   7. make install-dkms + dkms add/build (scratch trees) build kmscap.ko
#      for KVER (SKIP without the dkms package).
set -uo pipefail

scratch=${1:?usage: install-test.sh SCRATCH TAP}
tap=${2:?usage: install-test.sh SCRATCH TAP}
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$scratch/root
# the kernel the top-level Makefile builds for (its KVER default)
kver=${KVER:-$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null |
	sed 's|.*/linux-headers-||' | sort -V | tail -n 1)}
tap_what=install
# shellcheck source=tests/install/tap.sh
. "$(dirname "$0")/tap.sh"
# shellcheck source=tests/install/manpages.sh
. "$(dirname "$0")/manpages.sh"

rm -rf "$scratch"
mkdir -p "$scratch"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")

# 4 first: everything below uses the version
uver=$(sed -n 's/^VERSION := //p' "$top/user/lib/Makefile")
mver=$(sed -n 's/^MODULE_VERSION("\(.*\)");$/\1/p' "$top/kmod/main.c")
sver=$(sed -n 's/^#define KS_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$top/user/stream/ks.h")
if [ -n "$version" ] && [ "$version" = "$uver" ] && [ "$version" = "$mver" ] &&
   [ "$version" = "$sver" ]; then
	ok "dkms.conf, user/lib/Makefile, MODULE_VERSION and kmscap-stream agree: $version"
else
	notok "one version everywhere" "dkms.conf '$version', user/lib/Makefile '$uver'," \
		"kmod/main.c MODULE_VERSION '$mver', user/stream/ks.h KS_VERSION '$sver'"
fi

if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/build" ]; then
	skip "make install" "no kernel headers (KVER '$kver'): make deps"
	exit 0
fi

# 1. install into a scratch root
want=(
	"lib/modules/$kver/extra/kmscap.ko"
	etc/udev/rules.d/60-kmscap.rules
	etc/udev/rules.d/72-kmscap-seat.rules
	usr/lib/sysusers.d/kmscap.conf
	usr/bin/kmscapctl
	usr/bin/kmscap-stream
	usr/lib/kmscap/kmscap-stream-mux.so
	usr/share/man/man1/kmscapctl.1
	usr/share/man/man1/kmscap-stream.1
	usr/share/man/man3/libkmscap.3
	usr/lib/libkmscap.a
	usr/lib/libkmscap.so
	usr/lib/libkmscap.so.1
	usr/include/libkmscap.h
	usr/include/kmscap.h
	usr/lib/pkgconfig/libkmscap.pc
)
if make -C "$top" install DESTDIR="$root" PREFIX=/usr >"$scratch/install.log" 2>&1; then
	# kmscap-top is built where clang, bpftool and libbpf are (tests/deps.sh)
	if [ -x "$top/build/user/kmscap-top" ]; then
		want+=(usr/sbin/kmscap-top usr/share/man/man8/kmscap-top.8)
	fi
	missing=()
	for f in "${want[@]}"; do
		[ -e "$root/$f" ] || missing+=("$f")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		ok "make install DESTDIR=... PREFIX=/usr installs ${#want[@]} files"
	else
		notok "make install installs every file" "missing: ${missing[*]}"
	fi
else
	notok "make install DESTDIR=... PREFIX=/usr" "$(tail -5 "$scratch/install.log")"
fi

# 2. the installed module
ko=$root/lib/modules/$kver/extra/kmscap.ko
vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
modver=$(modinfo -F version "$ko" 2>/dev/null)
if [ "$vermagic" = "$kver" ] && [ "$modver" = "$version" ]; then
	ok "installed kmscap.ko: vermagic $vermagic, version $modver"
else
	notok "installed kmscap.ko is for $kver at $version" \
		"vermagic '$vermagic', version '$modver' ($ko)"
fi
if grep -q '^g kmscap ' "$root/usr/lib/sysusers.d/kmscap.conf" 2>/dev/null &&
   grep -q 'GROUP="kmscap"' "$root/etc/udev/rules.d/60-kmscap.rules" 2>/dev/null; then
	ok "the udev rule's group kmscap is created by the sysusers.d file"
else
	notok "udev rule and sysusers.d agree on group kmscap"
fi

# 3. the installed tools and library
out=$(LD_LIBRARY_PATH=$root/usr/lib "$root/usr/bin/kmscap-stream" --version 2>&1)
if [ $? -eq 0 ] && [ -n "$out" ]; then
	ok "installed kmscap-stream --version: $out"
else
	notok "installed kmscap-stream --version runs" "$out"
fi
# FFmpeg's libraries only in the container plugin, which the installed
# binary finds in ../lib/kmscap: past it, the missing render node is named.
libs=$(ldd "$root/usr/bin/kmscap-stream" 2>&1)
plibs=$(ldd "$root/usr/lib/kmscap/kmscap-stream-mux.so" 2>&1)
if [[ $libs != *libav* && $plibs == *libavformat.so* ]]; then
	ok "installed kmscap-stream links no libav*, its plugin libavformat"
else
	notok "installed kmscap-stream links no libav*, its plugin libavformat" \
		"kmscap-stream: $(grep libav <<<"$libs" | tr -s '\t\n' ' '); plugin: $(head -3 <<<"$plibs" | tr -s '\t\n' ' ')"
fi
node=$scratch/no-such-render-node
out=$("$root/usr/bin/kmscap-stream" --display 1 --render-node "$node" --format mpegts \
	-o /dev/null 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$out" = "kmscap-stream: no VA-API device at $node (set --render-node)" ]; then
	ok "installed kmscap-stream --format mpegts loads $root/usr/lib/kmscap/kmscap-stream-mux.so"
else
	notok "installed kmscap-stream --format mpegts loads its plugin" "exit $rc: $out"
fi
if [ -x "$top/build/user/kmscap-top" ]; then
	out=$("$root/usr/sbin/kmscap-top" --help 2>&1)
	if [ $? -eq 0 ] && [ -z "${out##usage: kmscap-top*}" ] &&
	   grep -q '^\.TH KMSCAP-TOP 8' "$root/usr/share/man/man8/kmscap-top.8" 2>/dev/null; then
		ok "installed kmscap-top --help and its man page"
	else
		notok "installed kmscap-top --help and man page" "$(echo "$out" | head -2)"
	fi
fi
check_manpages "$root"
# examples/capture.c, built by examples/Makefile against the installed
# library through its pkg-config file; no /dev/kmscap here, so it is run
# with a device that does not exist, which its error must name.
pc=$root/usr/lib/pkgconfig
bad=$scratch/no-such-kmscap
if PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$root make -C "$top/examples" O="$scratch" \
	>"$scratch/example.log" 2>&1; then
	out=$(LD_LIBRARY_PATH=$root/usr/lib "$scratch/capture" --kmscap-device "$bad" 1 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && [ "$out" = "capture: $bad: no such device — is the kmscap module loaded?" ]; then
		ok "examples/capture builds against the installed libkmscap (pkg-config) and names a missing device"
	else
		notok "examples/capture with a missing device fails naming it" "exit $rc: $out"
	fi
	libs=$(LD_LIBRARY_PATH=$root/usr/lib ldd "$scratch/capture" 2>&1)
	if [[ $libs == *"libkmscap.so.1 => $root/usr/lib/libkmscap.so.1 "* ]]; then
		ok "examples/capture is linked with the installed libkmscap.so.1"
	else
		notok "examples/capture is linked with the installed libkmscap.so.1" "$libs"
	fi
else
	notok "examples/capture builds against the installed libkmscap (pkg-config)" \
		"$(tail -5 "$scratch/example.log")"
fi

# 5. uninstall leaves nothing behind
if make -C "$top" uninstall DESTDIR="$root" PREFIX=/usr >"$scratch/uninstall.log" 2>&1; then
	left=$(cd "$root" && find . \( -type f -o -type l \) | sort)
	if [ -z "$left" ]; then
		ok "make uninstall removes every installed file"
	else
		notok "make uninstall removes every installed file" "left: $(echo $left)"
	fi
else
	notok "make uninstall" "$(tail -5 "$scratch/uninstall.log")"
fi

# with DKMS: everything but the module
if make -C "$top" install DESTDIR="$scratch/nokmod" PREFIX=/usr KMOD_INSTALL=no \
	>"$scratch/nokmod.log" 2>&1 && [ ! -e "$scratch/nokmod/lib/modules" ] &&
   [ -x "$scratch/nokmod/usr/bin/kmscap-stream" ]; then
	ok "make install KMOD_INSTALL=no installs all but the module"
else
	notok "make install KMOD_INSTALL=no installs all but the module" \
		"$(tail -3 "$scratch/nokmod.log" | tr '\n' '|')"
fi

# 6. DKMS, in scratch trees
if ! command -v dkms >/dev/null; then
	skip "dkms build of the installed sources" "dkms not installed (make deps)"
else
	dest=$scratch/dkmsroot
	mkdir -p "$scratch/dkmstree"
	if make -C "$top" install-dkms DESTDIR="$dest" >"$scratch/dkms.log" 2>&1 &&
	   dkms add -m kmscap -v "$version" --sourcetree "$dest/usr/src" \
		--dkmstree "$scratch/dkmstree" >>"$scratch/dkms.log" 2>&1 &&
	   dkms build -m kmscap -v "$version" -k "$kver" --sourcetree "$dest/usr/src" \
		--dkmstree "$scratch/dkmstree" >>"$scratch/dkms.log" 2>&1; then
		built=$(find "$scratch/dkmstree/kmscap/$version/$kver" -name kmscap.ko | head -1)
		bm=$(modinfo -F vermagic "$built" 2>/dev/null | cut -d' ' -f1)
		if [ -n "$built" ] && [ "$bm" = "$kver" ]; then
			ok "dkms add + build of make install-dkms's sources: kmscap.ko for $bm"
		else
			notok "dkms build produced kmscap.ko for $kver" "found '$built' ($bm)"
		fi
	else
		notok "make install-dkms + dkms add + dkms build" \
			"$(tail -8 "$scratch/dkms.log" | tr '\n' '|')"
	fi
fi
exit 0
