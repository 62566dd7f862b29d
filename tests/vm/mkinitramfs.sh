#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build the initramfs the kmscap VM tests boot with.
#
# The image is two concatenated gzip'ed cpio archives (the kernel unpacks
# them in order):
#   build/vm/base-$KVER.cpio.gz   busybox, /init, /etc, DRM and virtio
#                                 modules; cached
#                                 and rebuilt only when one of its inputs
#                                 changes.
#   payload                       test programs, their shared libraries,
#                                 kmscap.ko and the run configuration;
#                                 rebuilt every time (it is small).
# Result: build/vm/$NAME.cpio.gz (build/vm-BUNDLE/ when $KMSCAP_VM_KERNEL
# names a kernel bundle: tests/vm/kernel.sh)
#
# Usage: mkinitramfs.sh [options] [PROGRAM...]
#   --kver KVER        kernel release (default: newest 6.1 *-amd64 headers)
#   --name NAME        image name (default: selftests)
#   --mode MODE        "selftest" (run every program in /selftests) or "run"
#                      (run one program, hand back what it writes to /out
#                      as a tar archive on the virtio disk /dev/vda)
#   --ko PATH          kmscap.ko to include (default: $KMSCAP_VM_KO, else
#                      kmod/kmscap.ko if built)
#   --no-ko            do not include kmscap.ko
#   --timeout SECS     default per-program timeout (selftest: 120)
#   --timeouts FILE    "name seconds" lines overriding the default
#   --args "ARGS"      run mode: arguments for the program
#   --hostroot         /init mounts the host's root file system (virtio-9p,
#                      tag hostroot: run-vm.sh --hostroot) read-only at
#                      /host, ready to chroot into (tests/vm/init.sh)
#   --extra PATH       also include PATH (at the same absolute path) and the
#                      libraries it needs, e.g. a dlopen()ed plugin; may be
#                      repeated; $KMSCAP_VM_EXTRA adds more (space separated)
#   PROGRAM...         selftest mode: test executables; run mode: exactly one
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vmdir=$top/tests/vm

kver=${KVER:-}
name=selftests
mode=selftest
ko=auto
timeout=
timeouts=
run_args=
hostroot=0
host_paths=()
progs=()
# shellcheck disable=SC2206
extras=(${KMSCAP_VM_EXTRA:-})

die() { echo "mkinitramfs: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--kver) kver=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--no-ko) ko=none; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--timeouts) timeouts=$2; shift 2 ;;
	--args) run_args=$2; shift 2 ;;
	--extra) extras+=("$2"); shift 2 ;;
	--hostroot) hostroot=1; shift ;;
	--host-path) host_paths+=("$2"); shift 2 ;;
	--) shift; progs+=("$@"); break ;;
	-h|--help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) die "unknown option '$1'" ;;
	*) progs+=("$1"); shift ;;
	esac
done

# shellcheck source=tests/vm/kernel.sh
. "$vmdir/kernel.sh"
kmscap_vm_kernel "$top"
out=$vmout
case $mode in
selftest) timeout=${timeout:-120} ;;
run)
	timeout=${timeout:-1500}
	[ ${#progs[@]} -eq 1 ] || die "run mode needs exactly one program, got ${#progs[@]}"
	;;
*) die "unknown mode '$mode' (selftest or run)" ;;
esac
case $timeout in ''|*[!0-9]*) die "bad timeout '$timeout'" ;; esac
if [ "$ko" = auto ] && [ -n "${KMSCAP_VM_KO:-}" ]; then
	ko=$KMSCAP_VM_KO
elif [ "$ko" = auto ]; then
	ko=none
	[ -f "$top/kmod/kmscap.ko" ] && ko=$top/kmod/kmscap.ko
fi
[ "$ko" = none ] || [ -f "$ko" ] || die "kmscap module '$ko' does not exist"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found: install busybox-static"
case $(ldd "$busybox" 2>&1 || true) in *'not a dynamic'*) ;; *) false ;; esac ||
	die "$busybox is not statically linked: install busybox-static"

mkdir -p "$out"

# ---- kernel modules -------------------------------------------------------

# Modules every VM boot loads, dependencies first.  KMSCAP_VM_MODULES may
# add more (space separated).
base_modules="drm drm_kms_helper drm_shmem_helper vgem ${KMSCAP_VM_MODULES:-}"

declare -A seen=()
order=()

