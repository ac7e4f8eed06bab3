/* Unit tests for the boot command line (src/core/bootopts.c) and the log level names
 * (console/loglevel.c): every option, its accepted forms and its error lines; the image name
 * rule; com1= in all its forms; the describe output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/bootopts.h"
#include "console/loglevel.h"

struct errs {
    int n;
    char msg[8][400];
};

static void on_err(void *ctx, const char *msg)
{
    struct errs *e = ctx;

    assert_null(strchr(msg, '\n'));
    if (e->n < 8)
        snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
    e->n++;
}

static struct bootopts o;
static struct errs e;

/* Parse line over defaults, collecting complaints in e. */
static void parse(const char *line)
{
    memset(&e, 0, sizeof(e));
    bootopts_defaults(&o);
    bootopts_parse(&o, line, on_err, &e);
}

/* Parse line and expect exactly one complaint that contains every given piece. */
static void parse_bad(const char *line, const char *piece1, const char *piece2)
{
    parse(line);
    assert_int_equal(e.n, 1);
    assert_non_null(strstr(e.msg[0], piece1));
    if (piece2)
        assert_non_null(strstr(e.msg[0], piece2));
}

static void test_loglevel_names(void **state)
{
    (void)state;
    assert_int_equal(loglevel_parse("none"), LOG_NONE);
    assert_int_equal(loglevel_parse("error"), LOG_ERR);
    assert_int_equal(loglevel_parse("warning"), LOG_WARNING);
    assert_int_equal(loglevel_parse("info"), LOG_INFO);
    assert_int_equal(loglevel_parse("debug"), LOG_DEBUG);
    assert_int_equal(loglevel_parse("all"), LOG_ALL);
    assert_int_equal(loglevel_parse("inf"), -1);
    assert_int_equal(loglevel_parse("INFO"), -1);
    assert_int_equal(loglevel_parse(""), -1);
    assert_int_equal(loglevel_parse(NULL), -1);
    assert_int_equal(loglevel_parse_n("info/debug", 4), LOG_INFO);
    assert_int_equal(loglevel_parse_n(NULL, 3), -1);
    for (int l = LOG_NONE; l <= LOG_ALL; l++)
        assert_int_equal(loglevel_parse(loglevel_name(l)), l);
    assert_string_equal(loglevel_name(-1), "?");
    assert_string_equal(loglevel_name(6), "?");
}

static void test_defaults(void **state)
{
    (void)state;
    parse(NULL);
    assert_int_equal(e.n, 0);
    assert_int_equal(o.console_uart, 1);
    assert_false(o.console_vga);
    assert_int_equal(o.com1.baud, 115200);
    assert_int_equal(o.com1.clock_hz, 1843200);
    assert_int_equal(o.com1.data_bits, 8);
    assert_int_equal(o.com1.parity, 'n');
    assert_int_equal(o.com1.stop_bits, 1);
    assert_int_equal(o.com1.io_base, 0x3f8);
    assert_int_equal(o.com1.irq, 4);
    assert_int_equal(o.com2.io_base, 0x2f8);
    assert_int_equal(o.com2.irq, 3);
    assert_int_equal(o.conswitch_char, 'a');
    assert_false(o.conswitch_noauto);
    assert_int_equal(o.conring_size, 65536);
    assert_int_equal(o.loglvl, LOG_WARNING);
    assert_int_equal(o.loglvl_rate, LOG_WARNING);
    assert_int_equal(o.guest_loglvl, LOG_NONE);
    assert_int_equal(o.guest_loglvl_rate, LOG_WARNING);
    assert_false(o.sync_console);
    assert_false(o.noreboot);
    assert_int_equal(o.console_timestamps, CONSOLE_TS_NONE);
    assert_int_equal(o.mem_limit, 0);
    assert_int_equal(o.sched_slice_ms, 10);
    assert_string_equal(o.raw, "");
    parse("   \t  ");
    assert_int_equal(e.n, 0);
}

