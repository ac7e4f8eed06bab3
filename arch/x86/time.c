/* The TSC as the clock, calibrated against PIT channel 2, and the periodic tick from the
 * local APIC timer (calibrated against the TSC), falling back to PIT channel 0 when the
 * CPU has no APIC. */
#include <stdbool.h>
#include "arch/time.h"
#include "arch/cpu.h"
#include "arch/io.h"
#include "arch/pic.h"
#include "arch/trap.h"

#define PIT_HZ          1193182ULL
#define PIT_CALIB_MS    5
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
static bool use_lapic;
static tick_fn on_tick;

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

/* Count TSC cycles (and APIC timer ticks, when there is an APIC) over PIT_CALIB_MS
 * measured by PIT channel 2 in one-shot mode. */
static void calibrate(void)
{
    uint32_t latch = (uint32_t)(PIT_HZ * PIT_CALIB_MS / 1000);
    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));   /* gate on, speaker off */
    outb(0x43, 0xB0);                                     /* ch2, lo/hi, mode 0 */
    outb(0x42, (uint8_t)latch);
    outb(0x42, (uint8_t)(latch >> 8));
    uint32_t a0 = use_lapic ? *lapic_reg(LAPIC_TIMER_CUR) : 0;
    uint64_t t0 = rdtsc();
    uint64_t spins = 0;
    while (!(inb(0x61) & 0x20) && ++spins < 100000000ULL)
        ;
    uint64_t t1 = rdtsc();
    uint32_t a1 = use_lapic ? *lapic_reg(LAPIC_TIMER_CUR) : 0;
    uint64_t hz = (t1 - t0) * 1000 / PIT_CALIB_MS;
    tsc_freq = hz ? hz : 1000000000ULL;    /* a dead PIT: assume 1 GHz rather than divide by 0 */
    apic_timer_freq = (uint64_t)(a0 - a1) * 1000 / PIT_CALIB_MS;
}

void time_init(void)
{
    use_lapic = (cpuid(1, 0).edx >> 9) & 1;
    if (use_lapic)
        lapic_start_counting();
    calibrate();
    ns_mult = (1000000000ULL << 32) / tsc_freq;
    tsc_boot = rdtsc();
}

uint64_t time_now_ns(void)
{
    uint64_t cycles = rdtsc() - tsc_boot;
    return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

uint64_t tsc_hz(void) { return tsc_freq; }
uint64_t tick_count(void) { return ticks; }
uint64_t lapic_timer_hz(void) { return apic_timer_freq; }
const char *tick_source(void) { return use_lapic ? "LAPIC timer" : "PIT channel 0"; }

void udelay(uint64_t us)
{
    uint64_t end = rdtsc() + tsc_freq / 1000000 * us;
    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}

static void lapic_tick(struct trap_frame *tf)
{
    (void)tf;
    ticks++;
    *lapic_reg(LAPIC_EOI) = 0;
    if (on_tick)
        on_tick();
}

static void pit_tick(struct trap_frame *tf)
{
    (void)tf;
    ticks++;
    pic_eoi(0);
    if (on_tick)
        on_tick();
}

/* Run the local APIC's timer (calibrated in time_init) periodically at TICK_HZ. */
static void lapic_timer_start(void)
{
    uint32_t count = (uint32_t)(apic_timer_freq / TICK_HZ);
    trap_register(VECTOR_TIMER, lapic_tick);
    *lapic_reg(LAPIC_LVT_TIMER) = 0x20000 | VECTOR_TIMER; /* periodic */
    *lapic_reg(LAPIC_TIMER_INIT) = count ? count : 1;
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
    on_tick = fn;
    if (use_lapic)
        lapic_timer_start();
    else
        pit_tick_start();
}
