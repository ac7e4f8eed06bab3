/* World switch for SVM: load the guest's general registers, VMLOAD/VMRUN/VMSAVE its VMCB,
 * store its registers back, and VMLOAD the host's saved state (TR, FS/GS, syscall MSRs) so
 * the host runs on its own TSS again before any interrupt is taken. Called with GIF clear.
 *
 * void svm_world_switch(uint64_t vmcb_pa, struct vcpu_regs *regs, uint64_t host_vmcb_pa)
 * struct vcpu_regs: rax 0, rbx 8, rcx 16, rdx 24, rsi 32, rdi 40, rbp 48, rsp 56,
 *                   r8 64 .. r15 120 (rax and rsp live in the VMCB and are not touched here). */
    .text
    .code64
    .globl svm_world_switch
svm_world_switch:
    push    %rbp
    push    %rbx
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    push    %rdx                    /* host VMCB */
    push    %rsi                    /* regs */
    mov     %rdi, %rax              /* guest VMCB (VMRUN takes it in rax) */

    mov     8(%rsi), %rbx
    mov     16(%rsi), %rcx
    mov     24(%rsi), %rdx
    mov     40(%rsi), %rdi
    mov     48(%rsi), %rbp
    mov     64(%rsi), %r8
    mov     72(%rsi), %r9
    mov     80(%rsi), %r10
    mov     88(%rsi), %r11
    mov     96(%rsi), %r12
    mov     104(%rsi), %r13
    mov     112(%rsi), %r14
    mov     120(%rsi), %r15
    mov     32(%rsi), %rsi

    vmload  %rax
    vmrun   %rax
    vmsave  %rax

    push    %rsi
    mov     8(%rsp), %rsi           /* regs */
    mov     %rbx, 8(%rsi)
    mov     %rcx, 16(%rsi)
    mov     %rdx, 24(%rsi)
    pop     %rbx
    mov     %rbx, 32(%rsi)
    mov     %rdi, 40(%rsi)
    mov     %rbp, 48(%rsi)
    mov     %r8, 64(%rsi)
    mov     %r9, 72(%rsi)
    mov     %r10, 80(%rsi)
    mov     %r11, 88(%rsi)
    mov     %r12, 96(%rsi)
    mov     %r13, 104(%rsi)
    mov     %r14, 112(%rsi)
    mov     %r15, 120(%rsi)

    pop     %rsi
    pop     %rax                    /* host VMCB */
    vmload  %rax
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbx
    pop     %rbp
    ret

    .globl svm_vmsave
svm_vmsave:                         /* void svm_vmsave(uint64_t pa) */
    mov     %rdi, %rax
    vmsave  %rax
    ret