static void test_image_name_and_separators(void **state)
{
    (void)state;
    parse("/boot/kestrel.elf noreboot");
    assert_int_equal(e.n, 0);
    assert_true(o.noreboot);
    assert_string_equal(o.raw, "/boot/kestrel.elf noreboot");
    parse("noreboot sync_console");          /* no image name: the first word is an option */
    assert_int_equal(e.n, 0);
    assert_true(o.noreboot);
    assert_true(o.sync_console);
    parse("no-noreboot");
    assert_int_equal(e.n, 0);
    parse("loglvl=all");                     /* first word with '=' is an option */
    assert_int_equal(o.loglvl, LOG_ALL);
    parse("kestrel   foo");                  /* only the first word is the image name */
    assert_int_equal(e.n, 1);
    assert_string_equal(e.msg[0], "unknown boot option 'foo' ignored");
    parse("k\tnoreboot\t\tsync_console\n");   /* tabs and newlines separate too */
    assert_int_equal(e.n, 0);
    assert_true(o.sync_console);
    parse("k noreboot -- sync_console dom0opt=1");   /* after " -- " it is dom0's */
    assert_int_equal(e.n, 0);
    assert_true(o.noreboot);
    assert_false(o.sync_console);
    char img[600];
    memset(img, 'p', sizeof(img) - 1);
    img[sizeof(img) - 1] = '\0';
    parse(img);                              /* a long image path is still skipped */
    assert_int_equal(e.n, 0);
}

static void test_unknown_options(void **state)
{
    (void)state;
    parse("k foo=1 noreboot bar");
    assert_int_equal(e.n, 2);
    assert_string_equal(e.msg[0], "unknown boot option 'foo=1' ignored");
    assert_string_equal(e.msg[1], "unknown boot option 'bar' ignored");
    assert_true(o.noreboot);                 /* parsing goes on */
    parse_bad("k no-com1", "unknown boot option 'no-com1'", NULL);   /* no- is for booleans */
    parse_bad("k no-", "unknown boot option 'no-'", NULL);
    parse_bad("k =1", "unknown boot option '=1'", NULL);
    parse_bad("k NOREBOOT", "unknown", NULL);
    char line[400] = "k ";
    memset(line + 2, 'w', 300);
    line[302] = '\0';
    parse_bad(line, "300 bytes long", "ignored");
}

static void test_booleans(void **state)
{
    static const char *const yes[] = { "1", "yes", "true", "on", "enable" };
    static const char *const no[] = { "0", "no", "false", "off", "disable" };
    char line[64];

    (void)state;
    for (int i = 0; i < 5; i++) {
        snprintf(line, sizeof(line), "k noreboot=%s sync_console=%s", yes[i], yes[i]);
        parse(line);
        assert_int_equal(e.n, 0);
        assert_true(o.noreboot);
        assert_true(o.sync_console);
        snprintf(line, sizeof(line), "k noreboot sync_console noreboot=%s sync_console=%s",
                 no[i], no[i]);
        parse(line);
        assert_int_equal(e.n, 0);
        assert_false(o.noreboot);
        assert_false(o.sync_console);
        /* Xen: no- inverts the value */
        snprintf(line, sizeof(line), "k no-noreboot=%s", no[i]);
        parse(line);
        assert_true(o.noreboot);
    }
    parse("k sync_console no-sync_console");
    assert_int_equal(e.n, 0);
    assert_false(o.sync_console);
    parse("k no-noreboot=1");
    assert_false(o.noreboot);
    parse_bad("k noreboot=maybe", "bad value 'noreboot=maybe'", "using the default");
    assert_false(o.noreboot);
    parse_bad("k sync_console=", "bad value 'sync_console='", NULL);
    parse_bad("k no-sync_console=2", "bad value", NULL);
}

static void test_console(void **state)
{
    (void)state;
    parse("k console=com1,vga");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.console_uart, 1);
    assert_true(o.console_vga);
    parse("k console=vga");
    assert_int_equal(o.console_uart, 0);
    assert_true(o.console_vga);
    parse("k console=none");
    assert_int_equal(o.console_uart, 0);
    assert_false(o.console_vga);
    parse("k console=com2");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.console_uart, 2);
    assert_false(o.console_vga);
    parse("k console=vga,com2,com2");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.console_uart, 2);
    assert_true(o.console_vga);
    parse_bad("k console=com1,com2", "bad value 'console=com1,com2'",
              "one serial console at a time (com1 or com2)");
    assert_int_equal(o.console_uart, 1);     /* the default stays */
    parse_bad("k console=com3", "unsupported console 'com3' (valid: com1, com2, vga, none)",
              NULL);
    parse_bad("k console=com1,", "unsupported console ''", NULL);
    parse_bad("k console", "needs a value", NULL);
}

