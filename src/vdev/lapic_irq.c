/* The virtual local APIC's interrupt path (Intel SDM vol. 3, 10.6-10.8): accepting
 * messages into IRR/TMR, the priorities (TPR, PPR) that gate what the CPU may take, INTA
 * (IRR -> ISR), EOI with its broadcast to the I/O APIC for level vectors, the error
 * register's accumulate-then-latch behaviour, IPIs from the ICR, and which (destination,
 * mode) pairs address this APIC. Everything a guest writes is masked or range-checked;
 * 8-bit vectors index 256-bit arrays, so nothing here can go out of bounds. */
#include "lapic_priv.h"

static bool bit_test(const uint32_t *v, uint8_t n)
{
    return v[n >> 5] & (1u << (n & 31));
}

static void bit_set(uint32_t *v, uint8_t n)
{
    v[n >> 5] |= 1u << (n & 31);
}

static void bit_clear(uint32_t *v, uint8_t n)
{
    v[n >> 5] &= ~(1u << (n & 31));
}

/* Contract: see lapic_priv.h. */
int vlapic_highest(const uint32_t *bits)
{
    int w, b;

    for (w = 7; w >= 0; w--) {
        if (!bits[w])
            continue;
        for (b = 31; b >= 0; b--)
            if (bits[w] & (1u << b))
                return w * 32 + b;
    }
    return -1;
}

/* Contract: see lapic_priv.h. */
uint64_t vlapic_now(const struct vlapic *a)
{
    return a->clk && a->clk->now_ns ? a->clk->now_ns(a->clk->ctx) : 0;
}

/* Contract: see lapic.h. */
bool vlapic_hw_enabled(const struct vlapic *a)
{
    return a->base & VLAPIC_BASE_EN;
}

/* Contract: see lapic.h. */
bool vlapic_sw_enabled(const struct vlapic *a)
{
    return vlapic_hw_enabled(a) && (a->svr & 0x100);
}

/* Contract: see lapic.h. */
bool vlapic_x2apic(const struct vlapic *a)
{
    return vlapic_hw_enabled(a) && (a->base & VLAPIC_BASE_EXTD);
}

