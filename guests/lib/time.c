/* Guest runtime time: PIT channel 0 ticks, TSC frequency (HC_TIME or PIT channel 2
 * calibration) and sleeping (HC_BLOCK under Kestrel, PIT + hlt bare). */
#include "guest.h"

volatile uint32_t ticks;
static unsigned tick_hz;
static uint64_t cached_tsc_hz;

/* Periodic mode (mode 2), lobyte/hibyte, channel 0; 65536 is written as 0. */
void pit_set_divisor(uint32_t divisor)
{
    outb(0x43, 0x34);
    outb(0x40, (uint8_t)divisor);
    outb(0x40, (uint8_t)(divisor >> 8));
}

/* IRQ 0: count a tick. */
static void pit_tick(unsigned irq)
{
    (void)irq;
    ticks++;
}

/* Start the runtime tick at hz on IRQ 0. */
void pit_start(unsigned hz)
{
    tick_hz = hz;
    pit_set_divisor(PIT_HZ / hz);
    irq_set_handler(IRQ_PIT, pit_tick);
}

/* Count TSC cycles during 10 ms of PIT channel 2 (one-shot, gate through port 0x61). */
static uint64_t calibrate_pit2(void)
{
    const uint32_t count = PIT_HZ / 100;
    uint8_t p61 = inb(0x61);
    outb(0x61, (p61 & ~0x02) | 0x01);          /* gate on, speaker off */
    outb(0x43, 0xb0);                          /* channel 2, lo/hi, mode 0 */
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    uint64_t t0 = rdtsc();
    uint32_t spins = 0;
    while (!(inb(0x61) & 0x20) && ++spins < 50000000u)
        ;
    uint64_t t1 = rdtsc();
    outb(0x61, p61);
    return (t1 - t0) * 100;
}

/* TSC frequency in Hz (computed once). */
uint64_t tsc_hz(void)
{
    if (cached_tsc_hz)
        return cached_tsc_hz;
    if (under_kestrel) {
        static struct kestrel_time t;
        if (hypercall(HC_TIME, (uint32_t)&t, 0, 0, 0) == 0 && t.tsc_hz)
            cached_tsc_hz = t.tsc_hz;
    }
    if (!cached_tsc_hz)
        cached_tsc_hz = calibrate_pit2();
    if (!cached_tsc_hz)
        cached_tsc_hz = 1000000000ull;         /* a guess beats dividing by zero */
    return cached_tsc_hz;
}

/* Sleep about us microseconds; leaves interrupts enabled. */
void sleep_us(uint64_t us)
{
    uint64_t hz = tsc_hz();
    uint64_t end = rdtsc() + us * (hz / 1000000u);
    if (!under_kestrel && !tick_hz)
        pit_start(100);
    sti();
    for (;;) {
        uint64_t now = rdtsc();
        if (now >= end)
            break;
        if (under_kestrel) {
            uint64_t left = (end - now) / (hz / 1000000u) + 1;
            hypercall(HC_BLOCK, (uint32_t)(left > 0xffffffffu ? 0xffffffffu : left), 0, 0, 0);
        } else {
            hlt();
        }
    }
}
