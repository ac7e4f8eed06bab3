/* The virtual local APIC's registers (Intel SDM vol. 3, 10.4, 10.12): power-on state,
 * IA32_APIC_BASE and its mode transitions, and one register file reached two ways: the
 * xAPIC page (32-bit MMIO, lenient as hardware: reserved bits dropped) and the x2APIC MSRs
 * (strict: every reserved bit, read-only register or absent MSR is a #GP). The interrupt
 * path is lapic_irq.c, the timer lapic_timer.c. */
#include "lapic_priv.h"
#include "lib/string.h"
#include "vdev/vdev.h"

/* Outcomes of a register access, before the interface maps them (ESR or #GP). */
enum reg_rc { REG_OK, REG_RESERVED, REG_READONLY, REG_WRITEONLY, REG_BADBITS };

#define SVR_WRITABLE   0x3FFu      /* vector, APIC enable (8), focus check disable (9) */
#define ICR_LO_WRITABLE 0xCCFFFu   /* vector, mode, dest mode, level, trigger, shorthand */
#define ICR_X2_RESERVED 0xFFF32000u /* bits 31:20, 17:16, 13 (bit 12 is ignored, as KVM) */
#define DCR_WRITABLE   0xBu
#define LVT_RO_BITS    0x1000u     /* delivery status */
#define LINT_RO_BITS   0x5000u     /* delivery status, remote IRR */

/* Bits of each LVT software may set (SDM figure 10-8). */
static const uint32_t lvt_writable[VLAPIC_NR_LVT] = {
    [VLAPIC_LVT_TIMER] = 0x700FF,      /* vector, mask, timer mode */
    [VLAPIC_LVT_THERMAL] = 0x107FF,    /* vector, delivery mode, mask */
    [VLAPIC_LVT_PERF] = 0x107FF,
    [VLAPIC_LVT_LINT0] = 0x1A7FF,      /* and polarity, trigger mode */
    [VLAPIC_LVT_LINT1] = 0x1A7FF,
    [VLAPIC_LVT_ERROR] = 0x100FF,
};

/* Contract: see lapic.h. */
void vlapic_reset(struct vlapic *a)
{
    const struct vlapic_clock *clk = a->clk;
    uint32_t apic_id = a->apic_id;
    bool bsp = a->bsp;
    unsigned i;

    memset(a, 0, sizeof(*a));
    a->clk = clk;
    a->apic_id = apic_id;
    a->bsp = bsp;
    a->base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | (bsp ? VLAPIC_BASE_BSP : 0);
    a->id = apic_id << 24;
    a->dfr = 0xFFFFFFFFu;
    a->svr = 0xFF;
    for (i = 0; i < VLAPIC_NR_LVT; i++)
        a->lvt[i] = VLAPIC_LVT_MASKED;
}

/* Contract: see lapic.h. */
void vlapic_init(struct vlapic *a, uint32_t apic_id, bool is_bsp,
                 const struct vlapic_clock *clk)
{
    a->clk = clk;
    a->apic_id = apic_id;
    a->bsp = is_bsp;
    vlapic_reset(a);
}

/* Contract: see lapic.h. */
void vlapic_virtual_wire(struct vlapic *a)
{
    a->svr = 0x1FF;
    a->lvt[VLAPIC_LVT_LINT0] = VLAPIC_DM_EXTINT << 8;
    a->lvt[VLAPIC_LVT_LINT1] = VLAPIC_DM_NMI << 8;
}

/* Contract: see lapic.h. */
bool vlapic_mmio_enabled(const struct vlapic *a)
{
    return vlapic_hw_enabled(a) && !vlapic_x2apic(a);
}

/* Contract: see lapic.h. */
uint64_t vlapic_base(const struct vlapic *a)
{
    return a->base;
}

/* Contract: see lapic.h. The mode is (EN, EXTD): 00 disabled, 10 xAPIC, 11 x2APIC,
 * 01 invalid. */
int vlapic_set_base(struct vlapic *a, uint64_t val)
{
    uint64_t keep = VLAPIC_BASE_EN | VLAPIC_BASE_EXTD;
    bool en = val & VLAPIC_BASE_EN, extd = val & VLAPIC_BASE_EXTD;
    bool was_en = vlapic_hw_enabled(a), was_x2 = vlapic_x2apic(a);

    if ((val & ~(keep | VLAPIC_BASE_BSP)) != VLAPIC_DEFAULT_BASE)
        return -1;                      /* reserved bits, or a relocation */
    if (extd && !en)
        return -1;
    if (was_x2 && en && !extd)
        return -1;                      /* x2APIC -> xAPIC: only through disabled */
    if (!was_en && extd)
        return -1;                      /* disabled -> x2APIC: only through xAPIC */
    if (was_en && !en) {
        vlapic_reset(a);                /* disabling loses the APIC's state */
        a->base &= ~VLAPIC_BASE_EN;
        return 0;
    }
    a->base = (a->base & ~keep) | (val & keep);
    return 0;
}

