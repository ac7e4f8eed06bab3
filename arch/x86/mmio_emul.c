/* The MMIO instruction emulator (see arch/mmio_insn.h): performs one decoded instruction
 * on a device through its read/write ops and on a copy of the guest's registers, which
 * replaces the real ones only when every access succeeded. Register writes follow the
 * CPU's width rules; the arithmetic flags are computed from the operands as the CPU
 * defines them (carry and overflow from the sign bits, so any width works the same way). */
#include "arch/mmio_insn.h"

#define FLAG_CF (1ULL << 0)
#define FLAG_PF (1ULL << 2)
#define FLAG_AF (1ULL << 4)
#define FLAG_ZF (1ULL << 6)
#define FLAG_SF (1ULL << 7)
#define FLAG_OF (1ULL << 11)
#define FLAGS_ARITH (FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF)

/* General register number n (by encoding: rax rcx rdx rbx rsp rbp rsi rdi r8..r15), mapped
 * by name: struct vcpu_regs keeps them in another order. */
static uint64_t *gpr(struct vcpu_regs *r, unsigned n)
{
    switch (n & 15) {
    case 0: return &r->rax;
    case 1: return &r->rcx;
    case 2: return &r->rdx;
    case 3: return &r->rbx;
    case 4: return &r->rsp;
    case 5: return &r->rbp;
    case 6: return &r->rsi;
    case 7: return &r->rdi;
    case 8: return &r->r8;
    case 9: return &r->r9;
    case 10: return &r->r10;
    case 11: return &r->r11;
    case 12: return &r->r12;
    case 13: return &r->r13;
    case 14: return &r->r14;
    default: return &r->r15;
    }
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static uint64_t sign_extend(uint64_t v, unsigned size)
{
    unsigned shift = 64 - 8 * size;
    return (uint64_t)((int64_t)(v << shift) >> shift);
}

/* The register operand's value at its width (AH..BH: bits 8-15). */
static uint64_t reg_get(struct vcpu_regs *r, const struct mmio_insn *d)
{
    uint64_t v = *gpr(r, d->reg);
    if (d->reg_high8)
        return (v >> 8) & 0xff;
    return v & size_mask(d->reg_size);
}

/* Write val to the register operand as the CPU does: 8 and 16 bits merge into the
 * register, 32 bits zero-extend into all 64, 64 bits replace it. */
static void reg_set(struct vcpu_regs *r, const struct mmio_insn *d, uint64_t val)
{
    uint64_t *reg = gpr(r, d->reg);
    if (d->reg_high8)
        *reg = (*reg & ~0xff00ULL) | ((val & 0xff) << 8);
    else if (d->reg_size >= 4)
        *reg = val & size_mask(d->reg_size);
    else
        *reg = (*reg & ~size_mask(d->reg_size)) | (val & size_mask(d->reg_size));
}

/* ZF, SF and PF (even parity of the low byte) of a result of size bytes. */
static uint64_t flags_zsp(uint64_t res, unsigned size)
{
    uint64_t f = 0;
    uint8_t low = (uint8_t)res;
    low ^= low >> 4;
    low ^= low >> 2;
    low ^= low >> 1;
    if (!(low & 1))
        f |= FLAG_PF;
    if (!(res & size_mask(size)))
        f |= FLAG_ZF;
    if (res & (1ULL << (8 * size - 1)))
        f |= FLAG_SF;
    return f;
}

/* a op b at size bytes (operands already masked); *flags gets the new CF PF AF ZF SF OF.
 * ADC/SBB take the carry in from rflags; the logical ones clear CF, OF and AF. */
static uint64_t alu(enum mmio_insn_op op, uint64_t a, uint64_t b, unsigned size,
                    uint64_t rflags, uint64_t *flags)
{
    uint64_t msb = 1ULL << (8 * size - 1), carry_in = rflags & FLAG_CF, res, f = 0;
    switch (op) {
    case MMIO_OP_ADD: case MMIO_OP_ADC:
        res = a + b + (op == MMIO_OP_ADC ? carry_in : 0);
        if (((a & b) | ((a | b) & ~res)) & msb)
            f |= FLAG_CF;
        if ((a ^ res) & (b ^ res) & msb)
            f |= FLAG_OF;
        f |= (a ^ b ^ res) & FLAG_AF;
        break;
    case MMIO_OP_SUB: case MMIO_OP_SBB: case MMIO_OP_CMP:
        res = a - b - (op == MMIO_OP_SBB ? carry_in : 0);
        if (((~a & b) | ((~a | b) & res)) & msb)
            f |= FLAG_CF;
        if ((a ^ b) & (a ^ res) & msb)
            f |= FLAG_OF;
        f |= (a ^ b ^ res) & FLAG_AF;
        break;
    case MMIO_OP_OR:
        res = a | b;
        break;
    case MMIO_OP_XOR:
        res = a ^ b;
        break;
    default:                            /* AND, TEST */
        res = a & b;
        break;
    }
    res &= size_mask(size);
    *flags = f | flags_zsp(res, size);
    return res;
}

static bool valid_size(unsigned s)
{
    return s == 1 || s == 2 || s == 4 || s == 8;
}

/* Whether d could have come from mmio_insn_decode (sizes, register, operation). */
static bool well_formed(const struct mmio_insn *d)
{
    if (!valid_size(d->size) || !valid_size(d->reg_size) || d->reg > 15 ||
        (unsigned)d->op > MMIO_OP_BTC)
        return false;
    if (d->reg_high8 && (d->reg > 3 || d->reg_size != 1))
        return false;
    if (d->op == MMIO_OP_MOVZX || d->op == MMIO_OP_MOVSX)
        return d->has_reg && d->reg_is_dest && d->reg_size >= d->size;
    if (d->op == MMIO_OP_XCHG)
        return d->has_reg && !d->reg_is_dest && d->reg_size == d->size;
    return d->reg_size == d->size && (d->has_reg || !d->reg_is_dest);
}

/* Whether the operation reads / writes its memory operand. */
static bool reads_memory(const struct mmio_insn *d)
{
    return !(d->op == MMIO_OP_MOV && !d->reg_is_dest);
}

static bool writes_memory(const struct mmio_insn *d)
{
    switch (d->op) {
    case MMIO_OP_MOVZX: case MMIO_OP_MOVSX: case MMIO_OP_CMP: case MMIO_OP_TEST:
    case MMIO_OP_BT:
        return false;
    default:                            /* MOV, XCHG, BTS BTR BTC, ADD..XOR: to memory */
        return !d->reg_is_dest;
    }
}

/* The BT group on mem: CF is the bit (the offset taken modulo the operand's width, as for
 * an immediate offset), the others flip, set or clear it; the other flags are kept. */
static uint64_t bit_op(const struct mmio_insn *d, uint64_t mem, uint64_t *rflags)
{
    uint64_t bit = 1ULL << (d->imm % (8u * d->size));
    *rflags = (*rflags & ~FLAG_CF) | ((mem & bit) ? FLAG_CF : 0);
    if (d->op == MMIO_OP_BTS)
        return mem | bit;
    if (d->op == MMIO_OP_BTR)
        return mem & ~bit;
    return d->op == MMIO_OP_BTC ? mem ^ bit : mem;
}

/* The register and flag results of d on the memory value mem (in *out), and the value
 * to write to memory, if it writes. */
static uint64_t compute(const struct mmio_insn *d, uint64_t mem, struct vcpu_regs *out)
{
    uint64_t mask = size_mask(d->size);
    uint64_t src = d->has_reg ? reg_get(out, d) : d->imm & mask;
    uint64_t flags;
    switch (d->op) {
    case MMIO_OP_MOV:
        if (d->reg_is_dest)
            reg_set(out, d, mem);
        return src;
    case MMIO_OP_MOVZX:
        reg_set(out, d, mem);
        return 0;
    case MMIO_OP_MOVSX:
        reg_set(out, d, sign_extend(mem, d->size));
        return 0;
    case MMIO_OP_XCHG:
        reg_set(out, d, mem);
        return src;
    case MMIO_OP_BT: case MMIO_OP_BTS: case MMIO_OP_BTR: case MMIO_OP_BTC:
        return bit_op(d, mem, &out->rflags);
    default: {                          /* ADD OR ADC SBB AND SUB XOR CMP TEST */
        uint64_t a = d->reg_is_dest ? src : mem, b = d->reg_is_dest ? mem : src;
        uint64_t res = alu(d->op, a, b, d->size, out->rflags, &flags);
        out->rflags = (out->rflags & ~FLAGS_ARITH) | flags;
        if (d->reg_is_dest && d->op != MMIO_OP_CMP && d->op != MMIO_OP_TEST)
            reg_set(out, d, res);
        return res;
    }
    }
}

/* Contract in the header. */
int mmio_insn_emulate(const struct mmio_insn *d, struct vcpu_regs *regs, uint64_t gpa,
                      const struct mmio_ops *ops, void *ctx)
{
    if (!d || !regs || !ops || !well_formed(d))
        return -1;
    bool rd = reads_memory(d), wr = writes_memory(d);
    if ((rd && !ops->read) || (wr && !ops->write))
        return -1;
    uint64_t mask = size_mask(d->size), mem = 0;
    if (rd && ops->read(ctx, gpa, d->size, &mem) != 0)
        return -1;
    struct vcpu_regs out = *regs;
    uint64_t result = compute(d, mem & mask, &out);
    if (wr && ops->write(ctx, gpa, d->size, result & mask) != 0)
        return -1;
    *regs = out;
    return 0;
}
