/* Unit tests for the ACPI tables (src/core/acpi_tables.c, acpi_dsdt.c) and the AML emitter
 * (src/core/aml.c): checksums, signatures, lengths and revisions of every table, pointers
 * resolving to the right tables inside the buffer, the FADT's fields, the MADT for 1, 2, 4,
 * 64 and 254 vCPUs, the DSDT's \_S5, PCI root and virtio-mmio devices, PkgLength encoding
 * at its 1/2/3/4-byte boundaries, refused configs, and buffers too small (never a byte written past them). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/acpi_tables.h"
#include "core/aml.h"

#define GPA ACPI_TABLES_GPA

static uint8_t buf[ACPI_TABLES_MAX_LEN];

static uint32_t rd(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd(p, 4) | (uint64_t)rd(p + 4, 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* The table at guest address addr: inside the buffer, its header's length inside too,
 * checksum 0 and the given signature and revision. Returns its offset. */
static size_t table_at(const struct acpi_tables_layout *l, uint64_t addr, const char *sig,
                       uint8_t rev)
{
    size_t off, len;

    assert_true(addr >= GPA && addr - GPA + 36 <= l->length);
    off = (size_t)(addr - GPA);
    len = rd(buf + off + 4, 4);
    assert_true(len >= 36 && off + len <= l->length);
    assert_memory_equal(buf + off, sig, 4);
    assert_int_equal(buf[off + 8], rev);
    assert_int_equal(sum(buf + off, len), 0);
    return off;
}

static struct acpi_tables_layout build(unsigned ncpus, bool pci)
{
    struct acpi_config c;
    struct acpi_tables_layout l;
    const char *err = NULL;

    acpi_config_default(&c, ncpus);
    c.pci = pci;
    memset(buf, 0xcc, sizeof(buf));
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, &err), 0);
    assert_null(err);
    return l;
}

static void test_rsdp_and_sdts(void **state)
{
    struct acpi_tables_layout l = build(1, false);
    const uint8_t *r = buf + l.rsdp_offset;
    size_t rsdt, xsdt;

    (void)state;
    assert_int_equal(l.rsdp_gpa % 16, 0);
    assert_int_equal(l.rsdp_gpa, GPA + l.rsdp_offset);
    assert_true(l.rsdp_gpa >= 0xe0000 && l.rsdp_gpa + 36 <= 0x100000);
    assert_memory_equal(r, "RSD PTR ", 8);
    assert_int_equal(sum(r, 20), 0);
    assert_int_equal(sum(r, 36), 0);
    assert_int_equal(r[15], 2);
    assert_int_equal(rd(r + 20, 4), 36);
    rsdt = table_at(&l, rd(r + 16, 4), "RSDT", 1);
    xsdt = table_at(&l, rd64(r + 24), "XSDT", 1);
    assert_int_equal(rsdt, l.rsdt);
    assert_int_equal(xsdt, l.xsdt);
    assert_int_equal(rd(buf + rsdt + 4, 4), 36 + 2 * 4);
    assert_int_equal(rd(buf + xsdt + 4, 4), 36 + 2 * 8);
    assert_int_equal(table_at(&l, rd(buf + rsdt + 36, 4), "FACP", 6), l.fadt);
    assert_int_equal(table_at(&l, rd(buf + rsdt + 40, 4), "APIC", 4), l.madt);
    assert_int_equal(table_at(&l, rd64(buf + xsdt + 36), "FACP", 6), l.fadt);
    assert_int_equal(table_at(&l, rd64(buf + xsdt + 44), "APIC", 4), l.madt);
    /* The E820 range covers every byte, page-aligned, reserved. */
    assert_int_equal(l.e820_addr, GPA);
    assert_true(l.e820_size >= l.length && l.e820_size % 4096 == 0);
    assert_int_equal(l.e820_type, 2);
}

