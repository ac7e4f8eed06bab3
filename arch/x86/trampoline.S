/* The application processors' start: a STARTUP IPI starts a CPU in real mode at
 * vector:0000, the page smpboot.c copied this code to (below 1 MiB). It goes 16 → 32 → 64-bit
 * on a GDT of its own (inside the page), onto the page tables the boot CPU runs on (CR3 and
 * EFER's bits from the parameters at the end), then jumps to the kernel's ap_entry with its
 * stack and struct percpu. Everything here addresses the copy: in real mode through DS = CS,
 * in protected and long mode through EBX, the copy's linear address, which the 16-bit code
 * also writes into the GDT pointer and the two far jumps before using them.
 *
 * The parameters (tramp_params) are written by the boot CPU before each start, one AP at a
 * time; the layout matches struct trampoline_params in smpboot.c. */

#define TRAMP_CS64   0x08
#define TRAMP_DS     0x10
#define TRAMP_CS32   0x18
#define OFF(x)       ((x) - trampoline_start)

    .section .rodata, "a"
    .balign 16
    .globl trampoline_start
trampoline_start:
    .code16
    cli
    cld
    mov     %cs, %ax
    mov     %ax, %ds
    xor     %ebx, %ebx
    mov     %ax, %bx
    shl     $4, %ebx                            /* ebx = this copy's linear address */
    lea     OFF(tramp_gdt)(%ebx), %eax
    mov     %eax, OFF(tramp_gdtr) + 2
    lea     OFF(tramp_32)(%ebx), %eax
    mov     %eax, OFF(tramp_jump32)
    lea     OFF(tramp_64)(%ebx), %eax
    mov     %eax, OFF(tramp_jump64)
    lgdtl   OFF(tramp_gdtr)
    mov     %cr0, %eax
    or      $1, %eax                            /* PE */
    mov     %eax, %cr0
    ljmpl   *OFF(tramp_jump32)

    .code32
tramp_32:
    mov     $TRAMP_DS, %ax
    mov     %ax, %ds
    mov     %ax, %es
    mov     %ax, %ss
    mov     %cr4, %eax
    or      $0x20, %eax                         /* PAE */
    mov     %eax, %cr4
    mov     OFF(tramp_params)(%ebx), %eax       /* cr3: below 4 GiB (smpboot.c checks) */
    mov     %eax, %cr3
    mov     $0xC0000080, %ecx                   /* EFER: LME, NXE as the boot CPU has them */
    rdmsr
    or      OFF(tramp_params) + 4(%ebx), %eax
    wrmsr
    mov     %cr0, %eax
    or      $0x80010001, %eax                   /* PG, WP, PE */
    mov     %eax, %cr0
    ljmpl   *OFF(tramp_jump64)(%ebx)

    .code64
tramp_64:
    mov     %ebx, %ebx                          /* the upper half is undefined: clear it */
    mov     OFF(tramp_params) + 8(%rbx), %rsp
    mov     OFF(tramp_params) + 16(%rbx), %rdi
    mov     OFF(tramp_params) + 24(%rbx), %rax
    xor     %rbp, %rbp                          /* ends stack traces */
    push    $0                                  /* a return address: ap_entry never returns */
    jmp     *%rax

    .balign 8
tramp_gdt:
    .quad   0
    .quad   0x00209A0000000000                  /* 0x08: 64-bit code, as the kernel's */
    .quad   0x00CF92000000FFFF                  /* 0x10: flat data */
    .quad   0x00CF9A000000FFFF                  /* 0x18: flat 32-bit code */
tramp_gdtr:
    .word   4 * 8 - 1
    .long   0                                   /* the copy's tramp_gdt */
tramp_jump32:
    .long   0                                   /* the copy's tramp_32 */
    .word   TRAMP_CS32
tramp_jump64:
    .long   0                                   /* the copy's tramp_64 */
    .word   TRAMP_CS64
    .balign 8
    .globl tramp_params
tramp_params:
    .long   0                                   /* cr3 */
    .long   0                                   /* EFER bits to set */
    .quad   0                                   /* stack top */
    .quad   0                                   /* struct percpu * */
    .quad   0                                   /* ap_entry */
    .globl trampoline_end
trampoline_end:
