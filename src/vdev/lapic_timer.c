/* The virtual local APIC's timer (Intel SDM vol. 3, 10.5.4): one-shot, periodic and
 * TSC-deadline modes. Nothing ticks. The input clock is VLAPIC_BUS_HZ = 1 GHz, so with
 * divisor 2^s one timer tick is 2^s ns and, while the timer runs,
 *     ticks(now) = t_base + (now - t_start_ns) >> s
 * counts ticks since the initial count was loaded (t_base carries ticks counted before a
 * divide or mode change). Expiries are ticks / initial count (periodic) or 0/1
 * (one-shot); t_seen is how many vlapic_update already handled, so any number of missed
 * periods becomes one interrupt. TSC-deadline mode compares the guest's TSC with
 * IA32_TSC_DEADLINE instead. */
#include "lapic_priv.h"

#define NS_PER_S 1000000000ull

static unsigned timer_mode(const struct vlapic *a)
{
    return (a->lvt[VLAPIC_LVT_TIMER] >> 17) & 3;
}

/* log2 of the divisor the divide configuration selects (bits 3, 1:0; 111b is 1). */
static unsigned div_shift(uint32_t dcr)
{
    unsigned code = (dcr & 3) | ((dcr >> 1) & 4);

    return (code + 1) & 7;
}

static uint64_t sat_add(uint64_t x, uint64_t y)
{
    return x > UINT64_MAX - y ? UINT64_MAX : x + y;
}

/* Ticks counted by time now (the clock going backwards counts nothing). */
static uint64_t ticks_at(const struct vlapic *a, uint64_t now)
{
    if (now <= a->t_start_ns)
        return a->t_base;
    return sat_add(a->t_base, (now - a->t_start_ns) >> div_shift(a->timer_dcr));
}

/* Expiries of the current programming after t ticks (mode 3, reserved, never expires). */
static uint64_t expiries(const struct vlapic *a, uint64_t t)
{
    if (!a->t_running || !a->timer_icr)
        return 0;
    switch (timer_mode(a)) {
    case VLAPIC_TIMER_PERIODIC:
        return t / a->timer_icr;
    case VLAPIC_TIMER_ONESHOT:
        return t >= a->timer_icr;
    default:
        return 0;
    }
}

/* The timer's interrupt, unless LVT timer is masked (the expiry is then lost). */
static void fire(struct vlapic *a)
{
    uint32_t lvt = a->lvt[VLAPIC_LVT_TIMER];

    if (!(lvt & VLAPIC_LVT_MASKED))
        vlapic_accept(a, (uint8_t)lvt, false);
}

static uint64_t guest_tsc(const struct vlapic *a)
{
    return a->clk && a->clk->tsc ? a->clk->tsc(a->clk->ctx) : 0;
}

/* Contract: see lapic.h. */
void vlapic_update(struct vlapic *a)
{
    uint64_t n;

    if (timer_mode(a) == VLAPIC_TIMER_DEADLINE) {
        if (a->tsc_deadline && guest_tsc(a) >= a->tsc_deadline) {
            a->tsc_deadline = 0;        /* the timer disarms itself (SDM 10.5.4.1) */
            fire(a);
        }
        return;
    }
    n = expiries(a, ticks_at(a, vlapic_now(a)));
    if (n > a->t_seen) {
        a->t_seen = n;
        fire(a);
    }
}

/* x * m / d rounded up, for x < d, without overflowing (precision drops for huge d). */
static uint64_t mul_div_ceil(uint64_t x, uint64_t m, uint64_t d)
{
    while (x > UINT64_MAX / m) {
        x >>= 1;
        d >>= 1;
    }
    return (x * m + d - 1) / d;
}

/* ns from now until the guest TSC reaches the armed deadline (0 if it has). */
static uint64_t deadline_delay_ns(const struct vlapic *a)
{
    uint64_t tsc = guest_tsc(a), hz = a->clk ? a->clk->tsc_hz : 0, delta, whole;

    if (tsc >= a->tsc_deadline || !hz)
        return 0;
    delta = a->tsc_deadline - tsc;
    whole = delta / hz;
    if (whole >= UINT64_MAX / NS_PER_S)
        return UINT64_MAX;
    return sat_add(whole * NS_PER_S, mul_div_ceil(delta % hz, NS_PER_S, hz));
}

/* Clock (ns) at which tick number t of the current programming comes, saturating. */
static uint64_t tick_time(const struct vlapic *a, uint64_t t)
{
    unsigned s = div_shift(a->timer_dcr);
    uint64_t d = t - a->t_base;

    if (d > (UINT64_MAX >> s))
        return UINT64_MAX;
    return sat_add(a->t_start_ns, d << s);
}