static void test_fadt_fields(void **state)
{
    struct acpi_tables_layout l = build(2, false);
    const uint8_t *f = buf + l.fadt;
    uint32_t flags = rd(f + 112, 4);
    uint64_t facs = rd(f + 36, 4), dsdt = rd(f + 40, 4);

    (void)state;
    assert_int_equal(rd(f + 4, 4), 276);
    assert_int_equal(facs, rd64(f + 132));                /* FIRMWARE_CTRL = X_ */
    assert_int_equal(dsdt, rd64(f + 140));                /* DSDT = X_DSDT */
    assert_int_equal(facs % 64, 0);
    assert_int_equal(facs - GPA, l.facs);
    assert_memory_equal(buf + l.facs, "FACS", 4);
    assert_int_equal(rd(buf + l.facs + 4, 4), 64);
    assert_int_equal(table_at(&l, dsdt, "DSDT", 2), l.dsdt);
    assert_int_equal(rd(f + 46, 2), 9);                   /* SCI_INT */
    assert_int_equal(rd(f + 48, 4), 0);                   /* SMI_CMD: always ACPI */
    assert_int_equal(rd(f + 56, 4), 0x600);
    assert_int_equal(rd(f + 64, 4), 0x604);
    assert_int_equal(rd(f + 76, 4), 0x608);
    assert_int_equal(rd(f + 80, 4), 0);                   /* no GPE0 */
    assert_int_equal(f[88], 4);
    assert_int_equal(f[89], 2);
    assert_int_equal(f[91], 4);
    assert_int_equal(f[92], 0);
    assert_int_equal(rd(f + 109, 2), 3);                  /* legacy devices, 8042 */
    assert_true(flags & (1u << 0));                       /* WBINVD */
    assert_true(flags & (1u << 8));                       /* TMR_VAL_EXT */
    assert_true(flags & (1u << 10));                      /* RESET_REG_SUP */
    assert_true(flags & (1u << 4));                       /* no fixed power button */
    assert_false(flags & (1u << 20));                     /* not hardware-reduced */
    assert_int_equal(f[116], 1);                          /* RESET_REG: system I/O */
    assert_int_equal(f[117], 8);
    assert_int_equal(rd64(f + 120), 0xcf9);
    assert_int_equal(f[128], 6);
    assert_int_equal(f[148], 1);                          /* X_PM1a_EVT_BLK */
    assert_int_equal(f[149], 32);
    assert_int_equal(rd64(f + 152), 0x600);
    assert_int_equal(f[173], 16);                         /* X_PM1a_CNT_BLK */
    assert_int_equal(rd64(f + 176), 0x604);
    assert_int_equal(f[209], 32);                         /* X_PM_TMR_BLK */
    assert_int_equal(rd64(f + 212), 0x608);
}

static void test_power_button_flag(void **state)
{
    struct acpi_config c;
    struct acpi_tables_layout l;

    (void)state;
    acpi_config_default(&c, 1);
    c.power_button = true;
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, NULL), 0);
    assert_false(rd(buf + l.fadt + 112, 4) & (1u << 4));
}

/* Walk the MADT of an ncpus build and check every entry. */
static void check_madt(unsigned ncpus)
{
    struct acpi_tables_layout l = build(ncpus, false);
    const uint8_t *m = buf + l.madt;
    size_t len = rd(m + 4, 4), at = 44;
    unsigned lapics = 0, ioapics = 0, isos = 0, nmis = 0;

    assert_int_equal(len, 44 + 8 * ncpus + 12 + 20 + 6);
    assert_int_equal(rd(m + 36, 4), 0xfee00000u);
    assert_int_equal(rd(m + 40, 4), 1);                   /* PCAT_COMPAT */
    while (at < len) {
        const uint8_t *e = m + at;

        assert_true(e[1] >= 2 && at + e[1] <= len);
        switch (e[0]) {
        case 0:
            assert_int_equal(e[1], 8);
            assert_int_equal(e[2], lapics);
            assert_int_equal(e[3], lapics);
            assert_int_equal(rd(e + 4, 4), 1);
            lapics++;
            break;
        case 1:
            assert_int_equal(e[1], 12);
            assert_int_equal(e[2], ncpus);
            assert_int_equal(rd(e + 4, 4), 0xfec00000u);
            assert_int_equal(rd(e + 8, 4), 0);
            ioapics++;
            break;
        case 2:
            assert_int_equal(e[1], 10);
            assert_int_equal(e[2], 0);
            if (e[3] == 0) {
                assert_int_equal(rd(e + 4, 4), 2);
                assert_int_equal(rd(e + 8, 2), 0x5);      /* edge, high */
            } else {
                assert_int_equal(e[3], 9);
                assert_int_equal(rd(e + 4, 4), 9);
                assert_int_equal(rd(e + 8, 2), 0xd);      /* level, high */
            }
            isos++;
            break;
        case 4:
            assert_int_equal(e[1], 6);
            assert_int_equal(e[2], 0xff);
            assert_int_equal(e[5], 1);                    /* LINT1 */
            nmis++;
            break;
        default:
            fail_msg("unexpected MADT entry type %u", e[0]);
        }
        at += e[1];
    }
    assert_int_equal(at, len);
    assert_int_equal(lapics, ncpus);
    assert_int_equal(ioapics, 1);
    assert_int_equal(isos, 2);
    assert_int_equal(nmis, 1);
}

