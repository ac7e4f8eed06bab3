/* Unit tests for the virtual CMOS/RTC (src/vdev/rtc.c): time registers in BCD and binary,
 * 12/24 hour mode, the century, writes moving the offset, registers A-D, NMI mask bit, the
 * CMOS RAM, and the memory size registers with their caps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/rtc.h"

static struct vdev_bus bus;
static struct vrtc rtc;
static uint64_t wall;

static uint64_t wall_cb(void *ctx)
{
    (void)ctx;
    return wall;
}

static uint8_t rd(uint8_t reg)
{
    uint32_t v = reg;

    assert_true(vdev_bus_io(&bus, 0x70, 1, false, &v));
    assert_true(vdev_bus_io(&bus, 0x71, 1, true, &v));
    return (uint8_t)v;
}

static void wr(uint8_t reg, uint8_t val)
{
    uint32_t v = reg;

    assert_true(vdev_bus_io(&bus, 0x70, 1, false, &v));
    v = val;
    assert_true(vdev_bus_io(&bus, 0x71, 1, false, &v));
}

static void init(uint64_t mem)
{
    vrtc_init(&rtc, wall_cb, NULL, mem);
    vdev_bus_init(&bus);
    assert_int_equal(vdev_bus_register(&bus, 0x70, 0x71, &vrtc_ops, &rtc), 0);
}

static int setup(void **state)
{
    (void)state;
    wall = 1709302245;              /* 2024-03-01 14:10:45 UTC, a Friday */
    init(64ull << 20);
    return 0;
}

static void test_bcd_24h(void **state)
{
    (void)state;
    assert_int_equal(rd(0x0b), 0x02);
    assert_int_equal(rd(0x00), 0x45);
    assert_int_equal(rd(0x02), 0x10);
    assert_int_equal(rd(0x04), 0x14);
    assert_int_equal(rd(0x06), 6);         /* Friday; Sunday = 1 */
    assert_int_equal(rd(0x07), 0x01);
    assert_int_equal(rd(0x08), 0x03);
    assert_int_equal(rd(0x09), 0x24);
    assert_int_equal(rd(0x32), 0x20);
    wall += 60;
    assert_int_equal(rd(0x02), 0x11);      /* the clock runs */
}

static void test_binary_12h(void **state)
{
    (void)state;
    wr(0x0b, 0x04);                        /* binary, 12 h */
    assert_int_equal(rd(0x00), 45);
    assert_int_equal(rd(0x04), 0x80 | 2);  /* 2 PM */
    assert_int_equal(rd(0x09), 24);
    assert_int_equal(rd(0x32), 20);
    wall = 1709251200;                     /* 2024-03-01 00:00:00: 12 AM */
    assert_int_equal(rd(0x04), 12);
    wall += 12 * 3600;                     /* noon: 12 PM */
    assert_int_equal(rd(0x04), 0x80 | 12);
    wr(0x0b, 0x00);                        /* BCD, 12 h */
    wall += 11 * 3600;
    assert_int_equal(rd(0x04), 0x80 | 0x11);
    /* leap day and year end */
    wr(0x0b, 0x06);
    wall = 1709164800;                     /* 2024-02-29 */
    assert_int_equal(rd(0x07), 29);
    assert_int_equal(rd(0x08), 2);
    wall = 946684799;                      /* 1999-12-31 23:59:59 */
    assert_int_equal(rd(0x09), 99);
    assert_int_equal(rd(0x32), 19);
    wall++;
    assert_int_equal(rd(0x09), 0);
    assert_int_equal(rd(0x32), 20);
    assert_int_equal(rd(0x08), 1);
    assert_int_equal(rd(0x06), 7);         /* 2000-01-01 was a Saturday */
}

