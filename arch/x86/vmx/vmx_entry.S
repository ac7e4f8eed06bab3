/* World switch for VMX: record the host's RSP in the current VMCS, load the guest's
 * general registers, VMLAUNCH (first run of a VMCS) or VMRESUME, and on the VM exit (which
 * lands at vmx_exit_point with the host RSP, RIP, CR3, segments and TR loaded from the
 * VMCS, RFLAGS = 2) store the guest's registers back. Called with interrupts off.
 *
 * int vmx_world_switch(struct vcpu_regs *regs, int launched)
 *   returns 0 after a VM exit, 1 when VMLAUNCH/VMRESUME itself failed (VM_INSN_ERROR says why)
 * struct vcpu_regs: rax 0, rbx 8, rcx 16, rdx 24, rsi 32, rdi 40, rbp 48, rsp 56,
 *                   r8 64 .. r15 120 (rsp, rip and rflags live in the VMCS, not here). */
#define HOST_RSP 0x6C14

    .text
    .code64
    .globl vmx_world_switch
    .globl vmx_exit_point
vmx_world_switch:
    push    %rbp
    push    %rbx
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    push    %rdi                    /* regs, found again at the exit */
    mov     $HOST_RSP, %eax
    vmwrite %rsp, %rax

    test    %esi, %esi              /* flags survive the moves below */
    mov     0(%rdi), %rax
    mov     8(%rdi), %rbx
    mov     16(%rdi), %rcx
    mov     24(%rdi), %rdx
    mov     32(%rdi), %rsi
    mov     48(%rdi), %rbp
    mov     64(%rdi), %r8
    mov     72(%rdi), %r9
    mov     80(%rdi), %r10
    mov     88(%rdi), %r11
    mov     96(%rdi), %r12
    mov     104(%rdi), %r13
    mov     112(%rdi), %r14
    mov     120(%rdi), %r15
    mov     40(%rdi), %rdi
    jnz     1f
    vmlaunch
    jmp     2f
1:  vmresume
2:  /* the entry failed: we are still the host, with guest values in the registers */
    pop     %rdi
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbx
    pop     %rbp
    mov     $1, %eax
    ret

vmx_exit_point:
    push    %rdi                    /* guest rdi; regs is just above it */
    mov     8(%rsp), %rdi
    mov     %rax, 0(%rdi)
    mov     %rbx, 8(%rdi)
    mov     %rcx, 16(%rdi)
    mov     %rdx, 24(%rdi)
    mov     %rsi, 32(%rdi)
    mov     %rbp, 48(%rdi)
    mov     %r8, 64(%rdi)
    mov     %r9, 72(%rdi)
    mov     %r10, 80(%rdi)
    mov     %r11, 88(%rdi)
    mov     %r12, 96(%rdi)
    mov     %r13, 104(%rdi)
    mov     %r14, 112(%rdi)
    mov     %r15, 120(%rdi)
    pop     %rax
    mov     %rax, 40(%rdi)
    pop     %rdi
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbx
    pop     %rbp
    xor     %eax, %eax
    ret
