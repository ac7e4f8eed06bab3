/* The MMIO instruction decoder (see arch/mmio_insn.h): prefixes, then one opcode of the
 * covered set, then its ModRM/SIB/displacement and immediate, each byte taken through one
 * bounded cursor so nothing past the bytes given (or the 15-byte limit) is ever read. The
 * effective address is not computed: the exit gives the guest-physical address; only the
 * length of the addressing bytes matters. The log-line formatters live here too. */
#include "arch/mmio_insn.h"
#include "lib/format.h"
#include "lib/string.h"

/* The bytes being decoded. Running past n is "truncated" when the caller had no more to
 * give, and "invalid" when it gave 15: the instruction is then longer than any CPU takes. */
struct cursor {
    const uint8_t *bytes;
    size_t n;                   /* min(bytes given, 15) */
    bool capped;                /* 15 or more were given */
    size_t at;
    enum mmio_insn_status err;  /* why the last take failed */
};

/* Legacy prefixes and REX as seen before the opcode. */
struct prefixes {
    bool opsize, addrsize, lock, rep_f2, rep_f3;
    uint8_t rex;                /* the REX byte, 0 if none (or one a legacy prefix voided) */
};

struct modrm {
    uint8_t mod, reg, rm;
};

enum { REX_B = 1, REX_X = 2, REX_R = 4, REX_W = 8 };

/* Take the next k (0..8) bytes as a little-endian value into *val; false at the end. */
static bool take(struct cursor *c, size_t k, uint64_t *val)
{
    if (k > c->n - c->at) {
        c->err = c->capped ? MMIO_INSN_INVALID : MMIO_INSN_TRUNCATED;
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++)
        v |= (uint64_t)c->bytes[c->at + i] << (8 * i);
    c->at += k;
    *val = v;
    return true;
}

static bool take_byte(struct cursor *c, uint8_t *b)
{
    uint64_t v;
    if (!take(c, 1, &v))
        return false;
    *b = (uint8_t)v;
    return true;
}

/* Take a k-byte immediate (1, 2, 4) sign-extended to 64 bits. */
static bool take_simm(struct cursor *c, size_t k, uint64_t *val)
{
    uint64_t v;
    if (!take(c, k, &v))
        return false;
    unsigned shift = 64 - 8 * (unsigned)k;
    *val = (uint64_t)((int64_t)(v << shift) >> shift);
    return true;
}

/* Record b if it is a prefix in this mode; false if it is the opcode. A legacy prefix
 * after a REX voids the REX (REX counts only right before the opcode). */
static bool take_prefix(struct prefixes *p, uint8_t b, enum mmio_insn_mode mode)
{
    if (mode == MMIO_CODE64 && (b & 0xf0) == 0x40) {
        p->rex = b;
        return true;
    }
    switch (b) {
    case 0x66: p->opsize = true; break;
    case 0x67: p->addrsize = true; break;
    case 0xf0: p->lock = true; break;
    case 0xf2: p->rep_f2 = true; p->rep_f3 = false; break;
    case 0xf3: p->rep_f3 = true; p->rep_f2 = false; break;
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: break;
    default: return false;
    }
    p->rex = 0;
    return true;
}

/* Operand size in bytes of a non-byte instruction: REX.W, then 0x66, then the mode's. */
static unsigned operand_size(const struct prefixes *p, enum mmio_insn_mode mode)
{
    if (mode == MMIO_CODE64 && (p->rex & REX_W))
        return 8;
    if (mode == MMIO_CODE16)
        return p->opsize ? 4 : 2;
    return p->opsize ? 2 : 4;
}

/* Address size in bytes: the mode's, or the other one after 0x67. */
static unsigned address_size(const struct prefixes *p, enum mmio_insn_mode mode)
{
    if (mode == MMIO_CODE64)
        return p->addrsize ? 4 : 8;
    if (mode == MMIO_CODE32)
        return p->addrsize ? 2 : 4;
    return p->addrsize ? 4 : 2;
}

/* Take a ModRM that names memory and the SIB and displacement it implies. A register
 * operand (mod 3) is no memory access: unsupported (nothing more is read). */
static bool take_modrm(struct cursor *c, unsigned asize, struct modrm *m)
{
    uint8_t b;
    uint64_t skip;
    if (!take_byte(c, &b))
        return false;
    *m = (struct modrm){ b >> 6, (b >> 3) & 7, b & 7 };
    if (m->mod == 3) {
        c->err = MMIO_INSN_UNSUPPORTED;
        return false;
    }
    size_t disp;
    if (asize == 2) {
        disp = m->mod == 1 ? 1 : (m->mod == 2 || (m->mod == 0 && m->rm == 6)) ? 2 : 0;
        return take(c, disp, &skip);
    }
    uint8_t sib_base = 0;
    if (m->rm == 4) {                   /* a SIB byte follows */
        uint8_t sib;
        if (!take_byte(c, &sib))
            return false;
        sib_base = sib & 7;
    }
    if (m->mod == 1)
        disp = 1;
    else if (m->mod == 2 || (m->mod == 0 && m->rm == 5) ||
             (m->mod == 0 && m->rm == 4 && sib_base == 5))
        disp = 4;                       /* disp32, [rip+disp32] or [index*s+disp32] */
    else
        disp = 0;
    return take(c, disp, &skip);
}