static void test_com1_forms(void **state)
{
    (void)state;
    parse("k com1=9600");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.baud, 9600);
    assert_int_equal(o.com1.io_base, 0x3f8);
    parse("k com1=115200,8n1");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.data_bits, 8);
    parse("k com1=57600,7e2,0x2e8,5");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.baud, 57600);
    assert_int_equal(o.com1.data_bits, 7);
    assert_int_equal(o.com1.parity, 'e');
    assert_int_equal(o.com1.stop_bits, 2);
    assert_int_equal(o.com1.io_base, 0x2e8);
    assert_int_equal(o.com1.irq, 5);
    parse("k com1=auto,5o1,3f8,0");           /* hex without 0x, irq 0 = polled */
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.baud, 0);
    assert_int_equal(o.com1.parity, 'o');
    assert_int_equal(o.com1.data_bits, 5);
    assert_int_equal(o.com1.irq, 0);
    parse("k com1=auto");
    assert_int_equal(o.com1.baud, 0);
    parse("k com1=115200/7372800,8m1");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.clock_hz, 7372800);
    assert_int_equal(o.com1.parity, 'm');
    parse("k com1=921600/14745600,8s1");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.baud, 921600);
    assert_int_equal(o.com1.parity, 's');
    parse("k com1=115200,,0x2f8");           /* Xen's empty fields keep the old values */
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.io_base, 0x2f8);
    assert_int_equal(o.com1.data_bits, 8);
    assert_int_equal(o.com1.irq, 4);
    parse("k com1=,,,3");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.baud, 115200);
    assert_int_equal(o.com1.irq, 3);
    parse("k com1=/3686400");                /* clock only */
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com1.clock_hz, 3686400);
    parse("k com1=");
    assert_int_equal(e.n, 0);
    parse("k com1=9600,8N1");                /* upper-case parity is fine */
    assert_int_equal(o.com1.parity, 'n');
    parse("k com2=19200,8n1,0x2f8,3 com1=38400");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.com2.baud, 19200);
    assert_int_equal(o.com1.baud, 38400);
    /* every listed baud is accepted */
    static const unsigned bauds[] = { 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200,
                                      230400, 460800, 921600 };
    for (size_t i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++) {
        char line[64];
        snprintf(line, sizeof(line), "k com1=%u", bauds[i]);
        parse(line);
        assert_int_equal(e.n, 0);
        assert_int_equal(o.com1.baud, bauds[i]);
    }
}

static void test_com1_bad(void **state)
{
    (void)state;
    parse("k com1=9999,8n1");
    assert_int_equal(e.n, 1);
    assert_string_equal(e.msg[0], "bad value 'com1=9999,8n1': unsupported baud 9999 (valid: "
                        "auto 1200 2400 4800 9600 19200 38400 57600 115200 230400 460800 "
                        "921600); using the default");
    assert_int_equal(o.com1.baud, 115200);
    parse_bad("k com1=fast", "baud 'fast' is not a number", NULL);
    parse_bad("k com1=-9600", "not a number", NULL);
    parse_bad("k com1=99999999999999999999", "not a number", NULL);
    parse_bad("k com1=115200,9n1", "bad format '9n1'", NULL);
    parse_bad("k com1=115200,4n1", "bad format", NULL);
    parse_bad("k com1=115200,8x1", "bad format", NULL);
    parse_bad("k com1=115200,8n3", "bad format", NULL);
    parse_bad("k com1=115200,8n", "bad format", NULL);
    parse_bad("k com1=115200,8n11", "bad format", NULL);
    parse_bad("k com1=115200,8n1,0xzz", "bad io-base '0xzz'", NULL);
    parse_bad("k com1=115200,8n1,0x10000", "bad io-base", NULL);
    parse_bad("k com1=115200,8n1,0", "bad io-base", NULL);
    parse_bad("k com1=115200,8n1,pci", "bad io-base 'pci'", NULL);
    parse_bad("k com1=115200,8n1,0x3f8,x", "bad irq 'x'", NULL);
    parse_bad("k com1=115200,8n1,0x3f8,256", "bad irq", NULL);
    parse_bad("k com1=115200,8n1,0x3f8,msi", "bad irq", NULL);
    parse_bad("k com1=115200,8n1,0x3f8,4,0", "too many fields", NULL);
    parse_bad("k com1=115200,8n1,0x3f8,4,", "too many fields", NULL);
    parse_bad("k com1=115200/0", "clock '0'", NULL);
    parse_bad("k com1=115200/abc", "clock 'abc'", NULL);
    parse_bad("k com1=1200/4000000000", "cannot be made", NULL);
    parse_bad("k com1", "needs a value", NULL);
    /* a failure changes nothing, even fields before the bad one */
    parse("k com1=9600,7e1,0x2e8,x");
    assert_int_equal(e.n, 1);
    assert_int_equal(o.com1.baud, 115200);
    assert_int_equal(o.com1.data_bits, 8);
    assert_int_equal(o.com1.io_base, 0x3f8);
}

