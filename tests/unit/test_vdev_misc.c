/* Unit tests for the small devices: the i8042 reset paths (0xFE, pulse commands, 0xD1 with
 * bit 0 clear), its harmless commands and status, and the POST code port 0x80. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/i8042.h"
#include "vdev/port80.h"

static struct vdev_bus bus;
static struct vi8042 kbc;
static struct vport80 post;
static unsigned resets;

static void reset_cb(void *ctx)
{
    (void)ctx;
    resets++;
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
    resets = 0;
    vi8042_init(&kbc, reset_cb, NULL);
    vport80_init(&post);
    vdev_bus_init(&bus);
    assert_int_equal(vdev_bus_register(&bus, 0x60, 0x60, &vi8042_ops, &kbc), 0);
    assert_int_equal(vdev_bus_register(&bus, 0x64, 0x64, &vi8042_ops, &kbc), 0);
    assert_int_equal(vdev_bus_register(&bus, 0x80, 0x80, &vport80_ops, &post), 0);
    return 0;
}

/* A controller with no mouse port answers Linux's aux probes at once: the loopback
 * (0xD3) echoes without the aux-data bit (0x20) and the aux test (0xA9) says 0x01. */
static void test_no_aux_port_answers_fast(void **state)
{
    (void)state;
    out(0x64, 0xd3);
    out(0x60, 0x5a);
    assert_int_equal(in(0x64) & 0x21, 0x01);  /* data ready, not aux data */
    assert_int_equal(in(0x60), 0x5a);
    out(0x64, 0xa9);
    assert_int_equal(in(0x64) & 1, 1);
    assert_int_equal(in(0x60), 0x01);
    out(0x64, 0xd2);
    out(0x60, 0x33);
    assert_int_equal(in(0x60), 0x33);
}

static void test_status_and_harmless_commands(void **state)
{
    (void)state;
    assert_int_equal(in(0x64), 0x14);      /* input buffer empty, system flag, unlocked */
    assert_int_equal(in(0x60), 0x00);
    out(0x64, 0xad);
    out(0x64, 0xae);
    out(0x64, 0x20);
    assert_int_equal(in(0x64), 0x15);      /* OBF: the command byte is there */
    assert_int_equal(in(0x60), 0x45);
    assert_int_equal(in(0x64) & 1, 0);
    assert_int_equal(in(0x60), 0x45);      /* last byte stays readable */
    out(0x64, 0x60);
    out(0x60, 0x65);
    out(0x64, 0x20);
    assert_int_equal(in(0x60), 0x65);
    out(0x64, 0xaa);
    assert_int_equal(in(0x60), 0x55);      /* self-test passed */
    out(0x60, 0xff);                       /* keyboard reset: nobody answers */
    assert_int_equal(in(0x64) & 1, 0);
    out(0x64, 0xd1);
    out(0x60, 0xdf);                       /* A20 on, reset line high: no reset */
    out(0x64, 0xd0);
    assert_int_equal(in(0x60), 0xdf);
    out(0x64, 0xff);                       /* pulse nothing */
    assert_int_equal(resets, 0);
}

static void test_resets(void **state)
{
    (void)state;
    out(0x64, 0xfe);
    assert_int_equal(resets, 1);
    out(0x64, 0xf0);                       /* pulses every line, reset included */
    assert_int_equal(resets, 2);
    out(0x64, 0xd1);
    out(0x60, 0xfe);
    assert_int_equal(resets, 3);
    out(0x60, 0xfe);                       /* not a command argument any more */
    assert_int_equal(resets, 3);
    vi8042_init(&kbc, NULL, NULL);         /* no callback: counted, nothing called */
    out(0x64, 0xfe);
    assert_int_equal(kbc.resets, 1);
    assert_int_equal(resets, 3);
}

static void test_port80(void **state)
{
    char buf[256];

    (void)state;
    assert_int_equal(in(0x80), 0);
    out(0x80, 0x55);
    out(0x80, 0xaa);
    assert_int_equal(in(0x80), 0xaa);
    assert_int_equal(post.writes, 2);
    vdev_bus_reset(&bus);                  /* the code survives a reset */
    assert_int_equal(in(0x80), 0xaa);
    vdev_bus_dump(&bus, buf, sizeof(buf));
    assert_non_null(strstr(buf, "post 0080-0080: post=aa writes=00000002"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_status_and_harmless_commands, setup),
        cmocka_unit_test_setup(test_no_aux_port_answers_fast, setup),
        cmocka_unit_test_setup(test_resets, setup),
        cmocka_unit_test_setup(test_port80, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
