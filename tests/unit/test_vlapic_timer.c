/* Unit tests for the virtual local APIC's timer (src/vdev/lapic_timer.c) against a fake
 * clock: each mode (one-shot, periodic, TSC deadline), counts, divide values and changing
 * them midway, reload and coalescing of missed periods, masking, mode changes. */
#include "vlapic_fixture.h"


static void test_timer_oneshot(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    timer(0x40, 0xB, 1000);                 /* divide by 1: one tick per ns */
    assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 1000);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 1000);
    assert_int_equal(vlapic_next_event_ns(&apic), t0 + 1000);
    now_ns = t0 + 400;
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 600);
    now_ns = t0 + 999;
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    now_ns = t0 + 1000;
    assert_int_equal(vlapic_next_event_ns(&apic), now_ns);   /* due */
    vlapic_update(&apic);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
    take(0x40);
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    now_ns += 1000000;
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);      /* once only */
    /* a new initial count restarts it */
    wr(VLAPIC_REG_TIMER_ICR, 50);
    assert_int_equal(vlapic_next_event_ns(&apic), now_ns + 50);
    /* writing 0 stops it */
    wr(VLAPIC_REG_TIMER_ICR, 0);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    now_ns += 100;
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
}

static void test_timer_divide_values(void **state)
{
    static const struct { uint32_t dcr, div; } tab[] = {
        { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
        { 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
    };
    unsigned i;

    (void)state;
    for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
        uint64_t t0 = now_ns;

        timer(0x40, tab[i].dcr, 100);
        now_ns = t0 + tab[i].div * 10;
        assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 90);
        now_ns = t0 + tab[i].div * 11 - 1;          /* a partial tick does not count */
        assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 90);
        assert_int_equal(vlapic_next_event_ns(&apic), t0 + tab[i].div * 100);
        assert_int_equal(rd(VLAPIC_REG_TIMER_DCR), tab[i].dcr);
    }
    wr(VLAPIC_REG_TIMER_DCR, 0xFFFFFFFF);           /* only bits 3, 1, 0 */
    assert_int_equal(rd(VLAPIC_REG_TIMER_DCR), 0xB);
}

static void test_timer_divide_change_midway(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    timer(0x40, 0xB, 100);                  /* by 1 */
    now_ns = t0 + 40;                       /* 40 ticks gone, 60 to go */
    wr(VLAPIC_REG_TIMER_DCR, 0x0);          /* by 2 from now on */
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 60);
    now_ns = t0 + 40 + 2 * 30;
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 30);
    assert_int_equal(vlapic_next_event_ns(&apic), t0 + 40 + 2 * 60);
}

static void test_timer_periodic_coalesces(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    timer(0x20000 | 0x50, 0xB, 100);
    now_ns = t0 + 100;
    vlapic_update(&apic);
    take(0x50);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 100);        /* reloaded */
    assert_int_equal(vlapic_next_event_ns(&apic), t0 + 200);
    now_ns = t0 + 150;
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 50);
    now_ns = t0 + 1000050;                  /* 10000 periods missed */
    vlapic_update(&apic);
    take(0x50);                             /* ... one interrupt */
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    assert_int_equal(vlapic_next_event_ns(&apic), t0 + 1000100);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 50);
    /* two due while the first is still in IRR: still one */
    now_ns = t0 + 1000100;
    vlapic_update(&apic);
    now_ns = t0 + 1000200;
    vlapic_update(&apic);
    take(0x50);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
}

static void test_timer_masked_keeps_counting(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    timer(0x10000 | 0x20000 | 0x50, 0xB, 100);    /* periodic, masked */
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    now_ns = t0 + 250;
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 50);
    wr(VLAPIC_REG_LVT_TIMER, 0x20000 | 0x50);     /* unmask: the missed ones are gone */
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    assert_int_equal(vlapic_next_event_ns(&apic), t0 + 300);
    now_ns = t0 + 300;
    vlapic_update(&apic);
    take(0x50);
}

static void test_timer_mode_changes(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    timer(0x20000 | 0x50, 0xB, 100);        /* periodic */
    now_ns = t0 + 230;
    vlapic_update(&apic);
    take(0x50);
    wr(VLAPIC_REG_LVT_TIMER, 0x50);         /* to one-shot: ends this period */
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 70);
    assert_int_equal(vlapic_next_event_ns(&apic), t0 + 300);
    now_ns = t0 + 300;
    vlapic_update(&apic);
    take(0x50);
    now_ns = t0 + 500;
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    wr(VLAPIC_REG_LVT_TIMER, 0x20000 | 0x50);   /* a finished count is not restarted */
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
    /* into TSC-deadline mode: the count is disarmed and initial-count writes ignored */
    wr(VLAPIC_REG_TIMER_ICR, 100);
    wr(VLAPIC_REG_LVT_TIMER, 0x40000 | 0x50);
    assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 0);
    wr(VLAPIC_REG_TIMER_ICR, 100);
    assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 0);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    /* the reserved mode 3 never fires */
    wr(VLAPIC_REG_LVT_TIMER, 0x50);
    wr(VLAPIC_REG_TIMER_ICR, 10);
    wr(VLAPIC_REG_LVT_TIMER, 0x60000 | 0x50);
    now_ns += 1000;
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
}

static void test_tsc_deadline(void **state)
{
    (void)state;
    timer(0x40000 | 0x60, 0xB, 0);
    assert_int_equal(vlapic_tsc_deadline_read(&apic), 0);
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    vlapic_tsc_deadline_write(&apic, now_ns * 2 + 2000);     /* 1000 ns away */
    assert_int_equal(vlapic_tsc_deadline_read(&apic), now_ns * 2 + 2000);
    assert_int_equal(vlapic_next_event_ns(&apic), now_ns + 1000);
    now_ns += 999;
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    now_ns += 1;
    vlapic_update(&apic);
    take(0x60);
    assert_int_equal(vlapic_tsc_deadline_read(&apic), 0);    /* disarmed itself */
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    /* a deadline already past fires at once */
    vlapic_tsc_deadline_write(&apic, 1);
    take(0x60);
    assert_int_equal(vlapic_tsc_deadline_read(&apic), 0);
    /* writing 0 disarms */
    vlapic_tsc_deadline_write(&apic, now_ns * 2 + 10);
    vlapic_tsc_deadline_write(&apic, 0);
    now_ns += 100;
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    /* a far deadline does not overflow */
    vlapic_tsc_deadline_write(&apic, UINT64_MAX);
    assert_true(vlapic_next_event_ns(&apic) > now_ns + 9000000000ull * 1000000000ull / 2);
    /* leaving deadline mode disarms it; other modes read 0 and ignore writes */
    wr(VLAPIC_REG_LVT_TIMER, 0x60);
    assert_int_equal(vlapic_tsc_deadline_read(&apic), 0);
    vlapic_tsc_deadline_write(&apic, 5);
    wr(VLAPIC_REG_LVT_TIMER, 0x40000 | 0x60);
    assert_int_equal(vlapic_tsc_deadline_read(&apic), 0);
    vlapic_update(&apic);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_timer_oneshot, setup),
        cmocka_unit_test_setup(test_timer_divide_values, setup),
        cmocka_unit_test_setup(test_timer_divide_change_midway, setup),
        cmocka_unit_test_setup(test_timer_periodic_coalesces, setup),
        cmocka_unit_test_setup(test_timer_masked_keeps_counting, setup),
        cmocka_unit_test_setup(test_timer_mode_changes, setup),
        cmocka_unit_test_setup(test_tsc_deadline, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
