#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Boot Debian's kernel in qemu with the kmscap initramfs and check the result.
#
# Selftest mode (default): runs every program given (default: all of
# build/selftests/bin/*) inside the VM and writes TAP to build/results/vm.tap.
# Run mode (--run PROG): runs one program, prints its output and copies the
# files it wrote to /out in the VM into out/NAME/ on the host.
#
# Usage: run-vm.sh [options] [PROGRAM...]
#   --name NAME          log/image name: build/vm/NAME.log (default selftests,
#                        in run mode the program's name)
#   --only "A B"         selftest mode: run only these test names
#   --tap FILE           selftest mode: TAP output (default build/results/vm.tap)
#   --run PROG           run mode: the program to run
#   --args "ARGS"        run mode: its arguments
#   --out DIR            run mode: where its /out files go (default out/NAME)
#   --vm-timeout SECS    wall clock limit of the whole VM (default 1800)
#   --append "ARGS"      extra kernel command line (also $KMSCAP_VM_APPEND)
#   --verbose            echo the whole protocol log live, not only TAP
#   --hostroot           share the host's root file system read-only with
#                        the VM (virtio-9p); /init mounts it at /host with
#                        /proc, /sys, /dev, /tmp and tmpfs /run, /home ...
#                        inside, for programs that chroot into it to run
#                        the host's own programs (compositors); this
#                        tree is mounted at /host/<its path> too, so that
#                        a checkout under /tmp, /run, /home or /root
#                        (which the VM covers) is still seen there
#   --host-path DIR      with --hostroot: also share DIR that way
#   --timeouts FILE      per-program timeouts, "name seconds" lines
#                        (default tests/vm/timeouts)
#   --kver, --ko PATH, --no-ko, --timeout SECS, --extra PATH
#                        passed to mkinitramfs.sh (see mkinitramfs.sh --help)
# Environment:
#   KMSCAP_VM_KERNEL=DIR a kernel bundle to boot instead of Debian's
#                        (tests/vm/debug-kernel.sh makes one: DIR/vmlinuz,
#                        DIR/release, DIR/root/lib/modules); its release
#                        wins over --kver; logs go to build/vm-BUNDLE/
#   KMSCAP_VM_KO=PATH    the kmscap.ko to load (default kmod/kmscap.ko)
#   KMSCAP_VM_ACCEL=auto|kvm|tcg   the accelerator (tests/vm/accel.sh:
#                        auto uses KVM only after a probe boot shows it works)
#   KMSCAP_VM_BOOT_TIMEOUT=60      boot watchdog: the kernel banner must be
#                        on the console within this many seconds
#   KMSCAP_VM_INIT_TIMEOUT=600     and /init must have started within this
# Exit status: 0 when everything passed, 1 otherwise.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vmdir=$top/tests/vm

kver=${KVER:-}
name=
only=
tap=$top/build/results/vm.tap
run=
run_args=
outdir=
vm_timeout=${KMSCAP_VM_TIMEOUT:-}
append=${KMSCAP_VM_APPEND:-}
verbose=${KMSCAP_VM_VERBOSE:-0}
mkargs=()
timeouts=
hostroot=0
host_paths=()
progs=()

die() { echo "run-vm: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--name) name=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--tap) tap=$2; shift 2 ;;
	--run) run=$2; shift 2 ;;
	--args) run_args=$2; shift 2 ;;
	--out) outdir=$2; shift 2 ;;
	--vm-timeout) vm_timeout=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--verbose) verbose=1; shift ;;
	--kver) kver=$2; shift 2 ;;
	--timeouts) timeouts=$2; shift 2 ;;
	--ko|--timeout|--extra) mkargs+=("$1" "$2"); shift 2 ;;
	--no-ko) mkargs+=("$1"); shift ;;
	--hostroot) hostroot=1; mkargs+=("$1"); shift ;;
	--host-path)
		[ -d "$2" ] || die "no directory '$2' (--host-path)"
		host_paths+=("$(realpath -- "$2")"); shift 2 ;;
	--) shift; progs+=("$@"); break ;;
	-h|--help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) die "unknown option '$1'" ;;
	*) progs+=("$1"); shift ;;
	esac
done

if [ "$hostroot" = 1 ]; then
	host_paths=("$top" "${host_paths[@]}")
	for p in "${host_paths[@]}"; do
		case $p in *[[:space:],]*) die "cannot share '$p' (a space or comma in its path)" ;; esac
		mkargs+=(--host-path "$p")
	done
elif [ ${#host_paths[@]} -gt 0 ]; then
	die "--host-path needs --hostroot"
fi

# shellcheck source=tests/vm/kernel.sh
. "$vmdir/kernel.sh"
kmscap_vm_kernel "$top"
[ -r "$vmlinuz" ] || die "cannot read $vmlinuz: install linux-image-$kver (tests/deps.sh)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: install qemu-system-x86"
boot_limit=${KMSCAP_VM_BOOT_TIMEOUT:-60}
init_limit=${KMSCAP_VM_INIT_TIMEOUT:-600}
case $boot_limit$init_limit in *[!0-9]*) die "bad KMSCAP_VM_BOOT_TIMEOUT/KMSCAP_VM_INIT_TIMEOUT" ;; esac

if [ -n "$run" ]; then
	mode=run
	[ -f "$run" ] && [ -x "$run" ] || die "program '$run' does not exist or is not executable"
	name=${name:-$(basename "$run")}
	outdir=$(realpath -m "${outdir:-$top/out/$name}")
	progs=("$run")
	mkargs+=(--args "$run_args")
	vm_timeout=${vm_timeout:-1800}
else
	mode=selftest
	name=${name:-selftests}
	if [ ${#progs[@]} -eq 0 ] && [ -d "$top/build/selftests/bin" ]; then
		for p in "$top"/build/selftests/bin/*; do
			[ -f "$p" ] && [ -x "$p" ] && progs+=("$p")
		done
	fi
	if [ -n "$only" ]; then
		sel=()
		for t in $only; do
			found=
			for p in "${progs[@]}"; do
				[ "$(basename "$p")" = "$t" ] && sel+=("$p") && found=1
			done
			[ -n "$found" ] || die "no selftest named '$t' (built ones: $(for p in "${progs[@]}"; do basename "$p"; done | tr '\n' ' '))"
		done
		progs=("${sel[@]}")
	fi
	[ -z "$timeouts" ] && [ -f "$top/tests/vm/timeouts" ] && timeouts=$top/tests/vm/timeouts
	[ -n "$timeouts" ] && mkargs+=(--timeouts "$timeouts")
	vm_timeout=${vm_timeout:-1800}
	rm -f "$tap"
fi
case $vm_timeout in ''|*[!0-9]*) die "bad --vm-timeout '$vm_timeout'" ;; esac

# One run per name at a time: several people may share this tree.
mkdir -p "$vmout"
exec 9>"$vmout/$name.lock"
if ! flock -n 9; then
	echo "  VM      $name: waiting for another run of $name in this tree"
	flock 9
fi

"$vmdir/mkinitramfs.sh" --kver "$kver" --name "$name" --mode "$mode" "${mkargs[@]}" \
	-- "${progs[@]}"

log=$vmout/$name.log
clog=$vmout/$name.console.log
rm -f "$log" "$clog"
: >"$log"
: >"$clog"

drive=()
if [ "$mode" = run ]; then
	outimg=$vmout/$name.out.img
	rm -f "$outimg"
	truncate -s 4G "$outimg"
	drive=(-drive "file=$outimg,format=raw,if=virtio")
fi
if [ "$hostroot" = 1 ]; then
	drive+=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap")
	i=0
	for p in "${host_paths[@]}"; do
		drive+=(-virtfs "local,path=$p,mount_tag=hostpath$i,security_model=none,readonly=on,multidevs=remap")
		i=$((i + 1))
	done
fi

# KVM only when a probe boot proved it works here (tests/vm/accel.sh).
choice=$("$vmdir/accel.sh" --kernel "$vmlinuz") || die "cannot choose an accelerator"
accel_name=${choice%%$'\t'*}
accel_why=${choice#*$'\t'}
accel=(-accel "$accel_name")
cmdline="console=ttyS0,115200 panic=-1 oops=panic no_hash_pointers mitigations=off"
cmdline="$cmdline rdinit=/init $kappend $append"

echo "  VM      $name ($accel_name ($accel_why), kernel $kver, timeout ${vm_timeout}s," \
     "log ${log#"$top"/})"
start=$(date +%s)
set +e
timeout -k 10 "$vm_timeout" qemu-system-x86_64 \
	-nodefaults -no-reboot -display none \
	"${accel[@]}" -cpu max -smp 2 -m 3072 \
	-serial "file:$clog" -serial "file:$log" \
	-kernel "$vmlinuz" -initrd "$vmout/$name.cpio.gz" "${drive[@]}" \
	-append "$cmdline" </dev/null &
qpid=$!
set -e
# Live progress while the VM runs.
if [ "$verbose" = 1 ]; then
	tail -n +1 -F --pid="$qpid" "$log" 2>/dev/null | tr -d '\r' &
else
	tail -n +1 -F --pid="$qpid" "$log" 2>/dev/null | tr -d '\r' |
		sed -un 's/^KMSCAP-TAP: \(\(not \)\{0,1\}ok .*\)/    \1/p' &
fi
tpid=$!
# The boot watchdog: a guest that writes no kernel banner to its console
# (or whose /init never starts) is stopped at once, not at the wall clock
# limit; the reason is left in $log.watchdog.
# kmscap_watch LIMIT FILE ERE WHAT VARIABLE: wait for a line of FILE to
# match ERE while qemu runs; after LIMIT seconds stop qemu, saying WHAT.
kmscap_watch() {
	local t=0
	while kill -0 "$qpid" 2>/dev/null; do
		grep -qE "$3" "$2" && return 0
		if [ $t -ge $(($1 * 2)) ]; then
			echo "$4 in $1 s under $accel_name (boot watchdog, $5;" \
			     "console log ${clog#"$top"/})" >"$log.watchdog"
			kill -TERM "$qpid" 2>/dev/null
			return 1
		fi
		sleep 0.5
		t=$((t + 1))
	done
	return 1
}
rm -f "$log.watchdog"
(
	kmscap_watch "$boot_limit" "$clog" 'Linux version' "no kernel output on the console" \
		KMSCAP_VM_BOOT_TIMEOUT &&
	kmscap_watch "$init_limit" "$log" '^KMSCAP-VM-START' "the VM's /init did not start" \
		KMSCAP_VM_INIT_TIMEOUT
) &
wpid=$!
set +e
wait "$qpid"
qrc=$?
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
wait "$tpid" 2>/dev/null
set -e
secs=$(($(date +%s) - start))
if [ -s "$log.watchdog" ]; then
	echo "run-vm: $name: $(cat "$log.watchdog"); its last lines:" >&2
	tr -d '\r' <"$clog" | tail -n 5 | sed 's/^/  | /' >&2
fi

tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

# ---- what went wrong in the kernel? -------------------------------------

# The dmesg dump, then what the console has beyond it (all of it when the
# VM died before the dump, or the start if the ring buffer overflowed).
if grep -q '^KMSCAP-DMESG: ' "$log"; then
	klog_src="kernel log"
else
	klog_src="kernel console (no dmesg dump: the VM did not finish)"
fi
{ sed -n 's/^KMSCAP-DMESG: //p' "$log"; tr -d '\r' <"$clog"; } | awk '!seen[$0]++' >"$log.dmesg"
# Each report, with the program that was running then (marks by /init).
"$vmdir/klog-scan.sh" "$log.dmesg" >"$log.bad"
mv "$log.dmesg" "$log.klog"

# kmemleak (a debug kernel): objects kmscap allocated and nobody references.
leaks=
if grep -q '^KMSCAP-KMEMLEAK-FAILED' "$log"; then
	leaks="the kmemleak scan at the end of the run failed"
elif grep -q '^KMSCAP-KMEMLEAK-SCANNED' "$log"; then
	sed -n 's/^KMSCAP-KMEMLEAK: //p' "$log" >"$log.kmemleak"
	# shellcheck disable=SC2046
	"$vmdir/klog-scan.sh" --kmemleak "$log.kmemleak" \
		$(sed -n 's/^KMSCAP-MODRANGE: kmscap[-a-z]* \([0-9a-fx]*\) \([0-9]*\)$/--modrange \1 \2/p' \
		  "$log") >"$log.leaks"
	read -r _ nmine _ nother < <(tail -n 1 "$log.leaks")
	if [ "$nmine" -gt 0 ]; then
		leaks="kmemleak: $nmine unreferenced objects allocated by kmscap"
		leaks="$leaks ($nother others; the report is ${log#"$top"/}.kmemleak)"
	elif [ "$nother" -gt 0 ]; then
		echo "  NOTE    kmemleak: $nother unreferenced objects, none of them kmscap's" \
		     "(${log#"$top"/}.kmemleak)"
	fi
fi

done_ok=1
why=
if ! grep -q '^KMSCAP-VM-DONE' "$log"; then
	done_ok=0
	last=$(sed -n 's/^KMSCAP-RUN: //p' "$log" | tail -n 1)
	if [ -s "$log.watchdog" ]; then
		why=$(cat "$log.watchdog")
	elif [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		why="VM killed after the ${vm_timeout}s wall clock limit"
	elif grep -q 'Kernel panic' "$clog"; then
		why="kernel panic: $(grep -m1 'Kernel panic' "$clog" | tr -d '\r#' | sed 's/^\[[ 0-9.]*\] //')"
	else
		why="qemu exited with status $qrc before the end"
	fi
	[ -n "$last" ] && why="$why; last program started: $last"
fi

# ---- results --------------------------------------------------------------

status=0
if [ "$mode" = selftest ]; then
	mkdir -p "$(dirname "$tap")"
	{
		sed -n 's/^KMSCAP-TAP: \(\(not \)\{0,1\}ok\) [0-9]* \{0,1\}\(.*\)/\1 \3/p' "$log" |
			awk '{ st = ($1 == "not") ? "not ok" : "ok";
			       rest = ($1 == "not") ? substr($0, 8) : substr($0, 4);
			       printf "%s %d %s\n", st, NR, rest }'
	} >"$tap.body"
	# Programs that never reported (the VM died or ran out of time).
	n=$(wc -l <"$tap.body")
	{
		for p in "${progs[@]}"; do basename "$p"; done
		echo "rmmod kmscap"
	} | while read -r t; do
		if ! awk -v t="$t" '{ sub(/^(not )?ok [0-9]+ - /, ""); sub(/ # .*/, "") }
				    $0 == t { found = 1 } END { exit !found }' "$tap.body"; then
			n=$((n + 1))
			echo "not ok $n - $t # did not run to the end: ${why:-no result from the VM}"
		fi
	done >"$tap.missing"
	cat "$tap.missing" >>"$tap.body"
	rm -f "$tap.missing"
	n=$(wc -l <"$tap.body")
	nleak=0
	grep -q '^KMSCAP-KMEMLEAK-' "$log" && nleak=1
	{
		echo "1..$((n + 2 + nleak))"
		cat "$tap.body"
		if [ "$done_ok" = 1 ]; then
			echo "ok $((n + 1)) - vm: ran to the end (${secs}s, $accel_name)"
		else
			echo "not ok $((n + 1)) - vm: ran to the end # $why"
		fi
		if [ -s "$log.bad" ]; then
			echo "not ok $((n + 2)) - vm: kernel log clean # $(wc -l <"$log.bad") bad lines in the $klog_src"
			sed 's/^/#   /' "$log.bad"
		else
			echo "ok $((n + 2)) - vm: kernel log clean"
		fi
		if [ "$nleak" = 1 ] && [ -n "$leaks" ]; then
			echo "not ok $((n + 3)) - vm: kmemleak finds nothing of kmscap's # $leaks"
			sed '$d; s/^/#   /' "$log.leaks" 2>/dev/null || true
		elif [ "$nleak" = 1 ]; then
			echo "ok $((n + 3)) - vm: kmemleak finds nothing of kmscap's"
		fi
	} >"$tap"
	rm -f "$tap.body"
	grep -q '^not ok' "$tap" && status=1
	# Show the output of every failed test, and the verdicts of the VM.
	{ grep '^not ok' "$tap" || true; } | while read -r _ _ _ _ tname _; do
		tname=${tname%% *}
		if grep -q "^KMSCAP-LOG: $tname: " "$log"; then
			echo "    --- output of $tname ---"
			sed -n "s/^KMSCAP-LOG: $tname: /    | /p" "$log" | tail -n 40
		fi
	done
	tail -n +$((n + 2)) "$tap" | sed 's/^/    /'
	if [ -s "$log.bad" ]; then
		echo "    --- kernel log around the first bad line ($klog_src) ---"
		{ grep -m1 -B 5 -A 30 -F "$(head -n 1 "$log.bad" | sed 's/   <- during .*//')" \
			"$log.klog" || true; } |
			sed 's/^/    | /'
	fi
	echo "  VM      $name: $(awk '/^ok/ { n++ } END { print n + 0 }' "$tap") ok," \
		"$(awk '/^not ok/ { n++ } END { print n + 0 }' "$tap") not ok, TAP in ${tap#"$top"/}"
else
	# out/NAME belongs to this run: no stale files from an earlier one.
	case $outdir in "$top"/out/?*) rm -rf "$outdir" ;; esac
	mkdir -p "$outdir"
	sed -n "s/^KMSCAP-LOG: $name: //p" "$log"
	# /out came back as a tar archive on the virtio disk.
	if grep -q '^KMSCAP-TAP: ok [0-9]* - copy /out' "$log"; then
		if ! tar -xf "$outimg" -C "$outdir"; then
			echo "run-vm: cannot extract $outimg into $outdir" >&2
			status=1
		fi
	fi
	while read -r size f; do
		got=$(stat -c %s "$outdir/$f" 2>/dev/null || echo missing)
		if [ "$got" = "$size" ]; then
			echo "  OUT     ${outdir#"$top"/}/$f ($size bytes)"
		else
			echo "run-vm: $outdir/$f: $got, the VM wrote $size bytes" >&2
			status=1
		fi
	done < <(sed -n 's/^KMSCAP-OUT-FILE: //p' "$log")
	rm -f "$outimg"
	tapl=$(sed -n 's/^KMSCAP-TAP: //p' "$log" | grep -v '^1\.\.' || true)
	# No "echo | grep -q" under pipefail: grep's early exit can fail echo.
	if grep -q '^not ok' <<<"$tapl"; then
		echo "run-vm: $(grep '^not ok' <<<"$tapl" | sed 's/^not ok [0-9]* - //' | tr '\n' ';')" >&2
		status=1
	fi
	if [ "$done_ok" = 0 ]; then
		echo "run-vm: $name: $why" >&2
		status=1
	fi
	if [ -s "$log.bad" ]; then
		echo "run-vm: $(wc -l <"$log.bad") bad lines in the $klog_src:" >&2
		sed 's/^/  /' "$log.bad" >&2
		status=1
	fi
	if [ -n "$leaks" ]; then
		echo "run-vm: $name: $leaks:" >&2
		sed '$d; s/^/  /' "$log.leaks" >&2
		status=1
	fi
fi
rm -f "$log.bad" "$log.klog" "$log.leaks" "$log.watchdog"
exit $status
