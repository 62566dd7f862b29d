/* SPDX-License-Identifier: MIT */
/*
 * A guest that really hangs: a multiboot kernel (qemu -kernel loads it)
 * that halts with interrupts off and never writes to any console.  The
 * harness self-test boots it to check the boot watchdog and the KVM
 * probe's fallback.  Build: as --32; ld -m elf_i386 -Ttext=0x100000.
 */
	.text
	.globl	_start
	.align	4
multiboot_header:
	.long	0x1badb002		/* magic */
	.long	0			/* flags: ELF sections, no extras */
	.long	-0x1badb002		/* checksum: magic + flags + this = 0 */
_start:
	cli
1:	hlt
	jmp	1b
