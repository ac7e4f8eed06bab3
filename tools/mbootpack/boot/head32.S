/*
 * head32.S - 32-bit entry of an mbootpack image (code32_start, 1 MiB) and
 * the trampoline that does the final moves and enters the kernel.
 *
 * Entered from our real-mode setup or directly by a 32-bit boot loader
 * (GRUB "linux"): protected mode, paging off, CS = 0x10, DS = SS = 0x18
 * flat, ESI = boot_params.  There may be no usable stack.
 */
#include "../format.h"
#include "tramp.h"

	.code32
	.section .text.entry, "ax"
	.globl	_start
_start:
	jmp	1f
	.balign	MBP_TAG_OFFSET
	.ascii	MBP_TAG_MAGIC
	.long	0			/* header_offset, patched by mbootpack */
	.long	0			/* loader32_size, patched by mbootpack */
1:
	cli
	cld
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	/* A 4-byte stack in boot_params.scratch, as Linux does, to learn
	 * where we run. */
	leal	(BP_SCRATCH + 4)(%esi), %esp
	call	2f
2:	popl	%eax
	cmpl	$2b, %eax
	jne	wrong_place
	lgdt	gdt_desc
	ljmp	$0x10, $3f
3:	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	$stack_top, %esp
	pushl	%esi
	call	stage32_main
wrong_place:
	hlt
	jmp	wrong_place

	.section .rodata
	.balign	8
gdt:
	.quad	0
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x10: flat 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x18: flat data */
gdt_end:
	.word	0
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt

/*
 * Trampoline: copied high by stage32 and entered with ESI = its
 * tramp_params.  Loads the GDT in the parameters, performs the moves
 * (copy len bytes, then zero the next zero bytes) and jumps to the kernel
 * in the Multiboot machine state.  Position independent.
 */
	.globl	tramp_start, tramp_reload, tramp_end
tramp_start:
	movl	%esi, %ebp
	lgdt	TP_GDT_LIMIT(%ebp)
	ljmp	*TP_FAR_OFF(%ebp)
tramp_reload:
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	TP_STACK(%ebp), %esp
	movl	TP_NMOVES(%ebp), %edx
	leal	TP_MOVES(%ebp), %ebx
4:	testl	%edx, %edx
	jz	5f
	movl	0(%ebx), %edi
	movl	4(%ebx), %esi
	movl	8(%ebx), %ecx
	shrl	$2, %ecx
	rep movsl
	movl	8(%ebx), %ecx
	andl	$3, %ecx
	rep movsb
	xorl	%eax, %eax
	movl	12(%ebx), %ecx
	shrl	$2, %ecx
	rep stosl
	movl	12(%ebx), %ecx
	andl	$3, %ecx
	rep stosb
	addl	$16, %ebx
	decl	%edx
	jmp	4b
5:	movl	TP_ENTRY(%ebp), %ecx
	movl	TP_MBI(%ebp), %ebx
	movl	$0x2BADB002, %eax
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*%ecx
tramp_end:

	.section .bss
	.balign	16
stack:
	.space	16384
stack_top:
