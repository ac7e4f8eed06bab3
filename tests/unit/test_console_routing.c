/* Unit tests for console routing: console/console.c with the real switch (conswitch.c),
 * line editor, log (log.c, conring.c, loglevel.c) and per-domain consoles
 * (src/core/dom_console.c), the serial line being a capture buffer. What goes where:
 * hypervisor log lines by level (threshold, ring keeps all, multi-line, cut long lines,
 * timestamps); a prompt hidden by asynchronous lines and shown again after a quiet moment
 * with the half-typed line; domain output as "(dN) " lines while input belongs to the shell,
 * raw while it belongs to that domain, held (ring only) while it belongs to another; input
 * bytes to the shell or, after CTRL-a x3, to the domain's UART queue (overflow counted,
 * pumped as the FIFO makes room); and `console <dom>`'s backlog (bare LF -> CR LF, the last
 * 16 KiB). The shell and the UART FIFO are recording stubs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "console/console.h"
#include "console/conswitch.h"
#include "console/conring.h"
#include "console/log.h"
#include "core/bootopts.h"
#include "core/domain.h"
#include "core/dom_console.h"

/* ---- the serial line ---------------------------------------------------------------- */
static char ser[65536];
static size_t ser_len;
static void serial_out(const char *s, size_t n)
{
    assert_true(ser_len + n < sizeof(ser));
    memcpy(ser + ser_len, s, n);
    ser_len += n;
    ser[ser_len] = 0;
}
static void ser_clear(void) { ser_len = 0; ser[0] = 0; }

/* ---- stubs: the shell, the UART's receive FIFO -------------------------------------- */
static char executed[8][256];
static int n_executed;
static console_write_fn shell_out;
void shell_init(void (*out)(const char *s, size_t n)) { shell_out = out; }
int shell_execute(char *line)
{
    snprintf(executed[n_executed++ % 8], 256, "%s", line);
    return 0;
}
void shell_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    shell_out("(XEN) ", 6);
    shell_out(buf, (size_t)n);
}
const char *shell_complete_candidate(void *ctx, const char *line, unsigned word, unsigned i)
{
    (void)ctx; (void)line; (void)word; (void)i;
    return NULL;
}
static size_t fifo_room;
static uint8_t fifo[4096];
static size_t fifo_len;
size_t vuart_rx_push(struct vuart *u, const uint8_t *bytes, size_t n)
{
    (void)u;
    size_t k = n < fifo_room ? n : fifo_room;
    memcpy(fifo + fifo_len, bytes, k);
    fifo_len += k;
    fifo_room -= k;
    return k;
}

/* ---- two domains, d1 and d2, plugged into the switch -------------------------------- */
static struct domain d1, d2;
static char ring1[DOMAIN_CONRING_SIZE], ring2[DOMAIN_CONRING_SIZE];
static struct domain *dom(int id) { return id == 1 ? &d1 : id == 2 ? &d2 : NULL; }
static int dom_next(int cur) { return cur == CONSWITCH_XEN ? 1 : cur == 1 ? 2 : CONSWITCH_XEN; }
static void dom_deliver(int id, const unsigned char *b, size_t n)
{
    domain_console_in(dom(id), b, n);
}
static const struct console_domain_ops ops = { dom_next, dom_deliver };

static int setup(void **state)
{
    (void)state;
    memset(&d1, 0, sizeof(d1));
    memset(&d2, 0, sizeof(d2));
    d1.id = 1;
    d2.id = 2;
    d1.con_ring = ring1;
    d2.con_ring = ring2;
    console_init(serial_out, 'a');
    console_set_domain_ops(&ops);
    log_set_threshold(LOG_WARNING);
    log_set_timestamps(CONSOLE_TS_NONE);
    conring_clear(log_ring());
    console_start();
    /* A prompt an earlier test left hidden: shown now, so each test starts clean. */
    console_idle(1);
    console_idle(2 + CONSOLE_PROMPT_QUIET_NS);
    ser_clear();
    n_executed = 0;
    fifo_room = sizeof(fifo);
    fifo_len = 0;
    return 0;
}

static void type(const char *s)
{
    while (*s)
        console_input((unsigned char)*s++);
}
static void guest_says(struct domain *d, const char *s)
{
    while (*s)
        domain_console_out(d, (uint8_t)*s++);
}
static const char CTRL_A3[] = "\x01\x01\x01";

