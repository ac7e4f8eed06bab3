/* Unit tests for the firmware CPU tables (arch/x86/fw_cpus.c): ACPI RSDP → RSDT/XSDT → MADT
 * and the MP floating pointer → configuration table, built by each test in a fake 2 MiB of
 * physical memory; bad checksums, lengths and entries give a warning and -1 (or a shorter
 * list), and the search falls back from ACPI to the MP table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/fw_cpus.h"

#define MEM_SIZE (2u << 20)
static uint8_t mem[MEM_SIZE];
static int warnings;
static char last_warning[200];

static bool fake_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    (void)ctx;
    if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
        return false;
    memcpy(buf, mem + pa, len);
    return true;
}

static void fake_warn(void *ctx, const char *msg)
{
    (void)ctx;
    warnings++;
    snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static const struct fw_reader reader = { fake_read, NULL, fake_warn, NULL };

static int setup(void **state)
{
    (void)state;
    memset(mem, 0, sizeof(mem));
    warnings = 0;
    last_warning[0] = '\0';
    return 0;
}

static void put32(uint32_t pa, uint32_t v) { memcpy(mem + pa, &v, 4); }
static void put64(uint32_t pa, uint64_t v) { memcpy(mem + pa, &v, 8); }

/* Set the byte at pa + at so that [pa, pa + len) sums to 0. */
static void fix_sum(uint32_t pa, uint32_t len, uint32_t at)
{
    uint8_t s = 0;
    mem[pa + at] = 0;
    for (uint32_t i = 0; i < len; i++)
        s = (uint8_t)(s + mem[pa + i]);
    mem[pa + at] = (uint8_t)-s;
}

/* An SDT header with sig and len at pa (checksum fixed by the caller when complete). */
static void sdt(uint32_t pa, const char *sig, uint32_t len)
{
    memcpy(mem + pa, sig, 4);
    put32(pa + 4, len);
    mem[pa + 8] = 1;
    memcpy(mem + pa + 10, "KESTRL", 6);
}

static void rsdp(uint32_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    memcpy(mem + pa, "RSD PTR ", 8);
    mem[pa + 15] = rev;
    put32(pa + 16, rsdt);
    fix_sum(pa, 20, 8);
    if (rev >= 2) {
        put32(pa + 20, 36);
        put64(pa + 24, xsdt);
        fix_sum(pa, 36, 32);
    }
}

/* A MADT at pa holding the given entry bytes; returns its length. */
static uint32_t madt(uint32_t pa, const uint8_t *entries, uint32_t n)
{
    uint32_t len = 44 + n;
    sdt(pa, "APIC", len);
    put32(pa + 36, 0xFEE00000u);
    put32(pa + 40, 1);
    memcpy(mem + pa + 44, entries, n);
    fix_sum(pa, len, 9);
    return len;
}

/* An RSDT at pa listing a FACP stand-in at 0x101000 and the table at target. */
static void rsdt(uint32_t pa, uint32_t target)
{
    sdt(0x101000, "FACP", 36);
    fix_sum(0x101000, 36, 9);
    sdt(pa, "RSDT", 44);
    put32(pa + 36, 0x101000);
    put32(pa + 40, target);
    fix_sum(pa, 44, 9);
}

#define LAPIC(uid, id, flags) 0, 8, uid, id, flags, 0, 0, 0
#define X2APIC(id, flags, uid) 9, 16, 0, 0, (id) & 0xff, (id) >> 8, 0, 0, flags, 0, 0, 0, \
                               uid, 0, 0, 0

static void test_acpi_rsdt_madt(void **state)
{
    (void)state;
    const uint8_t e[] = { LAPIC(0, 0, 1), LAPIC(1, 2, 1), LAPIC(2, 4, 0), LAPIC(3, 6, 3),
                          1, 12, 0, 0, 0, 0, 0xC0, 0xFE, 0, 0, 0, 0 /* an I/O APIC */ };
    madt(0x102000, e, sizeof(e));
    rsdt(0x100000, 0x102000);
    rsdp(0xF5A30, 0, 0x100000, 0);
    uint64_t pa;
    assert_int_equal(acpi_find_rsdp(&reader, &pa), 0);
    assert_int_equal(pa, 0xF5A30);
    struct fw_cpus c;
    assert_int_equal(fw_find_cpus(&reader, &c), 0);
    assert_string_equal(c.source, "ACPI MADT");
    assert_int_equal(c.count, 3);
    assert_int_equal(c.cpu[0].apic_id, 0);
    assert_int_equal(c.cpu[1].apic_id, 2);
    assert_int_equal(c.cpu[2].apic_id, 6);
    assert_int_equal(c.cpu[2].acpi_uid, 3);
    assert_int_equal(c.disabled, 1);
    assert_int_equal(c.lapic_pa, 0xFEE00000u);
    assert_int_equal(warnings, 0);
}

