/*
 * head.S - Multiboot v1 header and entry of the mbinfo test kernel.  With
 * -DKLUDGE the header carries the a.out-kludge address fields (flag 16), as
 * the ELF64 and flat variants need.
 */
#define MB_MAGIC 0x1BADB002
#ifdef KLUDGE
#define MB_FLAGS 0x00010003
#else
#define MB_FLAGS 0x00000003
#endif

	.section .multiboot, "a"
	.balign	4
	.globl	mb_header
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
#ifdef KLUDGE
	.long	mb_header			/* header_addr */
	.long	_load_start			/* load_addr */
	.long	_edata				/* load_end_addr */
	.long	_end				/* bss_end_addr */
	.long	_start				/* entry_addr */
#endif

	.text
	.code32
	.globl	_start
_start:
	movl	$stack_top, %esp
	pushfl
	pushl	%ebx
	pushl	%eax
	call	mbinfo_main
1:	cli
	hlt
	jmp	1b

	.section .bss
	.balign	16
stack:
	.space	16384
stack_top:
