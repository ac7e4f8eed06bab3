/* Unit tests for the ACPI PM registers and the 0xCF9 reset register (src/vdev/acpi_pm.c),
 * driven through the I/O-port bus with a fake clock: PM1 status (write 1 to clear, TMR_STS
 * from the timer's bit 31, PWRBTN_STS), enables and the SCI level, PM1_CNT (SCI_EN always
 * 1, S5 powers off, other sleep types ignored and reported as woken), the 3.579545 MHz
 * 32-bit timer and its wrap, byte/word/dword accesses, reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/acpi_pm.h"

#define B VACPI_PM_BASE
#define HZ VACPI_PM_TMR_HZ

static struct vdev_bus bus;
static struct vacpi_pm pm;
static struct vacpi_reset rcr;
static uint64_t now, poweroffs, resets;

static uint64_t clock_ns(void *ctx) { (void)ctx; return now; }
static void poweroff_cb(void *ctx) { assert_ptr_equal(ctx, &now); poweroffs++; }
static void reset_cb(void *ctx) { assert_ptr_equal(ctx, &now); resets++; }

/* The first clock (ns) at which the timer has counted t ticks. */
static uint64_t ns_for(uint64_t t)
{
    return t / HZ * 1000000000ull + ((t % HZ) * 1000000000ull + HZ - 1) / HZ;
}

static uint32_t in(uint16_t port, unsigned size)
{
    uint32_t v = 0;

    assert_true(vdev_bus_io(&bus, port, size, true, &v));
    return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
    assert_true(vdev_bus_io(&bus, port, size, false, &v));
}

static int setup(void **state)
{
    (void)state;
    now = 5000;
    poweroffs = resets = 0;
    vacpi_pm_init(&pm, B, clock_ns, poweroff_cb, &now);
    vacpi_reset_init(&rcr, reset_cb, &now);
    vdev_bus_init(&bus);
    assert_int_equal(vdev_bus_register(&bus, B, B + VACPI_PM_LEN - 1, &vacpi_pm_ops, &pm), 0);
    assert_int_equal(vdev_bus_register(&bus, 0xcf9, 0xcf9, &vacpi_reset_ops, &rcr), 0);
    return 0;
}

static void test_power_on_state(void **state)
{
    (void)state;
    assert_int_equal(in(B, 2), 0);
    assert_int_equal(in(B + 2, 2), 0);
    assert_int_equal(in(B + 4, 2), VACPI_PM1_SCI_EN);
    assert_int_equal(in(B + 6, 2), 0xffff);
    assert_int_equal(in(B, 4), 0);                         /* STS and EN as one dword */
    assert_false(vacpi_pm_sci(&pm));
    assert_int_equal(vacpi_pm_next_event_ns(&pm), UINT64_MAX);
}

static void test_timer_rate_and_wrap(void **state)
{
    (void)state;
    now = 0;
    assert_int_equal(in(B + 8, 4), 0);
    now = 1000000000ull;                                   /* one second */
    assert_int_equal(in(B + 8, 4), HZ);
    assert_int_equal(vacpi_pm_timer(&pm), HZ);
    now = ns_for(0x123456789ull) + 1;                      /* past 2^32 ticks: wraps */
    assert_int_equal(in(B + 8, 4), 0x23456789);
    assert_int_equal(in(B + 8, 1), 0x89);
    assert_int_equal(in(B + 9, 1), 0x67);
    assert_int_equal(in(B + 10, 2), 0x2345);
    now = ns_for(1000) - 1;
    assert_int_equal(in(B + 8, 4), 999);
    now++;
    assert_int_equal(in(B + 8, 4), 1000);
    out(B + 8, 4, 0);                                      /* read-only */
    assert_int_equal(in(B + 8, 4), 1000);
}

static void test_tmr_sts_and_sci(void **state)
{
    (void)state;
    now = ns_for(1ull << 31) - 1;
    assert_int_equal(in(B, 2) & VACPI_PM1_TMR, 0);
    out(B + 2, 2, VACPI_PM1_TMR);                          /* TMR_EN */
    assert_int_equal(vacpi_pm_next_event_ns(&pm), ns_for(1ull << 31));
    assert_false(vacpi_pm_sci(&pm));
    now++;                                                 /* bit 31 toggles */
    assert_int_equal(in(B, 2) & VACPI_PM1_TMR, VACPI_PM1_TMR);
    assert_true(vacpi_pm_sci(&pm));
    assert_int_equal(vacpi_pm_next_event_ns(&pm), UINT64_MAX);
    out(B, 2, 0);                                          /* writing 0 clears nothing */
    assert_true(vacpi_pm_sci(&pm));
    out(B, 2, VACPI_PM1_TMR);                              /* write 1 to clear */
    assert_int_equal(in(B, 2) & VACPI_PM1_TMR, 0);
    assert_false(vacpi_pm_sci(&pm));
    assert_int_equal(vacpi_pm_next_event_ns(&pm), ns_for(2ull << 31));
    now = ns_for(2ull << 31);                              /* bit 31 toggles back */
    assert_true(vacpi_pm_sci(&pm));
    out(B + 2, 2, 0);                                      /* TMR_EN off: no SCI */
    assert_false(vacpi_pm_sci(&pm));
    assert_int_equal(in(B, 2) & VACPI_PM1_TMR, VACPI_PM1_TMR);
}

static void test_power_button(void **state)
{
    (void)state;
    vacpi_pm_press_power_button(&pm);
    assert_int_equal(in(B, 2), VACPI_PM1_PWRBTN);
    assert_false(vacpi_pm_sci(&pm));                       /* not enabled */
    out(B + 3, 1, VACPI_PM1_PWRBTN >> 8);                  /* PWRBTN_EN by byte */
    assert_int_equal(in(B + 2, 2), VACPI_PM1_PWRBTN);
    assert_true(vacpi_pm_sci(&pm));
    out(B, 1, 0xff);                                       /* low byte: not this bit */
    assert_true(vacpi_pm_sci(&pm));
    out(B + 1, 1, VACPI_PM1_PWRBTN >> 8);
    assert_int_equal(in(B, 2), 0);
    assert_false(vacpi_pm_sci(&pm));
}

static void test_enable_mask(void **state)
{
    (void)state;
    out(B + 2, 2, 0xffff);
    assert_int_equal(in(B + 2, 2), 0x4721);
    out(B + 2, 1, 0x00);
    assert_int_equal(in(B + 2, 2), 0x4700);
    out(B, 4, 0xffffffffu);                                /* dword: STS clears, EN set */
    assert_int_equal(in(B, 4), 0x47210000u);
    out(B + 6, 2, 0x1234);                                 /* nothing at 6-7 */
    assert_int_equal(in(B + 6, 2), 0xffff);
}

