#!/bin/bash
# SPDX-License-Identifier: MIT
#
# module-btf.sh --kdir KDIR --ko KO (--vmlinux FILE | --vmlinuz FILE --cache FILE)
#
# Gives KO (kmscap.ko, built against the kernel build directory KDIR) its
# split BTF, as Kbuild's modfinal step does when the build directory has a
# vmlinux: pahole encodes the module's DWARF against the base BTF of the
# kernel's vmlinux, so that /sys/kernel/btf/kmscap appears at insmod.
# Debian's headers package has no vmlinux, so Kbuild skips this ("Skipping
# BTF generation"); the ELF vmlinux is then extracted from the kernel image
# (--vmlinuz, scripts/vmlinux-elf.sh) into --cache, once.  The base must be
# exactly the kernel that loads the module (a kernel with
# CONFIG_MODULE_ALLOW_BTF_MISMATCH drops a mismatched module BTF silently):
# for a kernel built here, pass its own vmlinux (--vmlinux).
#
# Where the kernel has no module BTF, pahole is missing, or no vmlinux with
# BTF can be had, it says so in one line and exits 0: the module works
# without BTF (the tracepoints and kmscap-top do not need it).  A pahole
# that fails on a vmlinux it has is an error (exit 1).
set -eu

kdir='' ko='' vmlinux='' vmlinuz='' cache=''
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) kdir=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--vmlinux) vmlinux=$2; shift 2 ;;
	--vmlinuz) vmlinuz=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	*) echo "module-btf: unknown argument '$1'" >&2; exit 1 ;;
	esac
done
if [ -z "$kdir" ] || [ -z "$ko" ] || { [ -z "$vmlinux" ] && [ -z "$vmlinuz" ]; }; then
	echo "usage: module-btf.sh --kdir KDIR --ko KO (--vmlinux FILE | --vmlinuz FILE --cache FILE)" >&2
	exit 1
fi
name=$(basename "$ko")

skip() {
	echo "  BTF     none for $name: $*"
	exit 0
}

has_section() {
	readelf -SW "$2" 2>/dev/null | grep -q " $1 "
}

[ -f "$ko" ] || { echo "module-btf: '$ko' does not exist" >&2; exit 1; }
grep -qx CONFIG_DEBUG_INFO_BTF_MODULES=y "$kdir/.config" 2>/dev/null ||
	skip "the kernel of $kdir is built without CONFIG_DEBUG_INFO_BTF_MODULES"
if has_section .BTF "$ko"; then
	echo "  BTF     $name has its BTF already"
	exit 0
fi
has_section .debug_info "$ko" ||
	skip "it has no DWARF (.debug_info) to encode (the kernel is built without CONFIG_DEBUG_INFO)"
pahole=${PAHOLE:-pahole}
command -v "$pahole" >/dev/null || skip "$pahole not found (Debian package dwarves)"

if [ -z "$vmlinux" ]; then
	[ -n "$cache" ] || { echo "module-btf: --vmlinuz needs --cache" >&2; exit 1; }
	if [ ! -f "$cache" ] || [ "$vmlinuz" -nt "$cache" ]; then
		why=$("$(dirname "$0")/vmlinux-elf.sh" "$vmlinuz" "$cache" 2>&1) ||
			skip "no vmlinux with BTF: ${why#vmlinux-elf: }"
		echo "  VMLINUX $cache (from $vmlinuz)"
	fi
	vmlinux=$cache
fi
has_section .BTF "$vmlinux" || skip "'$vmlinux' has no .BTF section"

# The kernel's own choice of pahole options for its pahole version.
flags=$(PAHOLE=$pahole sh "$kdir/scripts/pahole-flags.sh")
echo "  BTF [M] $ko (base $vmlinux)"
# shellcheck disable=SC2086 # $flags: several options
if ! LLVM_OBJCOPY=${OBJCOPY:-objcopy} "$pahole" -J $flags --btf_base "$vmlinux" "$ko" ||
		! has_section .BTF "$ko"; then
	echo "module-btf: $pahole -J $flags --btf_base $vmlinux $ko failed" >&2
	exit 1
fi
# BTF_ID() lists (kfuncs and the like) need their ids patched in by
# resolve_btfids, which the headers package lacks; kmscap has none.
if has_section .BTF_ids "$ko"; then
	resolve=$kdir/tools/bpf/resolve_btfids/resolve_btfids
	[ -x "$resolve" ] || {
		echo "module-btf: $ko has a .BTF_ids section and $resolve does not exist" >&2
		exit 1
	}
	"$resolve" -b "$vmlinux" "$ko"
fi