static void test_madt_sizes(void **state)
{
    static const unsigned n[] = { 1, 2, 4, 64, ACPI_MAX_VCPUS };

    (void)state;
    for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
        check_madt(n[i]);
}

static void test_dsdt_s5_and_pci(void **state)
{
    static const uint8_t s5[] = { 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
                                  0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
    static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
    struct acpi_tables_layout l = build(1, false);
    size_t len = rd(buf + l.dsdt + 4, 4);

    (void)state;
    assert_int_equal(len, 36 + sizeof(s5));
    assert_memory_equal(buf + l.dsdt + 36, s5, sizeof(s5));
    l = build(1, true);
    len = rd(buf + l.dsdt + 4, 4);
    assert_memory_equal(buf + l.dsdt + 36, s5, sizeof(s5));
    assert_non_null(memmem(buf + l.dsdt, len, hid, sizeof(hid)));
    assert_non_null(memmem(buf + l.dsdt, len, "\x5b\x82", 2));       /* DeviceOp */
    assert_non_null(memmem(buf + l.dsdt, len, "PCI0", 4));
    assert_non_null(memmem(buf + l.dsdt, len, "\x47\x01\xf8\x0c\xf8\x0c\x01\x08", 8));
}

static void test_unaligned_gpa(void **state)
{
    struct acpi_config c;
    struct acpi_tables_layout l;

    (void)state;
    acpi_config_default(&c, 4);
    assert_int_equal(acpi_tables_build(&c, 0x7ff01234, buf, sizeof(buf), &l, NULL), 0);
    assert_int_equal(l.rsdp_gpa % 16, 0);
    assert_int_equal(rd(buf + l.fadt + 36, 4) % 64, 0);
    assert_int_equal(l.e820_addr, 0x7ff01000);
    assert_true(l.e820_addr + l.e820_size >= 0x7ff01234 + l.length);
    assert_int_equal(rd(buf + l.rsdp_offset + 16, 4), 0x7ff01234 + l.rsdt);
}

/* Every capacity below what is needed fails, and no byte past it is touched. */
static void test_buffer_too_small(void **state)
{
    struct acpi_config c;
    struct acpi_tables_layout l;
    size_t need;
    uint8_t *b;

    (void)state;
    acpi_config_default(&c, 8);
    c.pci = true;
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, NULL), 0);
    need = l.length;
    b = malloc(need + 64);
    assert_non_null(b);
    for (size_t cap = 0; cap < need; cap++) {
        const char *err = NULL;

        memset(b, 0xaa, need + 64);
        assert_int_equal(acpi_tables_build(&c, GPA, b, cap, &l, &err), -1);
        assert_non_null(err);
        for (size_t i = cap; i < need + 64; i++)
            assert_int_equal(b[i], 0xaa);
    }
    assert_int_equal(acpi_tables_build(&c, GPA, b, need, &l, NULL), 0);
    assert_int_equal(acpi_tables_build(&c, GPA, NULL, 4096, &l, NULL), -1);
    free(b);
}

static void test_bad_configs(void **state)
{
    struct acpi_config c;
    struct acpi_tables_layout l;
    const char *err;

    (void)state;
#define REFUSE(stmt, gpa) do { acpi_config_default(&c, 4); stmt; err = NULL; \
        assert_int_equal(acpi_tables_build(&c, gpa, buf, sizeof(buf), &l, &err), -1); \
        assert_non_null(err); } while (0)
    REFUSE(c.ncpus = 0, GPA);
    REFUSE(c.ncpus = ACPI_MAX_VCPUS + 1, GPA);
    REFUSE(c.ioapic_id = 3, GPA);
    REFUSE(c.ioapic_id = 0xff, GPA);
    REFUSE(c.sci_irq = 0, GPA);
    REFUSE(c.sci_irq = 2, GPA);
    REFUSE(c.sci_irq = 16, GPA);
    REFUSE(c.pm_tmr_port = 0xfffd, GPA);
    REFUSE(c.pm1a_evt_port = 0, GPA);
    REFUSE(c.reset_port = 0, GPA);
    REFUSE((c.pci = true, c.pci_mem_base = 2, c.pci_mem_end = 1), GPA);
    REFUSE((void)0, 0x100000000ull - 0x1000);
    REFUSE((void)0, 0x100000000ull);
    assert_int_equal(acpi_tables_build(NULL, GPA, buf, sizeof(buf), &l, &err), -1);
    acpi_config_default(&c, 4);
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), NULL, &err), -1);
}