static void test_soft_off_and_other_sleeps(void **state)
{
    (void)state;
    out(B + 4, 2, 0);                                      /* SCI_EN cannot be cleared */
    assert_int_equal(in(B + 4, 2), VACPI_PM1_SCI_EN);
    out(B + 4, 2, VACPI_PM_SLP_TYP_S5 << 10);              /* type without SLP_EN */
    assert_int_equal(poweroffs, 0);
    assert_int_equal(in(B + 4, 2), VACPI_PM1_SCI_EN | VACPI_PM_SLP_TYP_S5 << 10);
    out(B + 4, 2, 1u << 10 | VACPI_PM1_SLP_EN);            /* S1: ignored, "woke" */
    assert_int_equal(poweroffs, 0);
    assert_int_equal(pm.sleeps_ignored, 1);
    assert_int_equal(in(B, 2) & VACPI_PM1_WAK, VACPI_PM1_WAK);
    assert_int_equal(in(B + 4, 2) & VACPI_PM1_SLP_EN, 0);  /* SLP_EN reads 0 */
    out(B, 2, VACPI_PM1_WAK);
    assert_int_equal(in(B, 2), 0);
    out(B + 4, 2, VACPI_PM_SLP_TYP_S5 << 10 | VACPI_PM1_SLP_EN | VACPI_PM1_SCI_EN);
    assert_int_equal(poweroffs, 1);
    out(B + 5, 1, (VACPI_PM_SLP_TYP_S5 << 2) | 0x20);      /* the high byte alone */
    assert_int_equal(poweroffs, 2);
    out(B + 4, 4, (VACPI_PM_SLP_TYP_S5 << 10 | VACPI_PM1_SLP_EN) | 0xffff0000u);
    assert_int_equal(poweroffs, 3);
    assert_int_equal(pm.poweroffs, 3);
    assert_int_equal(pm.sleeps_ignored, 1);
}

static void test_no_callbacks(void **state)
{
    (void)state;
    vacpi_pm_init(&pm, B, NULL, NULL, NULL);
    vacpi_reset_init(&rcr, NULL, NULL);
    assert_int_equal(in(B + 8, 4), 0);
    out(B + 4, 2, VACPI_PM_SLP_TYP_S5 << 10 | VACPI_PM1_SLP_EN);
    assert_int_equal(pm.poweroffs, 1);
    out(0xcf9, 1, 0x06);
    assert_int_equal(rcr.resets, 1);
    assert_int_equal(poweroffs + resets, 0);
}

static void test_reset_register(void **state)
{
    (void)state;
    assert_int_equal(in(0xcf9, 1), 0);
    out(0xcf9, 1, 0x02);                                   /* Linux: SYS_RST first */
    assert_int_equal(resets, 0);
    assert_int_equal(in(0xcf9, 1), 0x02);
    out(0xcf9, 1, 0x06);                                   /* then RST_CPU */
    assert_int_equal(resets, 1);
    assert_int_equal(in(0xcf9, 1), 0x02);                  /* bit 2 reads 0 */
    out(0xcf9, 1, 0x0e);                                   /* full reset */
    assert_int_equal(resets, 2);
    assert_int_equal(in(0xcf9, 1), 0x0a);
    out(0xcf9, 1, 0x04);
    assert_int_equal(resets, 3);
    out(0xcf9, 1, 0xf0);
    assert_int_equal(resets, 3);
    assert_int_equal(in(0xcf9, 1), 0x00);
}

static void test_bus_reset_and_dump(void **state)
{
    char text[256];

    (void)state;
    out(B + 2, 2, 0x0101);
    vacpi_pm_press_power_button(&pm);
    out(0xcf9, 1, 0x02);
    vdev_bus_reset(&bus);
    assert_int_equal(in(B, 4), 0);
    assert_int_equal(in(B + 4, 2), VACPI_PM1_SCI_EN);
    assert_int_equal(in(0xcf9, 1), 0);
    vdev_bus_dump(&bus, text, sizeof(text));
    assert_non_null(strstr(text, "acpi-pm 0600-060b: sts=0000 en=0000 cnt=0001"));
    assert_non_null(strstr(text, "reset-cf9 0cf9-0cf9: rcr=00"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_power_on_state, setup),
        cmocka_unit_test_setup(test_timer_rate_and_wrap, setup),
        cmocka_unit_test_setup(test_tmr_sts_and_sci, setup),
        cmocka_unit_test_setup(test_power_button, setup),
        cmocka_unit_test_setup(test_enable_mask, setup),
        cmocka_unit_test_setup(test_soft_off_and_other_sleeps, setup),
        cmocka_unit_test_setup(test_no_callbacks, setup),
        cmocka_unit_test_setup(test_reset_register, setup),
        cmocka_unit_test_setup(test_bus_reset_and_dump, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