/* Contract: see lapic.h. */
uint64_t vlapic_next_event_ns(const struct vlapic *a)
{
    uint64_t now = vlapic_now(a), t, n, icr = a->timer_icr;

    if (!vlapic_hw_enabled(a) || (a->lvt[VLAPIC_LVT_TIMER] & VLAPIC_LVT_MASKED))
        return UINT64_MAX;
    switch (timer_mode(a)) {
    case VLAPIC_TIMER_DEADLINE:
        return a->tsc_deadline ? sat_add(now, deadline_delay_ns(a)) : UINT64_MAX;
    case VLAPIC_TIMER_PERIODIC:
    case VLAPIC_TIMER_ONESHOT:
        break;
    default:
        return UINT64_MAX;
    }
    if (!a->t_running || !icr)
        return UINT64_MAX;
    t = ticks_at(a, now);
    n = expiries(a, t);
    if (n > a->t_seen)
        return now;                     /* due, not yet moved into IRR */
    if (timer_mode(a) == VLAPIC_TIMER_ONESHOT)
        return n ? UINT64_MAX : tick_time(a, icr);
    if (n >= UINT64_MAX / icr)
        return UINT64_MAX;
    return tick_time(a, (n + 1) * icr);
}

/* Contract: see lapic.h. */
uint32_t vlapic_timer_ccr(const struct vlapic *a)
{
    uint64_t t, icr = a->timer_icr;

    if (timer_mode(a) == VLAPIC_TIMER_DEADLINE || !a->t_running || !icr)
        return 0;
    t = ticks_at(a, vlapic_now(a));
    if (timer_mode(a) == VLAPIC_TIMER_PERIODIC)
        return (uint32_t)(icr - t % icr);
    return t >= icr ? 0 : (uint32_t)(icr - t);
}

/* Restart counting from now under a new mode or divisor, keeping where the count is: a
 * periodic count keeps its phase, a one-shot count its ticks (a finished one-shot count
 * stays at 0: changing the mode does not start the timer). The caller has run
 * vlapic_update, so no expiry is lost; keep_ns keeps the partial tick (same divisor). */
static void rebase(struct vlapic *a, uint64_t now, bool keep_ns)
{
    unsigned s = div_shift(a->timer_dcr);
    uint64_t t = ticks_at(a, now), icr = a->timer_icr;
    uint64_t part = now > a->t_start_ns ? (now - a->t_start_ns) & ((1ull << s) - 1) : 0;

    if (!a->t_running || !icr)
        return;
    if (timer_mode(a) == VLAPIC_TIMER_PERIODIC) {
        t %= icr;
    } else if (t >= icr) {
        a->t_running = false;
        return;
    }
    a->t_base = t;
    a->t_seen = 0;
    a->t_start_ns = keep_ns ? now - part : now;
}

/* Contract: see lapic_priv.h. */
void vlapic_timer_stop(struct vlapic *a)
{
    a->timer_icr = 0;
    a->t_running = false;
    a->t_base = a->t_seen = 0;
    a->tsc_deadline = 0;
}

/* Contract: see lapic_priv.h. Entering or leaving TSC-deadline mode disarms the timer
 * (SDM 10.5.4.1); one-shot <-> periodic goes on counting. */
void vlapic_timer_write_lvt(struct vlapic *a, uint32_t val)
{
    unsigned old = timer_mode(a), mode = (val >> 17) & 3;

    vlapic_update(a);
    if ((old == VLAPIC_TIMER_DEADLINE) != (mode == VLAPIC_TIMER_DEADLINE))
        vlapic_timer_stop(a);
    else if (old != mode)
        rebase(a, vlapic_now(a), true);
    a->lvt[VLAPIC_LVT_TIMER] = val;
}

/* Contract: see lapic_priv.h. Ignored in TSC-deadline mode; 0 stops the timer. */
void vlapic_timer_write_icr(struct vlapic *a, uint32_t val)
{
    if (timer_mode(a) == VLAPIC_TIMER_DEADLINE)
        return;
    vlapic_update(a);
    a->timer_icr = val;
    a->t_running = val != 0;
    a->t_base = a->t_seen = 0;
    a->t_start_ns = vlapic_now(a);
}

/* Contract: see lapic_priv.h. The count goes on from where it is at the new rate. */
void vlapic_timer_write_dcr(struct vlapic *a, uint32_t val)
{
    uint64_t now = vlapic_now(a);

    if (div_shift(val) == div_shift(a->timer_dcr)) {
        a->timer_dcr = val;
        return;
    }
    vlapic_update(a);
    rebase(a, now, false);
    a->timer_dcr = val;
}

/* Contract: see lapic.h. */
uint64_t vlapic_tsc_deadline_read(const struct vlapic *a)
{
    return timer_mode(a) == VLAPIC_TIMER_DEADLINE ? a->tsc_deadline : 0;
}

/* Contract: see lapic.h. */
void vlapic_tsc_deadline_write(struct vlapic *a, uint64_t val)
{
    if (timer_mode(a) != VLAPIC_TIMER_DEADLINE)
        return;
    a->tsc_deadline = val;
    vlapic_update(a);
}