/* Contract: see lapic.h (SDM 10.8.3.1: the in-service class counts only if above TPR's). */
uint32_t vlapic_ppr(const struct vlapic *a)
{
    int isrv = vlapic_highest(a->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;

    return (a->tpr & 0xF0) >= isr_class ? a->tpr & 0xFF : isr_class;
}

/* Contract: see lapic.h. */
int vlapic_pending_vector(const struct vlapic *a)
{
    int irrv;

    if (!vlapic_hw_enabled(a))
        return -1;
    irrv = vlapic_highest(a->irr);
    if (irrv < 0 || ((uint32_t)irrv & 0xF0) <= (vlapic_ppr(a) & 0xF0))
        return -1;
    return irrv;
}

/* Contract: see lapic.h. */
void vlapic_ack(struct vlapic *a, uint8_t vector)
{
    if (!bit_test(a->irr, vector))
        return;
    bit_clear(a->irr, vector);
    bit_set(a->isr, vector);
}

/* Contract: see lapic.h. CR8 holds TPR's priority class. */
uint8_t vlapic_cr8(const struct vlapic *a)
{
    return (uint8_t)((a->tpr >> 4) & 0xF);
}

/* Contract: see lapic.h. */
void vlapic_set_cr8(struct vlapic *a, uint64_t val)
{
    a->tpr = (uint32_t)(val & 0xF) << 4;
}

/* Contract: see lapic_priv.h. TMR stays as it is: the next acceptance of the vector
 * rewrites it. */
void vlapic_eoi(struct vlapic *a)
{
    int v = vlapic_highest(a->isr);

    if (v < 0)
        return;
    bit_clear(a->isr, (uint8_t)v);
    if (bit_test(a->tmr, (uint8_t)v) && a->clk && a->clk->eoi_level)
        a->clk->eoi_level(a->clk->ctx, (uint8_t)v);
}

/* Contract: see lapic_priv.h. Only errors not already pending signal again, so an error
 * LVT with an illegal vector (itself an error) cannot recurse more than once. */
void vlapic_error(struct vlapic *a, uint32_t bits)
{
    uint32_t fresh = bits & ~a->esr_pending;
    uint32_t lvt = a->lvt[VLAPIC_LVT_ERROR];

    a->esr_pending |= bits;
    if (fresh && !(lvt & VLAPIC_LVT_MASKED))
        vlapic_accept(a, (uint8_t)lvt, false);
}

/* Contract: see lapic.h. */
bool vlapic_accept(struct vlapic *a, uint8_t vector, bool level)
{
    if (!vlapic_sw_enabled(a))
        return false;
    if (vector < 16) {
        vlapic_error(a, VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
        return false;
    }
    bit_set(a->irr, vector);
    if (level)
        bit_set(a->tmr, vector);
    else
        bit_clear(a->tmr, vector);
    return true;
}

/* Contract: see lapic.h. */
bool vlapic_deliver(struct vlapic *a, unsigned delivery_mode, uint8_t vector, bool level)
{
    if (!vlapic_hw_enabled(a))
        return false;
    switch (delivery_mode) {
    case VLAPIC_DM_FIXED:
    case VLAPIC_DM_LOWEST:
        return vlapic_accept(a, vector, level);
    case VLAPIC_DM_NMI:
        a->nmi_pending = true;
        return true;
    case VLAPIC_DM_INIT:
        a->init_pending = true;
        return true;
    case VLAPIC_DM_SIPI:
        a->sipi_pending = true;
        a->sipi_vector = vector;
        return true;
    default:                    /* SMI (no SMM), ExtINT messages, reserved modes */
        return false;
    }
}

/* Contract: see lapic.h. */
bool vlapic_take_nmi(struct vlapic *a)
{
    bool was = a->nmi_pending;

    a->nmi_pending = false;
    return was;
}

/* Contract: see lapic.h. */
bool vlapic_take_init(struct vlapic *a)
{
    bool was = a->init_pending;

    a->init_pending = false;
    return was;
}

/* Contract: see lapic.h. */
bool vlapic_take_sipi(struct vlapic *a, uint8_t *vector)
{
    bool was = a->sipi_pending;

    a->sipi_pending = false;
    if (was && vector)
        *vector = a->sipi_vector;
    return was;
}

/* Contract: see lapic.h. */
bool vlapic_accepts_pic(const struct vlapic *a)
{
    uint32_t lint0 = a->lvt[VLAPIC_LVT_LINT0];

    if (!vlapic_hw_enabled(a))
        return true;
    return !(lint0 & VLAPIC_LVT_MASKED) && ((lint0 >> 8) & 7) == VLAPIC_DM_EXTINT;
}

/* Logical destination in xAPIC mode: flat or cluster model by DFR bits 31:28. */
static bool match_logical_xapic(const struct vlapic *a, uint8_t dest)
{
    uint8_t ldr = (uint8_t)(a->ldr >> 24);

    if (dest == 0xFF)
        return true;
    switch (a->dfr >> 28) {
    case 0xF:                   /* flat: a bit of the 8-bit mask */
        return (ldr & dest) != 0;
    case 0x0:                   /* cluster: cluster ID in bits 7:4, mask in 3:0 */
        return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xF) != 0;
    default:                    /* undefined models address nobody */
        return false;
    }
}

/* The x2APIC logical ID (SDM 10.12.10.2): cluster = ID[19:4], bit = ID[3:0]. */
static uint32_t x2apic_ldr(uint32_t id)
{
    return ((id >> 4) << 16) | (1u << (id & 0xF));
}

/* Contract: see lapic.h. */
bool vlapic_match_dest(const struct vlapic *a, uint32_t dest, bool logical)
{
    uint32_t ldr;

    if (!vlapic_hw_enabled(a))
        return false;
    if (!vlapic_x2apic(a)) {
        if (logical)
            return match_logical_xapic(a, (uint8_t)dest);
        return (uint8_t)dest == 0xFF || (uint8_t)dest == (uint8_t)(a->id >> 24);
    }
    if (dest == 0xFFFFFFFFu)
        return true;
    if (!logical)
        return dest == a->apic_id;
    ldr = x2apic_ldr(a->apic_id);
    return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xFFFF) != 0;
}

/* Whether a no-shorthand IPI to dest can concern another APIC: everything but a physical
 * destination that is exactly this APIC's own ID. */
static bool may_reach_others(const struct vlapic *a, uint32_t dest, bool logical)
{
    if (logical)
        return true;
    if (vlapic_x2apic(a))
        return dest != a->apic_id;
    return (uint8_t)dest != (uint8_t)(a->id >> 24);
}

/* Contract: see lapic_priv.h (SDM 10.6.1). Delivery is immediate, so the delivery-status
 * bit never shows pending. An INIT level de-assert is a no-op on modern processors. */
void vlapic_send_icr(struct vlapic *a)
{
    uint32_t lo = a->icr_lo;
    uint8_t vector = (uint8_t)lo;
    unsigned dm = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
    bool logical = lo & (1u << 11), assert_ = lo & (1u << 14), level = lo & (1u << 15);
    bool x2 = vlapic_x2apic(a), self = false, others = false;
    uint32_t dest = x2 ? a->icr_hi : a->icr_hi >> 24;

    if ((dm == VLAPIC_DM_FIXED || dm == VLAPIC_DM_LOWEST) && vector < 16) {
        vlapic_error(a, VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    if (dm == VLAPIC_DM_INIT && level && !assert_)
        return;
    switch (shorthand) {
    case 0:
        self = vlapic_match_dest(a, dest, logical);
        others = may_reach_others(a, dest, logical);
        break;
    case 1:
        self = true;
        break;
    case 2:
        self = others = true;
        break;
    default:
        others = true;
        break;
    }
    if (self)
        vlapic_deliver(a, dm, vector, level);
    if (others && a->clk && a->clk->send_ipi)
        a->clk->send_ipi(a->clk->ctx, (uint64_t)a->icr_hi << 32 | lo, x2);
}