/* The register operand from ModRM.reg and REX.R: with no REX at all, byte registers 4-7
 * are AH CH DH BH. */
static void set_reg(struct mmio_insn *d, const struct prefixes *p, uint8_t field,
                    unsigned size)
{
    d->has_reg = true;
    d->reg = field | ((p->rex & REX_R) ? 8 : 0);
    if (size == 1 && !p->rex && field >= 4) {
        d->reg = field - 4;
        d->reg_high8 = true;
    }
}

/* The ALU operation of ModRM.reg in the 80-83 group (and of opcode bits 3-5 in 00-3B). */
static enum mmio_insn_op alu_op(unsigned n)
{
    static const enum mmio_insn_op ops[8] = {
        MMIO_OP_ADD, MMIO_OP_OR, MMIO_OP_ADC, MMIO_OP_SBB,
        MMIO_OP_AND, MMIO_OP_SUB, MMIO_OP_XOR, MMIO_OP_CMP,
    };
    return ops[n & 7];
}

/* 00-3B with opcode bits 0-2 in 0..3: "op r/m, reg" (bit 1 clear) or "op reg, r/m"; bit 0
 * clear is the byte form. */
static bool decode_alu_reg(struct cursor *c, const struct prefixes *p, uint8_t opc,
                           unsigned osize, unsigned asize, struct mmio_insn *d)
{
    struct modrm m;
    if (!take_modrm(c, asize, &m))
        return false;
    d->op = alu_op(opc >> 3);
    d->size = (opc & 1) ? osize : 1;
    d->reg_is_dest = opc & 2;
    set_reg(d, p, m.reg, d->size);
    return true;
}

/* 80 82 (r/m8, imm8), 81 (r/m, imm16/32), 83 (r/m, imm8 sign-extended). */
static bool decode_alu_imm(struct cursor *c, uint8_t opc, unsigned osize, unsigned asize,
                           enum mmio_insn_mode mode, struct mmio_insn *d)
{
    struct modrm m;
    if (opc == 0x82 && mode == MMIO_CODE64) {
        c->err = MMIO_INSN_INVALID;
        return false;
    }
    if (!take_modrm(c, asize, &m))
        return false;
    d->op = alu_op(m.reg);
    d->size = (opc == 0x81 || opc == 0x83) ? osize : 1;
    return take_simm(c, opc == 0x81 ? (osize == 2 ? 2 : 4) : 1, &d->imm);
}

/* A0-A3: MOV between AL/rAX and a memory offset of the address size (moffs). */
static bool decode_moffs(struct cursor *c, uint8_t opc, unsigned osize, unsigned asize,
                         struct mmio_insn *d)
{
    uint64_t skip;
    d->op = MMIO_OP_MOV;
    d->size = (opc & 1) ? osize : 1;
    d->reg_is_dest = !(opc & 2);
    d->has_reg = true;                  /* AL or rAX whatever REX says */
    d->reg = 0;
    return take(c, asize, &skip);
}

/* The two-byte map (0F xx): MOVZX, MOVSX, and the BT group with imm8. */
static bool decode_0f(struct cursor *c, const struct prefixes *p, unsigned osize,
                      unsigned asize, struct mmio_insn *d)
{
    uint8_t opc;
    struct modrm m;
    if (!take_byte(c, &opc))
        return false;
    switch (opc) {
    case 0xb6: case 0xb7: case 0xbe: case 0xbf:
        if (!take_modrm(c, asize, &m))
            return false;
        d->op = opc < 0xbe ? MMIO_OP_MOVZX : MMIO_OP_MOVSX;
        d->size = (opc & 1) ? 2 : 1;
        d->reg_is_dest = true;
        set_reg(d, p, m.reg, osize);
        d->reg_size = (uint8_t)osize;
        return true;
    case 0xba:
        if (!take_modrm(c, asize, &m))
            return false;
        if (m.reg < 4) {
            c->err = MMIO_INSN_INVALID;
            return false;
        }
        d->op = MMIO_OP_BT + (m.reg - 4);
        d->size = (uint8_t)osize;
        return take(c, 1, &d->imm);
    default:
        c->err = MMIO_INSN_UNSUPPORTED;
        return false;
    }
}

/* C6/C7 /0 (MOV r/m, imm) and F6/F7 /0 (TEST r/m, imm); the group's other members are
 * not covered. */
