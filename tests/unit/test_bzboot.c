/* Unit tests for the bzImage boot tables and entry state (src/core/bzboot.c): the GDT's
 * descriptors, the identity map of the low 4 GiB, and the 64- and 32-bit entry states. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/bzboot.h"

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Walk the tables as the CPU would (4-level, 2 MiB leaves) for a linear address. */
static uint64_t walk(const uint8_t *pt, uint64_t lin)
{
    uint64_t e = get64(pt + 8 * ((lin >> 39) & 511));
    assert_true(e & 1);
    uint64_t pdpt = (e & ~0xfffull) - BZBOOT_PT_ADDR;
    e = get64(pt + pdpt + 8 * ((lin >> 30) & 511));
    assert_true(e & 1);
    uint64_t pd = (e & ~0xfffull) - BZBOOT_PT_ADDR;
    assert_true(pd + 4096 <= BZBOOT_PT_SIZE);
    e = get64(pt + pd + 8 * ((lin >> 21) & 511));
    assert_int_equal(e & 0x83, 0x83);           /* present, writable, 2 MiB page */
    return (e & ~0x1fffffull) | (lin & 0x1fffff);
}

static void test_identity_map_covers_low_4g(void **state)
{
    static uint8_t gdt[BZBOOT_GDT_SIZE], pt[BZBOOT_PT_SIZE];
    (void)state;
    bzboot_tables(64, gdt, pt);
    const uint64_t probes[] = { 0, 0x7000, 0x20000, 0x1000000, 0x3fffffff, 0x40000000,
                                0xfee00000, 0xffffffff };
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        assert_int_equal(walk(pt, probes[i]), probes[i]);
    /* Nothing above 4 GiB is mapped: PDPT entry 4 and PML4 entry 1 are empty. */
    assert_int_equal(get64(pt + 0x1000 + 8 * 4), 0);
    assert_int_equal(get64(pt + 8), 0);
    /* The tables themselves do not overlap the GDT, zero page or command line. */
    assert_true(BZBOOT_GDT_ADDR + BZBOOT_GDT_SIZE <= BZIMAGE_ZERO_PAGE_ADDR);
    assert_true(BZIMAGE_ZERO_PAGE_ADDR + BZIMAGE_ZERO_PAGE_SIZE <= BZBOOT_PT_ADDR);
    assert_true(BZBOOT_PT_ADDR + BZBOOT_PT_SIZE <= BZIMAGE_CMDLINE_ADDR);
}

static void test_gdt_descriptors(void **state)
{
    uint8_t gdt[BZBOOT_GDT_SIZE], pt[BZBOOT_PT_SIZE];
    (void)state;
    bzboot_tables(64, gdt, pt);
    assert_int_equal(get64(gdt), 0);
    assert_int_equal(get64(gdt + 0x10), 0x00af9b000000ffffull);   /* 64-bit code */
    assert_int_equal(get64(gdt + 0x18), 0x00cf93000000ffffull);   /* flat data */
    bzboot_tables(32, gdt, pt);
    assert_int_equal(get64(gdt + 0x10), 0x00cf9b000000ffffull);   /* 32-bit code */
}

static void test_entry_64(void **state)
{
    struct bzimage_entry ent = { .bits = 64, .rip = 0x1000200, .rsi = 0x7000,
                                 .cs = BZIMAGE_BOOT_CS, .ds = BZIMAGE_BOOT_DS };
    struct vcpu_entry e;
    (void)state;
    memset(&e, 0xa5, sizeof(e));
    bzboot_entry_state(&ent, &e);
    assert_int_equal(e.regs.rip, 0x1000200);
    assert_int_equal(e.regs.rsi, 0x7000);
    assert_int_equal(e.regs.rax | e.regs.rbx | e.regs.rbp | e.regs.rdi, 0);
    assert_int_equal(e.regs.rflags, 2);                 /* interrupts off */
    assert_int_equal(e.cs.sel, 0x10);
    assert_int_equal(e.cs.attr & 0x200, 0x200);         /* L */
    assert_int_equal(e.cs.attr & 0x400, 0);             /* not D with L */
    assert_int_equal(e.ds.sel, 0x18);
    assert_int_equal(e.ss.sel, 0x18);
    assert_int_equal(e.cr0 & 0x80000001u, 0x80000001u); /* PG, PE */
    assert_int_equal(e.cr3, BZBOOT_PT_ADDR);
    assert_int_equal(e.cr4 & 0x20, 0x20);               /* PAE */
    assert_int_equal(e.efer & 0x500, 0x500);            /* LME, LMA */
    assert_int_equal(e.gdtr.base, BZBOOT_GDT_ADDR);
    assert_int_equal(e.gdtr.limit, BZBOOT_GDT_SIZE - 1);
}

static void test_entry_32(void **state)
{
    struct bzimage_entry ent = { .bits = 32, .rip = 0x100000, .rsi = 0x7000,
                                 .cs = BZIMAGE_BOOT_CS, .ds = BZIMAGE_BOOT_DS };
    struct vcpu_entry e;
    (void)state;
    bzboot_entry_state(&ent, &e);
    assert_int_equal(e.regs.rip, 0x100000);
    assert_int_equal(e.regs.rsi, 0x7000);
    assert_int_equal(e.cs.attr & 0x600, 0x400);         /* D, not L */
    assert_int_equal(e.cr0 & 0x80000001u, 1);           /* protected, paging off */
    assert_int_equal(e.efer, 0);
    assert_int_equal(e.cr4, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_map_covers_low_4g),
        cmocka_unit_test(test_gdt_descriptors),
        cmocka_unit_test(test_entry_64),
        cmocka_unit_test(test_entry_32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
