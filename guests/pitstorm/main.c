/* pitstorm (hostile): programs PIT channel 0 at its highest rate (`divisor=N`, default 2,
 * about 600 kHz) with an IRQ 0 handler that counts, and prints `pitstorm: <n> irqs` about
 * once a second (by the TSC) forever; `seconds=N` powers off after N reports. */
#include "guest.h"

static volatile uint32_t irqs;

/* IRQ 0: count. */
static void on_pit(unsigned irq)
{
    (void)irq;
    irqs++;
}

/* Storm. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "pitstorm";
    uint32_t divisor = (uint32_t)cmdline_num("divisor", 2);
    uint64_t seconds = cmdline_num("seconds", 0);
    uint64_t hz = tsc_hz();
    printf("pitstorm: PIT channel 0 divisor %u (%u Hz), counting IRQ 0\n", (unsigned)divisor,
           (unsigned)(PIT_HZ / (divisor ? divisor : 65536)));
    pit_set_divisor(divisor);
    irq_set_handler(IRQ_PIT, on_pit);
    sti();
    uint64_t next = rdtsc() + hz;
    for (uint64_t s = 1; !seconds || s <= seconds;) {
        if (rdtsc() >= next) {
            printf("pitstorm: %u irqs after %llu s\n", (unsigned)irqs, (unsigned long long)s);
            next += hz;
            s++;
        }
        hlt();
    }
    return 0;
}