static void test_acpi_xsdt_in_ebda(void **state)
{
    (void)state;
    const uint8_t e[] = { LAPIC(0, 0, 1), X2APIC(0x100, 1, 7), X2APIC(0, 1, 0) /* again */,
                          X2APIC(0x101, 0, 8), 5, 12, 0, 0, 0, 0, 0xD0, 0xFE, 0, 0, 0, 0 };
    madt(0x103000, e, sizeof(e));
    sdt(0x100800, "XSDT", 44);
    put64(0x100800 + 36, 0x103000);
    fix_sum(0x100800, 44, 9);
    mem[0x40E] = 0x00;
    mem[0x40F] = 0x9F;                  /* EBDA at 0x9F000 */
    rsdp(0x9F010, 2, 0, 0x100800);
    struct fw_cpus c;
    assert_int_equal(fw_find_cpus(&reader, &c), 0);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.cpu[1].apic_id, 0x100);
    assert_int_equal(c.cpu[1].acpi_uid, 7);
    assert_int_equal(c.disabled, 1);
    assert_int_equal(c.lapic_pa, 0xFED00000u);      /* the override wins */
}

static void test_acpi_bad_madt_checksum_falls_back(void **state)
{
    (void)state;
    const uint8_t e[] = { LAPIC(0, 0, 1), LAPIC(1, 1, 1) };
    madt(0x102000, e, sizeof(e));
    mem[0x102000 + 44 + 3] = 9;         /* changed after the checksum */
    rsdt(0x100000, 0x102000);
    rsdp(0xE0000, 0, 0x100000, 0);
    struct fw_cpus c;
    assert_int_equal(acpi_madt_cpus(&reader, 0xE0000, &c), -1);
    assert_int_equal(warnings, 1);
    assert_non_null(strstr(last_warning, "bad checksum"));
    assert_int_equal(fw_find_cpus(&reader, &c), -1);            /* and no MP table either */
    assert_int_equal(c.count, 0);
}

static void test_acpi_bad_entry_length(void **state)
{
    (void)state;
    const uint8_t e[] = { LAPIC(0, 0, 1), LAPIC(1, 1, 1), 0, 0 /* length 0 */, LAPIC(2, 2, 1) };
    madt(0x102000, e, sizeof(e));
    rsdt(0x100000, 0x102000);
    rsdp(0xE0000, 0, 0x100000, 0);
    struct fw_cpus c;
    assert_int_equal(acpi_madt_cpus(&reader, 0xE0000, &c), 0);
    assert_int_equal(c.count, 2);                               /* the walk stopped there */
    assert_int_equal(warnings, 1);
    assert_non_null(strstr(last_warning, "bad length"));
    /* an entry running past the table's end */
    const uint8_t f[] = { LAPIC(0, 0, 1), 0, 40, 0, 0 };
    madt(0x102000, f, sizeof(f));
    assert_int_equal(acpi_madt_cpus(&reader, 0xE0000, &c), 0);
    assert_int_equal(c.count, 1);
    assert_int_equal(warnings, 2);
}

static void test_acpi_tables_out_of_memory(void **state)
{
    (void)state;
    sdt(0x102000, "APIC", 0xFFFFFFF0u);                 /* runs off the end of memory */
    rsdt(0x100000, 0x102000);
    rsdp(0xE0000, 0, 0x100000, 0);
    struct fw_cpus c;
    assert_int_equal(acpi_madt_cpus(&reader, 0xE0000, &c), -1);
    assert_int_equal(warnings, 1);
    rsdp(0xE0000, 0, 0x7FFFFFF0u, 0);                   /* an RSDT outside memory */
    assert_int_equal(acpi_madt_cpus(&reader, 0xE0000, &c), -1);
    rsdp(0xE0000, 2, 0, 0xFFFFFFFFFFFFFFF0ull);         /* an XSDT near 2^64 */
    assert_int_equal(acpi_madt_cpus(&reader, 0xE0000, &c), -1);
    const uint8_t e[] = { LAPIC(0, 0, 0) };             /* no enabled processor */
    madt(0x102000, e, sizeof(e));
    rsdp(0xE0000, 0, 0x100000, 0);
    assert_int_equal(acpi_madt_cpus(&reader, 0xE0000, &c), -1);
    assert_non_null(strstr(last_warning, "no enabled processor"));
}

static void test_rsdp_bad_checksum_not_found(void **state)
{
    (void)state;
    rsdp(0xE0000, 0, 0x100000, 0);
    mem[0xE0000 + 16] ^= 1;
    uint64_t pa;
    assert_int_equal(acpi_find_rsdp(&reader, &pa), -1);
    struct fw_cpus c;
    assert_int_equal(fw_find_cpus(&reader, &c), -1);
}

/* An MP floating pointer at pa pointing to a configuration table at cfg. */
static void mpf(uint32_t pa, uint32_t cfg, uint8_t feature1)
{
    memcpy(mem + pa, "_MP_", 4);
    put32(pa + 4, cfg);
    mem[pa + 8] = 1;
    mem[pa + 9] = 4;
    mem[pa + 11] = feature1;
    fix_sum(pa, 16, 10);
}

