/* The panic path, with Xen's text: a line of stars, "Panic on CPU N:", the message, the
 * registers and a stack trace with function names (the architecture's trap_show_state, as
 * Xen's show_execution_state), the stars again, then a reboot after five seconds or, with
 * `noreboot`, a halt. Output is made synchronous first so every line reaches the serial
 * line before the machine stops. */
#include <stdarg.h>
#include <stdbool.h>
#include "core/panic.h"
#include "console/log.h"
#include "console/console.h"
#include "arch/trap.h"
#include "arch/cpu.h"
#include "arch/uart.h"
#include "arch/time.h"
#include "arch/reboot.h"
#include "arch/smp.h"

#define STARS "****************************************"

static bool noreboot;
static volatile int panic_depth;

void panic_set_noreboot(int v)
{
    noreboot = v != 0;
}

/* Everything after the message: common to both entry points. */
__attribute__((noreturn))
static void panic_finish(const struct trap_frame *tf)
{
    trap_show_state(tf);
    printk(STARS);
    printk("%s", "");
    if (noreboot) {
        printk("Manual reset required ('noreboot' specified)");
        uart_flush();
        machine_halt();
    }
    printk("Reboot in five seconds...");
    uart_flush();
    udelay(5000000);
    machine_restart();
}

/* Prepare the console for the panic text; a panic inside the panic just stops. */
static void panic_begin(void)
{
    irq_disable();
    if (panic_depth++) {
        uart_write("\r\n(XEN) nested panic; halting\r\n", 31);
        machine_halt();
    }
    smp_stop_others();
    uart_set_sync(true);
    log_break_lock();
    console_panic_mode();
    log_set_threshold(LOG_ALL);
    printk(STARS);
    printk("Panic on CPU %u:", smp_cpu_index());
}

void panic_trap(const struct trap_frame *tf, const char *fmt, ...)
{
    va_list ap;
    panic_begin();
    va_start(ap, fmt);
    log_vprintf(LOG_ERR, fmt, ap);
    va_end(ap);
    panic_finish(tf);
}

void panic(const char *fmt, ...)
{
    struct trap_frame tf;
    va_list ap;
    trap_capture(&tf);
    panic_begin();
    va_start(ap, fmt);
    log_vprintf(LOG_ERR, fmt, ap);
    va_end(ap);
    panic_finish(&tf);
}