/* Read an LVT, an ISR/TMR/IRR word or another 32-bit register by its xAPIC offset, as
 * x2APIC mode (x2) or xAPIC mode shows it. */
static enum reg_rc reg_read(struct vlapic *a, uint32_t off, bool x2, uint32_t *out)
{
    *out = 0;
    if (off >= VLAPIC_REG_ISR && off < VLAPIC_REG_IRR + 0x80) {
        const uint32_t *bank = off < VLAPIC_REG_TMR ? a->isr :
                               off < VLAPIC_REG_IRR ? a->tmr : a->irr;

        *out = bank[(off >> 4) & 7];
        return REG_OK;
    }
    if (off >= VLAPIC_REG_LVT_TIMER && off <= VLAPIC_REG_LVT_ERROR) {
        *out = a->lvt[(off - VLAPIC_REG_LVT_TIMER) >> 4];
        return REG_OK;
    }
    switch (off) {
    case VLAPIC_REG_ID:
        *out = x2 ? a->apic_id : a->id;
        return REG_OK;
    case VLAPIC_REG_VER:
        *out = VLAPIC_VERSION;
        return REG_OK;
    case VLAPIC_REG_TPR:
        *out = a->tpr;
        return REG_OK;
    case VLAPIC_REG_APR:        /* arbitration priority: reads 0 (no bus arbitration) */
    case VLAPIC_REG_RRD:        /* remote read: never used, reads 0 */
    case VLAPIC_REG_DFR:
    case VLAPIC_REG_ICR_HI:
        if (x2)
            return REG_RESERVED;
        *out = off == VLAPIC_REG_DFR ? a->dfr : off == VLAPIC_REG_ICR_HI ? a->icr_hi : 0;
        return REG_OK;
    case VLAPIC_REG_PPR:
        *out = vlapic_ppr(a);
        return REG_OK;
    case VLAPIC_REG_EOI:
        return REG_WRITEONLY;
    case VLAPIC_REG_LDR:
        *out = x2 ? ((a->apic_id >> 4) << 16) | (1u << (a->apic_id & 0xF)) : a->ldr;
        return REG_OK;
    case VLAPIC_REG_SVR:
        *out = a->svr;
        return REG_OK;
    case VLAPIC_REG_ESR:
        *out = a->esr;
        return REG_OK;
    case VLAPIC_REG_ICR_LO:
        *out = a->icr_lo;
        return REG_OK;
    case VLAPIC_REG_TIMER_ICR:
        *out = a->timer_icr;
        return REG_OK;
    case VLAPIC_REG_TIMER_CCR:
        *out = vlapic_timer_ccr(a);
        return REG_OK;
    case VLAPIC_REG_TIMER_DCR:
        *out = a->timer_dcr;
        return REG_OK;
    case VLAPIC_REG_SELF_IPI:
        return x2 ? REG_WRITEONLY : REG_RESERVED;
    default:
        return REG_RESERVED;
    }
}

/* SVR write: clearing the enable bit masks every LVT (SDM 10.4.7.2); the timer's due
 * expiries are taken first, under the old masks. */
static void write_svr(struct vlapic *a, uint32_t val)
{
    unsigned i;

    if (!(val & 0x100)) {
        vlapic_update(a);
        for (i = 0; i < VLAPIC_NR_LVT; i++)
            a->lvt[i] |= VLAPIC_LVT_MASKED;
    }
    a->svr = val;
}

/* LVT i write (val already cut to its writable bits). A software-disabled APIC keeps
 * every mask bit set. The read-only bits read 0: delivery is immediate and LINT
 * level inputs are not modelled. */
static void write_lvt(struct vlapic *a, unsigned i, uint32_t val)
{
    if (!vlapic_sw_enabled(a))
        val |= VLAPIC_LVT_MASKED;
    if (i == VLAPIC_LVT_TIMER)
        vlapic_timer_write_lvt(a, val);
    else
        a->lvt[i] = val;
}

/* Bits a write may set in x2APIC mode (more is a #GP), or 0 for a register whose write
 * the switch below handles itself. */
