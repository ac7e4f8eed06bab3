/* Run one x86-64 instruction on the host CPU with every general register and the
 * arithmetic flags given, and read them all back: the reference the MMIO emulator is
 * compared with (tests/unit/test_mmio_insn.c). The instruction may use any register,
 * RSP included (no stack is touched between loading the registers and saving them); its
 * memory operand must be [rdi], pointing at memory the test owns. x86-64 hosts only. */
#ifndef KESTREL_TESTS_NATIVE_X86_H
#define KESTREL_TESTS_NATIVE_X86_H

#include <stddef.h>
#include <stdint.h>

/* Registers by encoding number (rax rcx rdx rbx rsp rbp rsi rdi r8..r15), then RFLAGS. */
struct native_regs {
    uint64_t gpr[16];
    uint64_t rflags;
};

/* Prepare the executable page; 0, or -1 if the host refuses one. */
int native_init(void);

/* Run insn[0..len-1] with *in (RFLAGS: only CF PF AF ZF SF OF are taken) and return the
 * state after it in *out. */
void native_run(const uint8_t *insn, size_t len, const struct native_regs *in,
                struct native_regs *out);

#endif
