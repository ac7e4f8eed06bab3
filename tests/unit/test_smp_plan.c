/* Unit tests for SMP boot's pure decisions (arch/x86/smp_plan.c): the boot CPU first, the
 * others in table order, nosmp and maxcpus=, APIC ids the xAPIC cannot address; the
 * trampoline's page below 1 MiB and the EBDA, clear of the loader's data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/smp_plan.h"

static struct fw_cpus four(void)
{
    struct fw_cpus c;
    memset(&c, 0, sizeof(c));
    const uint32_t ids[] = { 0, 1, 2, 3 };
    for (unsigned i = 0; i < 4; i++)
        c.cpu[i].apic_id = ids[i];
    c.count = 4;
    return c;
}

static void test_plan_order_and_limits(void **state)
{
    (void)state;
    struct fw_cpus c = four();
    struct smp_plan p;
    smp_plan_cpus(&c, 2, 0, false, 254, &p);            /* booted on APIC id 2 */
    assert_int_equal(p.count, 4);
    const uint32_t want[] = { 2, 0, 1, 3 };
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(p.apic_id[i], want[i]);
    assert_int_equal(p.capped, 0);
    smp_plan_cpus(&c, 0, 2, false, 254, &p);            /* maxcpus=2 */
    assert_int_equal(p.count, 2);
    assert_int_equal(p.apic_id[1], 1);
    assert_int_equal(p.capped, 2);
    smp_plan_cpus(&c, 0, 0, true, 254, &p);             /* nosmp */
    assert_int_equal(p.count, 1);
    assert_int_equal(p.capped, 3);
    smp_plan_cpus(&c, 0, 1, false, 254, &p);            /* maxcpus=1 */
    assert_int_equal(p.count, 1);
    smp_plan_cpus(&c, 0, 100, false, 254, &p);          /* more than there are */
    assert_int_equal(p.count, 4);
}

static void test_plan_without_tables_or_reach(void **state)
{
    (void)state;
    struct smp_plan p;
    smp_plan_cpus(NULL, 5, 0, false, 254, &p);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.apic_id[0], 5);
    struct fw_cpus c = four();
    c.cpu[3].apic_id = 300;                             /* an x2APIC id */
    c.dropped = 2;
    smp_plan_cpus(&c, 0, 0, false, 254, &p);
    assert_int_equal(p.count, 3);
    assert_int_equal(p.unreachable, 1);
    assert_int_equal(p.capped, 2);
    /* the boot CPU missing from the table: it is still CPU 0, the table's all follow */
    smp_plan_cpus(&c, 9, 0, false, 0xFFFFFFFFu, &p);
    assert_int_equal(p.count, 5);
    assert_int_equal(p.apic_id[0], 9);
    assert_int_equal(p.apic_id[4], 300);
}

static void test_plan_caps_at_nr_cpus(void **state)
{
    (void)state;
    static struct fw_cpus c;
    for (unsigned i = 0; i < FW_CPUS_MAX; i++)
        c.cpu[i].apic_id = i;
    c.count = FW_CPUS_MAX;
    struct smp_plan p;
    smp_plan_cpus(&c, 0, 0, false, 0xFFFFFFFFu, &p);
    assert_true(p.count <= NR_CPUS);
    assert_int_equal(p.count + p.capped, FW_CPUS_MAX);
}

static const struct mem_region qemu_map[] = {
    { 0, 0x9FC00, MEM_USABLE }, { 0x9FC00, 0x400, MEM_RESERVED },
    { 0xF0000, 0x10000, MEM_RESERVED }, { 0x100000, 0x7EE0000, MEM_USABLE },
};

static void test_trampoline_page(void **state)
{
    (void)state;
    /* QEMU's map: the page holding 0x9FC00 is partly reserved, so the one below */
    assert_int_equal(smp_pick_trampoline(qemu_map, 4, NULL, 0, 0x9FC00), 0x9E000);
    assert_int_equal(smp_pick_trampoline(qemu_map, 4, NULL, 0, 0), 0x9E000);
    /* the loader's data and modules are stepped around */
    const struct phys_range avoid[] = { { 0x9D800, 0x9E100, "mbi" }, { 0x9C000, 0x9D000, "m" } };
    assert_int_equal(smp_pick_trampoline(qemu_map, 4, avoid, 2, 0x9FC00), 0x9B000);
    /* an EBDA lower down caps it */
    assert_int_equal(smp_pick_trampoline(qemu_map, 4, NULL, 0, 0x80000), 0x7F000);
    /* no low RAM at all */
    assert_int_equal(smp_pick_trampoline(&qemu_map[3], 1, NULL, 0, 0), 0);
    /* only the IVT's page is usable: never that one */
    const struct mem_region tiny[] = { { 0, 0x1000, MEM_USABLE } };
    assert_int_equal(smp_pick_trampoline(tiny, 1, NULL, 0, 0), 0);
    /* a reserved entry overlapping a usable one wins */
    const struct mem_region overlap[] = { { 0, 0x9F000, MEM_USABLE },
                                          { 0x90000, 0xF000, MEM_RESERVED } };
    assert_int_equal(smp_pick_trampoline(overlap, 2, NULL, 0, 0), 0x8F000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_order_and_limits),
        cmocka_unit_test(test_plan_without_tables_or_reach),
        cmocka_unit_test(test_plan_caps_at_nr_cpus),
        cmocka_unit_test(test_trampoline_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