static void test_pkglen_boundaries(void **state)
{
    uint8_t e[4];

    (void)state;
    assert_int_equal(aml_pkglen_encode(0, e), 1);
    assert_int_equal(e[0], 1);
    assert_int_equal(aml_pkglen_encode(62, e), 1);        /* 63: the largest 1-byte */
    assert_int_equal(e[0], 63);
    assert_int_equal(aml_pkglen_encode(63, e), 2);        /* 65 = 0x41 */
    assert_int_equal(e[0], 0x41);
    assert_int_equal(e[1], 0x04);
    assert_int_equal(aml_pkglen_encode(4093, e), 2);      /* 4095: the largest 2-byte */
    assert_int_equal(e[0], 0x4f);
    assert_int_equal(e[1], 0xff);
    assert_int_equal(aml_pkglen_encode(4094, e), 3);      /* 4097 = 0x1001 */
    assert_int_equal(e[0], 0x81);
    assert_int_equal(e[1], 0x00);
    assert_int_equal(e[2], 0x01);
    assert_int_equal(aml_pkglen_encode((1u << 20) - 4, e), 3);
    assert_int_equal(aml_pkglen_encode((1u << 20) - 3, e), 4);
    assert_int_equal(e[0], 0xc1);                         /* 0x100001 */
    assert_int_equal(e[1], 0x00);
    assert_int_equal(e[2], 0x00);
    assert_int_equal(e[3], 0x01);
    assert_int_equal(aml_pkglen_encode((1u << 28) - 5, e), 4);
    assert_int_equal(aml_pkglen_encode((1u << 28) - 4, e), 0);
}

/* A package whose body needs a 2-byte PkgLength: the body moves right intact. */
static void test_aml_nested_package(void **state)
{
    static uint8_t out[512];
    struct aml a;
    size_t outer, inner;

    (void)state;
    aml_init(&a, out, sizeof(out));
    outer = aml_package_begin(&a, 40);
    for (unsigned i = 0; i < 39; i++)
        aml_integer(&a, 0x1234);                          /* 3 bytes each */
    inner = aml_package_begin(&a, 1);
    aml_integer(&a, 0x100000000ull);                      /* QWord: 9 bytes */
    aml_close(&a, inner);
    aml_close(&a, outer);
    assert_false(a.failed);
    /* 0x12, PkgLength(2), count 40, 39 * 3, inner: 0x12, 0x0b, 1, 9 bytes */
    assert_int_equal(a.len, 1 + 2 + 1 + 117 + 12);
    assert_int_equal(out[0], 0x12);
    assert_int_equal(out[1] >> 6, 1);
    assert_int_equal((out[1] & 0xf) | out[2] << 4, a.len - 1);
    assert_int_equal(out[3], 40);
    assert_int_equal(out[4], 0x0b);
    assert_int_equal(out[5], 0x34);
    assert_int_equal(out[6], 0x12);
    assert_int_equal(out[121], 0x12);
    assert_int_equal(out[122], 11);
    assert_int_equal(out[123], 1);
    assert_int_equal(out[124], 0x0e);
    assert_int_equal(out[129], 1);
}

