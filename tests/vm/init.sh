#!/bin/sh
# SPDX-License-Identifier: MIT
#
# /init of the kmscap test VM (busybox ash).  Protocol on the second serial
# port (ttyS1), parsed by tests/vm/run-vm.sh:
#   KMSCAP-TAP: ok 3 - name          one TAP line per test
#   KMSCAP-RUN: name                 a program is about to start
#   KMSCAP-LOG: name: text           output of a program
#   KMSCAP-OUT-FILE: size path       run mode: a file of /out, which is
#                                    sent as a tar archive on /dev/vda
#   KMSCAP-MODRANGE: kmscap ADDR SIZE  kmscap.ko's core, before rmmod
#   KMSCAP-MODRANGE: kmscap-init ADDR SIZE  its init code, after insmod
#   KMSCAP-KMEMLEAK: text            kmemleak's report, at the end (on a
#                                    kernel with kmemleak)
#   KMSCAP-DMESG: text               the kernel log, at the end
#   KMSCAP-VM-DONE                   everything above is complete
# busybox ash has "local":
# shellcheck disable=SC3043

export PATH=/bin
export HOME=/tmp
export KMSCAP_VM=1

/bin/mount -t devtmpfs devtmpfs /dev
# The kernel console is ttyS0; this protocol has ttyS1 to itself so that
# kernel messages never land in the middle of one of its lines.
if [ -c /dev/ttyS1 ] && stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null; then
	exec </dev/null >/dev/ttyS1 2>&1
else
	exec </dev/null >/dev/console 2>&1
	echo "KMSCAP-LOG: init: no /dev/ttyS1, protocol on the console"
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
# tmpfs on /tmp, keeping what the initramfs has there (--extra files of a
# tree that lives under /tmp on the host).
mkdir -p /.tmp
mount -t tmpfs -o mode=1777 tmpfs /.tmp
cp -a /tmp/. /.tmp/
mount -o move /.tmp /tmp
chmod 1777 /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /out
hostname kmscap-vm

KMSCAP_MODE=selftest
KMSCAP_TIMEOUT=120
KMSCAP_KO=
KMSCAP_KO_INIT_SIZE=
KMSCAP_LIBDIRS=
KMSCAP_RUN=
KMSCAP_HOSTROOT=0
KMSCAP_HOST_PATHS=
. /etc/kmscap/vm.conf
[ -n "$KMSCAP_LIBDIRS" ] && export LD_LIBRARY_PATH="$KMSCAP_LIBDIRS"

tap_n=0

# kmscap_tap ok|not-ok NAME [DIRECTIVE]
kmscap_tap() {
	tap_n=$((tap_n + 1))
	if [ "$1" = ok ]; then
		echo "KMSCAP-TAP: ok $tap_n - $2${3:+ # $3}"
	else
		echo "KMSCAP-TAP: not ok $tap_n - $2${3:+ # $3}"
	fi
}

# kmscap_log NAME FILE: print FILE with the log prefix, at most 4000 lines,
# and how kmscap_run saw the program end.
kmscap_log() {
	local lines
	lines=$(wc -l <"$2")
	if [ "$lines" -gt 4000 ]; then
		echo "KMSCAP-LOG: $1: ($lines lines of output, the first 4000 follow)"
	fi
	head -n 4000 "$2" | tr -d '\r' | sed "s|^|KMSCAP-LOG: $1: |"
	echo "KMSCAP-LOG: $1: (exit status $run_rc after ${run_secs}s)"
}

# kmscap_reason FILE: last non-empty line of FILE, fit for a TAP directive.
kmscap_reason() {
	sed -n '/[^[:space:]]/p' "$1" | tail -n 1 | tr -d '\r#' |
		sed 's/^.*[Ss][Kk][Ii][Pp]\(PED\|ped\)\{0,1\}:[[:space:]]*//; s/^[[:space:]]*//'
}

