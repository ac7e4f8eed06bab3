/* pitstorm (hostile): programs PIT channel 0 at its highest rate (`divisor=N`, default 2,
 * about 600 kHz) with an IRQ 0 handler that counts, and prints `pitstorm: <n> irqs after
 * <s> s` about once a second by the TSC, forever (`seconds=N` powers off after N reports).
 * The report is checked both in the IRQ handler (the guest may never leave it in a storm)
 * and in the idle loop (hlt bare, HC_BLOCK of 10 ms under Kestrel: if no IRQ comes). */
#include "guest.h"

static volatile uint32_t irqs;
static uint64_t next_report, hz, seconds, reported;

/* Print the report if a second has passed; called with interrupts off. */
static void maybe_report(void)
{
    if (rdtsc() < next_report)
        return;
    reported++;
    printf("pitstorm: %u irqs after %llu s\n", (unsigned)irqs, (unsigned long long)reported);
    next_report += hz;
    if (seconds && reported >= seconds)
        shutdown(KESTREL_SHUTDOWN_POWEROFF);
}

/* IRQ 0: count, and report when it is time. */
static void on_pit(unsigned irq)
{
    (void)irq;
    irqs++;
    maybe_report();
}

/* Storm. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "pitstorm";
    uint32_t divisor = (uint32_t)cmdline_num("divisor", 2);
    seconds = cmdline_num("seconds", 0);
    hz = tsc_hz();
    printf("pitstorm: PIT channel 0 divisor %u (%u Hz), counting IRQ 0\n", (unsigned)divisor,
           (unsigned)(PIT_HZ / (divisor ? divisor : 65536)));
    cli();
    next_report = rdtsc() + hz;
    pit_set_divisor(divisor);
    irq_set_handler(IRQ_PIT, on_pit);
    for (;;) {
        cli();
        maybe_report();
        if (under_kestrel) {
            sti();
            hypercall(HC_BLOCK, 10000, 0, 0, 0);
        } else {
            sti_hlt();
        }
    }
}