# kmscap_dep_visit NAME: append NAME's dependencies, then NAME, to $order.
kmscap_dep_visit() {
	local m=${1//-/_} deps d f
	[ -n "${seen[$m]:-}" ] && return 0
	seen[$m]=1
	f=$(modinfo -b "$modroot" -k "$kver" -n "$m" 2>/dev/null) ||
		die "kernel module '$m' not found for $kver"
	case $f in /*) ;; *) return 0 ;; esac	# "(builtin)": nothing to load
	deps=$(modinfo -b "$modroot" -k "$kver" -F depends "$m")
	for d in ${deps//,/ }; do
		kmscap_dep_visit "$d"
	done
	order+=("$m")
}

for m in $base_modules; do
	kmscap_dep_visit "$m"
done
if [ "$ko" != none ]; then
	ko_deps=$(modinfo -F depends "$ko") || die "modinfo cannot read $ko"
	for d in ${ko_deps//,/ }; do
		kmscap_dep_visit "$d"
	done
fi
drm_order=("${order[@]}")
# Run mode hands the files of /out back on a virtio disk.
order=()
for m in virtio_pci virtio_blk; do
	kmscap_dep_visit "$m"
done
out_order=("${order[@]}")
# --hostroot mounts the host's root over virtio-9p (virtio_pci again: run
# mode's list is loaded only at its end).
order=()
seen=()
for m in virtio_pci 9pnet_virtio 9p; do
	kmscap_dep_visit "$m"
done
hostroot_order=("${order[@]}")
mapfile -t order < <(printf '%s\n' "${drm_order[@]}" "${out_order[@]}" "${hostroot_order[@]}" |
	awk '!seen[$0]++')
# Modules a test may load itself (insmod /lib/kmscap/NAME.ko), when the
# kernel has them: vkms (the debug kernel's, not Debian's) imports a
# kmscap export and vmaps it (tests/selftests/export_importers.c).
optional_modules="vkms"
for m in $optional_modules; do
	f=$(modinfo -b "$modroot" -k "$kver" -n "$m" 2>/dev/null) || continue
	case $f in /*) order+=("$m") ;; esac
done

# ---- base archive (cached) --------------------------------------------------

base=$out/base-$kver.cpio.gz
key=$( {
	echo "kver $kver"
	for m in "${order[@]}"; do
		f=$(modinfo -b "$modroot" -k "$kver" -n "$m")
		echo "$m $(stat -c '%s %Y' "$f") $f"
	done
	stat -c '%s %Y %n' "$busybox" "$vmdir/init.sh" "$vmdir/mkinitramfs.sh"
} | sha256sum | cut -d' ' -f1)

if [ ! -f "$base" ] || [ "$(cat "$base.key" 2>/dev/null)" != "$key" ]; then
	echo "  GEN     ${base#"$top"/}"
	stage=$(mktemp -d "$out/base-stage.XXXXXX")
	trap 'rm -rf "$stage" "$stage".*' EXIT
	chmod 0755 "$stage"
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,root,out,etc/kmscap,lib/kmscap}
	chmod 1777 "$stage/tmp"
	ln -s bin "$stage/sbin"
	mkdir -p "$stage/usr"
	ln -s ../bin "$stage/usr/bin"
	ln -s ../bin "$stage/usr/sbin"
	cp "$busybox" "$stage/bin/busybox"
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$stage/bin/$a"
	done
	install -m 0755 "$vmdir/init.sh" "$stage/init"
	cat >"$stage/etc/passwd" <<-EOF
	root:x:0:0:root:/root:/bin/sh
	kmscap1:x:1001:1001:kmscap test user 1:/tmp:/bin/sh
	kmscap2:x:1002:1002:kmscap test user 2:/tmp:/bin/sh
	compositor:x:1000:1000:compositor test user:/home/compositor:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$stage/etc/group" <<-EOF
	root:x:0:
	video:x:44:
	render:x:105:
	kmscap:x:990:kmscap1
	kmscap1:x:1001:
	kmscap2:x:1002:
	compositor:x:1000:
	nogroup:x:65534:
	EOF
	printf 'passwd: files\ngroup: files\nshadow: files\n' >"$stage/etc/nsswitch.conf"
	echo kmscap-vm >"$stage/etc/hostname"
	printf '%s\n' "${drm_order[@]}" >"$stage/etc/kmscap/modules"
	printf '%s\n' "${out_order[@]}" >"$stage/etc/kmscap/modules.out"
	printf '%s\n' "${hostroot_order[@]}" >"$stage/etc/kmscap/modules.hostroot"
	for m in "${order[@]}"; do
		f=$(modinfo -b "$modroot" -k "$kver" -n "$m")
		case $f in
		*.ko) cp "$f" "$stage/lib/kmscap/$m.ko" ;;
		*.ko.xz) xz -dc "$f" >"$stage/lib/kmscap/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$stage/lib/kmscap/$m.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$stage/lib/kmscap/$m.ko" ;;
		*) die "unsupported module file $f" ;;
		esac
	done
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$stage.cpio.gz"
	echo "$key" >"$stage.key"
	mv "$stage.cpio.gz" "$base"
	mv "$stage.key" "$base.key"
	rm -rf "$stage"
fi

# ---- payload archive ----------------------------------------------------------

stage=$(mktemp -d "$out/$name-payload.XXXXXX")
trap 'rm -rf "$stage" "$stage".*' EXIT
chmod 0755 "$stage"
mkdir -p "$stage/etc/kmscap" "$stage/selftests" "$stage/payload"

declare -A libs=()

# kmscap_add_libs ELF: remember every shared library ELF needs.
kmscap_add_libs() {
	local l
	if ! ldd "$1" >/dev/null 2>&1; then
		return 0	# static, or not an ELF we can inspect
	fi
	if ldd "$1" | grep -q 'not found'; then
		die "$1 needs libraries that are not installed: $(ldd "$1" | grep 'not found' | tr -s ' \t\n' ' ')"
	fi
	for l in $(ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		libs[$l]=1
	done
}

for p in "${progs[@]}"; do
	[ -f "$p" ] && [ -x "$p" ] || die "program '$p' does not exist or is not executable"
	case $(basename "$p") in
	*[!A-Za-z0-9._-]*) die "program name '$(basename "$p")' has characters other than A-Za-z0-9._-" ;;
	esac
	if [ "$mode" = selftest ]; then
		cp "$p" "$stage/selftests/"
	else
		cp "$p" "$stage/payload/"
	fi
	kmscap_add_libs "$p"
done
for e in "${extras[@]}"; do
	e=$(realpath -e "$e") || die "extra file '$e' does not exist"
	mkdir -p "$stage$(dirname "$e")"
	cp -L "$e" "$stage$e"
	kmscap_add_libs "$e"
done
libdirs=
for l in "${!libs[@]}"; do
	mkdir -p "$stage$(dirname "$l")"
	cp -L "$l" "$stage$l"
	case ":$libdirs:" in *":$(dirname "$l"):"*) ;; *) libdirs=$libdirs:$(dirname "$l") ;; esac
done

if [ "$ko" != none ]; then
	cp "$ko" "$stage/etc/kmscap/kmscap.ko"
fi
# The test-only dma-buf peer (tests/dmabuf-peer), when it is built for this
# kernel: tests/selftests/export_dynamic.c loads it, or skips without it.
peer=${KMSCAP_VM_PEER_KO:-$top/tests/dmabuf-peer/kmscap_peer.ko}
if [ -f "$peer" ]; then
	peer_kver=$(modinfo -F vermagic "$peer" 2>/dev/null | cut -d' ' -f1)
	if [ "$peer_kver" = "$kver" ]; then
		mkdir -p "$stage/lib/kmscap"
		cp "$peer" "$stage/lib/kmscap/kmscap_peer.ko"
	else
		echo "  NOTE    ${peer#"$top"/} is for kernel '$peer_kver', not $kver: not carried"
	fi
fi
{
	echo "# generated by tests/vm/mkinitramfs.sh"
	echo "KMSCAP_MODE=$mode"
	echo "KMSCAP_KVER=$kver"
	echo "KMSCAP_TIMEOUT=$timeout"
	echo "KMSCAP_LIBDIRS=${libdirs#:}"
	echo "KMSCAP_HOSTROOT=$hostroot"
	echo "KMSCAP_HOST_PATHS=\"${host_paths[*]}\""
	if [ "$ko" != none ]; then
		echo "KMSCAP_KO=/etc/kmscap/kmscap.ko"
		# Its init code's size, for kmemleak frames in it (freed after init).
		init_size=$(readelf -SW "$ko" 2>/dev/null |
			awk '{ for (i = 1; i < NF; i++) if ($i == ".init.text") print $(i + 4) }')
		echo "KMSCAP_KO_INIT_SIZE=${init_size:+$((16#$init_size))}"
	else
		echo "KMSCAP_KO="
	fi
	if [ "$mode" = run ]; then
		echo "KMSCAP_RUN=/payload/$(basename "${progs[0]}")"
	fi
} >"$stage/etc/kmscap/vm.conf"
# Run mode arguments, split on white space by /init.
printf '%s\n' "$run_args" >"$stage/etc/kmscap/args"
if [ -n "$timeouts" ]; then
	[ -f "$timeouts" ] || die "timeouts file '$timeouts' does not exist"
	grep -v '^[[:space:]]*\(#\|$\)' "$timeouts" >"$stage/etc/kmscap/timeouts" || true
fi

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$stage.cpio.gz"
cat "$base" "$stage.cpio.gz" >"$stage.all.cpio.gz"
mv "$stage.all.cpio.gz" "$out/$name.cpio.gz"
rm -rf "$stage" "$stage.cpio.gz"
echo "  GEN     ${out#"$top"/}/$name.cpio.gz"
