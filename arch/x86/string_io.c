/* INS/OUTS emulation (see arch/string_io.h). Each element is one access to the domain's
 * device bus, like IN/OUT, and one copy to or from guest linear memory. Segment limits and
 * page permissions are not checked: the guest can only reach its own memory, and what a
 * real CPU would fault on (#GP, #PF) becomes #GP(0) when the address does not translate;
 * a guest-physical address outside the domain ends it, as any other access there does. */
#include "arch/string_io.h"
#include "arch/guest_walk.h"
#include "core/vcpu.h"
#include "core/domain.h"
#include "arch/processor.h"

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

struct decoded {
    int seg;                    /* effective segment of the source (OUTS) */
    unsigned addr_bits;         /* 16, 32 or 64 */
};

/* The instruction's prefixes at CS:RIP: the last segment override (none: DS) and the
 * address size, the mode's default or the other one after 0x67. */
static struct decoded decode_prefixes(const struct guest_paging *pg,
                                      const struct vcpu_sregs *sr, const struct vcpu *v)
{
    uint8_t insn[15];
    size_t have = guest_fetch_insn(pg, sr->cs.base + v->regs.rip, insn);
    bool pe = sr->cr0 & 1, cs_d = sr->cs.attr & 0x400, a67 = false;
    struct decoded d = { SEG_DS, 0 };
    for (size_t i = 0; i < have; i++) {
        uint8_t b = insn[i];
        if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e)
            d.seg = (b >> 3) & 3;           /* ES CS SS DS */
        else if (b == 0x64 || b == 0x65)
            d.seg = b == 0x64 ? SEG_FS : SEG_GS;
        else if (b == 0x67)
            a67 = true;
        else if (!(b == 0x66 || b == 0xf2 || b == 0xf3 ||
                   (v->long_mode && (b & 0xf0) == 0x40)))
            break;                          /* the opcode */
    }
    if (v->long_mode)
        d.addr_bits = a67 ? 32 : 64;
    else if (pe && cs_d)
        d.addr_bits = a67 ? 16 : 32;
    else
        d.addr_bits = a67 ? 32 : 16;
    return d;
}

/* A segment's base as the address computation uses it (64-bit mode: only FS and GS). */
static uint64_t seg_base(const struct vcpu_sregs *sr, int seg, bool long_mode)
{
    const struct vcpu_segment *s[] = { &sr->es, &sr->cs, &sr->ss, &sr->ds, &sr->fs, &sr->gs };
    if (seg < 0 || seg > SEG_GS)
        seg = SEG_DS;
    if (long_mode && seg != SEG_FS && seg != SEG_GS)
        return 0;
    return s[seg]->base;
}

/* Replace the low addr_bits of *reg by val (the rest of the register is kept). */
static void set_low(uint64_t *reg, uint64_t val, uint64_t mask)
{
    *reg = (*reg & ~mask) | (val & mask);
}

/* Contract in the header. */
enum string_io_result vcpu_handle_string_io(struct vcpu *v, const struct string_io *s)
{
    struct vcpu_sregs sr;
    arch_vcpu_get_sregs(v, &sr);
    struct guest_paging pg = { sr.cr0, sr.cr3, sr.cr4, sr.efer, v->dom };
    struct decoded d = decode_prefixes(&pg, &sr, v);
    uint64_t mask = d.addr_bits == 64 ? ~0ULL : d.addr_bits == 32 ? 0xffffffffULL : 0xffffULL;
    uint64_t base = seg_base(&sr, s->in ? SEG_ES : d.seg, v->long_mode);
    uint64_t *index = s->in ? &v->regs.rdi : &v->regs.rsi;
    uint64_t step = (v->regs.rflags & RFLAGS_DF) ? (uint64_t)0 - s->size : s->size;
    uint64_t count = s->rep ? v->regs.rcx & mask : 1;
    uint64_t todo = count < STRING_IO_BATCH ? count : STRING_IO_BATCH;

    for (uint64_t i = 0; i < todo && !v->stop; i++) {
        uint64_t lin = base + (*index & mask);
        if (!v->long_mode)
            lin &= 0xffffffffULL;
        uint32_t val = 0;
        uint64_t gpa;
        if (!guest_linear_to_gpa(&pg, lin, &gpa)) {
            arch_vcpu_inject_exception(v, X86_EXC_GP, true, 0);
            return STRING_IO_FAULT;
        }
        if (s->in)
            vcpu_handle_io(v, s->port, s->size, true, &val);
        if (s->in ? !guest_write_linear(&pg, lin, &val, s->size)
                  : !guest_read_linear(&pg, lin, &val, s->size)) {
            vcpu_handle_bad_gpa(v, gpa, s->in);     /* as for any access outside memory */
            return STRING_IO_CRASHED;
        }
        if (!s->in)
            vcpu_handle_io(v, s->port, s->size, false, &val);
        set_low(index, *index + step, mask);
        if (s->rep) {
            set_low(&v->regs.rcx, v->regs.rcx - 1, mask);
            count--;
        } else {
            count = 0;
        }
    }
    if (count)
        return STRING_IO_AGAIN;
    arch_vcpu_skip_insn(v);
    return STRING_IO_DONE;
}
