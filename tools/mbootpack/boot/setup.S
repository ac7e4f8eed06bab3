/*
 * setup.S - real-mode setup of an mbootpack image: the Linux boot protocol
 * header (2.06) and the code a 16-bit Linux boot loader (LILO, SYSLINUX,
 * GRUB linux16, QEMU -kernel) jumps to.  It collects the memory map (E820,
 * E801, INT 15h/88h, INT 12h) and the loader's header fields into its own
 * boot_params, enables and verifies A20, and enters 32-bit protected mode
 * at code32_start with ESI = boot_params, like Linux's setup does.
 *
 * Linked at offset 0 of the real-mode segment (linker script setup.ld).
 *
 * MBP_TEST (0 in the real tool) builds test variants for the system tests,
 * bits: 1 turn A20 off first and report the method that turned it on
 * ("A20 method: X" on COM1), 2 skip the BIOS method, 4 skip the keyboard
 * controller too, 8 skip E820, 16 skip E801 as well.
 */
#include "../format.h"

#ifndef MBP_TEST
#define MBP_TEST 0
#endif

	.code16
	.section .text, "ax"
	.globl _bs
_bs:
	/* Offset 0: someone booted this file as a boot sector. */
	ljmp	$0x07c0, $bs_go - _bs
bs_go:
	movw	%cs, %ax
	movw	%ax, %ds
	movw	$bs_msg, %si
	call	puts
bs_hang:
	hlt
	jmp	bs_hang
bs_msg:
	.asciz	"mbootpack image: start it with a Linux boot loader.\r\n"

	.org	BZ_SETUP_SECTS
setup_sects:	.byte	0		/* patched by mbootpack */
root_flags:	.word	0
syssize:	.long	0		/* patched by mbootpack */
ram_size:	.word	0
vid_mode:	.word	0xffff
root_dev:	.word	0
boot_flag:	.word	0xAA55

	/* 0x200: the loader jumps here with CS = DS + 0x20. */
	.globl	_start
_start:
	.byte	0xeb, start_of_setup - 1f
1:
	.ascii	"HdrS"
	.word	BZ_PROTOCOL
realmode_swtch:	.long	0
start_sys_seg:	.word	0x1000
		.word	kernel_version - 512
type_of_loader:	.byte	0
loadflags:	.byte	0x01		/* LOADED_HIGH */
setup_move_size: .word	0x8000
code32_start:	.long	MBP_LOAD_ADDR
ramdisk_image:	.long	0
ramdisk_size:	.long	0
bootsect_kludge: .long	0
heap_end_ptr:	.word	0
ext_loader_ver:	.byte	0
ext_loader_type: .byte	0
cmd_line_ptr:	.long	0
initrd_addr_max: .long	0x37ffffff
kernel_alignment: .long	0x100000
relocatable_kernel: .byte 0
min_alignment:	.byte	0
xloadflags:	.word	0
cmdline_size:	.long	MBP_MAX_CMDLINE
hdr_end:

start_of_setup:
	cli
	cld
	/* Run with CS = DS = ES = SS = the segment of offset 0. */
	movw	%ds, %ax
	movw	%ax, %es
	movw	%ax, %ss
	movw	$stack_top, %sp
	pushw	%ax
	pushw	$normalized
	lretw
normalized:
	sti

	/* boot_params: zeroed, then the header as the loader left it. */
	movw	$bp, %di
	movw	$2048, %cx
	xorw	%ax, %ax
	rep stosw
	movw	$BZ_SETUP_SECTS, %si
	movw	$bp + BZ_SETUP_SECTS, %di
	movw	$hdr_end - setup_sects, %cx
	rep movsb

	/* Old command line protocol: magic 0xA33F at 0x20, offset at 0x22. */
	cmpl	$0, bp + BZ_CMD_LINE_PTR
	jne	1f
	cmpw	$0xA33F, 0x20
	jne	1f
	xorl	%eax, %eax
	movw	%ds, %ax
	shll	$4, %eax
	movzwl	0x22, %edx
	addl	%edx, %eax
	movl	%eax, bp + BZ_CMD_LINE_PTR
1:
	call	detect_memory
	call	enable_a20
	movl	$BP_PRIV_MAGIC_VALUE, bp + BP_PRIV_MAGIC

	/* Into protected mode: flat GDT at its linear address. */
	cli
	xorl	%eax, %eax
	movw	%ds, %ax
	shll	$4, %eax
	leal	bp(%eax), %esi			/* ESI = boot_params */
	addl	$gdt, %eax
	movl	%eax, gdt_desc + 2
	lgdtl	gdt_desc
	lidtl	idt_null
	movl	bp + BZ_CODE32_START, %eax
	movl	%eax, pm_jump
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	movl	%cr0, %eax
	orb	$1, %al
	movl	%eax, %cr0
	ljmpl	*pm_jump

/* detect_memory: INT 12h, E820, E801 and INT 15h/88h into boot_params. */
detect_memory:
	int	$0x12
	movw	%ax, bp + BP_PRIV_LOWMEM

#if MBP_TEST & 8
	jmp	e820_done
#endif
	xorl	%ebx, %ebx
	movw	$bp + BP_E820_TABLE, %di
