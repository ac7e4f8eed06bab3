/* Multiboot v1 entry: the loader leaves us in 32-bit protected mode with paging off.
 * This file carries the Multiboot header (with the address fields, so QEMU, which refuses
 * ELF64 Multiboot files, and GRUB both load the image by them), checks for a 64-bit CPU,
 * identity-maps the low 4 GiB with 2 MiB pages, enters long mode and calls kmain(magic, info). */

#define MB_MAGIC        0x1BADB002
#define MB_FLAGS        0x00010003      /* page-align modules, memory info, address fields */
#define KERNEL_CS       0x08
#define KERNEL_DS       0x10

    .section .multiboot, "a"
    .align 4
    .globl multiboot_header
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long multiboot_header              /* header_addr */
    .long __image_start                 /* load_addr */
    .long __load_end                    /* load_end_addr */
    .long __bss_end                     /* bss_end_addr */
    .long _start                        /* entry_addr */

    .section .text.boot, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov     %eax, %edi                  /* keep magic and info for kmain (SysV args) */
    mov     %ebx, %esi
    mov     $boot_stack_top, %esp

    /* Clear BSS ourselves: not every loader honours bss_end_addr. Page tables and the
     * stack live there, so the magic waits in edx, which rep stosb leaves alone. */
    mov     %edi, %edx
    mov     $__bss_start, %edi
    mov     $__bss_end, %ecx
    sub     %edi, %ecx
    xor     %eax, %eax
    rep stosb
    mov     %edx, %edi

    /* Long mode available? CPUID 0x80000001 EDX bit 29. */
    mov     $0x80000000, %eax
    cpuid
    cmp     $0x80000001, %eax
    jb      no_long_mode
    mov     $0x80000001, %eax
    cpuid
    bt      $29, %edx
    jnc     no_long_mode

    /* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages = 4 GiB. */
    mov     $boot_pdpt, %eax
    or      $0x3, %eax
    mov     %eax, boot_pml4
    xor     %ecx, %ecx
1:  mov     %ecx, %eax
    shl     $12, %eax
    add     $boot_pd, %eax
    or      $0x3, %eax
    mov     %eax, boot_pdpt(,%ecx,8)
    inc     %ecx
    cmp     $4, %ecx
    jb      1b
    xor     %ecx, %ecx                  /* 2048 entries: entry i maps i * 2 MiB */
2:  mov     %ecx, %eax
    shl     $21, %eax
    or      $0x83, %eax                 /* present, writable, 2 MiB page */
    mov     %eax, boot_pd(,%ecx,8)
    mov     %ecx, %eax
    shr     $11, %eax                   /* high dword: bits 32.. of i * 2 MiB */
    mov     %eax, boot_pd+4(,%ecx,8)
    inc     %ecx
    cmp     $2048, %ecx
    jb      2b

    mov     %cr4, %eax
    or      $0x20, %eax                 /* PAE */
    mov     %eax, %cr4
    mov     $boot_pml4, %eax
    mov     %eax, %cr3
    mov     $0x80000001, %eax           /* NX available? (cpuid clobbers ebx..edx) */
    cpuid
    mov     $0x100, %ebp                /* EFER.LME */
    bt      $20, %edx
    jnc     3f
    or      $0x800, %ebp                /* EFER.NXE */
3:  mov     $0xC0000080, %ecx
    rdmsr
    or      %ebp, %eax
    wrmsr
    mov     %cr0, %eax
    or      $0x80010001, %eax           /* PG, WP, PE */
    mov     %eax, %cr0

    lgdt    gdt_ptr32
    ljmp    $KERNEL_CS, $long_mode_entry

/* A 32-bit CPU cannot run us: say so on COM1 and stop. */
no_long_mode:
    mov     $no_lm_msg, %esi
4:  lodsb
    test    %al, %al
    jz      6f
    mov     %al, %bl
    mov     $0x3fd, %dx
5:  in      %dx, %al
    test    $0x20, %al
    jz      5b
    mov     $0x3f8, %dx
    mov     %bl, %al
    out     %al, %dx
    jmp     4b
6:  hlt
    jmp     6b

    .code64
long_mode_entry:
    mov     $KERNEL_DS, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    xor     %ax, %ax
    mov     %ax, %fs
    mov     %ax, %gs
    mov     $boot_stack_top, %rsp
    xor     %rbp, %rbp                  /* ends stack traces */
    /* edi = magic, esi = info (zero-extended by the 32-bit moves above) */
    mov     %edi, %edi
    mov     %esi, %esi
    call    kmain
7:  cli
    hlt
    jmp     7b

    .section .rodata
no_lm_msg:
    .asciz  "Kestrel: this CPU has no long mode (x86-64); cannot boot.\r\n"

    .section .data
    .align 16
    .globl gdt_table
gdt_table:
    .quad   0                           /* null */
    .quad   0x00209A0000000000          /* 0x08: 64-bit code */
    .quad   0x0000920000000000          /* 0x10: data */
    .quad   0x00CF9A000000FFFF          /* 0x18: 32-bit code (unused, kept for reference) */
    .quad   0, 0                        /* 0x20: TSS descriptor, filled by gdt_init */
gdt_end:
gdt_ptr32:
    .word   gdt_end - gdt_table - 1
    .long   gdt_table

    .section .bss
    .align 4096
    .globl boot_pml4
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
    .globl boot_pd
boot_pd:    .skip 4096 * 4
    /* A page below the boot stack that the debug build unmaps (stack_guard.c), so an
     * overflow faults (a double fault, on its own stack) instead of writing over boot_pd. */
    .align 4096
    .globl boot_stack_guard
boot_stack_guard:
    .skip 4096
    .globl boot_stack_bottom
boot_stack_bottom:
    .skip 32768
    .globl boot_stack_top
boot_stack_top:
