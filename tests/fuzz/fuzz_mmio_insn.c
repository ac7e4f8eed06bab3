/* libFuzzer target for the MMIO instruction decoder and emulator (arch/x86/mmio_insn.c,
 * mmio_emul.c). Input: a control byte (mode, device failures, raw-structure mode), a
 * length n, n instruction bytes (copied into a buffer of exactly n bytes, so ASan sees a
 * read past them), then the device's read value and the register file. Checks what the
 * modules promise: an accepted instruction is at most 15 bytes and within n, its fields
 * are in range, its bytes alone decode the same and one byte fewer is "truncated"; the
 * emulator makes exactly the accesses its access kind says, at the exit's address and
 * size, changes only the register operand and the arithmetic flags (never RIP), and
 * nothing when a device access fails; a structure of random bytes never crashes it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "arch/mmio_insn.h"

#define GPA 0xfec00010ULL
#define ARITH_FLAGS 0x8d5ULL

struct fake {
    uint64_t read_value;
    bool fail_read, fail_write;
    unsigned expect_size;           /* 0: any */
    char trace[4];
    unsigned ntrace;
};

static void record(struct fake *f, char what, uint64_t gpa, unsigned size)
{
    if (gpa != GPA || (size != 1 && size != 2 && size != 4 && size != 8) ||
        (f->expect_size && size != f->expect_size) || f->ntrace >= 3)
        abort();
    f->trace[f->ntrace++] = what;
}

static int fake_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
    struct fake *f = ctx;
    record(f, 'r', gpa, size);
    *val = f->read_value;           /* more than size bytes: the emulator must mask */
    return f->fail_read ? -1 : 0;
}

static int fake_write(void *ctx, uint64_t gpa, unsigned size, uint64_t val)
{
    struct fake *f = ctx;
    record(f, 'w', gpa, size);
    if (size < 8 && (val >> (8 * size)))
        abort();                    /* bits beyond the access */
    return f->fail_write ? -1 : 0;
}

static const struct mmio_ops ops = { fake_read, fake_write };

static uint64_t *gpr(struct vcpu_regs *r, unsigned n)
{
    uint64_t *by_name[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
        &r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14,
        &r->r15 };
    return by_name[n & 15];
}

/* The fields of an accepted instruction are in range and agree with each other. */
static void check_fields(const struct mmio_insn *d, const uint8_t *bytes, size_t n)
{
    if (d->len == 0 || d->len > MMIO_INSN_MAX_LEN || d->len > n ||
        memcmp(d->bytes, bytes, d->len) != 0)
        abort();
    if ((d->size != 1 && d->size != 2 && d->size != 4 && d->size != 8) || d->reg > 15 ||
        d->reg_size < d->size || (d->reg_high8 && (d->reg > 3 || d->reg_size != 1)) ||
        (!d->has_reg && d->reg_is_dest) || (d->lock && d->access != MMIO_RMW))
        abort();
    char text[40];
    int want = mmio_insn_describe(d, text, sizeof(text));
    if (want < 0 || strlen(text) >= sizeof(text))
        abort();
}

/* Decoding only the instruction's own bytes gives the same; one byte fewer, truncated. */
static void check_redecode(const struct mmio_insn *d, enum mmio_insn_mode mode)
{
    struct mmio_insn again;
    uint8_t *exact = malloc(d->len);
    memcpy(exact, d->bytes, d->len);
    if (mmio_insn_decode(exact, d->len, mode, &again) != MMIO_INSN_OK ||
        memcmp(&again, d, sizeof(again)) != 0)
        abort();
    if (mmio_insn_decode(exact, d->len - 1u, mode, &again) != MMIO_INSN_TRUNCATED)
        abort();
    free(exact);
}