/* An MP configuration table at pa with count entries of the given bytes. */
static void mpc(uint32_t pa, const uint8_t *entries, uint32_t n, uint16_t count)
{
    uint16_t len = (uint16_t)(44 + n);
    memcpy(mem + pa, "PCMP", 4);
    memcpy(mem + pa + 4, &len, 2);
    mem[pa + 6] = 4;
    memcpy(mem + pa + 34, &count, 2);
    put32(pa + 36, 0xFEE00000u);
    memcpy(mem + pa + 44, entries, n);
    fix_sum(pa, len, 7);
}

#define MP_CPU(id, flags) 0, id, 0x14, flags, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define MP_BUS 1, 0, 'P', 'C', 'I', ' ', ' ', ' '

static void test_mp_table(void **state)
{
    (void)state;
    const uint8_t e[] = { MP_CPU(0, 3), MP_CPU(1, 1), MP_CPU(2, 0), MP_BUS, MP_CPU(3, 1) };
    mpc(0x9FC00, e, sizeof(e), 5);
    mem[0x413] = 0x80;
    mem[0x414] = 0x02;                  /* 640 KiB of base memory */
    mpf(0x9FFF0, 0x9FC00, 0);           /* in its last KiB */
    struct fw_cpus c;
    assert_int_equal(fw_find_cpus(&reader, &c), 0);
    assert_string_equal(c.source, "MP table");
    assert_int_equal(c.count, 3);
    assert_true(c.cpu[0].bsp);
    assert_false(c.cpu[1].bsp);
    assert_int_equal(c.cpu[2].apic_id, 3);
    assert_int_equal(c.disabled, 1);
    assert_int_equal(warnings, 0);
}

static void test_mp_bad_tables(void **state)
{
    (void)state;
    const uint8_t e[] = { MP_CPU(0, 3), 9, 0, 0, 0, 0, 0, 0, 0 /* unknown type */, MP_CPU(1, 1) };
    mpc(0x100000, e, sizeof(e), 3);
    mpf(0xF0000, 0x100000, 0);
    struct fw_cpus c;
    assert_int_equal(mp_table_cpus(&reader, 0xF0000, &c), 0);
    assert_int_equal(c.count, 1);
    assert_int_equal(warnings, 1);
    assert_non_null(strstr(last_warning, "cannot be walked"));
    mem[0x100000 + 45] ^= 0x40;         /* the table's checksum no longer holds */
    assert_int_equal(mp_table_cpus(&reader, 0xF0000, &c), -1);
    assert_non_null(strstr(last_warning, "checksum"));
    mpf(0xF0000, 0x7FFFFFF0u, 0);       /* a table outside memory */
    assert_int_equal(mp_table_cpus(&reader, 0xF0000, &c), -1);
    mem[0xF0004] ^= 1;                  /* the floating pointer's checksum */
    uint64_t pa;
    assert_int_equal(mp_find_floating(&reader, &pa), -1);
    /* an entry count past the table's length: the walk ends at the length */
    mpc(0x100000, e, 20, 200);
    mpf(0xF0000, 0x100000, 0);
    assert_int_equal(mp_table_cpus(&reader, 0xF0000, &c), 0);
    assert_int_equal(c.count, 1);
}

static void test_mp_default_configuration(void **state)
{
    (void)state;
    mpf(0xFB000, 0, 5);
    struct fw_cpus c;
    assert_int_equal(fw_find_cpus(&reader, &c), 0);
    assert_string_equal(c.source, "MP default configuration");
    assert_int_equal(c.count, 2);
    assert_int_equal(c.cpu[1].apic_id, 1);
}

static void test_too_many_cpus_are_counted(void **state)
{
    (void)state;
    static uint8_t e[70 * 8];
    for (unsigned i = 0; i < 70; i++) {
        const uint8_t one[] = { LAPIC(i, i, 1) };
        memcpy(e + i * 8, one, 8);
    }
    madt(0x102000, e, sizeof(e));
    rsdt(0x100000, 0x102000);
    rsdp(0xE0000, 0, 0x100000, 0);
    struct fw_cpus c;
    assert_int_equal(fw_find_cpus(&reader, &c), 0);
    assert_int_equal(c.count, FW_CPUS_MAX);
    assert_int_equal(c.dropped, 70 - FW_CPUS_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_acpi_rsdt_madt, setup),
        cmocka_unit_test_setup(test_acpi_xsdt_in_ebda, setup),
        cmocka_unit_test_setup(test_acpi_bad_madt_checksum_falls_back, setup),
        cmocka_unit_test_setup(test_acpi_bad_entry_length, setup),
        cmocka_unit_test_setup(test_acpi_tables_out_of_memory, setup),
        cmocka_unit_test_setup(test_rsdp_bad_checksum_not_found, setup),
        cmocka_unit_test_setup(test_mp_table, setup),
        cmocka_unit_test_setup(test_mp_bad_tables, setup),
        cmocka_unit_test_setup(test_mp_default_configuration, setup),
        cmocka_unit_test_setup(test_too_many_cpus_are_counted, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
