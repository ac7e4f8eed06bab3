/* The TSC as the clock, calibrated against PIT channel 2, and the periodic tick from the
 * local APIC timer (calibrated against the TSC), falling back to PIT channel 0 when the
 * CPU has no APIC.
 *
 * Calibration runs in the background of boot: time_init starts PIT channel 2 counting down
 * from 0xFFFF (55 ms at most) and samples the PIT, the TSC and the APIC timer together; the
 * boot goes on (memory, domains) and the first caller that needs a frequency ends the
 * window, after at least PIT_CALIB_MS, with a second sample (take_sample: each one
 * bracketed by TSC reads, so a pause while sampling cannot skew the result). The window is then as long as the boot took, so calibration costs
 * the boot nothing once there is at least PIT_CALIB_MS of work to hide it behind, and it is
 * more precise the longer the boot. A window that ran past the PIT's range (OUT went high)
 * is measured again, synchronously.
 *
 * The LAPIC timer runs one-shot, armed for the earlier of the next periodic tick (100 Hz,
 * drift-free) and the one deadline the scheduler asked for (timer_deadline: a slice's end,
 * a guest's PIT edge, an HC_BLOCK timeout), no closer than TIMER_SLOP_NS: events between
 * ticks are kept to time, and a guest's PIT storm cannot storm the host. */
#include <stdbool.h>
#include "arch/time.h"
#include "arch/cpu.h"
#include "arch/io.h"
#include "arch/pic.h"
#include "arch/trap.h"

#define PIT_HZ          1193182ULL
#define PIT_CALIB_MS    5
#define PIT_CH2_FULL    0xFFFFu
#define TIMER_SLOP_NS   50000ULL    /* Xen's default timer_slop */
#define LAPIC_BASE      0xFEE00000ULL
#define LAPIC_ID        0x020
#define LAPIC_EOI       0x0B0
#define LAPIC_SVR       0x0F0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0

static uint64_t tsc_freq, tsc_boot, ns_mult;     /* ns = cycles * ns_mult >> 32 */
static uint64_t ticks, apic_timer_freq;
static bool use_lapic, calibrated, window_started;
static uint64_t period_tsc, next_tick_tsc, deadline_tsc, slop_tsc;
static uint64_t apic_mult;      /* APIC timer counts = TSC cycles * apic_mult >> 32 */
static uint64_t cycles_mult;    /* TSC cycles = ns * cycles_mult >> 24 */
static tick_fn on_tick;
/* One reading of the three counters, as close to one instant as this CPU allows. */
struct clock_sample {
    uint64_t tsc;               /* the midpoint of the TSC reads around the PIT latch */
    uint32_t apic;              /* APIC timer count */
    int32_t pit;                /* PIT ticks since channel 2 was loaded; -1: it wrapped */
};
static struct clock_sample window;     /* the calibration window's start */

static inline volatile uint32_t *lapic_reg(uint32_t off)
{
    return (volatile uint32_t *)(uintptr_t)(LAPIC_BASE + off);
}

/* Enable the local APIC with its timer counting down, masked, from the top: the PIT window
 * that calibrates the TSC calibrates the APIC timer too, so boot waits only once. */
static void lapic_start_counting(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | (1ULL << 11));           /* global enable */
    *lapic_reg(LAPIC_SVR) = 0x100 | VECTOR_SPURIOUS;     /* software enable */
    *lapic_reg(LAPIC_TIMER_DIV) = 0x3;                   /* divide by 16 */
    *lapic_reg(LAPIC_LVT_TIMER) = 0x10000 | VECTOR_TIMER; /* masked while measuring */
    *lapic_reg(LAPIC_TIMER_INIT) = 0xFFFFFFFFu;
}

/* PIT ticks since window_open, or -1 once channel 2 reached zero (its OUT, port 0x61 bit
 * 5, goes high and stays high): past that the count has wrapped and means nothing. */
