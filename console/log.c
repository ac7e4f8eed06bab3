/* printk: format a message, keep every line in the log ring with its level, and send the
 * lines its thresholds let through (console/log.h) to the console sink with Xen's "(XEN) "
 * prefix (and a timestamp when console_timestamps= asks for one). */
#include <stdbool.h>
#include "console/log.h"
#include "console/conring.h"
#include "lib/format.h"
#include "lib/string.h"

#define LOG_LINE_MAX 512

static char early_ring_buf[LOG_RING_DEFAULT];
static struct conring ring;
static bool ring_ready;
static log_sink_fn sink;
static log_clock_fn clock;
/* Printed always at or below lower; rate-limited up to upper; never above. */
struct log_gate { int lower, upper; };
static struct log_gate host_gate = { LOG_WARNING, LOG_WARNING };
static struct log_gate guest_gate = { LOG_NONE, LOG_WARNING };
#define RATELIMIT_NS    5000000000ULL   /* Xen's printk_ratelimit_ms */
#define RATELIMIT_BURST 10              /* and printk_ratelimit_burst */
static uint64_t rl_tokens = RATELIMIT_BURST * RATELIMIT_NS, rl_last_ns;
static unsigned rl_suppressed;
static int ts_mode = CONSOLE_TS_NONE;
static bool in_log;      /* a fault while logging must not recurse into the ring */

void log_set_sink(log_sink_fn fn) { sink = fn; }
void log_set_clock(log_clock_fn fn) { clock = fn; }
void log_set_levels(int lower, int upper)
{
    host_gate = (struct log_gate){ lower, upper < lower ? lower : upper };
}

void log_set_guest_levels(int lower, int upper)
{
    guest_gate = (struct log_gate){ lower, upper < lower ? lower : upper };
}

void log_set_threshold(int level) { log_set_levels(level, level); }
int log_threshold(void) { return host_gate.lower; }
int log_threshold_upper(void) { return host_gate.upper; }
void log_set_timestamps(int mode) { ts_mode = mode; }
void log_break_lock(void) { in_log = false; }

/* The ring exists from the first printk, in a static buffer of the default size. */
static void ring_init_once(void)
{
    if (!ring_ready) {
        conring_init(&ring, early_ring_buf, sizeof(early_ring_buf));
        ring_ready = true;
    }
}

struct conring *log_ring(void)
{
    ring_init_once();
    return &ring;
}

size_t log_ring_size(void)
{
    ring_init_once();
    return ring.size;
}

/* Move every held line into buf and use it from now on. */
void log_ring_resize(char *buf, size_t size)
{
    static char line[LOG_LINE_MAX];
    struct conring fresh;
    struct conring_iter it;
    int level;

    ring_init_once();
    conring_init(&fresh, buf, size);
    conring_iter_start(&ring, &it);
    while (conring_iter_next(&ring, &it, &level, line, sizeof(line), NULL) >= 0)
        conring_put(&fresh, level, line, strlen(line));
    fresh.dropped += ring.dropped;
    ring = fresh;
}

/* Format the console timestamp prefix for now into buf (empty when off). */
static void format_timestamp(char *buf, size_t size)
{
    buf[0] = '\0';
    if (ts_mode == CONSOLE_TS_NONE || !clock)
        return;
    uint64_t ns = clock();
    if (ts_mode == CONSOLE_TS_RAW) {
        snprintf(buf, size, "[%016llx] ", (unsigned long long)ns);
        return;
    }
    /* No wall clock is kept: date modes show time since boot as Xen does before the RTC is read. */
    uint64_t s = ns / 1000000000ULL, us = (ns / 1000ULL) % 1000000ULL;
    if (ts_mode == CONSOLE_TS_DATEMS)
        snprintf(buf, size, "[%5llu.%03llu] ", (unsigned long long)s,
                 (unsigned long long)(us / 1000));
    else if (ts_mode == CONSOLE_TS_DATE)
        snprintf(buf, size, "[%5llu] ", (unsigned long long)s);
    else
        snprintf(buf, size, "[%5llu.%06llu] ", (unsigned long long)s, (unsigned long long)us);
}

/* Xen's __printk_ratelimit: a token bucket of RATELIMIT_BURST lines refilled one per
 * RATELIMIT_NS. True when a rate-limited line may be printed now. */
static bool ratelimit_ok(void)
{
    uint64_t now = clock ? clock() : 0;
    rl_tokens += now - rl_last_ns;
    rl_last_ns = now;
    if (rl_tokens > RATELIMIT_BURST * RATELIMIT_NS)
        rl_tokens = RATELIMIT_BURST * RATELIMIT_NS;
    if (rl_tokens < RATELIMIT_NS) {
        rl_suppressed++;
        return false;
    }
    rl_tokens -= RATELIMIT_NS;
    return true;
}

static void emit_console(const char *text, size_t n);

/* Keep one line and print it when its thresholds let it through. */
static void emit_line(int level, const char *text, size_t n)
{
    const struct log_gate *gate = (level & LOG_GUEST) ? &guest_gate : &host_gate;
    level &= ~LOG_GUEST;
    conring_put(&ring, level, text, n);
    if (level > gate->upper || !sink)
        return;
    if (level > gate->lower) {
        if (!ratelimit_ok())
            return;
        if (rl_suppressed) {
            char note[48];
            int len = snprintf(note, sizeof(note), "printk: %u messages suppressed.",
                               rl_suppressed);
            rl_suppressed = 0;
            emit_console(note, (size_t)len);
        }
    }
    emit_console(text, n);
}

/* Send one line to the console sink, prefixed and stamped. */
static void emit_console(const char *text, size_t n)
{
    char out[LOG_LINE_MAX + 48];
    char ts[40];

    format_timestamp(ts, sizeof(ts));
    int len = snprintf(out, sizeof(out), "(XEN) %s%.*s\r\n", ts, (int)n, text);
    if (len >= (int)sizeof(out)) {
        len = (int)sizeof(out) - 1;
        out[len - 2] = '\r';
        out[len - 1] = '\n';
    }
    sink(out, (size_t)len);
}

void log_vprintf(int level, const char *fmt, va_list ap)
{
    static char msg[LOG_LINE_MAX * 4];

    ring_init_once();
    if (in_log)
        return;
    in_log = true;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    const char *p = msg;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n || nl || p == msg)      /* an empty message is one empty line */
            emit_line(level, p, n > LOG_LINE_MAX ? LOG_LINE_MAX : n);
        if (!nl || !nl[1])
            break;
        p = nl + 1;
    }
    in_log = false;
}

void log_printf(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(level, fmt, ap);
    va_end(ap);
}
