/* Unit tests for the virtual 8254 and port 0x61 (src/vdev/pit.c) against a fake clock:
 * counts read back in each access mode, mode 0/2/3 outputs and IRQ 0 edge counting over
 * long spans (years), mode 3 halves, latch and read-back commands, BCD, channel 2's gate
 * and output through port 0x61, and Linux's TSC calibration loops terminating. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/pit.h"

static struct vdev_bus bus;
static struct vpit pit;
static uint64_t now_ns, step_ns;   /* the clock moves on by step_ns at every reading */

static uint64_t clock_cb(void *ctx)
{
    uint64_t t = now_ns;

    (void)ctx;
    now_ns += step_ns;
    return t;
}

static uint8_t in(uint16_t port)
{
    uint32_t v = 0;

    assert_true(vdev_bus_io(&bus, port, 1, true, &v));
    return (uint8_t)v;
}

static void out(uint16_t port, uint8_t b)
{
    uint32_t v = b;

    assert_true(vdev_bus_io(&bus, port, 1, false, &v));
}

static int setup(void **state)
{
    (void)state;
    now_ns = 1000;
    step_ns = 0;
    vpit_init(&pit, clock_cb, NULL);
    vdev_bus_init(&bus);
    assert_int_equal(vdev_bus_register(&bus, 0x40, 0x43, &vpit_ops, &pit), 0);
    assert_int_equal(vdev_bus_register(&bus, 0x61, 0x61, &vpit_port61_ops, &pit), 0);
    return 0;
}

/* ns of n PIT clocks, rounded up (so that n clocks have certainly passed). */
static uint64_t clocks(uint64_t n)
{
    return (n * 1000000000ull + 1193181) / 1193182;
}

