/* The x86 instructions a guest uses on memory-mapped device registers, decoded from their
 * bytes and emulated against a device's read and write. An access to a guest-physical page
 * that the nested/extended page tables leave unmapped (local APIC, I/O APIC, virtio-mmio,
 * PCI BARs) exits with the address but no decoded instruction (SVM #NPF without decode
 * assists, VMX EPT violation); the backend fetches the bytes (guest_fetch_insn), decodes
 * them here, emulates the access and advances RIP by the decoded length.
 *
 * Covered: MOV (88 89 8A 8B C6/0 C7/0 A0-A3), MOVZX/MOVSX (0F B6 B7 BE BF), MOVSXD (REX.W
 * 63), XCHG (86 87), ADD OR ADC SBB AND SUB XOR CMP with a memory operand (00-3B, the
 * 80/81/82/83 group), TEST (84 85, F6/0 F7/0), BT BTS BTR BTC with imm8 (0F BA /4-/7),
 * with any legacy prefixes, REX, and every ModRM/SIB/displacement form. Everything else
 * (string instructions, SSE/AVX, register-only forms, ...) is refused, never guessed at.
 * Decoding is mmio_insn.c, emulation mmio_emul.c. Pure code: no hardware, no allocation;
 * host-tested (tests/unit/test_mmio_insn.c, test_mmio_emul.c: the emulator against the
 * host CPU running the same bytes) and fuzzed (tests/fuzz/fuzz_mmio_insn.c). */
#ifndef KESTREL_ARCH_MMIO_INSN_H
#define KESTREL_ARCH_MMIO_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/vcpu.h"

#define MMIO_INSN_MAX_LEN 15        /* the architectural limit, prefixes included */

/* The code the instruction was fetched from: 64-bit (long mode with CS.L), or 32-bit or
 * 16-bit code by CS.D (protected or compatibility mode; real and virtual-8086 mode: 16). */
enum mmio_insn_mode { MMIO_CODE16, MMIO_CODE32, MMIO_CODE64 };

/* What decoding found. */
enum mmio_insn_status {
    MMIO_INSN_OK,
    MMIO_INSN_TRUNCATED,        /* the instruction goes on past the n bytes given */
    MMIO_INSN_UNSUPPORTED,      /* a valid instruction this module does not emulate */
    MMIO_INSN_INVALID,          /* the CPU would fault on it (#UD: LOCK on a MOV, 82 in
                                   64-bit code; #GP: longer than 15 bytes) */
};

/* What the instruction does. */
enum mmio_insn_op {
    MMIO_OP_MOV,                /* load (register <- memory) or store (memory <- reg/imm) */
    MMIO_OP_MOVZX,              /* load, zero-extended to the register's width */
    MMIO_OP_MOVSX,              /* load, sign-extended (MOVSX and MOVSXD) */
    MMIO_OP_XCHG,
    MMIO_OP_ADD, MMIO_OP_OR, MMIO_OP_ADC, MMIO_OP_SBB,
    MMIO_OP_AND, MMIO_OP_SUB, MMIO_OP_XOR, MMIO_OP_CMP,     /* in ModRM.reg's /0../7 order */
    MMIO_OP_TEST,
    MMIO_OP_BT, MMIO_OP_BTS, MMIO_OP_BTR, MMIO_OP_BTC,      /* bit offset in imm */
};

/* What it does to the memory operand. */
enum mmio_insn_access {
    MMIO_LOAD,                  /* one read */
    MMIO_STORE,                 /* one write */
    MMIO_RMW,                   /* one read, then one write at the same address and size */
};

struct mmio_insn {
    uint8_t len;                /* bytes, prefixes included: the caller's RIP step */
    uint8_t size;               /* bytes of memory accessed: 1, 2, 4 or 8 */
    uint8_t reg_size;           /* the register operand's width (= size but for MOVZX/MOVSX) */
    enum mmio_insn_op op;
    enum mmio_insn_access access;
    bool has_reg;               /* a register operand (else an immediate) */
    uint8_t reg;                /* its number by encoding: 0 rAX 1 rCX 2 rDX 3 rBX 4 rSP
                                   5 rBP 6 rSI 7 rDI 8-15 r8-r15 */
    bool reg_high8;             /* AH CH DH BH: bits 8-15 of register reg (0-3) */
    bool reg_is_dest;           /* the result goes to the register (loads, "op reg, mem");
                                   else to memory (stores, "op mem, reg/imm"); XCHG: false,
                                   though it writes both */
    uint64_t imm;               /* the immediate, sign-extended to 64 bits as the CPU
                                   extends it to the operand size */
    bool lock;                  /* LOCK prefix (only on the forms that allow it) */
    uint8_t bytes[MMIO_INSN_MAX_LEN];   /* the instruction's bytes, for log lines */
};

/* Decode the instruction in bytes[0..n-1] (n may exceed 15: only the first 15 count),
 * fetched from code of the given mode, into *out. Never reads bytes[n] or beyond. Returns
 * MMIO_INSN_OK with *out filled, or why not (*out then holds nothing useful). */
enum mmio_insn_status mmio_insn_decode(const uint8_t *bytes, size_t n,
                                       enum mmio_insn_mode mode, struct mmio_insn *out);

/* The decoding mode of a vCPU: long_mode means 64-bit code (EFER.LMA and CS.L); pe is
 * CR0.PE, cs_d CS's D/B bit (ignored in real mode, which runs 16-bit code). */
enum mmio_insn_mode mmio_insn_mode_of(bool long_mode, bool pe, bool cs_d);

/* One device access: read fills *val with size bytes (1, 2, 4, 8) at gpa, zero-extended;
 * write stores the low size bytes of val. Each returns 0, or nonzero when the device
 * refuses the access (the emulation then stops). */
struct mmio_ops {
    int (*read)(void *ctx, uint64_t gpa, unsigned size, uint64_t *val);
    int (*write)(void *ctx, uint64_t gpa, unsigned size, uint64_t val);
};

/* Perform a decoded instruction whose memory operand is at guest-physical gpa: the reads
 * and writes through ops (each at gpa with insn->size), then the register and RFLAGS
 * updates a CPU makes: 32-bit register results zero-extend to 64 bits, 8- and 16-bit ones
 * merge (AH..BH into bits 8-15), MOVZX/MOVSX extend, the ALU forms set CF PF AF ZF SF OF
 * (AF cleared by the logical ones), CMP and TEST write nothing back, BT* set CF only. RIP
 * is left alone: the caller adds insn->len. Touches nothing but *regs and the ops.
 * Returns 0; or -1 if an access failed or insn is not a decoded one, with *regs unchanged
 * (a read-modify-write's read may have reached the device). */
int mmio_insn_emulate(const struct mmio_insn *insn, struct vcpu_regs *regs, uint64_t gpa,
                      const struct mmio_ops *ops, void *ctx);

/* The instruction in Intel syntax with the memory operand as m8/m16/m32/m64, as objdump
 * -M intel shows it: "mov eax, m32", "movzx ecx, m8", "lock add m32, 0x1", "bts m64, 0x3".
 * Always NUL-terminates a buffer of n > 0; returns the length it wanted, as snprintf. */
int mmio_insn_describe(const struct mmio_insn *insn, char *buf, size_t n);

/* bytes[0..len-1] in hex, space-separated ("8b 05 00 00 20 fe"), for the line that names
 * an instruction the decoder refused; len is capped at 15. As snprintf. */
int mmio_insn_hex(const uint8_t *bytes, size_t len, char *buf, size_t n);

/* "ok", "truncated", "unsupported", "invalid". */
const char *mmio_insn_status_name(enum mmio_insn_status s);

#endif