# kmscap_run NAME TIMEOUT CMD...: run CMD with a timeout, output captured in
# /tmp/kmscap-out/NAME; sets $run_rc (124 = timed out) and $run_secs.
kmscap_run() {
	local name="$1" tmo="$2" pid killer t0
	shift 2
	mkdir -p /tmp/kmscap-out
	rm -f /tmp/kmscap-out/"$name".timeout
	echo "KMSCAP-RUN: $name (timeout ${tmo}s)"
	# A mark in the kernel log: the host tells which program a warning
	# came during.
	echo "kmscap-vm: start $name" >/dev/kmsg
	t0=$(cut -d' ' -f1 /proc/uptime)
	KMSCAP_TIMEOUT_S=$tmo "$@" >/tmp/kmscap-out/"$name" 2>&1 </dev/null &
	pid=$!
	(
		sleep "$tmo"
		touch /tmp/kmscap-out/"$name".timeout
		kill -TERM "$pid" 2>/dev/null
		sleep 5
		kill -KILL "$pid" 2>/dev/null
	) &
	killer=$!
	wait "$pid"
	run_rc=$?
	kill "$killer" 2>/dev/null
	wait "$killer" 2>/dev/null
	[ -e /tmp/kmscap-out/"$name".timeout ] && run_rc=124
	run_secs=$(awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }' /proc/uptime)
	echo "kmscap-vm: end $name" >/dev/kmsg
	return 0
}

# kmscap_insmod NAME FILE: insmod with the NAME.param=value settings of the
# kernel command line (as modprobe would); the output goes to $out.
kmscap_insmod() {
	# Word splitting of the parameters is intended.
	# shellcheck disable=SC2046
	out=$(insmod "$2" $(tr ' ' '\n' </proc/cmdline | sed -n "s/^$1\.//p") 2>&1)
}

# kmscap_load_modules: base DRM modules, then kmscap.ko; one test each.
kmscap_load_modules() {
	local m failed='' out
	for m in $(cat /etc/kmscap/modules); do
		[ -d "/sys/module/$m" ] && continue
		if ! kmscap_insmod "$m" "/lib/kmscap/$m.ko"; then
			failed="$failed $m"
			echo "KMSCAP-LOG: modules: insmod $m.ko: $out"
		fi
	done
	if [ -z "$failed" ]; then
		kmscap_tap ok "insmod DRM modules ($(tr '\n' ' ' </etc/kmscap/modules | sed 's/ $//'))"
	else
		kmscap_tap not-ok "insmod DRM modules" "failed:$failed"
	fi
	if [ -z "$KMSCAP_KO" ]; then
		kmscap_tap not-ok "insmod kmscap.ko" "kmod/kmscap.ko was not built"
	elif echo "kmscap-vm: start insmod-kmscap" >/dev/kmsg &&
	     kmscap_insmod kmscap "$KMSCAP_KO"; then
		echo "kmscap-vm: end insmod-kmscap" >/dev/kmsg
		kmscap_tap ok "insmod kmscap.ko"
		# Where its (now freed) init code was: kmemleak frames in it.
		if [ -r /sys/module/kmscap/sections/.init.text ] && [ -n "${KMSCAP_KO_INIT_SIZE:-}" ]; then
			echo "KMSCAP-MODRANGE: kmscap-init $(cat /sys/module/kmscap/sections/.init.text) $KMSCAP_KO_INIT_SIZE"
		fi
	else
		echo "KMSCAP-LOG: modules: insmod kmscap.ko: $out"
		kmscap_tap not-ok "insmod kmscap.ko" "insmod failed: $(echo "$out" | tail -n 1 | tr -d '#')"
	fi
}

# kmscap_hostroot: run-vm.sh --hostroot: the host's root file system
# (virtio-9p, read-only) at /host, with this VM's /proc, /sys, /dev and /tmp
# inside, tmpfs on /run, /home, /root, /var/log and /var/lib/xkb (where
# compositors write), and this VM's /etc/passwd and /etc/group (user
# compositor, uid 1000, home /home/compositor): programs chroot into it to
# run the host's compositors.  Then each of KMSCAP_HOST_PATHS (run-vm.sh:
# this tree and --host-path; 9p tags hostpath0, 1, ...) at /host/<path>,
# over whatever covered it.  One test line.
kmscap_hostroot() {
	local m out d i
	[ "$KMSCAP_HOSTROOT" = 1 ] || return 0
	for m in $(cat /etc/kmscap/modules.hostroot); do
		[ -d "/sys/module/$m" ] && continue
		kmscap_insmod "$m" "/lib/kmscap/$m.ko" ||
			echo "KMSCAP-LOG: modules: insmod $m.ko: $out"
	done
	mkdir -p /host
	if ! out=$(mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 \
			hostroot /host 2>&1); then
		kmscap_tap not-ok "mount the host's root at /host" \
			"mount -t 9p hostroot: $(echo "$out" | tail -n 1 | tr -d '#')"
		return 0
	fi
	mount -t proc proc /host/proc
	mount -o rbind /sys /host/sys
	mount -o rbind /dev /host/dev
	mount -o bind /tmp /host/tmp
	for d in /run /home /root /var/log /var/lib/xkb; do
		[ -d "/host$d" ] && mount -t tmpfs -o mode=0755 tmpfs "/host$d"
	done
	mkdir -p /host/home/compositor
	chown 1000:1000 /host/home/compositor
	mount -o bind /etc/passwd /host/etc/passwd
	mount -o bind /etc/group /host/etc/group
	i=0
	for d in $KMSCAP_HOST_PATHS; do
		mkdir -p "/host$d" 2>/dev/null
		if ! out=$(mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 \
				"hostpath$i" "/host$d" 2>&1); then
			kmscap_tap not-ok "mount the host's root at /host" \
				"mount -t 9p hostpath$i on /host$d: $(echo "$out" | tail -n 1 | tr -d '#')"
			return 0
		fi
		i=$((i + 1))
	done
	kmscap_tap ok "mount the host's root at /host"
}

# kmscap_timeout_of NAME: per-program timeout from /etc/kmscap/timeouts.
kmscap_timeout_of() {
	local n t
	if [ -f /etc/kmscap/timeouts ]; then
		while read -r n t; do
			if [ "$n" = "$1" ]; then
				echo "$t"
				return
			fi
		done </etc/kmscap/timeouts
	fi
	echo "$KMSCAP_TIMEOUT"
}

kmscap_selftests() {
	local p name tmo reason
	for p in $(ls /selftests | LC_ALL=C sort); do
		p=/selftests/$p
		[ -f "$p" ] && [ -x "$p" ] || continue
		name=${p##*/}
		tmo=$(kmscap_timeout_of "$name")
		cd /tmp
		kmscap_run "$name" "$tmo" "$p"
		cd /
		kmscap_log "$name" /tmp/kmscap-out/"$name"
		case $run_rc in
		0) kmscap_tap ok "$name" ;;
		77)
			reason=$(kmscap_reason /tmp/kmscap-out/"$name")
			kmscap_tap ok "$name" "SKIP ${reason:-no reason given}"
			;;
		124) kmscap_tap not-ok "$name" "timed out after ${tmo}s" ;;
		*)
			if [ "$run_rc" -gt 128 ]; then
				kmscap_tap not-ok "$name" "killed by signal $((run_rc - 128))"
			else
				kmscap_tap not-ok "$name" "exit status $run_rc"
			fi
			;;
		esac
	done

	kmscap_rmmod
}