static int32_t window_pit_ticks(void)
{
    outb(0x43, 0x80);                                     /* latch channel 2 */
    uint32_t lo = inb(0x42);
    uint32_t count = lo | ((uint32_t)inb(0x42) << 8);
    if (inb(0x61) & 0x20)
        return -1;
    return (int32_t)(PIT_CH2_FULL - count);
}

/* Read the PIT, the APIC timer and the TSC together: the TSC on both sides of the others,
 * the narrowest of SAMPLE_TRIES tries kept. A pause between the reads (an SMI, or the host
 * of a virtual machine taking the CPU away) would otherwise count against one clock only
 * and skew the calibration by as much; a try it lands in is wide and is dropped. */
#define SAMPLE_TRIES 5
static struct clock_sample take_sample(void)
{
    struct clock_sample best = { 0, 0, -1 };
    uint64_t best_width = ~0ULL;
    for (int i = 0; i < SAMPLE_TRIES; i++) {
        uint64_t t0 = rdtsc();
        int32_t pit = window_pit_ticks();
        uint32_t apic = use_lapic ? *lapic_reg(LAPIC_TIMER_CUR) : 0;
        uint64_t t1 = rdtsc();
        if (t1 - t0 < best_width) {
            best_width = t1 - t0;
            best = (struct clock_sample){ t0 + (t1 - t0) / 2, apic, pit };
        }
    }
    return best;
}

/* Load PIT channel 2 (one-shot, mode 0) with its largest count and take the first sample:
 * the start of a calibration window. */
static void window_open(void)
{
    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));   /* gate on, speaker off */
    outb(0x43, 0xB0);                                     /* ch2, lo/hi, mode 0 */
    outb(0x42, (uint8_t)PIT_CH2_FULL);
    outb(0x42, (uint8_t)(PIT_CH2_FULL >> 8));
    window = take_sample();
    window_started = true;
}

/* Close the window: wait until it spans at least PIT_CALIB_MS, then derive the TSC and APIC
 * timer rates from what each counted between the two samples. False when the window
 * overran the PIT's range. */
static bool window_close(void)
{
    const int32_t min_ticks = (int32_t)(PIT_HZ * PIT_CALIB_MS / 1000);
    struct clock_sample end;
    uint64_t spins = 0;
    if (window.pit < 0)
        return false;
    do {
        end = take_sample();
    } while (end.pit >= 0 && end.pit - window.pit < min_ticks &&
             ++spins < 2000000ULL);                       /* a dead PIT */
    if (end.pit < 0 || end.pit - window.pit < min_ticks)
        return false;
    uint64_t pit = (uint64_t)(end.pit - window.pit);
    tsc_freq = (end.tsc - window.tsc) * PIT_HZ / pit;
    apic_timer_freq = (uint64_t)(window.apic - end.apic) * PIT_HZ / pit;
    return true;
}

/* Contract in arch/time.h; how, at the top of the file. */
void time_calibrate(void)
{
    if (calibrated)
        return;
    if (!window_started)               /* asked before time_init (an early panic's delay) */
        window_open();
    if (!window_close()) {
        window_open();
        if (!window_close())
            tsc_freq = 0;
    }
    if (!tsc_freq)
        tsc_freq = 1000000000ULL;  /* a dead PIT: assume 1 GHz rather than divide by 0 */
    ns_mult = (1000000000ULL << 32) / tsc_freq;
    calibrated = true;
}

void time_init(void)
{
    use_lapic = (cpuid(1, 0).edx >> 9) & 1;
    if (use_lapic)
        lapic_start_counting();
    calibrated = false;                /* whatever an earlier caller measured, without the APIC */
    tsc_boot = rdtsc();
    window_open();
}