e820_next:
	movl	$0xe820, %eax
	movl	$0x534d4150, %edx		/* "SMAP" */
	movl	$20, %ecx
	pushw	%di
	int	$0x15
	popw	%di
	jc	e820_done
	cmpl	$0x534d4150, %eax
	jne	e820_done
	incb	bp + BP_E820_ENTRIES
	addw	$20, %di
	cmpb	$BP_E820_MAX, bp + BP_E820_ENTRIES
	jae	e820_done
	testl	%ebx, %ebx
	jnz	e820_next
e820_done:

#if MBP_TEST & 16
	jmp	e801_done
#endif
	movw	$0xe801, %ax
	xorw	%bx, %bx
	xorw	%cx, %cx
	xorw	%dx, %dx
	int	$0x15
	jc	e801_done
	movw	%cx, %si
	orw	%dx, %si
	jnz	1f
	movw	%ax, %cx			/* some BIOSes answer in AX/BX */
	movw	%bx, %dx
1:	cmpw	$15 * 1024, %cx
	ja	e801_done
	movzwl	%cx, %eax
	jb	2f
	movzwl	%dx, %edx
	shll	$6, %edx
	addl	%edx, %eax
2:	movl	%eax, bp + BP_ALT_MEM_K
e801_done:

	movb	$0x88, %ah
	int	$0x15
	jc	1f
	movw	%ax, bp + BP_EXT_MEM_K
1:	ret

/* a20_test: write to 0:0x200, read back through ffff:0x210; CX tries.
 * Returns AX != 0 (and ZF clear) if A20 is enabled. */
a20_test:
	pushw	%fs
	pushw	%gs
	xorw	%ax, %ax
	movw	%ax, %fs
	decw	%ax
	movw	%ax, %gs
	movw	%fs:0x200, %dx			/* saved value */
	movw	%dx, %bx
1:	incw	%bx
	movw	%bx, %fs:0x200
	outb	%al, $0x80			/* I/O delay */
	movw	%gs:0x210, %ax
	xorw	%bx, %ax
	jnz	2f
	loop	1b
2:	movw	%dx, %fs:0x200
	popw	%gs
	popw	%fs
	testw	%ax, %ax
	ret

/* empty_8042: wait for the keyboard controller's input buffer to drain. */
empty_8042:
	movl	$100000, %ecx
1:	outb	%al, $0x80
	inb	$0x64, %al
	testb	$2, %al
	jz	2f
	loopl	1b
2:	ret

/* enable_a20: already on, BIOS, keyboard controller, fast A20; verified
 * after each; halts with a message if none works. */
enable_a20:
#if MBP_TEST & 1
	call	a20_off
#endif
	movb	$'0', a20_method
	movw	$32, %cx
	call	a20_test
	jnz	a20_ok
#if !(MBP_TEST & 2)
	movb	$'B', a20_method
	movw	$0x2401, %ax
	int	$0x15
	movw	$0xffff, %cx
	call	a20_test
	jnz	a20_ok
#endif
#if !(MBP_TEST & 4)
	movb	$'K', a20_method
	call	empty_8042
	movb	$0xd1, %al
	outb	%al, $0x64
	call	empty_8042
	movb	$0xdf, %al
	outb	%al, $0x60
	call	empty_8042
	movb	$0xff, %al			/* null command, for UHCI */
	outb	%al, $0x64
	call	empty_8042
	movw	$0xffff, %cx
	call	a20_test
	jnz	a20_ok
#endif
	movb	$'F', a20_method
	inb	$0x92, %al
	orb	$0x02, %al
	andb	$0xfe, %al
	outb	%al, $0x92
	movw	$0xffff, %cx
	call	a20_test
	jnz	a20_ok
	movw	$a20_msg, %si
	call	puts
1:	hlt
	jmp	1b
a20_ok:
#if MBP_TEST & 1
	movw	$a20_report, %si
	call	com1_puts
#endif
	ret

#if MBP_TEST & 1
/* a20_off: test builds only: disable A20 at the fast gate and at the
 * keyboard controller. */
a20_off:
	inb	$0x92, %al
	andb	$0xfc, %al
	outb	%al, $0x92
	call	empty_8042
	movb	$0xd1, %al
	outb	%al, $0x64
	call	empty_8042
	movb	$0xdd, %al
	outb	%al, $0x60
	call	empty_8042
	ret

/* com1_puts: test builds only: send the string at DS:SI to COM1. */
com1_puts:
	movw	$0x3f8, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	ret

a20_report:
	.ascii	"A20 method: "
#endif
a20_method:
	.byte	0
	.asciz	"\r\n"

/* puts: print the string at DS:SI with the BIOS. */
puts:
	lodsb
	testb	%al, %al
	jz	1f
	movb	$0x0e, %ah
	movw	$7, %bx
	int	$0x10
	jmp	puts
1:	ret

a20_msg:
	.asciz	"mbootpack: cannot enable the A20 gate\r\n"
kernel_version:
	.asciz	"mbootpack " MBP_VERSION_STRING

	.balign	8
gdt:
	.quad	0
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x10: flat 32-bit code */
	.quad	0x00cf92000000ffff		/* 0x18: flat data */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	0
idt_null:
	.word	0
	.long	0
pm_jump:
	.long	0
	.word	0x10

	.section .bss
	.balign	16
bp:
	.space	4096
stack:
	.space	2048
stack_top:
