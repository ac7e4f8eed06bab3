/*
 * blobs.S - embeds the real-mode setup and the 32-bit loader binaries (built
 * by the Makefile; found through the assembler include path) into the
 * host tool.
 */
	.section .rodata
	.balign 16
	.globl	mbp_setup_blob, mbp_setup_blob_end
mbp_setup_blob:
	.incbin	"setup.bin"
mbp_setup_blob_end:
	.balign 16
	.globl	mbp_loader32_blob, mbp_loader32_blob_end
mbp_loader32_blob:
	.incbin	"loader32.bin"
mbp_loader32_blob_end:
	.section .note.GNU-stack, "", @progbits
