/* Guest runtime entry: the Multiboot v1 header, _start (stack, BSS, GDT, call main) and the
 * interrupt stubs that build a struct trap_frame and call trap_dispatch(). */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003     /* page-align modules, want memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .bss
    .align 16
boot_stack:
    .skip 16384
    .globl boot_stack_top
boot_stack_top:

    .section .rodata
    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08: flat 32-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: flat data */
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .long gdt

    .text
    .code32
    .globl _start
/* _start: EAX = loader magic, EBX = Multiboot info. Never returns. */
_start:
    cli
    mov $boot_stack_top, %esp
    mov %eax, %ebp              /* keep the magic */
    lgdt gdt_ptr
    ljmp $0x08, $1f
1:  mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    cld
    mov $_bss_start, %edi       /* clear BSS (the stack is in it: nothing pushed yet) */
    mov $_image_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    push %ebx
    push %ebp
    call rt_start               /* rt_start(magic, info): init, main, shutdown */
2:  cli
    hlt
    jmp 2b

/* One entry point per vector 0..47; vectors without a CPU error code push a zero. */
    .altmacro
.macro STUB vec
    .align 8
stub_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21)
    .else
    push $0
    .endif
    push $\vec
    jmp trap_common
.endm

    .align 8
    .globl trap_stubs_start
trap_stubs_start:
.set v, 0
.rept 48
    STUB %v
    .set v, v + 1
.endr

    .section .rodata
    .align 4
    .globl trap_stub_table
trap_stub_table:
.set v, 0
.macro STUBADDR vec
    .long stub_\vec
.endm
.rept 48
    STUBADDR %v
    .set v, v + 1
.endr

    .text
/* Common path: save registers (pusha) and segments, call trap_dispatch(frame); the C side
 * may change frame->eip (to skip an instruction) before we return with iret. */
trap_common:
    pusha
    mov %esp, %eax
    push %eax
    call trap_dispatch
    add $4, %esp
    popa
    add $8, %esp                /* vector and error code */
    iret
