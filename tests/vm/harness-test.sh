#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Test the VM harness itself, without kmscap.ko: boot it with programs that
# pass, skip, fail, crash, hang, leave a trace in the kernel log and panic
# the kernel, and check that each outcome is reported as it should be.
# Then a guest that really hangs (tests/vm/hang-kernel.S): the boot
# watchdog stops it, and the accelerator probe falls back to TCG; and the
# kernel-log scan (tests/vm/klog-scan.sh) on the samples of every kind of
# report and on benign boot lines (tests/vm/klog-samples/).
#
# Usage: harness-test.sh [--tap FILE]   (default build/results/harness.tap)
# Exit status: 0 when every check passed.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tap=$top/build/results/harness.tap
[ "${1:-}" = --tap ] && tap=$2
w=$top/build/vm/harness
# The harness is tested on Debian's kernel, whatever the caller chose.
unset KMSCAP_VM_KERNEL KMSCAP_VM_KO KMSCAP_VM_ACCEL
run_vm=$top/tests/vm/run-vm.sh

mkdir -p "$top/build/vm"
exec 8>"$top/build/vm/harness.lock"
flock 8
rm -rf "$w"
mkdir -p "$w/bin" "$(dirname "$tap")"
rm -f "$tap"
echo "  CC      build/vm/harness/harness-prog"
${CC:-cc} -O2 -Wall -Wextra -o "$w/harness-prog" "$top/tests/vm/harness-prog.c"
for n in a_pass b_skip c_fail d_segv e_hang f_env g_trace h_crash i_after out hostpath; do
	cp "$w/harness-prog" "$w/bin/$n"
done
echo "e_hang 3" >"$w/timeouts"

# shellcheck source=tests/vm/checks.sh
. "$top/tests/vm/checks.sh"

# kmscap_boot NAME EXPECTED-STATUS RUN-VM-ARGS...: one VM run.
kmscap_boot() {
	local name=$1 want=$2 rc=0
	shift 2
	echo "  HARNESS $name"
	"$run_vm" --no-ko --name "harness-$name" "$@" >"$w/$name.out" 2>&1 || rc=$?
	st=0
	[ "$rc" = "$want" ] || st=1
	kmscap_result $st "$name: run-vm.sh exit status $rc" "expected $want, see ${w#"$top"/}/$name.out"
}

# 1: every kind of program outcome, and a trace in the kernel log.
t=$w/outcomes.tap
kmscap_boot outcomes 1 --tap "$t" --timeouts "$w/timeouts" \
	"$w"/bin/{a_pass,b_skip,c_fail,d_segv,e_hang,f_env,g_trace}
kmscap_expect "exit 0 is ok" "$t" '^ok [0-9]+ - a_pass$'
kmscap_expect "exit 77 is a skip with the last line as reason" "$t" \
	'^ok [0-9]+ - b_skip # SKIP no frobnicator here$'
kmscap_expect "exit 1 is a failure" "$t" '^not ok [0-9]+ - c_fail # exit status 1$'
kmscap_expect "a signal is a failure" "$t" '^not ok [0-9]+ - d_segv # killed by signal 11$'
kmscap_expect "a hang ignoring SIGTERM times out" "$t" \
	'^not ok [0-9]+ - e_hang # timed out after 3s$'
kmscap_expect "users, groups, vgem, debugfs, /tmp in the VM" "$t" '^ok [0-9]+ - f_env$'
kmscap_expect "the accelerator chosen and why are printed" "$w/outcomes.out" \
	'^  VM      harness-outcomes \((kvm|tcg) \(.+\), kernel '
kmscap_expect "the VM runs to the end after a hang" "$t" '^ok [0-9]+ - vm: ran to the end'
kmscap_expect "a Call Trace fails the kernel log check" "$t" \
	'^not ok [0-9]+ - vm: kernel log clean # '
kmscap_expect "the offending kernel log line is listed, with its program" "$t" \
	'^#   \[ *[0-9.]+\] Call Trace: +<- during g_trace$'
kmscap_expect "without kmscap.ko its insmod fails" "$t" '^not ok [0-9]+ - insmod kmscap.ko'
kmscap_expect "the output of a failed program is shown" "$w/outcomes.out" \
	'^    \| c_fail: FAIL: 1 != 2$'
kmscap_expect "the protocol log has every program's output" \
	"$top/build/vm/harness-outcomes.log" '^KMSCAP-LOG: f_env: users, groups'

