#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build the debug kernel of "make check-debug" from Debian's own
# linux-source-6.1: x86_64_defconfig + kvm_guest.config +
# tests/vm/debug-kernel.config (KASAN, lockdep, kmemleak, UBSAN, debug
# objects, the DRM modules the VM loads).  The result is a kernel bundle
# that tests/vm/run-vm.sh boots when KMSCAP_VM_KERNEL names it:
#   OUT/vmlinuz        the kernel image
#   OUT/release        its release string (uname -r)
#   OUT/root/lib/modules/RELEASE/   its modules (modinfo -b OUT/root)
#   OUT/obj            the build tree, KDIR for kmscap.ko (make -C OUT/obj M=...)
#   OUT/key            what it was built from; unchanged -> not rebuilt
# The bundle is rebuilt only when the fragment, this script, the source
# package's version or the compiler changes.
#
# Usage: debug-kernel.sh [--out DIR] [--jobs N]   (default build/debug-kernel)
# Exit status: 0 when the bundle is ready; 1 with the reason otherwise (no
# package, no disk, a config option Kconfig refused, a build error).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$top/build/debug-kernel
jobs=$(nproc)
frag=$top/tests/vm/debug-kernel.config
tarball=/usr/src/linux-source-6.1.tar.xz
# What a build needs on disk: sources (1.4 GB), objects and modules.
need_gb=12

die() { echo "debug-kernel: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	-h|--help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
out=$(realpath -m "$out")

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
[ -n "$srcver" ] && [ -r "$tarball" ] ||
	die "cannot build the debug kernel: Debian's package linux-source-6.1 is not installed" \
	    "($tarball missing); install it with tests/deps.sh (as root)"
for t in flex bison bc gcc make xz perl; do
	command -v "$t" >/dev/null ||
		die "cannot build the debug kernel: '$t' is missing; install the packages of tests/deps.sh"
done
for h in /usr/include/libelf.h /usr/include/openssl/ssl.h; do
	[ -r "$h" ] ||
		die "cannot build the debug kernel: $h is missing (libelf-dev, libssl-dev: tests/deps.sh)"
done

key=$( {
	echo "source linux-source-6.1 $srcver"
	gcc --version | head -n 1
	cat "$frag" "${BASH_SOURCE[0]}"
} | sha256sum | cut -d' ' -f1)

if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] &&
   [ -f "$out/vmlinuz" ] && [ -f "$out/release" ]; then
	echo "  KERNEL  $(cat "$out/release") (cached in ${out#"$top"/}, linux-source-6.1 $srcver)"
	exit 0
fi

mkdir -p "$out"
avail_kb=$(df -Pk "$out" | awk 'NR == 2 { print $4 }')
if [ "$avail_kb" -lt $((need_gb * 1024 * 1024)) ]; then
	die "cannot build the debug kernel: $((avail_kb / 1024 / 1024)) GB free on the disk" \
	    "of $out, it needs about $need_gb GB"
fi

t0=$(date +%s)
echo "  KERNEL  building linux-source-6.1 $srcver with tests/vm/debug-kernel.config" \
     "(about 16 minutes on 2 cores; log ${out#"$top"/}/build.log)"
rm -rf "$out/src" "$out/obj" "$out/root" "$out/vmlinuz" "$out/release" "$out/key"
mkdir -p "$out/src" "$out/obj"
log=$out/build.log
: >"$log"
tar -xf "$tarball" -C "$out/src" --strip-components=1

# kmake ARGS...: make in the source tree with the objects in obj/.
kmake() {
	make -C "$out/src" O="$out/obj" "$@" >>"$log" 2>&1
}

# failed STEP: the end of the log, then fail.
failed() {
	tail -n 40 "$log" | sed 's/^/    | /' >&2
	die "$1 failed; the whole log is ${log#"$top"/}"
}

kmake x86_64_defconfig || failed "make x86_64_defconfig"
"$out/src/scripts/kconfig/merge_config.sh" -m -O "$out/obj" "$out/obj/.config" \
	"$out/src/kernel/configs/kvm_guest.config" "$frag" >>"$log" 2>&1 ||
	failed "merging kvm_guest.config and debug-kernel.config"
kmake olddefconfig || failed "make olddefconfig"

# Every option of the fragment must have its value in the final .config.
refused=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$out/obj/.config" || refused+=("$line")
		;;
	'# CONFIG_'*' is not set')
		opt=${line#'# '}
		opt=${opt%' is not set'}
		grep -q "^$opt=" "$out/obj/.config" && refused+=("$line")
		;;
	esac
done <"$frag"
if [ ${#refused[@]} -gt 0 ]; then
	die "Kconfig did not take these lines of tests/vm/debug-kernel.config:" \
	    "${refused[*]} (see ${out#"$top"/}/obj/.config)"
fi

kmake -j"$jobs" bzImage modules || failed "building the kernel"
kmake INSTALL_MOD_PATH="$out/root" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install ||
	failed "make modules_install"
release=$(make -s -C "$out/src" O="$out/obj" kernelrelease 2>/dev/null | tail -n 1)
[ -d "$out/root/lib/modules/$release" ] ||
	die "no modules in ${out#"$top"/}/root/lib/modules/$release after modules_install"
cp "$out/obj/arch/x86/boot/bzImage" "$out/vmlinuz"
echo "$release" >"$out/release"
echo "$key" >"$out/key"
echo "  KERNEL  $release built in $(( $(date +%s) - t0 ))s (${out#"$top"/})"