static void test_aml_names_and_limits(void **state)
{
    static const uint8_t dual[] = { 0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0' };
    static const uint8_t multi[] = { 0x2f, 3, 'A', '_', '_', '_', 'B', 'C', '_', '_',
                                     'D', '1', '2', '3' };
    static const char *bad[] = { "", "1ABC", "ABCDE", "a", "A..B", "A.", "A-B", NULL };
    uint8_t out[64];
    struct aml a;

    (void)state;
    aml_init(&a, out, sizeof(out));
    aml_name_string(&a, "\\_SB.PCI0");
    assert_int_equal(a.len, sizeof(dual));
    assert_memory_equal(out, dual, sizeof(dual));
    aml_init(&a, out, sizeof(out));
    aml_name_string(&a, "A.BC.D123");
    assert_memory_equal(out, multi, sizeof(multi));
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        aml_init(&a, out, sizeof(out));
        aml_name_string(&a, bad[i]);
        assert_true(a.failed);
    }
    /* Running out of room fails, writes nothing past the end, and stays failed. */
    memset(out, 0xaa, sizeof(out));
    aml_init(&a, out, 4);
    aml_integer(&a, 0x12345678);
    assert_true(a.failed);
    assert_int_equal(out[4], 0xaa);
    size_t len = a.len;
    aml_byte(&a, 1);
    assert_int_equal(a.len, len);
    /* A close that has no room for its PkgLength fails too. */
    aml_init(&a, out, 3);
    size_t m = aml_package_begin(&a, 1);
    aml_byte(&a, 0);
    aml_close(&a, m);
    assert_true(a.failed);
    assert_int_equal(aml_eisaid("PNP0A03"), 0x030ad041u);
    assert_int_equal(aml_eisaid("PNP0a03"), 0);
    assert_int_equal(aml_eisaid("PNP0A0"), 0);
    /* Strings: StringPrefix, the characters, NUL; printable ASCII only. */
    aml_init(&a, out, sizeof(out));
    aml_string(&a, "LNRO0005");
    assert_false(a.failed);
    assert_int_equal(a.len, 10);
    assert_memory_equal(out, "\x0dLNRO0005\0", 10);
    aml_init(&a, out, sizeof(out));
    aml_string(&a, "");
    assert_int_equal(a.len, 2);
    aml_init(&a, out, sizeof(out));
    aml_string(&a, "A\nB");
    assert_true(a.failed);
    aml_init(&a, out, sizeof(out));
    aml_string(&a, "\xc3\xa9");
    assert_true(a.failed);
}

/* The virtio-mmio devices: each \_SB.VRnn byte for byte as iasl would assemble it, the
 * PCI window's default end below them, and no MADT override for their GSIs. */
static void test_dsdt_virtio_mmio(void **state)
{
    static const uint8_t vr03[] = {
        0x5b, 0x82, 0x3b, 'V', 'R', '0', '3',
        0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0x00,
        0x08, '_', 'U', 'I', 'D', 0x0a, 0x03,
        0x08, '_', 'C', 'R', 'S', 0x11, 0x1a, 0x0a, 0x17,
        0x86, 0x09, 0x00, 0x01, 0x00, 0x30, 0x00, 0xfe, 0x00, 0x02, 0x00, 0x00,
        0x89, 0x06, 0x00, 0x03, 0x01, 0x13, 0x00, 0x00, 0x00,
        0x79, 0x00,
    };
    static const uint8_t pci_end[] = { 0xff, 0xff, 0xff, 0xfd };
    struct acpi_config c;
    struct acpi_tables_layout l;
    size_t len, madt_len;

    (void)state;
    acpi_config_default(&c, 4);
    assert_int_equal(c.n_virtio_mmio, 0);
    assert_int_equal(c.pci_mem_end, 0xfdffffffu);
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, NULL), 0);
    madt_len = rd(buf + l.madt + 4, 4);
    assert_null(memmem(buf + l.dsdt, rd(buf + l.dsdt + 4, 4), "LNRO", 4));
    c.pci = true;
    assert_int_equal(acpi_config_virtio_mmio(&c, ACPI_MAX_VIRTIO_MMIO + 1), -1);
    assert_int_equal(c.n_virtio_mmio, 0);
    assert_int_equal(acpi_config_virtio_mmio(&c, ACPI_MAX_VIRTIO_MMIO), 0);
    memset(buf, 0xcc, sizeof(buf));
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, NULL), 0);
    len = rd(buf + l.dsdt + 4, 4);
    assert_int_equal(sum(buf + l.dsdt, len), 0);
    assert_non_null(memmem(buf + l.dsdt, len, vr03, sizeof(vr03)));
    assert_non_null(memmem(buf + l.dsdt, len, pci_end, sizeof(pci_end)));
    for (unsigned i = 0; i < ACPI_MAX_VIRTIO_MMIO; i++) {
        char name[5] = { 'V', 'R', '0', (char)('0' + i), 0 };
        const uint8_t *d = memmem(buf + l.dsdt, len, name, 4);
        uint8_t window[4] = { 0x00, (uint8_t)(0x10 * i), 0x00, 0xfe };

        assert_non_null(d);
        assert_int_equal(c.virtio_mmio[i].base, 0xfe000000u + 0x1000 * i);
        assert_int_equal(c.virtio_mmio[i].gsi, 16 + i);
        assert_non_null(memmem(d, len - (size_t)(d - buf - l.dsdt), window, 4));
    }
    assert_null(memmem(buf + l.dsdt, len, "VR08", 4));
    assert_int_equal(rd(buf + l.madt + 4, 4), madt_len);
    /* Without PCI the devices still get their \_SB scope. */
    c.pci = false;
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, NULL), 0);
    len = rd(buf + l.dsdt + 4, 4);
    assert_non_null(memmem(buf + l.dsdt, len, vr03, sizeof(vr03)));
    assert_null(memmem(buf + l.dsdt, len, "PCI0", 4));
    /* The largest config still fits the documented buffer. */
    acpi_config_default(&c, ACPI_MAX_VCPUS);
    c.pci = true;
    c.power_button = true;
    acpi_config_virtio_mmio(&c, ACPI_MAX_VIRTIO_MMIO);
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, NULL), 0);
}