static uint32_t x2_allowed(uint32_t off)
{
    unsigned i;

    if (off >= VLAPIC_REG_LVT_TIMER && off <= VLAPIC_REG_LVT_ERROR) {
        i = (off - VLAPIC_REG_LVT_TIMER) >> 4;
        return lvt_writable[i] | (i == VLAPIC_LVT_LINT0 || i == VLAPIC_LVT_LINT1 ?
                                  LINT_RO_BITS : LVT_RO_BITS);
    }
    switch (off) {
    case VLAPIC_REG_TPR:
    case VLAPIC_REG_SELF_IPI:
        return 0xFF;
    case VLAPIC_REG_SVR:
        return SVR_WRITABLE;
    case VLAPIC_REG_TIMER_ICR:
        return 0xFFFFFFFFu;
    case VLAPIC_REG_TIMER_DCR:
        return DCR_WRITABLE;
    default:
        return 0;               /* EOI, ESR: only 0 may be written */
    }
}

/* Whether off names a register that is read-only in this mode (reserved ones aside). */
static bool read_only(uint32_t off, bool x2)
{
    if (off >= VLAPIC_REG_ISR && off < VLAPIC_REG_IRR + 0x80)
        return true;
    switch (off) {
    case VLAPIC_REG_ID:
    case VLAPIC_REG_LDR:
        return x2;
    case VLAPIC_REG_APR:
    case VLAPIC_REG_RRD:
        return !x2;
    case VLAPIC_REG_VER:
    case VLAPIC_REG_PPR:
    case VLAPIC_REG_TIMER_CCR:
        return true;
    default:
        return false;
    }
}

/* Write a 32-bit register by its xAPIC offset. In x2APIC mode (x2) reserved bits are an
 * error; in xAPIC mode they are dropped. The 64-bit x2APIC ICR is not written here. */
static enum reg_rc reg_write(struct vlapic *a, uint32_t off, bool x2, uint32_t val)
{
    if (read_only(off, x2))
        return REG_READONLY;
    if (x2 && (val & ~x2_allowed(off)))
        return REG_BADBITS;
    if (off >= VLAPIC_REG_LVT_TIMER && off <= VLAPIC_REG_LVT_ERROR) {
        unsigned i = (off - VLAPIC_REG_LVT_TIMER) >> 4;

        write_lvt(a, i, val & lvt_writable[i]);
        return REG_OK;
    }
    switch (off) {
    case VLAPIC_REG_ID:
        a->id = val & 0xFF000000u;
        return REG_OK;
    case VLAPIC_REG_TPR:
        a->tpr = val & 0xFF;
        return REG_OK;
    case VLAPIC_REG_EOI:
        vlapic_eoi(a);
        return REG_OK;
    case VLAPIC_REG_LDR:
        a->ldr = val & 0xFF000000u;
        return REG_OK;
    case VLAPIC_REG_SVR:
        write_svr(a, val & SVR_WRITABLE);
        return REG_OK;
    case VLAPIC_REG_ESR:        /* latch the errors seen since the last write */
        a->esr = a->esr_pending;
        a->esr_pending = 0;
        return REG_OK;
    case VLAPIC_REG_TIMER_ICR:
        vlapic_timer_write_icr(a, val);
        return REG_OK;
    case VLAPIC_REG_TIMER_DCR:
        vlapic_timer_write_dcr(a, val & DCR_WRITABLE);
        return REG_OK;
    default:
        break;
    }
    if (x2) {
        if (off != VLAPIC_REG_SELF_IPI)
            return REG_RESERVED;
        vlapic_accept(a, (uint8_t)val, false);
        return REG_OK;
    }
    switch (off) {
    case VLAPIC_REG_DFR:
        a->dfr = val | 0x0FFFFFFFu;
        return REG_OK;
    case VLAPIC_REG_ICR_HI:
        a->icr_hi = val & 0xFF000000u;
        return REG_OK;
    case VLAPIC_REG_ICR_LO:
        a->icr_lo = val & ICR_LO_WRITABLE;
        vlapic_send_icr(a);
        return REG_OK;
    default:
        return REG_RESERVED;
    }
}

/* A register slot of the xAPIC page, or -1 for an offset that is not 16-byte aligned
 * inside the page. */
static int mmio_slot(uint32_t offset)
{
    return offset < VLAPIC_MMIO_SIZE && !(offset & 0xF) ? (int)offset : -1;
}

/* Contract: see lapic.h. */
uint32_t vlapic_mmio_read(struct vlapic *a, uint32_t offset)
{
    uint32_t v;

    if (!vlapic_mmio_enabled(a))
        return 0xFFFFFFFFu;
    if (mmio_slot(offset) < 0)
        return 0;
    if (reg_read(a, offset, false, &v) == REG_RESERVED)
        vlapic_error(a, VLAPIC_ESR_ILLEGAL_REGISTER);
    return v;
}