static bool decode_imm_group(struct cursor *c, uint8_t opc, unsigned osize, unsigned asize,
                             struct mmio_insn *d)
{
    struct modrm m;
    if (!take_modrm(c, asize, &m))
        return false;
    if (m.reg != 0) {
        c->err = MMIO_INSN_UNSUPPORTED;
        return false;
    }
    d->op = (opc & 0xfe) == 0xc6 ? MMIO_OP_MOV : MMIO_OP_TEST;
    d->size = (opc & 1) ? osize : 1;
    return take_simm(c, !(opc & 1) ? 1 : osize == 2 ? 2 : 4, &d->imm);
}

/* The opcode and its operands after the prefixes; the fields of *d that the opcode
 * decides. False with c->err set when it is not one of ours or runs out of bytes. */
static bool decode_opcode(struct cursor *c, const struct prefixes *p, uint8_t opc,
                          enum mmio_insn_mode mode, struct mmio_insn *d)
{
    unsigned osize = operand_size(p, mode), asize = address_size(p, mode);
    struct modrm m;
    if (opc < 0x40 && (opc & 7) < 4)
        return decode_alu_reg(c, p, opc, osize, asize, d);
    switch (opc) {
    case 0x0f:
        return decode_0f(c, p, osize, asize, d);
    case 0x63:                          /* MOVSXD r64, r/m32 (32-bit code: ARPL) */
        if (mode != MMIO_CODE64 || !(p->rex & REX_W))
            break;
        if (!take_modrm(c, asize, &m))
            return false;
        d->op = MMIO_OP_MOVSX;
        d->size = 4;
        d->reg_is_dest = true;
        set_reg(d, p, m.reg, 8);
        d->reg_size = 8;
        return true;
    case 0x80: case 0x81: case 0x82: case 0x83:
        return decode_alu_imm(c, opc, osize, asize, mode, d);
    case 0x84: case 0x85: case 0x86: case 0x87: case 0x88: case 0x89: case 0x8a: case 0x8b:
        if (!take_modrm(c, asize, &m))
            return false;
        d->op = opc < 0x86 ? MMIO_OP_TEST : opc < 0x88 ? MMIO_OP_XCHG : MMIO_OP_MOV;
        d->size = (opc & 1) ? osize : 1;
        d->reg_is_dest = opc >= 0x8a;
        set_reg(d, p, m.reg, d->size);
        return true;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3:
        return decode_moffs(c, opc, osize, asize, d);
    case 0xc6: case 0xc7: case 0xf6: case 0xf7:
        return decode_imm_group(c, opc, osize, asize, d);
    }
    c->err = MMIO_INSN_UNSUPPORTED;
    return false;
}

/* What the decoded instruction does to memory. */
static enum mmio_insn_access access_of(const struct mmio_insn *d)
{
    switch (d->op) {
    case MMIO_OP_MOV:
        return d->reg_is_dest ? MMIO_LOAD : MMIO_STORE;
    case MMIO_OP_MOVZX: case MMIO_OP_MOVSX: case MMIO_OP_CMP: case MMIO_OP_TEST:
    case MMIO_OP_BT:
        return MMIO_LOAD;
    case MMIO_OP_XCHG: case MMIO_OP_BTS: case MMIO_OP_BTR: case MMIO_OP_BTC:
        return MMIO_RMW;
    default:                            /* ADD OR ADC SBB AND SUB XOR */
        return d->reg_is_dest ? MMIO_LOAD : MMIO_RMW;
    }
}

/* The prefixes the opcode allows: LOCK only on a memory read-modify-write (#UD
 * otherwise); F2/F3 only as the XACQUIRE/XRELEASE hints (with LOCK or XCHG; F3 on a MOV
 * store by 88/89/C6/C7), since elsewhere they change what the instruction is. */
static enum mmio_insn_status check_prefixes(const struct prefixes *p, uint8_t opc,
                                            const struct mmio_insn *d)
{
    if (p->lock && d->access != MMIO_RMW)
        return MMIO_INSN_INVALID;
    if (!p->rep_f2 && !p->rep_f3)
        return MMIO_INSN_OK;
    if (opc == 0x0f)
        return MMIO_INSN_UNSUPPORTED;
    if (p->lock || d->op == MMIO_OP_XCHG)
        return MMIO_INSN_OK;
    if (p->rep_f3 && (opc == 0x88 || opc == 0x89 || opc == 0xc6 || opc == 0xc7))
        return MMIO_INSN_OK;
    return MMIO_INSN_UNSUPPORTED;
}

