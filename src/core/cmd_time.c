/* Shell commands about time: `uptime` and `clock` (key t, Xen's "display multi-cpu clock
 * info"). */
#include "console/shell.h"
#include "arch/time.h"
#include "arch/pic.h"

static int cmd_uptime(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    uint64_t ns = time_now_ns();
    uint64_t s = ns / 1000000000ULL;
    shell_printf("up %llu.%06llu s (%llud %02llu:%02llu:%02llu)\n", (unsigned long long)s,
                 (unsigned long long)(ns / 1000 % 1000000), (unsigned long long)(s / 86400),
                 (unsigned long long)(s / 3600 % 24), (unsigned long long)(s / 60 % 60),
                 (unsigned long long)(s % 60));
    return 0;
}
SHELL_COMMAND(cmd_uptime_entry, "uptime", 0, "", "time since boot", cmd_uptime);

static int cmd_clock(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    uint64_t hz = tsc_hz();
    shell_printf("CPU0: TSC %llu.%03llu MHz, now %llu ns since boot\n",
                 (unsigned long long)(hz / 1000000), (unsigned long long)(hz / 1000 % 1000),
                 (unsigned long long)time_now_ns());
    shell_printf("tick: %s at %d Hz, %llu ticks", tick_source(), TICK_HZ,
                 (unsigned long long)tick_count());
    if (lapic_timer_hz())
        shell_printf(" (LAPIC timer input %llu Hz)", (unsigned long long)lapic_timer_hz());
    shell_printf("\n");
    shell_printf("spurious 8259 interrupts (IRQ 7/15): %llu\n",
                 (unsigned long long)pic_spurious_count());
    return 0;
}
SHELL_DIAG_COMMAND(cmd_clock_entry, "clock", 't', "display multi-cpu clock info", cmd_clock,
                   4);
