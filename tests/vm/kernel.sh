# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Sourced by run-vm.sh and mkinitramfs.sh: which kernel the VM boots.
#
# kmscap_vm_kernel TOP: sets
#   kver     the kernel release: from the bundle named by $KMSCAP_VM_KERNEL,
#            else $kver as given, else the newest linux-headers-6.1.*-amd64
#   vmlinuz  its image
#   modroot  the root its modules are under (modinfo -b): / for Debian's
#   vmout    where VM images and logs go: build/vm, or build/vm-BUNDLE
#   kappend  what its command line needs: "no5lvl" for a KASAN kernel
#            (6.1's KASAN takes an interrupt that comes while the boot CPU
#            is being identified, with 5-level paging, for a wild access:
#            seen once in five boots under TCG's -cpu max)
# and fails (die) when something is missing.
kmscap_vm_kernel() {
	local top=$1 bundle=${KMSCAP_VM_KERNEL:-}

	kappend=

	if [ -n "$bundle" ]; then
		bundle=$(realpath -e "$bundle" 2>/dev/null) ||
			die "KMSCAP_VM_KERNEL: no directory '$KMSCAP_VM_KERNEL'"
		[ -r "$bundle/release" ] && [ -r "$bundle/vmlinuz" ] ||
			die "KMSCAP_VM_KERNEL=$bundle is no kernel bundle (no release or" \
			    "vmlinuz file): build one with tests/vm/debug-kernel.sh"
		kver=$(cat "$bundle/release")
		vmlinuz=$bundle/vmlinuz
		modroot=$bundle/root
		vmout=$top/build/vm-$(basename "$bundle")
		grep -q '^CONFIG_KASAN=y' "$bundle/obj/.config" 2>/dev/null && kappend=no5lvl
	else
		if [ -z "$kver" ]; then
			kver=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null |
			       sed 's|.*/linux-headers-||' | sort -V | tail -n1)
			[ -n "$kver" ] || die "no /usr/src/linux-headers-6.1.*-amd64; run tests/deps.sh"
		fi
		vmlinuz=/boot/vmlinuz-$kver
		modroot=/
		vmout=$top/build/vm
	fi
	[ -d "$modroot/lib/modules/$kver/kernel" ] ||
		die "$modroot/lib/modules/$kver/kernel missing: install linux-image-$kver (tests/deps.sh)"
}