/* ---- the log ------------------------------------------------------------------------ */

static void test_log_levels_pick_the_console_lines(void **state)
{
    (void)state;
    log_err("an error");
    printk("a warning");
    log_info("some info");
    log_debug("a debug line");
    assert_string_equal(ser, "\r\x1b[K(XEN) an error\r\n(XEN) a warning\r\n");
    /* Every line is in the ring with its level, printed or not. */
    assert_int_equal(conring_lines(log_ring()), 4);
    char line[64];
    int level;
    assert_true(conring_get(log_ring(), 3, &level, line, sizeof(line)) > 0);
    assert_string_equal(line, "a debug line");
    assert_int_equal(level, LOG_DEBUG);
    /* loglvl=all prints debug, none prints nothing, not even errors. */
    ser_clear();
    log_set_threshold(LOG_ALL);
    log_debug("now debug");
    assert_string_equal(ser, "(XEN) now debug\r\n");
    ser_clear();
    log_set_threshold(LOG_NONE);
    log_err("silenced");
    assert_string_equal(ser, "");
    assert_int_equal(conring_lines(log_ring()), 6);
}

static uint64_t now_ns;
static uint64_t test_clock(void) { return now_ns; }

/* loglvl=<lower>/<upper> as Xen has it: up to lower always, up to upper at most 10 lines per
 * 5 s (then one "printk: N messages suppressed." before the next), above upper never; and
 * gprintk lines by guest_loglvl= alone. */
static void test_log_rate_limit_and_guest_levels(void **state)
{
    (void)state;
    now_ns = 1;
    log_set_clock(test_clock);
    log_set_levels(LOG_ERR, LOG_INFO);
    log_set_guest_levels(LOG_NONE, LOG_WARNING);
    for (int i = 0; i < 30; i++)
        log_info("chatty %d", i);
    assert_non_null(strstr(ser, "(XEN) chatty 0\r\n"));
    /* The bucket may have been partly used by an earlier line: at most 10 got through. */
    assert_null(strstr(ser, "(XEN) chatty 10\r\n"));
    assert_null(strstr(ser, "chatty 29"));
    log_err("errors always");
    assert_non_null(strstr(ser, "(XEN) errors always\r\n"));
    log_debug("never");
    assert_null(strstr(ser, "never"));
    ser_clear();
    now_ns += 5000000001ull;                        /* one token back */
    log_info("after the pause");
    assert_non_null(strstr(ser, "(XEN) printk: "));
    assert_non_null(strstr(ser, " messages suppressed.\r\n(XEN) after the pause\r\n"));
    /* Guest-caused lines: info is above guest_loglvl's upper (warning): ring only. */
    ser_clear();
    now_ns += 60000000000ull;
    gprintk(LOG_INFO, "d1: guest info");
    assert_string_equal(ser, "");
    gprintk(LOG_WARNING, "d1: guest warning");      /* rate-limited, passes */
    assert_string_equal(ser, "(XEN) d1: guest warning\r\n");
    log_set_guest_levels(LOG_ALL, LOG_ALL);
    gprintk(LOG_DEBUG, "d1: guest debug");
    assert_non_null(strstr(ser, "(XEN) d1: guest debug\r\n"));
    char line[64];
    int level;
    unsigned n = conring_lines(log_ring());
    assert_true(conring_get(log_ring(), n - 1, &level, line, sizeof(line)) > 0);
    assert_int_equal(level, LOG_DEBUG);                 /* the guest flag is not kept */
    log_set_guest_levels(LOG_NONE, LOG_WARNING);
    log_set_threshold(LOG_WARNING);
    log_set_clock(NULL);
}

static void test_log_multiline_long_and_timestamps(void **state)
{
    (void)state;
    printk("one\ntwo\n");
    assert_string_equal(ser, "\r\x1b[K(XEN) one\r\n(XEN) two\r\n");
    ser_clear();
    char big[700];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    printk("%s", big);
    assert_int_equal(ser_len, 6 + 512 + 2);            /* cut at 512, still CR LF */
    assert_memory_equal(ser + ser_len - 3, "x\r\n", 3);
    ser_clear();
    log_set_clock(NULL);
    log_set_timestamps(CONSOLE_TS_BOOT);
    printk("no clock");                                 /* no clock: no stamp */
    assert_string_equal(ser, "(XEN) no clock\r\n");
}

static uint64_t fixed_clock(void) { return 1234567891234ull; }

