/* Interrupt and exception entry: one small entry point per vector pushes a uniform frame
 * (struct trap_frame in arch/trap.h) and calls trap_dispatch(frame). */

    .text
    .code64


    /* Vectors 8, 10-14, 17, 21, 29 and 30 get an error code from the CPU; the rest push 0. */
    .altmacro
    .macro isr_stub v
    .align 16
isr_\v:
    .if !((\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
    pushq   $0
    .endif
    pushq   $\v
    jmp     trap_common
    .endm

    .set i, 0
    .rept 256
    isr_stub %i
    .set i, i + 1
    .endr

trap_common:
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    cld
    mov     %rsp, %rdi
    call    trap_dispatch
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
    add     $16, %rsp
    iretq

    .macro stub_addr v
    .quad   isr_\v
    .endm

    .section .rodata
    .align 8
    .globl isr_stub_table
isr_stub_table:
    .set i, 0
    .rept 256
    stub_addr %i
    .set i, i + 1
    .endr

/* void trap_capture(struct trap_frame *tf): the caller's registers, with rip and rsp as at
 * the call site, for panics and the `regs` command outside any trap. */
    .text
    .globl trap_capture
trap_capture:
    mov     %r15, 0(%rdi)
    mov     %r14, 8(%rdi)
    mov     %r13, 16(%rdi)
    mov     %r12, 24(%rdi)
    mov     %r11, 32(%rdi)
    mov     %r10, 40(%rdi)
    mov     %r9, 48(%rdi)
    mov     %r8, 56(%rdi)
    mov     %rbp, 64(%rdi)
    mov     %rdi, 72(%rdi)
    mov     %rsi, 80(%rdi)
    mov     %rdx, 88(%rdi)
    mov     %rcx, 96(%rdi)
    mov     %rbx, 104(%rdi)
    mov     %rax, 112(%rdi)
    movq    $0, 120(%rdi)               /* vector */
    movq    $0, 128(%rdi)               /* error */
    mov     (%rsp), %rax
    mov     %rax, 136(%rdi)             /* rip: the return address */
    mov     %cs, %rax
    mov     %rax, 144(%rdi)
    pushfq
    popq    %rax
    mov     %rax, 152(%rdi)
    lea     8(%rsp), %rax
    mov     %rax, 160(%rdi)             /* rsp after return */
    mov     %ss, %rax
    mov     %rax, 168(%rdi)
    mov     112(%rdi), %rax
    ret