/* Contract: see lapic.h. */
void vlapic_mmio_write(struct vlapic *a, uint32_t offset, uint32_t val)
{
    if (!vlapic_mmio_enabled(a) || mmio_slot(offset) < 0)
        return;
    if (reg_write(a, offset, false, val) == REG_RESERVED)
        vlapic_error(a, VLAPIC_ESR_ILLEGAL_REGISTER);
}

/* The xAPIC offset of x2APIC MSR msr, or -1 if msr is outside 0x800-0x8FF or the APIC is
 * not in x2APIC mode. */
static int x2_offset(const struct vlapic *a, uint32_t msr)
{
    if (!vlapic_x2apic(a) || msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST)
        return -1;
    return (int)((msr - VLAPIC_MSR_X2APIC_FIRST) << 4);
}

/* Contract: see lapic.h. */
int vlapic_msr_read(struct vlapic *a, uint32_t msr, uint64_t *val)
{
    int off = x2_offset(a, msr);
    uint32_t v;

    *val = 0;
    if (off < 0)
        return -1;
    if (off == VLAPIC_REG_ICR_LO) {
        *val = (uint64_t)a->icr_hi << 32 | a->icr_lo;
        return 0;
    }
    if (reg_read(a, (uint32_t)off, true, &v) != REG_OK)
        return -1;
    *val = v;
    return 0;
}

/* Contract: see lapic.h. The 64-bit ICR (MSR 0x830) holds the 32-bit destination in its
 * high half; writing it sends the IPI. */
int vlapic_msr_write(struct vlapic *a, uint32_t msr, uint64_t val)
{
    int off = x2_offset(a, msr);

    if (off < 0)
        return -1;
    if (off == VLAPIC_REG_ICR_LO) {
        if ((uint32_t)val & ICR_X2_RESERVED)
            return -1;
        a->icr_lo = (uint32_t)val & ICR_LO_WRITABLE;
        a->icr_hi = (uint32_t)(val >> 32);
        vlapic_send_icr(a);
        return 0;
    }
    if (val >> 32)
        return -1;
    return reg_write(a, (uint32_t)off, true, (uint32_t)val) == REG_OK ? 0 : -1;
}

/* Append " name=" and val in digits hex digits. */
static size_t put_field(char *buf, size_t len, size_t pos, const char *name, uint64_t val,
                        unsigned digits)
{
    pos = vdev_put_str(buf, len, pos, " ");
    pos = vdev_put_str(buf, len, pos, name);
    pos = vdev_put_str(buf, len, pos, "=");
    return vdev_put_hex(buf, len, pos, val, digits);
}

/* Append " name=" and a vector (the highest set in bits), or "--" if none. */
static size_t put_vector(char *buf, size_t len, size_t pos, const char *name,
                         const uint32_t *bits)
{
    int v = vlapic_highest(bits);

    if (v >= 0)
        return put_field(buf, len, pos, name, (uint64_t)v, 2);
    pos = vdev_put_str(buf, len, pos, " ");
    pos = vdev_put_str(buf, len, pos, name);
    return vdev_put_str(buf, len, pos, "=--");
}

/* Contract: see lapic.h. */
size_t vlapic_dump(const struct vlapic *a, char *buf, size_t len)
{
    size_t pos;

    pos = vdev_put_str(buf, len, 0, !vlapic_hw_enabled(a) ? "disabled" :
                       vlapic_x2apic(a) ? "x2apic" : "xapic");
    pos = put_field(buf, len, pos, "id", a->apic_id, 2);
    pos = put_field(buf, len, pos, "svr", a->svr, 3);
    pos = put_field(buf, len, pos, "tpr", a->tpr, 2);
    pos = put_field(buf, len, pos, "ppr", vlapic_ppr(a), 2);
    pos = put_vector(buf, len, pos, "irr", a->irr);
    pos = put_vector(buf, len, pos, "isr", a->isr);
    pos = put_field(buf, len, pos, "esr", a->esr_pending | a->esr, 2);
    pos = put_field(buf, len, pos, "lvtt", a->lvt[VLAPIC_LVT_TIMER], 5);
    pos = put_field(buf, len, pos, "lint0", a->lvt[VLAPIC_LVT_LINT0], 5);
    pos = put_field(buf, len, pos, "icr", a->timer_icr, 8);
    pos = put_field(buf, len, pos, "ccr", vlapic_timer_ccr(a), 8);
    pos = put_field(buf, len, pos, "div", a->timer_dcr, 1);
    return put_field(buf, len, pos, "tscdl", a->tsc_deadline, 16);
}