static void test_log_timestamp_modes(void **state)
{
    (void)state;
    log_set_clock(fixed_clock);
    static const struct { int mode; const char *want; } cases[] = {
        { CONSOLE_TS_BOOT, "(XEN) [ 1234.567891] t\r\n" },
        { CONSOLE_TS_DATEMS, "(XEN) [ 1234.567] t\r\n" },
        { CONSOLE_TS_DATE, "(XEN) [ 1234] t\r\n" },
        { CONSOLE_TS_RAW, "(XEN) [0000011f71fb0922] t\r\n" },
    };
    for (unsigned i = 0; i < 4; i++) {
        log_set_timestamps(cases[i].mode);
        ser_clear();
        printk("t");
        char *p = strstr(ser, "(XEN)");
        assert_non_null(p);
        assert_string_equal(p, cases[i].want);
    }
    log_set_clock(NULL);
}

/* ---- the prompt around asynchronous lines -------------------------------------------- */

static void test_prompt_hidden_then_redrawn_with_the_half_line(void **state)
{
    (void)state;
    type("lis");
    assert_string_equal(ser, "lis");
    ser_clear();
    printk("async");
    assert_string_equal(ser, "\r\x1b[K(XEN) async\r\n");     /* prompt line erased */
    ser_clear();
    console_idle(1000);                     /* output just happened: the quiet starts now */
    console_idle(1000 + CONSOLE_PROMPT_QUIET_NS - 1);
    assert_string_equal(ser, "");
    console_idle(1000 + CONSOLE_PROMPT_QUIET_NS);
    assert_non_null(strstr(ser, "(XEN) lis"));
    /* The line goes on where it was. */
    type("t\r");
    assert_int_equal(n_executed, 1);
    assert_string_equal(executed[0], "list");
}

static void test_typing_brings_the_prompt_back_at_once(void **state)
{
    (void)state;
    printk("async");
    ser_clear();
    type("h");
    assert_non_null(strstr(ser, "(XEN) "));
    assert_non_null(strstr(ser, "h"));
    type("\r");
    assert_string_equal(executed[0], "h");
}

/* ---- domain output ------------------------------------------------------------------- */

static void test_domain_lines_while_the_shell_has_input(void **state)
{
    (void)state;
    guest_says(&d1, "hel");
    assert_string_equal(ser, "");                       /* a line is shown whole */
    guest_says(&d1, "lo\r\n");
    assert_string_equal(ser, "\r\x1b[K(d1) hello\r\n");
    ser_clear();
    guest_says(&d2, "two\n");
    assert_string_equal(ser, "(d2) two\r\n");
    /* A line of 256 bytes without a newline is shown at 256. */
    ser_clear();
    for (int i = 0; i < DOMAIN_LINE_MAX; i++)
        domain_console_out(&d1, 'y');
    assert_int_equal(ser_len, 5 + DOMAIN_LINE_MAX + 2);
    /* Everything, CRs included, is in the domain's ring. */
    assert_memory_equal(ring1, "hello\r\n", 7);
    assert_int_equal(d1.con_bytes, 7 + DOMAIN_LINE_MAX);
}

static void test_attached_domain_is_raw_others_are_held(void **state)
{
    (void)state;
    guest_says(&d1, "half");                /* pending when input moves to d1 */
    type(CTRL_A3);
    assert_int_equal(console_input_owner(), 1);
    assert_non_null(strstr(ser, "*** Serial input to DOM1"));
    ser_clear();
    guest_says(&d1, "!");
    /* The pending half line comes out prefixed (no prompt to erase: input is d1's), then
     * the byte raw. */
    assert_string_equal(ser, "(d1) half\r\n!");
    ser_clear();
    guest_says(&d1, "raw\r\nbytes");
    assert_string_equal(ser, "raw\r\nbytes");
    /* d2 talks meanwhile: only its ring gets it. */
    ser_clear();
    guest_says(&d2, "chatter\nmore");
    assert_string_equal(ser, "");
    assert_memory_equal(ring2, "chatter\nmore", 12);
    /* Hypervisor log lines always print. */
    printk("xen speaks");
    assert_string_equal(ser, "(XEN) xen speaks\r\n");
    /* Back to the shell via d2 (CTRL-a x3 twice): d2's next line is shown again (the
     * guest's line "more" + "later"), the line finished while held was not. */
    type(CTRL_A3);
    assert_int_equal(console_input_owner(), 2);
    type(CTRL_A3);
    assert_int_equal(console_input_owner(), CONSWITCH_XEN);
    ser_clear();
    guest_says(&d2, "later\n");
    assert_non_null(strstr(ser, "(d2) morelater\r\n"));
    assert_null(strstr(ser, "chatter"));
}