# kmscap_rmmod: unload kmscap.ko (a test: it must go once nothing uses
# it); its address range goes on the protocol line first, so that the
# host can attribute kmemleak reports whose frames no longer have names.
kmscap_rmmod() {
	local out
	if [ ! -d /sys/module/kmscap ]; then
		kmscap_tap ok "rmmod kmscap" "SKIP kmscap is not loaded"
		return
	fi
	awk '$1 == "kmscap" { print "KMSCAP-MODRANGE: kmscap " $6 " " $2 }' /proc/modules
	if echo "kmscap-vm: start rmmod-kmscap" >/dev/kmsg &&
	   out=$(rmmod kmscap 2>&1) && [ ! -d /sys/module/kmscap ]; then
		echo "kmscap-vm: end rmmod-kmscap" >/dev/kmsg
		kmscap_tap ok "rmmod kmscap"
	else
		echo "KMSCAP-LOG: modules: rmmod kmscap: $out"
		kmscap_tap not-ok "rmmod kmscap" "$(echo "rmmod failed: $out" | tail -n 1 | tr -d '#')"
	fi
}

# kmscap_kmemleak: on a kernel with kmemleak, scans at the end of the
# run; the report goes to the host, which fails the run on objects kmscap
# allocated (tests/vm/klog-scan.sh --kmemleak).  Objects younger than 5 s
# are not reported, and an object is reported only by a scan that finds it
# unreferenced with the same contents as the scan before: so wait, then
# scan twice.
kmscap_kmemleak() {
	local f=/sys/kernel/debug/kmemleak
	[ -w $f ] || return 0
	sleep 6
	if echo scan >$f 2>/dev/null && echo scan >$f 2>/dev/null; then
		echo "KMSCAP-KMEMLEAK-SCANNED"
		sed 's/^/KMSCAP-KMEMLEAK: /' $f
	else
		echo "KMSCAP-LOG: kmemleak: the scan failed (kmemleak disabled itself?)"
		echo "KMSCAP-KMEMLEAK-FAILED"
	fi
}

kmscap_run_payload() {
	local name="${KMSCAP_RUN##*/}"
	cd /out
	# Word splitting of the argument line is intended.
	# shellcheck disable=SC2046
	kmscap_run "$name" "$KMSCAP_TIMEOUT" "$KMSCAP_RUN" $(cat /etc/kmscap/args)
	cd /
	kmscap_log "$name" /tmp/kmscap-out/"$name"
	case $run_rc in
	0) kmscap_tap ok "$name" ;;
	124) kmscap_tap not-ok "$name" "timed out after ${KMSCAP_TIMEOUT}s" ;;
	*) kmscap_tap not-ok "$name" "exit status $run_rc" ;;
	esac
	kmscap_send_out
	kmscap_rmmod
}

# kmscap_send_out: /out as a tar archive on the virtio disk the host gave
# us; the file list goes on the serial line so that the host can verify it.
kmscap_send_out() {
	local m out i=0
	for m in $(cat /etc/kmscap/modules.out); do
		[ -d "/sys/module/$m" ] && continue
		kmscap_insmod "$m" "/lib/kmscap/$m.ko" ||
			echo "KMSCAP-LOG: modules: insmod $m.ko: $out"
	done
	while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	(cd /out && find . -type f -exec stat -c '%s %n' {} +) | LC_ALL=C sort -k2 |
		sed 's|^\([0-9]*\) \./|KMSCAP-OUT-FILE: \1 |'
	if [ ! -b /dev/vda ]; then
		kmscap_tap not-ok "copy /out to the host" "no virtio disk /dev/vda"
	elif out=$(cd /out && tar -cf /dev/vda . 2>&1) && sync; then
		kmscap_tap ok "copy /out to the host"
	else
		kmscap_tap not-ok "copy /out to the host" "tar to /dev/vda failed: $(echo "$out" | tail -n 1 | tr -d '#')"
	fi
}

echo "KMSCAP-VM-START: $(uname -r) mode=$KMSCAP_MODE"
kmscap_load_modules
kmscap_hostroot
if [ "$KMSCAP_MODE" = run ]; then
	kmscap_run_payload
else
	kmscap_selftests
fi
kmscap_kmemleak
echo "KMSCAP-TAP: 1..$tap_n"
sync
dmesg | tr -d '\r' | sed 's/^/KMSCAP-DMESG: /'
echo "KMSCAP-VM-DONE"
poweroff -f
