#!/bin/sh
# SPDX-License-Identifier: MIT
#
# vmlinux-elf.sh BZIMAGE OUT
#
# Writes the ELF vmlinux inside an x86 bzImage (e.g. /boot/vmlinuz-$KVER)
# to OUT, for its .BTF section: the base BTF that pahole needs to encode
# kmscap.ko's split BTF (scripts/module-btf.sh).  Debian ships no ELF
# vmlinux (the headers package lacks it), but its vmlinuz carries it,
# compressed.
#
# The payload is found from the boot protocol's header (version 2.08 and
# later), not by scanning for magic numbers: setup_sects at 0x1f1, the
# "HdrS" signature at 0x202, the protocol version at 0x206, and
# payload_offset/payload_length at 0x248/0x24c, relative to the start of
# the protected-mode code ((setup_sects + 1) * 512 bytes in).  The
# payload's compression is told by its first bytes (Debian 12: xz; the
# debug kernel of make check-debug: gzip).  Its last 4 bytes are the
# kernel's own appended size field, which the decompressors are told to
# ignore (xz --single-stream; gzip warns about trailing data).
#
# OUT is only replaced when the result is an ELF file with a .BTF section;
# exit status 1 with the reason otherwise.
set -eu

die() {
	echo "vmlinux-elf: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: vmlinux-elf.sh BZIMAGE OUT"
img=$1
out=$2
[ -r "$img" ] || die "cannot read '$img'"

# u8/u16/u32 FILE OFFSET: a little-endian unsigned integer of FILE.
u() {
	od -An -t "u$1" -j "$3" -N "$1" --endian=little "$2" | tr -d ' '
}

[ "$(od -An -c -j 514 -N 4 "$img" | tr -d ' ')" = HdrS ] ||
	die "'$img' is not an x86 bzImage (no HdrS signature at 0x202)"
version=$(u 2 "$img" 518)
[ "$version" -ge 520 ] ||
	die "'$img': boot protocol $((version >> 8)).$((version & 255)) has no payload fields (2.08 needed)"
setup_sects=$(u 1 "$img" 497)
[ "$setup_sects" -ne 0 ] || setup_sects=4
payload_offset=$(u 4 "$img" 584)
payload_length=$(u 4 "$img" 588)
start=$(((setup_sects + 1) * 512 + payload_offset))
size=$(stat -c %s "$img")
if [ "$payload_length" -le 4 ] || [ $((start + payload_length)) -gt "$size" ]; then
	die "'$img': payload of $payload_length bytes at $start does not fit in its $size bytes"
fi

magic=$(od -An -t x1 -j "$start" -N 6 "$img" | tr -d ' ')
case $magic in
fd377a585a00) name=xz; unpack="xz -dc --single-stream" ;;
1f8b*) name=gzip; unpack="gzip -dc" ;;
28b52ffd*) name=zstd; unpack="zstd -dcq" ;;
*) die "'$img': payload compression with magic $magic is not supported (xz, gzip, zstd are)" ;;
esac
command -v "${unpack%% *}" >/dev/null ||
	die "'$img' is $name-compressed and ${unpack%% *} is not installed"

mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
# gzip and zstd exit non-zero on the trailing size field: the ELF check
# below says whether the output is whole.
tail -c +$((start + 1)) "$img" | head -c "$payload_length" | $unpack >"$tmp" 2>/dev/null || true
[ "$(od -An -t x1 -N 4 "$tmp" | tr -d ' ')" = 7f454c46 ] ||
	die "'$img': its $name payload does not decompress to an ELF file"
readelf -SW "$tmp" 2>/dev/null | grep -q ' \.BTF ' ||
	die "'$img': its vmlinux has no .BTF section (a kernel built without CONFIG_DEBUG_INFO_BTF)"
mv "$tmp" "$out"
trap - EXIT
