/* Unit tests for the I/O-port bus (src/vdev/bus.c): registration and overlap, dispatch by
 * port, all ones for unclaimed ports, wide accesses whole or split per byte, reset once
 * per device, and the dump helpers' cutting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/vdev.h"

/* A test device: remembers the last access and answers port ^ tag. */
struct tdev {
    uint8_t tag;
    uint16_t port;
    unsigned size, reads, writes, resets;
    uint32_t val;
};

static uint32_t t_read(void *dev, uint16_t port, unsigned size)
{
    struct tdev *d = dev;

    d->port = port;
    d->size = size;
    d->reads++;
    return 0xabcd0000u | (uint8_t)(port ^ d->tag);
}

static void t_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct tdev *d = dev;

    d->port = port;
    d->size = size;
    d->val = val;
    d->writes++;
}

static void t_reset(void *dev)
{
    ((struct tdev *)dev)->resets++;
}

static size_t t_dump(void *dev, char *buf, size_t len)
{
    (void)dev;
    return vdev_put_str(buf, len, 0, "state");
}

static const struct vdev_ops byte_ops = { "bytes", t_read, t_write, t_reset, t_dump, true };
static const struct vdev_ops wide_ops = { "wide", t_read, t_write, t_reset, NULL, false };

static void test_register_and_overlap(void **state)
{
    struct vdev_bus bus;
    struct tdev a = { 0 };
    const struct vdev_ops no_read = { "x", NULL, t_write, NULL, NULL, false };
    unsigned i;

    (void)state;
    vdev_bus_init(&bus);
    assert_int_equal(vdev_bus_register(&bus, 0x10, 0x1f, &byte_ops, &a), 0);
    assert_int_equal(vdev_bus_register(&bus, 0x1f, 0x20, &byte_ops, &a), -1);
    assert_int_equal(vdev_bus_register(&bus, 0x00, 0x10, &byte_ops, &a), -1);
    assert_int_equal(vdev_bus_register(&bus, 0x12, 0x13, &byte_ops, &a), -1);
    assert_int_equal(vdev_bus_register(&bus, 0x05, 0x40, &byte_ops, &a), -1);
    assert_int_equal(vdev_bus_register(&bus, 0x30, 0x2f, &byte_ops, &a), -1);
    assert_int_equal(vdev_bus_register(&bus, 0x30, 0x30, NULL, &a), -1);
    assert_int_equal(vdev_bus_register(&bus, 0x30, 0x30, &no_read, &a), -1);
    assert_int_equal(vdev_bus_register(&bus, 0x20, 0x20, &byte_ops, &a), 0);
    assert_int_equal(vdev_bus_register(&bus, 0xffff, 0xffff, &byte_ops, &a), 0);
    for (i = 0; bus.n < VDEV_MAX_RANGES; i++)
        assert_int_equal(vdev_bus_register(&bus, (uint16_t)(0x100 + i), (uint16_t)(0x100 + i),
                                           &byte_ops, &a), 0);
    assert_int_equal(vdev_bus_register(&bus, 0x8000, 0x8000, &byte_ops, &a), -1);
}

