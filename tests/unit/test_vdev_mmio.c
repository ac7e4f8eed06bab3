/* Unit tests for the MMIO bus (src/vdev/mmio.c): registration rules, lookup, offsets and
 * sizes handed to the device, and what accesses no device wholly owns give. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vdev/mmio.h"

struct fake { uint64_t last_off, last_val; unsigned last_size, reads, writes; };

static uint64_t fake_read(void *dev, uint64_t off, unsigned size)
{
    struct fake *f = dev;
    f->last_off = off;
    f->last_size = size;
    f->reads++;
    return 0x1122334455667788ull + off;
}

static void fake_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct fake *f = dev;
    f->last_off = off;
    f->last_size = size;
    f->last_val = val;
    f->writes++;
}

static const struct vdev_mmio_ops fake_ops = { "fake", fake_read, fake_write };
static const struct vdev_mmio_ops no_write = { "bad", fake_read, NULL };

static void test_register_rules(void **state)
{
    struct vdev_mmio_bus bus;
    struct fake a, b;
    (void)state;
    vdev_mmio_init(&bus);
    assert_int_equal(vdev_mmio_register(&bus, 0xfee00000, 0x1000, &fake_ops, &a), 0);
    assert_int_equal(vdev_mmio_register(&bus, 0xfee00800, 0x1000, &fake_ops, &b), -1);
    assert_int_equal(vdev_mmio_register(&bus, 0xfedff000, 0x1001, &fake_ops, &b), -1);
    assert_int_equal(vdev_mmio_register(&bus, 0xfec00000, 0, &fake_ops, &b), -1);
    assert_int_equal(vdev_mmio_register(&bus, ~0ull - 10, 0x1000, &fake_ops, &b), -1);
    assert_int_equal(vdev_mmio_register(&bus, 0xfec00000, 0x1000, &no_write, &b), -1);
    assert_int_equal(vdev_mmio_register(&bus, 0xfec00000, 0x1000, &fake_ops, &b), 0);
    for (unsigned i = 2; i < VDEV_MMIO_MAX_RANGES; i++)
        assert_int_equal(vdev_mmio_register(&bus, 0x100000000ull * i, 0x1000, &fake_ops, &b), 0);
    assert_int_equal(vdev_mmio_register(&bus, 0x10, 0x10, &fake_ops, &b), -1);   /* full */
    assert_ptr_equal(vdev_mmio_find(&bus, 0xfee00fff)->dev, &a);
    assert_ptr_equal(vdev_mmio_find(&bus, 0xfec00000)->dev, &b);
    assert_null(vdev_mmio_find(&bus, 0xfee01000));
    assert_null(vdev_mmio_find(&bus, 0xfebfffff));
}

static void test_accesses_reach_the_owner(void **state)
{
    struct vdev_mmio_bus bus;
    struct fake a = { 0 };
    uint64_t v;
    (void)state;
    vdev_mmio_init(&bus);
    vdev_mmio_register(&bus, 0xfee00000, 0x1000, &fake_ops, &a);
    assert_true(vdev_mmio_access(&bus, 0xfee000b0, 4, false, &v));
    assert_int_equal(a.last_off, 0xb0);
    assert_int_equal(a.last_size, 4);
    assert_int_equal(v, (0x1122334455667788ull + 0xb0) & 0xffffffff);
    v = 0xabcdef0123456789ull;
    assert_true(vdev_mmio_access(&bus, 0xfee00300, 2, true, &v));
    assert_int_equal(a.last_val, 0x6789);                  /* cut to the access size */
    assert_true(vdev_mmio_access(&bus, 0xfee00ff8, 8, false, &v));
    assert_int_equal(v, 0x1122334455667788ull + 0xff8);
}

static void test_unclaimed_and_straddling(void **state)
{
    struct vdev_mmio_bus bus;
    struct fake a = { 0 };
    uint64_t v = 0;
    (void)state;
    vdev_mmio_init(&bus);
    vdev_mmio_register(&bus, 0xfee00000, 0x1000, &fake_ops, &a);
    assert_false(vdev_mmio_access(&bus, 0xfee00ffc, 8, false, &v));   /* past the end */
    assert_int_equal(v, ~0ull);
    assert_false(vdev_mmio_access(&bus, 0x1000, 2, false, &v));
    assert_int_equal(v, 0xffff);
    v = 5;
    assert_false(vdev_mmio_access(&bus, 0xfee00ffe, 4, true, &v));
    assert_false(vdev_mmio_access(&bus, 0xfee00000, 3, true, &v));     /* odd size */
    assert_int_equal(a.reads + a.writes, 0);
    assert_int_equal(bus.unclaimed, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_rules),
        cmocka_unit_test(test_accesses_reach_the_owner),
        cmocka_unit_test(test_unclaimed_and_straddling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
