/* Time on the boot CPU: the TSC, calibrated against the PIT, is the clock; a periodic
 * tick (the LAPIC timer, or the PIT when there is no LAPIC) drives polling and preemption;
 * with a LAPIC, one extra deadline keeps events between ticks to time. */
#ifndef KESTREL_ARCH_TIME_H
#define KESTREL_ARCH_TIME_H

#include <stdint.h>

#define TICK_HZ 100

typedef void (*tick_fn)(void);

/* Start calibrating the TSC (and the APIC timer) against the PIT, in the background of
 * boot; call before anything asks for the time. */
void time_init(void);
/* End the calibration (waiting out its minimum window if need be). tsc_hz, udelay,
 * lapic_timer_hz and tick_start do so themselves; time_now_ns does not. */
void time_calibrate(void);
/* Start the periodic tick; fn runs in interrupt context on every tick. */
void tick_start(tick_fn fn);
/* Nanoseconds since time_init; 0 until the calibration has ended (boot counts as instant 0
 * until then, a few ms at most). */
uint64_t time_now_ns(void);
uint64_t tsc_hz(void);
uint64_t tick_count(void);
/* Ask for a timer interrupt at time_now_ns() == ns (0 or UINT64_MAX: none) besides the
 * periodic tick: one deadline, the last call wins, no closer than 50 us from now. Its
 * only effect is the interrupt (a running guest exits); no callback runs. Without a LAPIC
 * it does nothing (events keep the tick's granularity). */
void timer_deadline(uint64_t ns);
/* Which device drives the tick and at what rate, for `t` / `uptime`. */
const char *tick_source(void);
uint64_t lapic_timer_hz(void);
/* Busy-wait (for panics and device resets, where interrupts may be off). */
void udelay(uint64_t us);

#endif
