/* Time on the boot CPU: the TSC, calibrated against the PIT, is the clock; a periodic
 * tick (the LAPIC timer, or the PIT when there is no LAPIC) drives polling and, later,
 * preemption. */
#ifndef KESTREL_ARCH_TIME_H
#define KESTREL_ARCH_TIME_H

#include <stdint.h>

#define TICK_HZ 100

typedef void (*tick_fn)(void);

/* Calibrate the TSC; call before anything asks for the time. */
void time_init(void);
/* Start the periodic tick; fn runs in interrupt context on every tick. */
void tick_start(tick_fn fn);
uint64_t time_now_ns(void);
uint64_t tsc_hz(void);
uint64_t tick_count(void);
/* Which device drives the tick and at what rate, for `t` / `uptime`. */
const char *tick_source(void);
uint64_t lapic_timer_hz(void);
/* Busy-wait (for panics and device resets, where interrupts may be off). */
void udelay(uint64_t us);

#endif
