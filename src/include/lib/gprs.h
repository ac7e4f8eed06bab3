/* The sixteen x86-64 general registers printed three to a line, in Xen's register-dump
 * layout; shared by the host's panic/`regs` dump and the guest's `dump <dom>`. */
#ifndef KESTREL_LIB_GPRS_H
#define KESTREL_LIB_GPRS_H

#include <stdint.h>

/* Register order of the array given to gprs_format. */
enum gpr {
    GPR_RAX, GPR_RBX, GPR_RCX, GPR_RDX, GPR_RSI, GPR_RDI, GPR_RBP, GPR_RSP,
    GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15, GPR_COUNT
};

/* Receives one line, without a newline. */
typedef void (*gprs_line_fn)(void *ctx, const char *line);

/* Emit rax..r14 as five lines "rax: %016llx   rbx: ...   rcx: ..."; r15 is left to the
 * caller, which puts its own registers beside it. */
void gprs_format(const uint64_t gpr[GPR_COUNT], gprs_line_fn emit, void *ctx);

#endif
