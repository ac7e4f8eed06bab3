/* Run one instruction on the host CPU (see native_x86.h). The trampoline saves the host's
 * callee-saved registers and RSP in memory, loads RFLAGS and all sixteen registers from
 * native_in, and jumps to a page holding the instruction followed by an absolute jump
 * back; there every register goes to native_out before RSP is restored and RFLAGS pushed
 * (MOV does not change flags, so they are the instruction's). */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include "native_x86.h"

#define NATIVE_FLAGS_IN 0x8d5ULL        /* CF PF AF ZF SF OF */

struct native_regs kestrel_native_in, kestrel_native_out;
uint64_t kestrel_native_host_rsp;
void *kestrel_native_code;
void kestrel_native_enter(void);
extern char kestrel_native_back[];

__asm__(
    ".text\n"
    ".globl kestrel_native_enter\n"
    "kestrel_native_enter:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  mov %rsp, kestrel_native_host_rsp(%rip)\n"
    "  pushq kestrel_native_in+128(%rip)\n"
    "  popfq\n"
    "  mov kestrel_native_in+0(%rip), %rax\n"
    "  mov kestrel_native_in+8(%rip), %rcx\n"
    "  mov kestrel_native_in+16(%rip), %rdx\n"
    "  mov kestrel_native_in+24(%rip), %rbx\n"
    "  mov kestrel_native_in+32(%rip), %rsp\n"
    "  mov kestrel_native_in+40(%rip), %rbp\n"
    "  mov kestrel_native_in+48(%rip), %rsi\n"
    "  mov kestrel_native_in+56(%rip), %rdi\n"
    "  mov kestrel_native_in+64(%rip), %r8\n"
    "  mov kestrel_native_in+72(%rip), %r9\n"
    "  mov kestrel_native_in+80(%rip), %r10\n"
    "  mov kestrel_native_in+88(%rip), %r11\n"
    "  mov kestrel_native_in+96(%rip), %r12\n"
    "  mov kestrel_native_in+104(%rip), %r13\n"
    "  mov kestrel_native_in+112(%rip), %r14\n"
    "  mov kestrel_native_in+120(%rip), %r15\n"
    "  jmp *kestrel_native_code(%rip)\n"
    ".globl kestrel_native_back\n"
    "kestrel_native_back:\n"
    "  mov %rax, kestrel_native_out+0(%rip)\n"
    "  mov %rcx, kestrel_native_out+8(%rip)\n"
    "  mov %rdx, kestrel_native_out+16(%rip)\n"
    "  mov %rbx, kestrel_native_out+24(%rip)\n"
    "  mov %rsp, kestrel_native_out+32(%rip)\n"
    "  mov %rbp, kestrel_native_out+40(%rip)\n"
    "  mov %rsi, kestrel_native_out+48(%rip)\n"
    "  mov %rdi, kestrel_native_out+56(%rip)\n"
    "  mov %r8, kestrel_native_out+64(%rip)\n"
    "  mov %r9, kestrel_native_out+72(%rip)\n"
    "  mov %r10, kestrel_native_out+80(%rip)\n"
    "  mov %r11, kestrel_native_out+88(%rip)\n"
    "  mov %r12, kestrel_native_out+96(%rip)\n"
    "  mov %r13, kestrel_native_out+104(%rip)\n"
    "  mov %r14, kestrel_native_out+112(%rip)\n"
    "  mov %r15, kestrel_native_out+120(%rip)\n"
    "  mov kestrel_native_host_rsp(%rip), %rsp\n"
    "  pushfq\n"
    "  popq kestrel_native_out+128(%rip)\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n");

/* Contract in the header. */
int native_init(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    kestrel_native_code = p;
    return 0;
}

/* Contract in the header. */
void native_run(const uint8_t *insn, size_t len, const struct native_regs *in,
                struct native_regs *out)
{
    static const uint8_t jmp_back[] = { 0xff, 0x25, 0, 0, 0, 0 };   /* jmp [rip+0] */
    uint8_t *code = kestrel_native_code;
    uint64_t back = (uint64_t)(uintptr_t)kestrel_native_back;
    memcpy(code, insn, len);
    memcpy(code + len, jmp_back, sizeof(jmp_back));
    memcpy(code + len + sizeof(jmp_back), &back, sizeof(back));
    kestrel_native_in = *in;
    kestrel_native_in.rflags = 0x202 | (in->rflags & NATIVE_FLAGS_IN);
    kestrel_native_enter();
    *out = kestrel_native_out;
}