# 2: a kernel panic in the middle of the run.
t=$w/panic.tap
kmscap_boot panic 1 --tap "$t" "$w"/bin/{a_pass,h_crash,i_after}
kmscap_expect "a program before the panic is reported" "$t" '^ok [0-9]+ - a_pass$'
kmscap_expect "the program that panicked fails" "$t" \
	'^not ok [0-9]+ - h_crash # did not run to the end: kernel panic'
kmscap_expect "programs after the panic fail" "$t" '^not ok [0-9]+ - i_after # did not run'
kmscap_expect "the panic and the running program are named" "$t" \
	'^not ok [0-9]+ - vm: ran to the end # kernel panic: .*last program started: h_crash'

# 3: the wall clock limit of the whole VM.
t=$w/wallclock.tap
kmscap_boot wallclock 1 --tap "$t" --vm-timeout 30 "$w"/bin/{a_pass,e_hang}
kmscap_expect "the VM is stopped at its wall clock limit" "$t" \
	'^not ok [0-9]+ - vm: ran to the end # VM killed after the 30s wall clock limit'
kmscap_expect "the program running then fails" "$t" '^not ok [0-9]+ - e_hang # did not run'

# 4: run mode: arguments in, files out.
# The --extra file sits under /tmp, which the VM mounts a tmpfs on.
extra=$(mktemp /tmp/kmscap-harness-extra.XXXXXX)
kmscap_boot runmode 1 --run "$w/bin/out" --args "alpha beta $extra" --out "$w/out" \
	--extra "$extra"
rm -f "$extra"
kmscap_expect "run mode: the program got its arguments and --extra file, and passed" \
	"$top/build/vm/harness-runmode.log" '^KMSCAP-TAP: ok [0-9]+ - out$'
seq 0 99999 >"$w/numbers.expected"
st=0
cmp -s "$w/numbers.expected" "$w/out/sub/numbers.txt" || st=1
kmscap_result $st "run mode: /out/sub/numbers.txt arrived intact" "it differs from what the VM wrote"

# 4b: --hostroot with a tree under /tmp, which the VM covers with its own
# /tmp: a checkout there (as a clean clone in /tmp) must stay visible
# at /host/PATH, or compositor tests cannot run its programs.  (Exit
# status 1: --no-ko fails the insmod line, as in run mode above.)
hp=$(mktemp -d /tmp/kmscap-harness-host.XXXXXX)
echo "kmscap hostpath" >"$hp/marker"
kmscap_boot hostpath 1 --hostroot --host-path "$hp" --run "$w/bin/hostpath" --args "$hp" \
	--out "$w/hostpath-out"
rm -rf "$hp"
kmscap_expect "hostroot: a --host-path under /tmp is seen at /host/PATH" \
	"$top/build/vm/harness-hostpath.log" '^KMSCAP-TAP: ok [0-9]+ - hostpath$'

# 5: a guest that hangs before writing anything: the boot watchdog.
# A kernel bundle (tests/vm/kernel.sh) whose image is the hanging kernel
# and whose modules are Debian's.
hang=$w/hang-kernel
mkdir -p "$hang"
echo "  AS      ${hang#"$top"/}/vmlinuz"
as --32 -o "$hang/hang.o" "$top/tests/vm/hang-kernel.S"
ld -m elf_i386 -Ttext=0x100000 -e _start -o "$hang/vmlinuz" "$hang/hang.o"
kver=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null |
       sed 's|.*/linux-headers-||' | sort -V | tail -n1)
echo "$kver" >"$hang/release"
ln -sfn / "$hang/root"
t=$w/watchdog.tap
KMSCAP_VM_KERNEL=$hang KMSCAP_VM_ACCEL=tcg KMSCAP_VM_BOOT_TIMEOUT=5 \
	kmscap_boot watchdog 1 --tap "$t" --vm-timeout 300 "$w"/bin/a_pass
kmscap_expect "a guest with no console output is stopped by the boot watchdog" "$t" \
	'^not ok [0-9]+ - vm: ran to the end # no kernel output on the console in 5 s under tcg \(boot watchdog'
kmscap_expect "the watchdog's error names the accelerator and the console log" \
	"$w/watchdog.out" \
	'^run-vm: harness-watchdog: no kernel output on the console in 5 s under tcg .*console log build/vm-hang-kernel/harness-watchdog.console.log'
kmscap_expect "the programs of a hung guest did not run" "$t" '^not ok [0-9]+ - a_pass # did not run'