uint64_t time_now_ns(void)
{
    if (!calibrated)
        return 0;
    uint64_t cycles = rdtsc() - tsc_boot;
    return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

uint64_t tsc_hz(void)
{
    time_calibrate();
    return tsc_freq;
}

uint64_t tick_count(void) { return ticks; }

uint64_t lapic_timer_hz(void)
{
    time_calibrate();
    return apic_timer_freq;
}

const char *tick_source(void) { return use_lapic ? "LAPIC timer" : "PIT channel 0"; }

void udelay(uint64_t us)
{
    time_calibrate();
    uint64_t end = rdtsc() + tsc_freq / 1000000 * us;
    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}

/* Program the one-shot LAPIC timer for the earlier of the next tick and the deadline (a
 * deadline already due fires after the slop). Interrupts off. */
static void lapic_arm(uint64_t now)
{
    uint64_t target = next_tick_tsc;
    if (deadline_tsc && deadline_tsc < target)
        target = deadline_tsc;
    if (target < now + slop_tsc)
        target = now + slop_tsc;
    uint64_t count = (uint64_t)(((unsigned __int128)(target - now) * apic_mult) >> 32);
    *lapic_reg(LAPIC_TIMER_INIT) = count == 0 ? 1 : count > 0xFFFFFFFFu ? 0xFFFFFFFFu
                                                                        : (uint32_t)count;
}

/* A tick when the tick is due (a deadline alone only has to make the guest exit), then
 * the timer is armed again. */
static void lapic_tick(struct trap_frame *tf)
{
    (void)tf;
    uint64_t now = rdtsc();
    *lapic_reg(LAPIC_EOI) = 0;
    if (deadline_tsc && deadline_tsc <= now + slop_tsc)
        deadline_tsc = 0;
    bool tick = now + slop_tsc >= next_tick_tsc;
    if (tick) {
        ticks++;
        next_tick_tsc += period_tsc;
        if (next_tick_tsc <= now)        /* ticks were lost (a long stall): no catch-up burst */
            next_tick_tsc = now + period_tsc;
    }
    lapic_arm(now);
    if (tick && on_tick)
        on_tick();
}

void timer_deadline(uint64_t ns)
{
    if (!use_lapic || !on_tick)
        return;             /* the PIT tick has no one-shot companion: tick granularity */
    uint64_t f = irq_save();
    uint64_t tsc = ns == 0 || ns == UINT64_MAX ? 0
                 : tsc_boot + (uint64_t)(((unsigned __int128)ns * cycles_mult) >> 24);
    if (tsc != deadline_tsc) {
        deadline_tsc = tsc;
        lapic_arm(rdtsc());
    }
    irq_restore(f);
}

static void pit_tick(struct trap_frame *tf)
{
    (void)tf;
    ticks++;
    pic_eoi(0);
    if (on_tick)
        on_tick();
}

/* Run the local APIC's timer (calibrated in time_init) one-shot, re-armed by each tick. */
static void lapic_timer_start(void)
{
    period_tsc = tsc_freq / TICK_HZ;
    slop_tsc = tsc_freq / (1000000000ULL / TIMER_SLOP_NS);
    apic_mult = (apic_timer_freq << 32) / tsc_freq;     /* divided by 16: far below 2^32 Hz */
    cycles_mult = (tsc_freq << 24) / 1000000000ULL;
    trap_register(VECTOR_TIMER, lapic_tick);
    *lapic_reg(LAPIC_LVT_TIMER) = VECTOR_TIMER;           /* one-shot, unmasked */
    uint64_t f = irq_save();
    uint64_t now = rdtsc();
    next_tick_tsc = now + period_tsc;
    lapic_arm(now);
    irq_restore(f);
}

/* PIT channel 0 in rate-generator mode at TICK_HZ through PIC line 0. */
static void pit_tick_start(void)
{
    uint32_t div = (uint32_t)(PIT_HZ / TICK_HZ);
    outb(0x43, 0x34);
    outb(0x40, (uint8_t)div);
    outb(0x40, (uint8_t)(div >> 8));
    trap_register(IRQ_VECTOR_BASE + 0, pit_tick);
    pic_unmask(0);
}

void tick_start(tick_fn fn)
{
    time_calibrate();
    on_tick = fn;
    if (use_lapic)
        lapic_timer_start();
    else
        pit_tick_start();
}