static void test_uart_config_parse_direct(void **state)
{
    struct uart_config c;
    const char *why = NULL;

    (void)state;
    bootopts_defaults(&o);
    c = o.com1;
    assert_int_equal(uart_config_parse("115200,8n1,0x3f8,4", &c, &why), 0);
    assert_int_equal(uart_config_parse("38400,,,", &c, &why), 0);
    assert_int_equal(c.baud, 38400);
    assert_int_equal(uart_config_parse("12", &c, &why), -1);
    assert_non_null(strstr(why, "unsupported baud 12"));
    assert_int_equal(c.baud, 38400);
    assert_int_equal(uart_config_parse(NULL, &c, &why), -1);
    assert_int_equal(uart_config_parse("9600", NULL, &why), -1);
    assert_int_equal(uart_config_parse("x", &c, NULL), -1);
}

static void test_conswitch(void **state)
{
    (void)state;
    parse("k conswitch=b");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.conswitch_char, 'b');
    assert_false(o.conswitch_noauto);
    parse("k conswitch=zx");
    assert_int_equal(o.conswitch_char, 'z');
    assert_true(o.conswitch_noauto);
    parse("k conswitch=xx");
    assert_int_equal(o.conswitch_char, 'x');
    assert_true(o.conswitch_noauto);
    parse_bad("k conswitch=A", "bad value 'conswitch=A'", "a-z");
    assert_int_equal(o.conswitch_char, 'a');
    parse_bad("k conswitch=1", "bad value", NULL);
    parse_bad("k conswitch=ay", "bad value", NULL);
    parse_bad("k conswitch=axx", "bad value", NULL);
    parse_bad("k conswitch=", "bad value", NULL);
    parse_bad("k conswitch", "bad value", NULL);
}

static void test_conring_size(void **state)
{
    (void)state;
    parse("k conring_size=128k");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.conring_size, 128 << 10);
    parse("k conring_size=1M");
    assert_int_equal(o.conring_size, 1 << 20);
    parse("k conring_size=32");              /* Xen: a plain number is KiB */
    assert_int_equal(e.n, 0);
    assert_int_equal(o.conring_size, 32 << 10);
    parse("k conring_size=16384b");
    assert_int_equal(o.conring_size, 16384);
    parse("k conring_size=0x40k");           /* hex count; note 0x...B would read B as a digit */
    assert_int_equal(o.conring_size, 65536);
    parse_bad("k conring_size=100k", "using 131072 bytes", NULL);   /* rounded up, noted */
    assert_int_equal(o.conring_size, 131072);
    parse_bad("k conring_size=1k", "using 16384 bytes", NULL);      /* clamped up */
    assert_int_equal(o.conring_size, 16384);
    parse_bad("k conring_size=0", "using 16384", NULL);
    parse_bad("k conring_size=1G", "using 16777216 bytes", NULL);   /* clamped down */
    assert_int_equal(o.conring_size, 16 << 20);
    parse_bad("k conring_size=99999999999T", "bad value", NULL);    /* overflow */
    assert_int_equal(o.conring_size, 65536);
    parse_bad("k conring_size=64x", "bad value 'conring_size=64x'", "using the default");
    parse_bad("k conring_size=64kk", "bad value", NULL);
    parse_bad("k conring_size=k", "bad value", NULL);
    parse_bad("k conring_size", "bad value", NULL);
}

