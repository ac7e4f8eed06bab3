/* The hypervisor's log: printk and friends. Every line goes into the log ring (conring)
 * with its level, and to the serial console (prefixed "(XEN) ") as Xen decides: a line at or
 * below the lower threshold always, one up to the upper threshold while the rate limit lets
 * it (Xen's printk_ratelimit: a burst of 10 per 5 s; "printk: N messages suppressed." says
 * how many were not), one above it never. Lines a guest's actions cause (gprintk) have
 * their own pair of thresholds, guest_loglvl=, so a guest cannot flood the console. */
#ifndef KESTREL_CONSOLE_LOG_H
#define KESTREL_CONSOLE_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "console/loglevel.h"

struct conring;

/* The log ring's size until conring_size= moves it (also that option's default). */
#define LOG_RING_DEFAULT (64u << 10)

/* Time stamps on console lines (console_timestamps=, Xen 4.17 names). */
enum console_ts {
    CONSOLE_TS_NONE = 0,   /* none */
    CONSOLE_TS_DATE,       /* date:   [YYYY-MM-DD HH:MM:SS] */
    CONSOLE_TS_DATEMS,     /* datems: [YYYY-MM-DD HH:MM:SS.mmm] */
    CONSOLE_TS_BOOT,       /* boot:   [seconds.micro] since boot */
    CONSOLE_TS_RAW,        /* raw:    [raw TSC/time value] */
};

/* Log a message at level; text containing newlines becomes several lines. */
__attribute__((format(printf, 2, 3)))
void log_printf(int level, const char *fmt, ...);
void log_vprintf(int level, const char *fmt, va_list ap);

/* As in Xen, a message without a level has the default level, which is printed under the
 * default threshold (loglvl=warning); log_info and log_debug are for chattier lines. */
#define LOG_DEFAULT     LOG_WARNING
#define printk(...)     log_printf(LOG_DEFAULT, __VA_ARGS__)
#define log_info(...)   log_printf(LOG_INFO, __VA_ARGS__)
#define log_err(...)    log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_printf(LOG_WARNING, __VA_ARGS__)
#define log_debug(...)  log_printf(LOG_DEBUG, __VA_ARGS__)
/* A line caused by a guest (Xen's XENLOG_G_*): or'ed into the level, filtered by the
 * guest thresholds. */
#define LOG_GUEST       0x100
#define gprintk(level, ...) log_printf((level) | LOG_GUEST, __VA_ARGS__)

/* Where console lines go (the console layer's writer) and the clock for timestamps. */
typedef void (*log_sink_fn)(const char *s, size_t n);
typedef uint64_t (*log_clock_fn)(void);     /* nanoseconds since boot */
void log_set_sink(log_sink_fn sink);
void log_set_clock(log_clock_fn clock);

/* Console thresholds (loglvl=<lower>/<upper>; guest_loglvl= for the guests' lines). */
void log_set_levels(int lower, int upper);
void log_set_guest_levels(int lower, int upper);
/* One threshold for the host's lines, lower and upper alike (the loglvl command, keys + and
 * -): exactly the lines at or below it are printed. */
void log_set_threshold(int level);
int log_threshold(void);
int log_threshold_upper(void);
/* Timestamps on console lines: an enum console_ts mode. */
void log_set_timestamps(int mode);

/* Replace the ring's buffer (after conring_size= is known), keeping the lines held so far. */
void log_ring_resize(char *buf, size_t size);
struct conring *log_ring(void);
/* The panic path: forget that a log call was under way (it may be the one that faulted). */
void log_break_lock(void);
size_t log_ring_size(void);

#endif