static void test_dispatch_and_all_ones(void **state)
{
    struct vdev_bus bus;
    struct tdev a = { .tag = 0x0f }, b = { .tag = 0xf0 };
    uint32_t v;

    (void)state;
    vdev_bus_init(&bus);
    vdev_bus_register(&bus, 0x60, 0x60, &byte_ops, &a);
    vdev_bus_register(&bus, 0x64, 0x64, &byte_ops, &b);
    assert_true(vdev_bus_io(&bus, 0x64, 1, true, &v));
    assert_int_equal(v, 0x94);                         /* masked to one byte */
    assert_int_equal(b.reads, 1);
    assert_int_equal(a.reads, 0);
    v = 0x1234;
    assert_true(vdev_bus_io(&bus, 0x60, 1, false, &v));
    assert_int_equal(a.val, 0x34);
    for (unsigned size = 1; size <= 4; size *= 2) {
        assert_false(vdev_bus_io(&bus, 0x70, size, true, &v));
        assert_int_equal(v, size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
    }
    assert_false(vdev_bus_io(&bus, 0x62, 1, false, &v));
    assert_false(vdev_bus_io(&bus, 0x60, 3, true, &v));    /* bad size */
    assert_int_equal(v, 0xffffffffu);
    assert_false(vdev_bus_io(&bus, 0x60, 0, false, &v));
    assert_int_equal(a.writes, 1);
}

static void test_wide_and_split(void **state)
{
    struct vdev_bus bus;
    struct tdev a = { 0 }, w = { 0 };
    uint32_t v;

    (void)state;
    vdev_bus_init(&bus);
    vdev_bus_register(&bus, 0x3f8, 0x3ff, &byte_ops, &a);
    vdev_bus_register(&bus, 0xcf8, 0xcff, &wide_ops, &w);
    /* a wide device gets the access whole */
    v = 0x80001234;
    assert_true(vdev_bus_io(&bus, 0xcf8, 4, false, &v));
    assert_int_equal(w.size, 4);
    assert_int_equal(w.val, 0x80001234);
    assert_true(vdev_bus_io(&bus, 0xcfc, 2, true, &v));
    assert_int_equal(v, 0x00fc);                       /* masked to 16 bits */
    /* ... unless it runs past its range: then bytes, the missing one all ones */
    assert_true(vdev_bus_io(&bus, 0xcfe, 4, true, &v));
    assert_int_equal(v, 0xfffffffeu);             /* 0xcfe, 0xcff, then nobody's */
    assert_int_equal(w.size, 1);
    /* a byte device sees bytes on consecutive ports */
    v = 0x44332211;
    assert_true(vdev_bus_io(&bus, 0x3f8, 4, false, &v));
    assert_int_equal(a.writes, 4);
    assert_int_equal(a.port, 0x3fb);
    assert_int_equal(a.val, 0x44);
    assert_int_equal(a.size, 1);
    assert_true(vdev_bus_io(&bus, 0x3fe, 4, true, &v));
    assert_int_equal(v, 0xffff0000u | 0xff << 8 | 0xfe);
    /* ports past 0xffff do not wrap to 0 */
    vdev_bus_register(&bus, 0x0000, 0x0000, &byte_ops, &a);
    vdev_bus_register(&bus, 0xffff, 0xffff, &byte_ops, &a);
    assert_true(vdev_bus_io(&bus, 0xffff, 2, true, &v));
    assert_int_equal(v, 0xffff);
}

static void test_reset_and_dump(void **state)
{
    struct vdev_bus bus;
    struct tdev a = { 0 }, b = { 0 };
    char buf[256], small[12];
    size_t n;

    (void)state;
    vdev_bus_init(&bus);
    vdev_bus_register(&bus, 0x20, 0x21, &byte_ops, &a);
    vdev_bus_register(&bus, 0xa0, 0xa1, &byte_ops, &a);
    vdev_bus_register(&bus, 0x40, 0x43, &wide_ops, &b);
    vdev_bus_reset(&bus);
    assert_int_equal(a.resets, 1);                     /* once, though two ranges */
    assert_int_equal(b.resets, 1);
    n = vdev_bus_dump(&bus, buf, sizeof(buf));
    assert_int_equal(n, strlen(buf));
    assert_string_equal(buf, "bytes 0020-0021: state\nwide 0040-0043\n");
    assert_int_equal(vdev_bus_dump(&bus, small, sizeof(small)), 11);
    assert_string_equal(small, "bytes 0020-");
    assert_int_equal(vdev_bus_dump(&bus, small, 0), 0);
    assert_int_equal(vdev_put_hex(buf, sizeof(buf), 0, 0xbeef, 6), 6);
    assert_string_equal(buf, "00beef");
    assert_int_equal(vdev_put_hex(buf, 3, 0, 0xbeef, 4), 2);
    assert_string_equal(buf, "be");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_overlap),
        cmocka_unit_test(test_dispatch_and_all_ones),
        cmocka_unit_test(test_wide_and_split),
        cmocka_unit_test(test_reset_and_dump),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