# 6: the accelerator: the probe, the fallback, the override, the cache.
accel=$top/tests/vm/accel.sh
vmlinuz=/boot/vmlinuz-$kver
# kmscap_accel NAME EXPECTED-STATUS ERE CMD...: CMD's output must match ERE.
kmscap_accel() {
	local name=$1 want=$2 re=$3 rc=0
	shift 3
	"$@" >"$w/$name.out" 2>&1 || rc=$?
	st=0
	[ "$rc" = "$want" ] && grep -qE -- "$re" "$w/$name.out" || st=1
	kmscap_result $st "accel: $name" \
		"exit $rc (expected $want), output: $(tr '\n' ' ' <"$w/$name.out" | cut -c1-200)"
}
echo "  HARNESS accel"
kmscap_accel "a probe boot of a working kernel sees its banner" 0 \
	'^tcg probe: kernel banner after [0-9.]+ s$' "$accel" --probe tcg --kernel "$vmlinuz"
kmscap_accel "a probe boot of a hanging kernel fails at its limit" 1 \
	'^tcg probe: no kernel output in 3 s$' \
	env KMSCAP_VM_KVM_PROBE_S=3 "$accel" --probe tcg --kernel "$hang/vmlinuz"
kmscap_accel "KMSCAP_VM_ACCEL=tcg is taken as it is" 0 $'^tcg\tKMSCAP_VM_ACCEL=tcg$' \
	env KMSCAP_VM_ACCEL=tcg "$accel" --kernel "$vmlinuz"
kmscap_accel "KMSCAP_VM_ACCEL=kvm is taken as it is" 0 $'^kvm\tKMSCAP_VM_ACCEL=kvm$' \
	env KMSCAP_VM_ACCEL=kvm "$accel" --kernel "$vmlinuz"
kmscap_accel "a bad KMSCAP_VM_ACCEL is refused" 2 "must be auto, kvm or tcg, not 'fast'" \
	env KMSCAP_VM_ACCEL=fast "$accel" --kernel "$vmlinuz"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	kmscap_accel "auto: KVM whose guest hangs falls back to TCG, with the reason" 0 \
		$'^tcg\tkvm probe: (no kernel output in 3 s|qemu failed: )' \
		env KMSCAP_VM_ACCEL=auto KMSCAP_VM_KVM_PROBE_S=3 KMSCAP_MAKE_RUN= \
		"$accel" --kernel "$hang/vmlinuz"
	run=harness-$$-$(date +%s%N)
	KMSCAP_MAKE_RUN=$run KMSCAP_VM_KVM_PROBE_S=3 "$accel" --kernel "$hang/vmlinuz" >/dev/null
	kmscap_accel "auto: one probe per kernel and run of make, then the cached choice" 0 \
		'^tcg.*\(cached for this run of make\)$' \
		env KMSCAP_MAKE_RUN="$run" KMSCAP_VM_KVM_PROBE_S=3 "$accel" --kernel "$hang/vmlinuz"
else
	kmscap_result 0 "accel: auto: KVM whose guest hangs falls back to TCG # SKIP no usable /dev/kvm here: auto chooses TCG without a probe"
	kmscap_accel "auto without a usable /dev/kvm: TCG, saying why" 0 \
		$'^tcg\t(no /dev/kvm|/dev/kvm is not readable)' \
		env KMSCAP_VM_ACCEL=auto "$accel" --kernel "$vmlinuz"
fi

# 7: the kernel-log scan on samples of every kind of report.
echo "  HARNESS klog-scan"
samples=$top/tests/vm/klog-samples
while IFS=$'\t' read -r f want; do
	case $f in
	''|'#'*) ;;
	kmemleak-*)
		got=$("$top/tests/vm/klog-scan.sh" --kmemleak "$samples/$f" \
			--modrange 0xffffffffc0a00000 73728 | tail -n 1)
		st=0
		[ "$got" = "$want" ] || st=1
		kmscap_result $st "kmemleak scan: $f" "got '$got', expected '$want'"
		;;
	*)
		st=0
		"$top/tests/vm/klog-scan.sh" "$samples/$f" | grep -qF -- "$want" || st=1
		kmscap_result $st "kernel log scan flags $f" "no line with '$want'"
		;;
	esac
done <"$samples/expect.txt"
for f in "$samples"/bad-*.log; do
	grep -qF "$(basename "$f")"$'\t' "$samples/expect.txt" ||
		kmscap_result 1 "kernel log scan: $(basename "$f") has no line in expect.txt"
done
for f in "$samples"/ok-*.log; do
	out=$("$top/tests/vm/klog-scan.sh" "$f")
	st=0
	[ -z "$out" ] || st=1
	kmscap_result $st "kernel log scan passes $(basename "$f")" "flagged: $(head -n 1 <<<"$out")"
done

kmscap_checks_write "$tap"
