/* timer: how well a guest's timers are kept. Two measurements, each over its own TSC:
 *   1. its PIT at pit_hz= (default 1000) for ms= (default 500) of halting with IF=1:
 *      `timer: pit <hz> Hz: <n> irqs in <ms> ms`;
 *   2. sleeps= (default 50) sleeps of sleep_us= (default 1000) us each (HC_BLOCK under
 *      Kestrel, PIT + hlt bare): `timer: <n> sleeps of <us> us took <total> us`.
 * A hypervisor that wakes its guests only at a coarse host tick shows it in both: fewer
 * irqs than asked for, and sleeps rounded up to its tick. Then `timer: done` and power off. */
#include "guest.h"

static volatile uint32_t irqs;

/* IRQ 0: count it. */
static void count_irq(unsigned irq)
{
    (void)irq;
    irqs++;
}

/* Measure the PIT's interrupt rate and the sleeps' length. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "timer";
    uint64_t hz = cmdline_num("pit_hz", 1000), ms = cmdline_num("ms", 500);
    uint64_t sleeps = cmdline_num("sleeps", 50), us = cmdline_num("sleep_us", 1000);
    if (hz < 19 || hz > PIT_HZ)
        hz = 1000;
    uint64_t cyc_per_us = tsc_hz() / 1000000u;
    printf("timer: start\n");

    pit_set_divisor((uint32_t)(PIT_HZ / hz));
    irq_set_handler(IRQ_PIT, count_irq);
    irq_unmask(IRQ_PIT);
    uint64_t t0 = rdtsc(), end = t0 + ms * 1000 * cyc_per_us;
    irqs = 0;
    sti();
    while (rdtsc() < end)
        hlt();
    cli();
    uint32_t n = irqs;
    irq_mask(IRQ_PIT);
    printf("timer: pit %llu Hz: %u irqs in %llu ms\n", (unsigned long long)hz, (unsigned)n,
           (unsigned long long)((rdtsc() - t0) / cyc_per_us / 1000));

    if (!under_kestrel)
        pit_start(1000);            /* bare sleeps wake on the runtime's tick */
    t0 = rdtsc();
    for (uint64_t i = 0; i < sleeps; i++)
        sleep_us(us);
    printf("timer: %llu sleeps of %llu us took %llu us\n", (unsigned long long)sleeps,
           (unsigned long long)us, (unsigned long long)((rdtsc() - t0) / cyc_per_us));
    printf("timer: done\n");
    return 0;
}
