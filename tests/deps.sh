#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install the Debian 12 packages kmscap needs to build and test.
# As root: installs what is missing.  Otherwise: prints the command to run
# and fails if anything is missing.
set -euo pipefail

# One package per line; add new ones here (keep a comment on why).
kmscap_packages=(
	build-essential		# gcc, make, libc headers
	gcc-multilib		# tests/abi: the uapi layout under -m32
	linux-image-amd64	# the kernel the VM tests boot
	linux-headers-amd64	# to build kmod/kmscap.ko for it
	qemu-system-x86		# the test VM
	busybox-static		# the VM's userland
	cpio			# initramfs archives
	gzip
	kmod			# modinfo: DRM module dependencies
	libdrm-dev
	libdrm-tests		# modetest: tests/selftests/modetest_gamma.c
	check			# unit test framework
	pkg-config
	liburing-dev
	libva-dev
	libva-drm2
	libavformat-dev		# kmscap-stream --format mpegts/matroska (FFmpeg 5.1's libavformat, libavcodec, libavutil)
	ffmpeg
	dwarves			# pahole: BTF for the module build
	bc			# kernel build scripts
	edid-decode		# tests/unit: EDID conformity (skipped without it)
	vainfo			# tests/vadriver: vainfo lists the test driver
	dkms			# tests/install: builds make install-dkms's sources
	linux-source-6.1	# make check-debug: the debug kernel's sources
	flex			# ... and what building that kernel needs
	bison
	libssl-dev
	libelf-dev
	xz-utils
	binutils		# tests/vm/hang-kernel.S (as --32, ld -m elf_i386)
	udev			# tests/install: systemd's seat rules, udevadm test
	util-linux		# tests/install: unshare (a private mount namespace)
	abigail-tools		# tests/abi: abidw, abidiff: the installed libkmscap against tests/abi/libkmscap.abi
	groff-base		# tests/install: the man pages render without warnings (groff -ww)
	clang			# user/top (kmscap-top): its BPF programs
	llvm			# ... llvm-objdump -S to inspect kmscap-top.bpf.o (not needed to build)
	bpftool			# ... its skeleton (bpftool gen skeleton)
	libbpf-dev		# ... libbpf, to load and attach them
	strace			# tests/selftests/bench_syscalls: checks kmscap-bench's system call count; tests/stream e2e_syscalls: kmscap-stream never reads the kmscap fd
	valgrind		# make bench-instr: callgrind's instruction counts (in the VM)
	linux-perf		# tests/selftests/perf_oneliners: observability.md's perf one-liners (in the VM)
	bpftrace		# tests/selftests/bpftrace_oneliners: its bpftrace one-liners (in the VM)
	weston			# tests/compositors: the compositors run on kmscap displays
	cage			# ... a wlroots compositor
	sway			# ... another, which follows a replaced monitor
	xwayland		# ... cage will not start without it
	seatd			# ... its seat (wlroots refuses root)
	xserver-xorg-core	# ... Xorg with its modesetting driver
	kmscube			# ... GBM/EGL rendering
	libdrm-tests		# ... modetest
	libgl1-mesa-dri		# ... kms_swrast/llvmpipe: Mesa without a GPU
	libegl-mesa0
	xkb-data		# ... keymaps of Weston, cage and Xorg
	libwayland-dev		# ... the clients they show: wayland-client
	libwayland-bin		# ... wayland-scanner
	wayland-protocols	# ... xdg-shell.xml
	libxcb1-dev		# ... and the X client
)

if ! command -v dpkg-query >/dev/null; then
	echo "deps: dpkg-query not found: kmscap is built and tested on Debian 12" >&2
	exit 1
fi

missing=()
for p in "${kmscap_packages[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "  DEPS    installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
