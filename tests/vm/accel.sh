#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Choose qemu's accelerator for the test VM by proof, not by the device
# node: KVM only when a probe boot of the same kernel under KVM prints the
# kernel banner ("Linux version") on its console within a short limit.
# A /dev/kvm that opens is not enough: on some hosts a KVM guest stops in
# the boot stub and never prints anything.
#
# Usage:
#   accel.sh --kernel VMLINUZ        print "ACCEL<tab>WHY": the accelerator
#                                    to use (kvm or tcg) and why
#   accel.sh --probe ACCEL --kernel VMLINUZ
#                                    boot VMLINUZ under ACCEL until its
#                                    banner shows; exit 0 if it did within
#                                    the limit, 1 if not (prints what)
# Environment:
#   KMSCAP_VM_ACCEL=auto|kvm|tcg     auto (default) probes; kvm and tcg
#                                    are taken as they are
#   KMSCAP_VM_KVM_PROBE_S=15         the probe's limit in seconds
#   KMSCAP_MAKE_RUN                  set by the top Makefile, one value per
#                                    run of make: the choice is cached per
#                                    kernel, machine and run in
#                                    build/vm/accel/ (without it: no cache)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=$top/build/vm/accel
kernel=
probe=
limit=${KMSCAP_VM_KVM_PROBE_S:-15}

die() { echo "accel: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--probe) probe=$2; shift 2 ;;
	-h|--help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done
[ -n "$kernel" ] || die "--kernel VMLINUZ is required"
[ -r "$kernel" ] || die "cannot read kernel image '$kernel'"
case $limit in ''|*[!0-9]*|0) die "bad KMSCAP_VM_KVM_PROBE_S '$limit' (whole seconds > 0)" ;; esac

# kmscap_probe ACCEL LOG: boot the kernel under ACCEL, without a root
# file system, until the banner shows or the limit passes.  Sets $probe_why.
kmscap_probe() {
	local accel=$1 plog=$2 qpid t=0 rc=1
	: >"$plog"
	qemu-system-x86_64 -nodefaults -no-reboot -display none \
		-accel "$accel" -cpu max -smp 1 -m 256 -serial "file:$plog" \
		-kernel "$kernel" -append "console=ttyS0,115200 panic=-1" \
		</dev/null >"$plog.qemu" 2>&1 &
	qpid=$!
	# Tenths of a second, so that a working KVM costs well under a second.
	while [ $t -lt $((limit * 10)) ]; do
		if grep -q 'Linux version' "$plog" 2>/dev/null; then
			rc=0
			break
		fi
		if ! kill -0 "$qpid" 2>/dev/null; then
			break
		fi
		sleep 0.1
		t=$((t + 1))
	done
	kill -KILL "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	grep -q 'Linux version' "$plog" 2>/dev/null && rc=0
	if [ $rc -eq 0 ]; then
		probe_why="$accel probe: kernel banner after $(awk -v t=$t 'BEGIN { printf "%.1f", t / 10 }') s"
	elif [ -s "$plog.qemu" ]; then
		probe_why="$accel probe: qemu failed: $(sed -n 's/^qemu-system-x86_64: //p' "$plog.qemu" | head -n 1 | cut -c1-100)"
	elif [ -s "$plog" ]; then
		probe_why="$accel probe: no kernel output in $limit s (console stopped at: $(tr -d '\r' <"$plog" | sed -n '/[^[:space:]]/p' | tail -n 1 | cut -c1-80))"
	else
		probe_why="$accel probe: no kernel output in $limit s"
	fi
	return $rc
}

mkdir -p "$cache"

if [ -n "$probe" ]; then
	case $probe in kvm|tcg) ;; *) die "--probe takes kvm or tcg, not '$probe'" ;; esac
	plog=$(mktemp "$cache/probe-$probe.XXXXXX")
	rc=0
	kmscap_probe "$probe" "$plog" 2>/dev/null || rc=1
	rm -f "$plog" "$plog.qemu"
	echo "$probe_why"
	exit $rc
fi

choice=${KMSCAP_VM_ACCEL:-auto}
case $choice in
kvm) printf 'kvm\tKMSCAP_VM_ACCEL=kvm\n'; exit 0 ;;
tcg) printf 'tcg\tKMSCAP_VM_ACCEL=tcg\n'; exit 0 ;;
auto) ;;
*) die "KMSCAP_VM_ACCEL must be auto, kvm or tcg, not '$choice'" ;;
esac

if [ ! -e /dev/kvm ]; then
	printf 'tcg\tno /dev/kvm\n'
	exit 0
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	printf 'tcg\t/dev/kvm is not readable and writable for uid %s\n' "$(id -u)"
	exit 0
fi

# One probe per kernel, machine and run of make.
key=
if [ -n "${KMSCAP_MAKE_RUN:-}" ]; then
	key=$( {
		echo "run $KMSCAP_MAKE_RUN"
		stat -L -c '%n %s %Y' "$kernel"
		uname -n
		cat /etc/machine-id 2>/dev/null || true
		grep -m1 '^flags' /proc/cpuinfo || true
		qemu-system-x86_64 --version | head -n 1
	} | sha256sum | cut -c1-16)
	if [ -f "$cache/$key" ]; then
		printf '%s (cached for this run of make)\n' "$(cat "$cache/$key")"
		exit 0
	fi
fi

plog=$cache/probe-kvm-$(basename "$kernel").log
if kmscap_probe kvm "$plog" 2>/dev/null; then
	res=$(printf 'kvm\t%s' "$probe_why")
else
	res=$(printf 'tcg\t%s' "$probe_why")
fi
rm -f "$plog.qemu"
[ -n "$key" ] && printf '%s\n' "$res" >"$cache/$key"
printf '%s\n' "$res"