/* Contract in the header. */
enum mmio_insn_status mmio_insn_decode(const uint8_t *bytes, size_t n,
                                       enum mmio_insn_mode mode, struct mmio_insn *out)
{
    struct cursor c = { bytes, n < MMIO_INSN_MAX_LEN ? n : MMIO_INSN_MAX_LEN,
                        n >= MMIO_INSN_MAX_LEN, 0, MMIO_INSN_OK };
    struct prefixes p = { 0 };
    uint8_t opc;
    memset(out, 0, sizeof(*out));
    if (!bytes)
        c.n = 0;
    do {
        if (!take_byte(&c, &opc))
            return c.err;
    } while (take_prefix(&p, opc, mode));
    if (!decode_opcode(&c, &p, opc, mode, out))
        return c.err;
    if (!out->reg_size)
        out->reg_size = out->size;
    out->access = access_of(out);
    out->lock = p.lock;
    enum mmio_insn_status st = check_prefixes(&p, opc, out);
    if (st != MMIO_INSN_OK)
        return st;
    out->len = (uint8_t)c.at;
    memcpy(out->bytes, bytes, c.at);
    return MMIO_INSN_OK;
}

/* Contract in the header. */
enum mmio_insn_mode mmio_insn_mode_of(bool long_mode, bool pe, bool cs_d)
{
    if (long_mode)
        return MMIO_CODE64;
    return pe && cs_d ? MMIO_CODE32 : MMIO_CODE16;
}

/* Contract in the header. */
const char *mmio_insn_status_name(enum mmio_insn_status s)
{
    switch (s) {
    case MMIO_INSN_OK: return "ok";
    case MMIO_INSN_TRUNCATED: return "truncated";
    case MMIO_INSN_UNSUPPORTED: return "unsupported";
    case MMIO_INSN_INVALID: return "invalid";
    }
    return "?";
}

/* A register's name at a width, as Intel syntax writes it. */
static const char *reg_name(unsigned reg, unsigned size, bool high8)
{
    static const char *const r8[] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" };
    static const char *const h8[] = { "ah", "ch", "dh", "bh" };
    static const char *const r16[] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
        "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" };
    static const char *const r32[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi",
        "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" };
    static const char *const r64[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi",
        "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    reg &= 15;
    if (size == 1)
        return high8 ? h8[reg & 3] : r8[reg];
    return size == 2 ? r16[reg] : size == 4 ? r32[reg] : r64[reg];
}

static const char *mnemonic(const struct mmio_insn *d)
{
    static const char *const names[] = {
        [MMIO_OP_MOV] = "mov", [MMIO_OP_MOVZX] = "movzx", [MMIO_OP_MOVSX] = "movsx",
        [MMIO_OP_XCHG] = "xchg", [MMIO_OP_ADD] = "add", [MMIO_OP_OR] = "or",
        [MMIO_OP_ADC] = "adc", [MMIO_OP_SBB] = "sbb", [MMIO_OP_AND] = "and",
        [MMIO_OP_SUB] = "sub", [MMIO_OP_XOR] = "xor", [MMIO_OP_CMP] = "cmp",
        [MMIO_OP_TEST] = "test", [MMIO_OP_BT] = "bt", [MMIO_OP_BTS] = "bts",
        [MMIO_OP_BTR] = "btr", [MMIO_OP_BTC] = "btc",
    };
    if (d->op == MMIO_OP_MOVSX && d->size == 4)
        return "movsxd";
    if ((unsigned)d->op < sizeof(names) / sizeof(names[0]))
        return names[d->op];
    return "?";
}

/* Contract in the header. */
int mmio_insn_describe(const struct mmio_insn *d, char *buf, size_t n)
{
    char mem[8], other[24];
    snprintf(mem, sizeof(mem), "m%u", 8u * d->size);
    if (d->has_reg) {
        snprintf(other, sizeof(other), "%s", reg_name(d->reg, d->reg_size, d->reg_high8));
    } else {
        uint64_t mask = d->size >= 8 ? ~0ULL : (1ULL << (8 * d->size)) - 1;
        if (d->op >= MMIO_OP_BT)
            mask = 0xff;
        snprintf(other, sizeof(other), "0x%llx", (unsigned long long)(d->imm & mask));
    }
    return snprintf(buf, n, "%s%s %s, %s", d->lock ? "lock " : "", mnemonic(d),
                    d->reg_is_dest ? other : mem, d->reg_is_dest ? mem : other);
}

/* Contract in the header. */
int mmio_insn_hex(const uint8_t *bytes, size_t len, char *buf, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[3 * MMIO_INSN_MAX_LEN + 1];
    size_t at = 0;
    if (len > MMIO_INSN_MAX_LEN)
        len = MMIO_INSN_MAX_LEN;
    for (size_t i = 0; i < len; i++) {
        if (i)
            tmp[at++] = ' ';
        tmp[at++] = digits[bytes[i] >> 4];
        tmp[at++] = digits[bytes[i] & 15];
    }
    tmp[at] = 0;
    return snprintf(buf, n, "%s", tmp);
}