static void test_writes_move_offset(void **state)
{
    (void)state;
    wr(0x0b, 0x82);                        /* SET, as Linux does around an update */
    wr(0x09, 0x30);                        /* 2030 */
    wr(0x08, 0x12);
    wr(0x07, 0x25);
    wr(0x04, 0x08);
    wr(0x02, 0x00);
    wr(0x00, 0x00);
    wr(0x0b, 0x02);
    assert_int_equal(vrtc_guest_time(&rtc), 1924416000);   /* 2030-12-25 08:00:00 */
    wall += 5;
    assert_int_equal(rd(0x00), 0x05);
    assert_int_equal(rd(0x07), 0x25);
    /* 12 h write */
    wr(0x0b, 0x00);
    wr(0x04, 0x80 | 0x09);                 /* 9 PM */
    wr(0x0b, 0x02);
    assert_int_equal(rd(0x04), 0x21);
    /* nonsense values are clamped, never crash, and time stays valid */
    wr(0x08, 0xff);
    assert_int_equal(rd(0x08), 0x12);
    wr(0x32, 0x00);
    wr(0x09, 0x00);                        /* year 0000: before 1970, reads 1970 */
    assert_int_equal(vrtc_guest_time(&rtc), 0);
    assert_int_equal(rd(0x09), 0x70);
}

static void test_status_registers_and_ram(void **state)
{
    uint32_t v;

    (void)state;
    assert_int_equal(rd(0x0a), 0x26);      /* UIP reads 0 */
    wr(0x0a, 0xa6);
    assert_int_equal(rd(0x0a), 0x26);
    assert_int_equal(rd(0x0c), 0);
    assert_int_equal(rd(0x0d), 0x80);      /* VRT */
    wr(0x0d, 0);
    assert_int_equal(rd(0x0d), 0x80);
    wr(0x40, 0x5a);
    assert_int_equal(rd(0x40), 0x5a);
    wr(0x7f, 0xa5);
    assert_int_equal(rd(0x7f), 0xa5);
    /* NMI mask bit is kept apart from the index */
    v = 0x80 | 0x40;
    vdev_bus_io(&bus, 0x70, 1, false, &v);
    assert_true(rtc.nmi_masked);
    vdev_bus_io(&bus, 0x71, 1, true, &v);
    assert_int_equal(v, 0x5a);
    vdev_bus_io(&bus, 0x70, 1, true, &v);
    assert_int_equal(v, 0xff);             /* index port is write-only */
    /* a machine reset keeps the CMOS and the clock offset */
    vdev_bus_reset(&bus);
    assert_false(rtc.nmi_masked);
    assert_int_equal(rd(0x40), 0x5a);
}

static void test_memory_registers(void **state)
{
    unsigned sum = 0, i;

    (void)state;
    assert_int_equal(rd(0x15) | rd(0x16) << 8, 640);
    assert_int_equal(rd(0x17) | rd(0x18) << 8, 63 * 1024);
    assert_int_equal(rd(0x30) | rd(0x31) << 8, 63 * 1024);
    assert_int_equal(rd(0x34) | rd(0x35) << 8, 48 * 16);
    for (i = 0x10; i <= 0x2d; i++)
        sum += rd((uint8_t)i);
    assert_int_equal(rd(0x2e) << 8 | rd(0x2f), sum);
    init(8ull << 30);                      /* 8 GiB: both capped */
    assert_int_equal(rd(0x17) | rd(0x18) << 8, 0xffff);
    assert_int_equal(rd(0x30) | rd(0x31) << 8, 0xffff);
    assert_int_equal(rd(0x34) | rd(0x35) << 8, 0xffff);
    init(512 * 1024);                      /* less than 1 MiB: no extended memory */
    assert_int_equal(rd(0x17) | rd(0x18) << 8, 0);
    assert_int_equal(rd(0x34) | rd(0x35) << 8, 0);
    init(20ull << 20);
    assert_int_equal(rd(0x34) | rd(0x35) << 8, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bcd_24h, setup),
        cmocka_unit_test_setup(test_binary_12h, setup),
        cmocka_unit_test_setup(test_writes_move_offset, setup),
        cmocka_unit_test_setup(test_status_registers_and_ram, setup),
        cmocka_unit_test_setup(test_memory_registers, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