static void test_loglvl(void **state)
{
    (void)state;
    parse("k loglvl=info guest_loglvl=error/debug");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.loglvl, LOG_INFO);
    assert_int_equal(o.loglvl_rate, LOG_INFO);
    assert_int_equal(o.guest_loglvl, LOG_ERR);
    assert_int_equal(o.guest_loglvl_rate, LOG_DEBUG);
    parse("k loglvl=debug/error");           /* Xen raises the second to the first */
    assert_int_equal(o.loglvl, LOG_DEBUG);
    assert_int_equal(o.loglvl_rate, LOG_DEBUG);
    parse("k loglvl=none/all guest_loglvl=all");
    assert_int_equal(o.loglvl, LOG_NONE);
    assert_int_equal(o.loglvl_rate, LOG_ALL);
    assert_int_equal(o.guest_loglvl, LOG_ALL);
    parse_bad("k loglvl=loud", "bad value 'loglvl=loud'", "none, error, warning");
    assert_int_equal(o.loglvl, LOG_WARNING);
    parse_bad("k guest_loglvl=info/", "bad value", NULL);
    assert_int_equal(o.guest_loglvl, LOG_NONE);
    parse_bad("k loglvl=/info", "bad value", NULL);
    parse_bad("k loglvl=info/debug/all", "bad value", NULL);
    parse_bad("k loglvl", "bad value", NULL);
}

static void test_timestamps(void **state)
{
    static const char *const names[] = { "none", "date", "datems", "boot", "raw" };
    char line[64];

    (void)state;
    for (int i = 0; i < 5; i++) {
        snprintf(line, sizeof(line), "k console_timestamps=%s", names[i]);
        parse(line);
        assert_int_equal(e.n, 0);
        assert_int_equal(o.console_timestamps, i);
        assert_string_equal(bootopts_timestamps_name(i), names[i]);
    }
    parse("k console_timestamps");
    assert_int_equal(o.console_timestamps, CONSOLE_TS_DATE);
    parse("k console_timestamps=yes");
    assert_int_equal(o.console_timestamps, CONSOLE_TS_DATE);
    parse("k console_timestamps=date console_timestamps=off");
    assert_int_equal(o.console_timestamps, CONSOLE_TS_NONE);
    parse_bad("k console_timestamps=ms", "bad value", "datems");
    assert_string_equal(bootopts_timestamps_name(5), "?");
    assert_string_equal(bootopts_timestamps_name(-1), "?");
}

static void test_mem_and_slice(void **state)
{
    (void)state;
    parse("k mem=512M sched_slice_ms=30");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.mem_limit, 512ull << 20);
    assert_int_equal(o.sched_slice_ms, 30);
    parse("k mem=4G");
    assert_int_equal(o.mem_limit, 4ull << 30);
    parse("k mem=1t");
    assert_int_equal(o.mem_limit, 1ull << 40);
    parse("k mem=1024");                     /* plain is KiB */
    assert_int_equal(o.mem_limit, 1ull << 20);
    parse("k mem=0");
    assert_int_equal(o.mem_limit, 0);
    parse_bad("k mem=lots", "bad value 'mem=lots'", NULL);
    parse_bad("k mem=17179869184T", "bad value", NULL);  /* overflow */
    assert_int_equal(o.mem_limit, 0);
    parse_bad("k mem=", "bad value", NULL);
    parse("k sched_slice_ms=1 sched_slice_ms=1000");
    assert_int_equal(e.n, 0);
    assert_int_equal(o.sched_slice_ms, 1000);
    parse_bad("k sched_slice_ms=0", "bad value 'sched_slice_ms=0'", "from 1 to 1000");
    assert_int_equal(o.sched_slice_ms, 10);
    parse_bad("k sched_slice_ms=1001", "bad value", NULL);
    parse_bad("k sched_slice_ms=5ms", "bad value", NULL);
    parse_bad("k sched_slice_ms=99999999999999999999999", "bad value", NULL);
    parse_bad("k sched_slice_ms", "bad value", NULL);
}

static void test_smp_options(void **state)
{
    (void)state;
    parse("k");
    assert_false(o.nosmp);
    assert_int_equal(o.max_cpus, 0);
    parse("k nosmp maxcpus=2");
    assert_int_equal(e.n, 0);
    assert_true(o.nosmp);
    assert_int_equal(o.max_cpus, 2);
    parse("k nosmp=0 maxcpus=4096");
    assert_false(o.nosmp);
    assert_int_equal(o.max_cpus, 4096);
    parse_bad("k maxcpus=0", "bad value 'maxcpus=0'", "from 1 to 4096");
    assert_int_equal(o.max_cpus, 0);
    parse_bad("k maxcpus=4097", "bad value", NULL);
    parse_bad("k maxcpus=two", "bad value", NULL);
    parse_bad("k maxcpus", "bad value", NULL);
}

