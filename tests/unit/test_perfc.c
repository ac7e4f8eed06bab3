/* Unit tests for the software performance counters (src/core/perfc.c, built as make PERFC=1
 * builds it, -DKESTREL_PERFC) through the shell, as an operator uses them: PERFC_INC /
 * PERFC_ADD / PERFC_INCA count, an array index past the end lands in "other", device
 * accesses are counted by name, `p` / `perfc` print Xen's "TOTAL[n]" lines with an array's
 * non-zero elements, and `P` / `perfc-reset` zero everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/perfc.h"
#include "console/shell.h"

static char out[65536];
static size_t out_len;

static void capture(const char *s, size_t n)
{
    assert_true(out_len + n < sizeof(out));
    memcpy(out + out_len, s, n);
    out_len += n;
    out[out_len] = '\0';
}

uint64_t time_now_ns(void)
{
    return 2500000000ULL;
}

/* Run a shell line; return what it printed. */
static const char *run(const char *line)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", line);
    out_len = 0;
    out[0] = '\0';
    assert_int_equal(shell_execute(buf), 0);
    return out;
}

/* The TOTAL of the counter line whose description is desc, or -1. */
static long long total_of(const char *text, const char *desc)
{
    const char *p = strstr(text, desc);
    if (!p)
        return -1;
    p = strstr(p, "TOTAL[");
    return p ? strtoll(p + 6, NULL, 10) : -1;
}

static int setup(void **state)
{
    (void)state;
    shell_init(capture);
    run("P");
    return 0;
}

static void test_counts_and_totals(void **state)
{
    (void)state;
    for (int i = 0; i < 1000; i++)
        PERFC_INCA(hypercalls, HC_NOP);
    PERFC_INCA(hypercalls, HC_CONSOLE_WRITE);
    PERFC_INC(frames_allocated);
    PERFC_ADD(frames_allocated, 511);
    const char *t = run("p");
    assert_non_null(strstr(t, "(XEN) Kestrel performance counters SHOWN (now = 2.500000 s"));
    assert_int_equal(total_of(t, "hypercalls by number"), 1001);
    assert_non_null(strstr(t, "0x7[      1000]"));
    assert_non_null(strstr(t, "0x0[         1]"));
    assert_int_equal(total_of(t, "frames allocated"), 512);
    assert_int_equal(total_of(t, "frames freed"), 0);
    assert_string_equal(run("perfc"), t);       /* the command and the key are one */
}

static void test_index_past_the_end_is_other(void **state)
{
    (void)state;
    PERFC_INCA(hypercalls, HC_COUNT);
    PERFC_INCA(hypercalls, 0xFFFFFFFFFFFFFFFFULL);       /* a guest's hypercall number */
    PERFC_INCA(exits_svm, 0xFFFFFFFFULL);                /* VMEXIT_INVALID as 32 bits */
    PERFC_INCA(exits_svm, 0x400);                        /* NPF: listed */
    const char *t = run("p");
    assert_int_equal(total_of(t, "hypercalls by number"), 2);
    assert_non_null(strstr(t, " other[         2]"));
    assert_int_equal(total_of(t, "SVM #VMEXITs by exit code"), 2);
    assert_non_null(strstr(t, "0x400[         1]"));
    assert_int_equal(total_of(t, "VMX exits by basic reason"), 0);
}

static void test_devices_by_name(void **state)
{
    (void)state;
    static const char uart[] = "uart16550";
    char copy[] = "uart16550";                  /* same name, another pointer */
    PERFC_DEV(uart);
    PERFC_DEV(copy);
    PERFC_DEV("i8259");
    const char *t = run("p");
    assert_int_equal(total_of(t, "device accesses: uart16550"), 2);
    assert_int_equal(total_of(t, "device accesses: i8259"), 1);
}

static void test_many_devices_spill_into_other(void **state)
{
    (void)state;
    static char names[PERFC_MAX_DEVICES + 3][8];
    for (int i = 0; i < PERFC_MAX_DEVICES + 3; i++) {
        snprintf(names[i], sizeof(names[i]), "dev%d", i);
        PERFC_DEV(names[i]);
    }
    const char *t = run("p");
    assert_true(total_of(t, "device accesses: other") >= 3);
}

static void test_reset_zeroes_everything(void **state)
{
    (void)state;
    PERFC_INC(sched_switches);
    PERFC_INCA(exits_vmx, 10);
    PERFC_DEV("i8254");
    const char *r = run("perfc-reset");
    assert_non_null(strstr(r, "(XEN) Kestrel performance counters RESET"));
    const char *t = run("p");
    assert_int_equal(total_of(t, "scheduler: switches to another vCPU"), 0);
    assert_int_equal(total_of(t, "VMX exits by basic reason"), 0);
    assert_int_equal(total_of(t, "device accesses: i8254"), 0);
    assert_null(strstr(t, "0xa["));             /* no element lines under a zero total */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_counts_and_totals, setup),
        cmocka_unit_test_setup(test_index_past_the_end_is_other, setup),
        cmocka_unit_test_setup(test_devices_by_name, setup),
        cmocka_unit_test_setup(test_reset_zeroes_everything, setup),
        /* Last: it fills the device table (names stay known across resets). */
        cmocka_unit_test_setup(test_many_devices_spill_into_other, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