static void test_bad_virtio_mmio_configs(void **state)
{
    struct acpi_config c;
    struct acpi_tables_layout l;
    const char *err;

    (void)state;
#define REFUSE_VIRTIO(stmt) do { acpi_config_default(&c, 4); c.pci = true; \
        acpi_config_virtio_mmio(&c, 3); stmt; err = NULL; \
        assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, &err), -1); \
        assert_non_null(err); assert_non_null(strstr(err, "virtio-mmio")); } while (0)
    REFUSE_VIRTIO(c.n_virtio_mmio = ACPI_MAX_VIRTIO_MMIO + 1);
    REFUSE_VIRTIO(c.virtio_mmio[1].base += 0x100);
    REFUSE_VIRTIO(c.virtio_mmio[0].base = 0);
    REFUSE_VIRTIO(c.virtio_mmio[2].base = c.virtio_mmio[0].base);
    REFUSE_VIRTIO(c.pci_mem_end = 0xfebfffff);              /* the old window covered them */
    REFUSE_VIRTIO(c.virtio_mmio[1].base = 0xc0000000);
    REFUSE_VIRTIO(c.virtio_mmio[1].base = ACPI_IOAPIC_ADDR + 0x200);
    REFUSE_VIRTIO(c.virtio_mmio[1].base = ACPI_LAPIC_ADDR);
    REFUSE_VIRTIO(c.virtio_mmio[1].gsi = 15);               /* an ISA pin */
    REFUSE_VIRTIO(c.virtio_mmio[1].gsi = 24);               /* past the I/O APIC */
    REFUSE_VIRTIO(c.virtio_mmio[2].gsi = c.virtio_mmio[0].gsi);
    REFUSE_VIRTIO(c.ioapic_gsi_base = 8);                  /* GSI 16 is then its pin 8 */
    /* Without PCI the window may lie anywhere else below 4 GiB; a moved I/O APIC moves the
     * GSIs with it. */
    acpi_config_default(&c, 4);
    acpi_config_virtio_mmio(&c, 3);
    c.virtio_mmio[1].base = 0xc0000000;
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, NULL), 0);
    c.ioapic_gsi_base = 8;
    acpi_config_virtio_mmio(&c, 8);
    assert_int_equal(c.virtio_mmio[7].gsi, 31);
    assert_int_equal(acpi_tables_build(&c, GPA, buf, sizeof(buf), &l, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsdp_and_sdts),
        cmocka_unit_test(test_fadt_fields),
        cmocka_unit_test(test_power_button_flag),
        cmocka_unit_test(test_madt_sizes),
        cmocka_unit_test(test_dsdt_s5_and_pci),
        cmocka_unit_test(test_dsdt_virtio_mmio),
        cmocka_unit_test(test_bad_virtio_mmio_configs),
        cmocka_unit_test(test_unaligned_gpa),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_pkglen_boundaries),
        cmocka_unit_test(test_aml_nested_package),
        cmocka_unit_test(test_aml_names_and_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