static void test_raw_copy(void **state)
{
    static char line[70000];

    (void)state;
    memset(line, ' ', 2000);
    memcpy(line, "k noreboot", 10);
    memcpy(line + 1990, "loglvl=all", 10);
    line[2000] = '\0';
    parse(line);
    assert_int_equal(e.n, 1);                /* the note about the cut copy */
    assert_non_null(strstr(e.msg[0], "2000 bytes"));
    assert_int_equal(strlen(o.raw), sizeof(o.raw) - 1);
    assert_true(o.noreboot);
    assert_int_equal(o.loglvl, LOG_ALL);     /* options past the copy still count */
    /* over 64 KiB: the rest is ignored, never read */
    memset(line, ' ', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    memcpy(line + sizeof(line) - 20, "noreboot", 8);
    parse(line);
    assert_int_equal(e.n, 1);
    assert_non_null(strstr(e.msg[0], "past 64 KiB"));
    assert_false(o.noreboot);
    /* a NULL err fn is fine */
    bootopts_defaults(&o);
    bootopts_parse(&o, "k foo com1=1 noreboot", NULL, NULL);
    assert_true(o.noreboot);
}

struct lines {
    int n;
    char text[20][1100];
};

static void on_line(void *ctx, const char *text)
{
    struct lines *l = ctx;

    assert_true(l->n < 20);
    snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", text);
}

static void test_describe(void **state)
{
    static struct lines l;

    (void)state;
    parse("xen.gz console=com1,vga com1=auto,7e2,0x2e8,0 conswitch=bx conring_size=32k "
          "loglvl=info/debug noreboot console_timestamps=boot mem=1G sched_slice_ms=5");
    assert_int_equal(e.n, 0);
    memset(&l, 0, sizeof(l));
    bootopts_describe(&o, on_line, &l);
    assert_int_equal(l.n, 15);
    assert_string_equal(l.text[0], "console = com1,vga");
    assert_string_equal(l.text[1], "com1 = auto/1843200,7e2,0x2e8,0 (polled)");
    assert_string_equal(l.text[2], "com2 = 115200/1843200,8n1,0x2f8,3");
    assert_string_equal(l.text[3], "conswitch = bx");
    assert_string_equal(l.text[4], "conring_size = 32768");
    assert_string_equal(l.text[5], "loglvl = info/debug");
    assert_string_equal(l.text[6], "guest_loglvl = none/warning");
    assert_string_equal(l.text[7], "sync_console = false");
    assert_string_equal(l.text[8], "noreboot = true");
    assert_string_equal(l.text[9], "console_timestamps = boot");
    assert_string_equal(l.text[10], "mem = 1073741824");
    assert_string_equal(l.text[11], "sched_slice_ms = 5");
    assert_string_equal(l.text[12], "nosmp = false");
    assert_string_equal(l.text[13], "maxcpus = 0 (no limit)");
    assert_non_null(strstr(l.text[14], "raw = xen.gz console=com1,vga"));
    parse("k console=none");
    o.com1.irq = -1;
    memset(&l, 0, sizeof(l));
    bootopts_describe(&o, on_line, &l);
    assert_string_equal(l.text[0], "console = none");
    assert_string_equal(l.text[1], "com1 = 115200/1843200,8n1,0x3f8,default");
    assert_string_equal(l.text[10], "mem = 0 (no limit)");
    bootopts_describe(&o, NULL, NULL);      /* no callback: nothing happens */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loglevel_names),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_image_name_and_separators),
        cmocka_unit_test(test_unknown_options),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_console),
        cmocka_unit_test(test_com1_forms),
        cmocka_unit_test(test_com1_bad),
        cmocka_unit_test(test_uart_config_parse_direct),
        cmocka_unit_test(test_conswitch),
        cmocka_unit_test(test_conring_size),
        cmocka_unit_test(test_loglvl),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_mem_and_slice),
        cmocka_unit_test(test_smp_options),
        cmocka_unit_test(test_raw_copy),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