static void test_input_goes_to_the_owner(void **state)
{
    (void)state;
    type("ab");                             /* to the shell's line, not to a domain */
    assert_int_equal(fifo_len, 0);
    type("\x15");                           /* CTRL-U: clear it */
    type(CTRL_A3);                          /* -> d1 */
    type("ls\r");
    assert_int_equal(fifo_len, 3);
    assert_memory_equal(fifo, "ls\r", 3);
    assert_int_equal(n_executed, 0);
    /* One or two CTRL-a presses followed by another byte reach the domain too. */
    type("\x01x");
    assert_memory_equal(fifo + 3, "\x01x", 2);
    type(CTRL_A3);                          /* -> d2 */
    type("q");
    assert_int_equal(d2.rx_head, 1);        /* queued and delivered at once (FIFO room) */
    assert_int_equal(d2.rx_tail, 1);
    assert_int_equal(fifo[5], 'q');
}

static void test_domain_input_queue_overflow_and_pump(void **state)
{
    (void)state;
    fifo_room = 0;                          /* the guest is not reading */
    uint8_t bytes[DOMAIN_RX_QUEUE + 76];
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (uint8_t)i;
    domain_console_in(&d1, bytes, sizeof(bytes));
    assert_int_equal(d1.rx_head - d1.rx_tail, DOMAIN_RX_QUEUE);
    assert_int_equal(d1.con_dropped_input, 76);
    /* The FIFO makes room for 16: exactly the oldest 16 move, in order. */
    fifo_room = 16;
    domain_console_pump(&d1);
    assert_int_equal(fifo_len, 16);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(fifo[i], (uint8_t)i);
    assert_int_equal(d1.rx_head - d1.rx_tail, DOMAIN_RX_QUEUE - 16);
    fifo_room = sizeof(fifo);
    domain_console_pump(&d1);
    assert_int_equal(fifo_len, DOMAIN_RX_QUEUE);
    assert_int_equal(fifo[DOMAIN_RX_QUEUE - 1], (uint8_t)(DOMAIN_RX_QUEUE - 1));
}

static void test_backlog(void **state)
{
    (void)state;
    guest_says(&d1, "bare\nguest's own\r\nend");
    ser_clear();
    domain_console_backlog(&d1);
    assert_string_equal(ser, "bare\r\nguest's own\r\nend");
    /* After more than 16 KiB only the last 16 KiB are held. */
    for (unsigned i = 0; i < DOMAIN_CONRING_SIZE + 100; i++)
        domain_console_out(&d2, (uint8_t)('a' + i % 26));
    ser_clear();
    domain_console_backlog(&d2);
    size_t lines = 0;
    for (size_t i = 0; i < ser_len; i++)
        lines += ser[i] == '\n';
    /* The (d2) lines printed while it ran are not part of the backlog: only ring bytes. */
    assert_int_equal(ser_len, DOMAIN_CONRING_SIZE);
    assert_int_equal(lines, 0);
    assert_int_equal(ser[0], 'a' + 100 % 26);
    assert_int_equal(ser[ser_len - 1], 'a' + (DOMAIN_CONRING_SIZE + 99) % 26);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_log_levels_pick_the_console_lines, setup),
        cmocka_unit_test_setup(test_log_rate_limit_and_guest_levels, setup),
        cmocka_unit_test_setup(test_log_multiline_long_and_timestamps, setup),
        cmocka_unit_test_setup(test_log_timestamp_modes, setup),
        cmocka_unit_test_setup(test_prompt_hidden_then_redrawn_with_the_half_line, setup),
        cmocka_unit_test_setup(test_typing_brings_the_prompt_back_at_once, setup),
        cmocka_unit_test_setup(test_domain_lines_while_the_shell_has_input, setup),
        cmocka_unit_test_setup(test_attached_domain_is_raw_others_are_held, setup),
        cmocka_unit_test_setup(test_input_goes_to_the_owner, setup),
        cmocka_unit_test_setup(test_domain_input_queue_overflow_and_pump, setup),
        cmocka_unit_test_setup(test_backlog, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