/* Emulate d on regs and check the accesses and what changed. */
static void check_emulate(const struct mmio_insn *d, const struct vcpu_regs *regs,
                          struct fake *f)
{
    static const char *const want[] = { [MMIO_LOAD] = "r", [MMIO_STORE] = "w",
                                        [MMIO_RMW] = "rw" };
    struct vcpu_regs r = *regs;
    f->expect_size = d->size;
    int rc = mmio_insn_emulate(d, &r, GPA, &ops, f);
    const char *expected = want[d->access];
    if (rc != 0) {
        /* Only a failed access may fail it, and then the registers are as they were. */
        bool failed_here = (f->fail_read && f->trace[f->ntrace - 1] == 'r') ||
                           (f->fail_write && f->trace[f->ntrace - 1] == 'w');
        if (!f->ntrace || !failed_here || memcmp(&r, regs, sizeof(r)) != 0 ||
            strncmp(f->trace, expected, f->ntrace) != 0)
            abort();
        return;
    }
    if (strcmp(f->trace, expected) != 0 || r.rip != regs->rip ||
        ((r.rflags ^ regs->rflags) & ~ARITH_FLAGS))
        abort();
    for (unsigned n = 0; n < 16; n++)
        if (*gpr(&r, n) != *gpr((struct vcpu_regs *)regs, n) && !(d->has_reg && n == d->reg))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t ctl = data[0];
    size_t n = data[1] % 24;
    if (n > size - 2)
        n = size - 2;
    uint8_t *bytes = malloc(n ? n : 1);
    memcpy(bytes, data + 2, n);
    const uint8_t *rest = data + 2 + n;
    size_t left = size - 2 - n;

    struct fake f = { 0 };
    struct vcpu_regs regs;
    uint8_t tail[8 + sizeof(regs)] = { 0 };
    memcpy(tail, rest, left < sizeof(tail) ? left : sizeof(tail));
    memcpy(&f.read_value, tail, 8);
    memcpy(&regs, tail + 8, sizeof(regs));
    f.fail_read = (ctl >> 2) & 1;
    f.fail_write = (ctl >> 3) & 1;
    enum mmio_insn_mode mode = (enum mmio_insn_mode)((ctl & 3) % 3);

    struct mmio_insn d;
    if (ctl & 0x10) {
        /* Random bytes as a decoded instruction: refused or performed, never a crash. */
        uint8_t raw[sizeof(d)] = { 0 };
        memcpy(raw, bytes, n < sizeof(d) ? n : sizeof(d));
        memcpy(&d, raw, sizeof(d));
        d.op = (enum mmio_insn_op)(d.op % 20);
        d.access = (enum mmio_insn_access)(d.access % 3);
        d.has_reg = raw[offsetof(struct mmio_insn, has_reg)] & 1;      /* bools: 0 or 1 */
        d.reg_high8 = raw[offsetof(struct mmio_insn, reg_high8)] & 1;
        d.reg_is_dest = raw[offsetof(struct mmio_insn, reg_is_dest)] & 1;
        d.lock = raw[offsetof(struct mmio_insn, lock)] & 1;
        struct vcpu_regs r = regs;
        (void)mmio_insn_emulate(&d, &r, GPA, &ops, &f);
        if (r.rip != regs.rip)
            abort();
        free(bytes);
        return 0;
    }
    enum mmio_insn_status st = mmio_insn_decode(bytes, n, mode, &d);
    char hex[64];
    mmio_insn_hex(bytes, n, hex, sizeof(hex));
    if (st == MMIO_INSN_OK) {
        check_fields(&d, bytes, n);
        check_redecode(&d, mode);
        check_emulate(&d, &regs, &f);
    } else if (st != MMIO_INSN_TRUNCATED && st != MMIO_INSN_UNSUPPORTED &&
               st != MMIO_INSN_INVALID) {
        abort();
    } else if (st == MMIO_INSN_TRUNCATED && n >= MMIO_INSN_MAX_LEN) {
        abort();                    /* 15 bytes given: never "give me more" */
    }
    free(bytes);
    return 0;
}