static void program(unsigned ch, unsigned mode, uint16_t count)
{
    out(0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
    out((uint16_t)(0x40 + ch), (uint8_t)count);
    out((uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static uint16_t read_count(unsigned ch)
{
    uint8_t lo, hi;

    out(0x43, (uint8_t)(ch << 6));                  /* counter latch */
    lo = in((uint16_t)(0x40 + ch));
    hi = in((uint16_t)(0x40 + ch));
    return (uint16_t)(hi << 8 | lo);
}

static void test_bios_default_and_mode2_edges(void **state)
{
    (void)state;
    /* power-on: channel 0 in mode 3 at 65536, 18.2 Hz */
    now_ns += clocks(65536) * 10;
    assert_int_equal(vpit_irq0_edges(&pit), 10);
    /* Linux's periodic tick: mode 2, LATCH = 1193 (1000 Hz) */
    program(0, 2, 1193);
    assert_int_equal(vpit_irq0_edges(&pit), 0);
    now_ns += 1000000000;
    assert_int_equal(vpit_irq0_edges(&pit), 1000);  /* 1193182 / 1193 = 1000.15 */
    now_ns += 1000000000ull * 3600 * 24 * 365 * 3;  /* three years in one go */
    {
        uint64_t total = 1193182ull * (3600ull * 24 * 365 * 3 + 1) / 1193;
        assert_int_equal(vpit_irq0_edges(&pit), total - 1000);
    }
    assert_int_equal(vpit_irq0_edges(&pit), 0);
}

static void test_mode2_counts_and_next_event(void **state)
{
    uint64_t t0 = now_ns, next;

    (void)state;
    program(0, 2, 1000);
    assert_int_equal(read_count(0), 1000);
    now_ns = t0 + clocks(1);
    assert_int_equal(read_count(0), 999);
    now_ns = t0 + clocks(998);
    assert_true(vpit_out(&pit, 0));
    now_ns = t0 + clocks(999);
    assert_int_equal(read_count(0), 1);
    assert_false(vpit_out(&pit, 0));                /* low for one clock at count 1 */
    next = vpit_next_event_ns(&pit);
    assert_int_equal(next, t0 + clocks(1000));
    now_ns = next - 1;
    assert_int_equal(vpit_irq0_edges(&pit), 0);
    now_ns = next;
    assert_int_equal(vpit_irq0_edges(&pit), 1);
    assert_true(vpit_out(&pit, 0));
    assert_int_equal(read_count(0), 1000);
    assert_int_equal(vpit_next_event_ns(&pit), t0 + clocks(2000));
}

static void test_mode0_oneshot(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    vpit_irq0_edges(&pit);
    program(0, 0, 100);
    assert_false(vpit_out(&pit, 0));
    assert_int_equal(vpit_next_event_ns(&pit), t0 + clocks(100));
    now_ns = t0 + clocks(50);
    assert_int_equal(read_count(0), 50);
    now_ns = t0 + clocks(100);
    assert_true(vpit_out(&pit, 0));
    assert_int_equal(read_count(0), 0);
    now_ns = t0 + clocks(101);
    assert_int_equal(read_count(0), 0xffff);        /* keeps counting, wrapping */
    assert_int_equal(vpit_next_event_ns(&pit), UINT64_MAX);
    now_ns += 1000000000ull * 1000;
    assert_int_equal(vpit_irq0_edges(&pit), 1);     /* one shot, one edge */
    /* re-arming before the edge is collected keeps the old edge (Linux oneshot) */
    program(0, 0, 10);
    now_ns += clocks(10);
    program(0, 0, 10);
    now_ns += clocks(10);
    assert_int_equal(vpit_irq0_edges(&pit), 2);
    /* first byte of a new count stops it, OUT low until the second */
    out(0x40, 5);
    assert_false(vpit_out(&pit, 0));
    now_ns += clocks(100);
    assert_false(vpit_out(&pit, 0));
    out(0x40, 0);
    now_ns += clocks(5);
    assert_true(vpit_out(&pit, 0));
}

static void test_mode3_halves(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    program(0, 3, 100);
    vpit_irq0_edges(&pit);
    assert_true(vpit_out(&pit, 0));
    assert_int_equal(read_count(0), 100);
    now_ns = t0 + clocks(10);
    assert_int_equal(read_count(0), 80);            /* counts by two */
    now_ns = t0 + clocks(49);
    assert_true(vpit_out(&pit, 0));
    now_ns = t0 + clocks(50);
    assert_false(vpit_out(&pit, 0));                /* second half low */
    assert_int_equal(read_count(0), 100);
    now_ns = t0 + clocks(99);
    assert_false(vpit_out(&pit, 0));
    now_ns = t0 + clocks(100);
    assert_true(vpit_out(&pit, 0));
    assert_int_equal(vpit_irq0_edges(&pit), 1);
    /* odd count: high one clock longer than low */
    t0 = now_ns;
    program(0, 3, 5);
    now_ns = t0 + clocks(2);
    assert_true(vpit_out(&pit, 0));
    now_ns = t0 + clocks(3);
    assert_false(vpit_out(&pit, 0));
    assert_int_equal(read_count(0) & 1, 0);
    /* mode 7 is mode 3 */
    out(0x43, 0x3e);
    out(0x43, 0xe2);                                /* read back status of ch0 */
    assert_int_equal(in(0x40) & 0x3f, 0x36);        /* null count set, lo/hi, mode 3 */
}

static void test_access_modes_and_latch(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    out(0x43, 0x94);                                /* ch2, lobyte only, mode 2 */
    out(0x42, 200);
    out(0x61, 0x01);                                /* gate high: starts */
    t0 = now_ns;
    now_ns = t0 + clocks(50);
    assert_int_equal(in(0x42), 150);
    assert_int_equal(in(0x42), 150);                /* no flip-flop in lobyte mode */
    out(0x43, 0xa4);                                /* hibyte only, mode 2 */
    out(0x42, 0x02);                                /* 0x200 */
    now_ns += clocks(0x100);
    assert_int_equal(in(0x42), 0x01);
    /* lo/hi with the read flip-flop, latch freezing the value */
    program(2, 2, 0x1234);
    t0 = now_ns;
    out(0x43, 0x80);                                /* latch ch2 */
    now_ns = t0 + clocks(0x34);
    out(0x43, 0x80);                                /* ignored: one is pending */
    assert_int_equal(in(0x42), 0x34);
    now_ns = t0 + clocks(0x100);
    assert_int_equal(in(0x42), 0x12);
    assert_int_equal(in(0x42), 0x34);               /* live now: 0x1134 */
    assert_int_equal(in(0x42), 0x11);
    /* read-back: count and status of ch2 latched together, status first */
    out(0x43, 0xc8);
    assert_int_equal(in(0x42), 0xb4);               /* OUT high, lo/hi, mode 2, binary */
    assert_int_equal(in(0x42), 0x34);
    assert_int_equal(in(0x42), 0x11);
    /* read-back of the count only */
    out(0x43, 0xd8);
    now_ns += clocks(0x10);
    assert_int_equal(in(0x42), 0x34);
    assert_int_equal(in(0x42), 0x11);
    assert_int_equal(in(0x43), 0xff);               /* control port is write-only */
}

static void test_bcd(void **state)
{
    uint64_t t0 = now_ns;

    (void)state;
    out(0x43, 0x31);                                /* ch0, lo/hi, mode 0, BCD */
    out(0x40, 0x34);
    out(0x40, 0x12);                                /* 1234 decimal */
    now_ns = t0 + clocks(34);
    assert_int_equal(read_count(0), 0x1200);
    now_ns = t0 + clocks(1234);
    assert_true(vpit_out(&pit, 0));
    now_ns = t0 + clocks(1235);
    assert_int_equal(read_count(0), 0x9999);        /* BCD wraps to 9999 */
    out(0x43, 0x35);                                /* mode 2, BCD, count 0 = 10000 */
    out(0x40, 0);
    out(0x40, 0);
    t0 = now_ns;
    now_ns = t0 + clocks(1);
    assert_int_equal(read_count(0), 0x9999);
}

static void test_port61_gate_and_out(void **state)
{
    uint64_t t0;

    (void)state;
    assert_int_equal(in(0x61) & 0x21, 0);
    out(0x43, 0xb0);                                /* ch2 mode 0 */
    out(0x42, 100);
    out(0x42, 0);
    now_ns += clocks(500);
    assert_int_equal(in(0x61) & 0x20, 0);           /* gate low: not counting */
    assert_int_equal(read_count(2), 100);
    out(0x61, 0x03);                                /* gate + speaker */
    assert_int_equal(in(0x61) & 0x0f, 0x03);
    t0 = now_ns;
    now_ns = t0 + clocks(40);
    out(0x61, 0x02);                                /* pause at 60 */
    now_ns += clocks(1000);
    assert_int_equal(read_count(2), 60);
    out(0x61, 0x01);
    now_ns += clocks(60);
    assert_int_equal(in(0x61) & 0x20, 0x20);        /* terminal count: OUT high */
    /* refresh toggle flips every 15.085 us */
    now_ns = 0;
    assert_int_equal(in(0x61) & 0x10, 0);
    now_ns = 15085;
    assert_int_equal(in(0x61) & 0x10, 0x10);
    /* mode 2 on ch2: gate low forces OUT high, rising gate reloads */
    now_ns = 1000000;
    program(2, 2, 10);
    now_ns += clocks(5);
    out(0x61, 0x00);
    assert_int_equal(in(0x61) & 0x20, 0x20);
    out(0x61, 0x01);
    assert_int_equal(read_count(2), 10);
    /* mode 1 (one-shot retriggered by the gate) */
    out(0x61, 0x00);
    program(2, 1, 10);
    assert_int_equal(in(0x61) & 0x20, 0x20);
    out(0x61, 0x01);
    assert_int_equal(in(0x61) & 0x20, 0);
    now_ns += clocks(10);
    assert_int_equal(in(0x61) & 0x20, 0x20);
}

/* Linux's pit_calibrate_tsc(): ch2 mode 0, spin until OUT2 goes high. The fake clock moves
 * 1 us per reading, so the loop must end after about latch/1.19 readings. */
static void test_tsc_calibration_loops_end(void **state)
{
    unsigned loops = 0, latch = 1193182 / 20;      /* 50 ms */
    uint8_t msb;

    (void)state;
    step_ns = 1000;
    out(0x61, (uint8_t)((in(0x61) & ~0x02) | 0x01));
    out(0x43, 0xb0);
    out(0x42, (uint8_t)latch);
    out(0x42, (uint8_t)(latch >> 8));
    while ((in(0x61) & 0x20) == 0 && loops < 1000000)
        loops++;
    assert_true(loops > 40000 && loops < 60000);
    /* quick_pit_calibrate(): 0xFFFF in mode 0, MSB read (lo then hi) must fall */
    out(0x43, 0xb0);
    out(0x42, 0xff);
    out(0x42, 0xff);
    in(0x42);
    assert_int_equal(in(0x42), 0xff);
    for (loops = 0, msb = 0xff; msb > 0xf0 && loops < 1000000; loops++) {
        in(0x42);
        msb = in(0x42);
    }
    assert_true(loops < 10000);
}

static void test_next_event_far_future(void **state)
{
    (void)state;
    program(0, 2, 0);                               /* 65536 */
    now_ns = UINT64_MAX - 1000;                     /* the end of time: no overflow */
    assert_true(vpit_next_event_ns(&pit) >= now_ns);
    assert_true(vpit_irq0_edges(&pit) > 0);
    now_ns = 0;                                     /* clock went back: no wrap */
    assert_int_equal(vpit_irq0_edges(&pit), 0);
    program(0, 4, 10);                              /* mode 4: a single strobe */
    now_ns += clocks(100);
    assert_int_equal(vpit_irq0_edges(&pit), 1);
    assert_int_equal(vpit_next_event_ns(&pit), UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bios_default_and_mode2_edges, setup),
        cmocka_unit_test_setup(test_mode2_counts_and_next_event, setup),
        cmocka_unit_test_setup(test_mode0_oneshot, setup),
        cmocka_unit_test_setup(test_mode3_halves, setup),
        cmocka_unit_test_setup(test_access_modes_and_latch, setup),
        cmocka_unit_test_setup(test_bcd, setup),
        cmocka_unit_test_setup(test_port61_gate_and_out, setup),
        cmocka_unit_test_setup(test_tsc_calibration_loops_end, setup),
        cmocka_unit_test_setup(test_next_event_far_future, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
