/* Unit tests for the Linux bzImage boot planner (src/core/bzimage.c). The kernels are setup
 * headers synthesized here (a 2.15 x86-64 kernel by default, then variants: old protocols,
 * no magic, truncations, setup_sects 0, non-relocatable, 32-bit only, huge init_size...),
 * each parsed from an exact-size heap copy so a read past the end would be caught under
 * ASan/valgrind. Checked: the plan (kernel, initrd, zero page and command line places,
 * entries), the zero page's bytes, and the E820 map's truth (sorted, no overlaps, covering
 * exactly [0, RAM) plus the extra ranges). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/bzimage.h"

#define MiB (1024ull * 1024)
#define GiB (1024 * MiB)
#define PM_SIZE 0x10000u                 /* protected-mode bytes in the synthesized file */
#define IMG_MAX (0x200 * 65 + PM_SIZE)

static uint8_t img[IMG_MAX];
static size_t img_len;
static struct bzimage_plan p;
static uint8_t zp[BZIMAGE_ZERO_PAGE_SIZE];
static char err[256];

static void w8(size_t off, uint8_t v) { img[off] = v; }
static void w16(size_t off, uint16_t v) { img[off] = (uint8_t)v; img[off + 1] = (uint8_t)(v >> 8); }
static void w32(size_t off, uint32_t v) { w16(off, (uint16_t)v); w16(off + 2, (uint16_t)(v >> 16)); }
static void w64(size_t off, uint64_t v) { w32(off, (uint32_t)v); w32(off + 4, (uint32_t)(v >> 32)); }
static uint16_t z16(size_t off) { return (uint16_t)(zp[off] | zp[off + 1] << 8); }
static uint32_t z32(size_t off) { return z16(off) | (uint32_t)z16(off + 2) << 16; }
static uint64_t z64(size_t off) { return z32(off) | (uint64_t)z32(off + 4) << 32; }

/* A Linux 2.15 x86-64 bzImage header: relocatable, 2 MiB aligned, pref_address 16 MiB,
 * init_size 8 MiB, XLF_KERNEL_64, initrd_addr_max 2 GiB - 1, cmdline_size 2047, 4 setup
 * sectors, PM_SIZE bytes of protected-mode kernel (a pattern). */
static void kernel(void)
{
    memset(img, 0, sizeof(img));
    w8(0x1f1, 4);                        /* setup_sects */
    w16(0x1fe, 0xAA55);
    w8(0x200, 0xEB);                     /* jmp short to 0x26c: header ends there */
    w8(0x201, 0x6a);
    memcpy(img + 0x202, "HdrS", 4);
    w16(0x206, 0x020f);
    w8(0x211, 0x01);                     /* LOADED_HIGH */
    w32(0x214, 0x100000);
    w32(0x22c, 0x7fffffff);
    w32(0x230, 0x200000);
    w8(0x234, 1);
    w8(0x235, 21);
    w16(0x236, 0x0001);                  /* XLF_KERNEL_64 */
    w32(0x238, 2047);
    w64(0x258, 0x1000000);
    w32(0x260, 0x800000);
    for (size_t i = 0; i < PM_SIZE; i++)
        img[5 * 512 + i] = (uint8_t)(i * 7);
    img_len = 5 * 512 + PM_SIZE;
}

static struct bzimage_layout ram(uint64_t size)
{
    struct bzimage_layout l = { .ram_size = size };

    return l;
}

/* Plan img[0..len) from an exact-size heap copy. */
static int plan_len(size_t len, uint64_t initrd, const char *cmdline,
                    const struct bzimage_layout *mem)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    assert_non_null(copy);
    memcpy(copy, img, len);
    memset(err, 0x55, sizeof(err));
    memset(zp, 0xAA, sizeof(zp));
    rc = bzimage_plan(copy, len, initrd, cmdline, mem, &p, zp, err, sizeof(err));
    free(copy);
    if (rc != 0) {
        assert_true(err[0] != '\0');
        assert_null(strchr(err, '\n'));
    } else {
        assert_string_equal(err, "");
    }
    return rc;
}

static int plan(uint64_t initrd, const char *cmdline, uint64_t ram_size)
{
    struct bzimage_layout l = ram(ram_size);

    return plan_len(img_len, initrd, cmdline, &l);
}

static void expect_error(int rc, const char *part)
{
    assert_int_equal(rc, -1);
    if (!strstr(err, part))
        fail_msg("error \"%s\" does not contain \"%s\"", err, part);
}

/* The E820 map in the plan and in the zero page agree, and tell the truth: sorted, no
 * overlaps, [0, ram) covered exactly, page 0 and the legacy hole reserved. */
static void check_e820(uint64_t ram_size)
{
    uint64_t covered = 0, next = 0;

    assert_int_equal(zp[0x1e8], p.e820_entries);
    assert_true(p.e820_entries >= 4 && p.e820_entries <= BZIMAGE_E820_MAX);
    for (unsigned i = 0; i < p.e820_entries; i++) {
        const struct bzimage_e820 *e = &p.e820[i];
        size_t o = 0x2d0 + 20 * (size_t)i;

        assert_int_equal(z64(o), e->addr);
        assert_int_equal(z64(o + 8), e->size);
        assert_int_equal(z32(o + 16), e->type);
        assert_true(e->size > 0);
        assert_true(e->addr >= next);    /* sorted, no overlap */
        if (e->addr < ram_size) {
            assert_int_equal(e->addr, next);   /* no gap below the RAM's end */
            covered += e->size;
        }
        next = e->addr + e->size;
        if (e->type == BZIMAGE_E820_RAM) {
            assert_false(e->addr < 0x1000);
            assert_false(e->addr < 0x100000 && e->addr + e->size > 0xA0000);
            assert_true(e->addr + e->size <= ram_size);
        }
    }
    assert_int_equal(covered, ram_size);
}

static void test_valid_2_15(void **state)
{
    (void)state;
    kernel();
    assert_int_equal(plan(0, "console=ttyS0 root=/dev/ram0", 256 * MiB), 0);
    assert_int_equal(p.version, 0x020f);
    assert_int_equal(p.setup_sects, 4);
    assert_true(p.relocatable);
    assert_int_equal(p.kernel_file_off, 5 * 512);
    assert_int_equal(p.kernel_file_size, PM_SIZE);
    assert_int_equal(p.kernel_addr, 16 * MiB);
    assert_int_equal(p.kernel_run_addr, 16 * MiB);
    assert_int_equal(p.kernel_region.lo, 16 * MiB);
    assert_int_equal(p.kernel_region.hi, 24 * MiB);
    assert_int_equal(p.initrd_addr, 0);
    assert_int_equal(p.initrd_size, 0);
    assert_int_equal(p.zero_page_addr, 0x7000);
    assert_int_equal(p.cmdline_addr, 0x20000);
    assert_int_equal(p.cmdline_len, strlen("console=ttyS0 root=/dev/ram0") + 1);
    assert_int_equal(p.entry.bits, 64);
    assert_int_equal(p.entry.rip, 16 * MiB + 0x200);
    assert_int_equal(p.entry.rsi, 0x7000);
    assert_int_equal(p.entry.cs, 0x10);
    assert_int_equal(p.entry.ds, 0x18);
    assert_int_equal(p.entry.ident_map[0].lo, 16 * MiB);
    assert_int_equal(p.entry.ident_map[0].hi, 24 * MiB);
    assert_int_equal(p.entry.ident_map[1].lo, 0x7000);
    assert_int_equal(p.entry.ident_map[2].hi, 0x20000 + p.cmdline_len);
    assert_int_equal(p.entry32.bits, 32);
    assert_int_equal(p.entry32.rip, 16 * MiB);
    assert_int_equal(p.entry32.rsi, 0x7000);
    /* The zero page: zeroed, the header copied, the loader's fields. */
    for (size_t i = 0; i < 0x1f1; i++)
        if (i != 0x1e8)
            assert_int_equal(zp[i], 0);
    assert_memory_equal(zp + 0x202, "HdrS", 4);
    assert_int_equal(z16(0x206), 0x020f);
    assert_int_equal(z16(0x1fe), 0xAA55);
    assert_int_equal(zp[0x1f1], 4);
    assert_int_equal(z32(0x238), 2047);
    assert_int_equal(z64(0x258), 0x1000000);
    assert_int_equal(z32(0x260), 0x800000);
    assert_int_equal(zp[0x210], 0xff);
    assert_int_equal(zp[0x211], 0x81);           /* LOADED_HIGH | CAN_USE_HEAP */
    assert_int_equal(z16(0x224), 0xde00);
    assert_int_equal(z32(0x228), 0x20000);
    assert_int_equal(z32(0x214), 16 * MiB);
    assert_int_equal(z32(0x218), 0);
    assert_int_equal(z32(0x21c), 0);
    for (size_t i = 0x26c; i < 0x2d0; i++)
        assert_int_equal(zp[i], 0);
    for (size_t i = 0x2d0 + 20 * p.e820_entries; i < sizeof(zp); i++)
        assert_int_equal(zp[i], 0);
    check_e820(256 * MiB);
    assert_int_equal(p.e820_entries, 4);
}

static void test_protocol_2_05_refused(void **state)
{
    (void)state;
    kernel();
    w16(0x206, 0x0205);
    expect_error(plan(0, "", 256 * MiB), "protocol 2.05 is too old");
    w16(0x206, 0x0206);                  /* 2.06: accepted, no init_size: estimated */
    assert_int_equal(plan(0, "", 256 * MiB), 0);
    assert_int_equal(p.init_size, 4 * PM_SIZE);
    assert_int_equal(p.xloadflags, 0);
    assert_int_equal(p.entry.bits, 32);  /* no xloadflags before 2.12 */
    assert_int_equal(p.kernel_addr, 1 * MiB);
    assert_int_equal(p.kernel_run_addr, 2 * MiB);   /* aligned up to kernel_alignment */
    assert_int_equal(p.kernel_region.hi, 2 * MiB + 4 * PM_SIZE);
}

static void test_missing_magic(void **state)
{
    (void)state;
    kernel();
    memcpy(img + 0x202, "HdrZ", 4);
    expect_error(plan(0, "", 256 * MiB), "no \"HdrS\" magic");
    kernel();
    w8(0x211, 0);
    expect_error(plan(0, "", 256 * MiB), "zImage");
    kernel();
    w32(0x230, 0x300000);
    expect_error(plan(0, "", 256 * MiB), "not a power of two");
    kernel();
    w8(0x201, 0x30);                     /* header ends at 0x232, before cmdline_size */
    expect_error(plan(0, "", 256 * MiB), "setup header ends at 0x232");
}

/* Every cut of the file before the protected-mode kernel fails with one line; from there on
 * the plan only loses kernel bytes. */
static void test_truncated(void **state)
{
    struct bzimage_layout l = ram(256 * MiB);

    (void)state;
    kernel();
    for (size_t len = 0; len <= 5 * 512; len++) {
        assert_int_equal(plan_len(len, 0, "", &l), -1);
        assert_non_null(strstr(err, "truncated"));
    }
    assert_int_equal(plan_len(5 * 512 + 1, 0, "", &l), 0);
    assert_int_equal(p.kernel_file_size, 1);
    assert_int_equal(bzimage_plan(NULL, 100, 0, "", &l, &p, zp, err, sizeof(err)), -1);
}

/* syssize (16-byte units of protected-mode kernel) catches a file cut anywhere past the
 * setup sectors; a file longer than syssize says (padding, as Debian's has) is fine. */
static void test_truncated_by_syssize(void **state)
{
    struct bzimage_layout l = ram(256 * MiB);

    (void)state;
    kernel();
    w32(0x1f4, PM_SIZE / 16);
    assert_int_equal(plan_len(img_len, 0, "", &l), 0);
    assert_int_equal(plan_len(img_len - 1, 0, "", &l), -1);
    assert_non_null(strstr(err, "truncated kernel: the setup header says"));
    assert_int_equal(plan_len(5 * 512 + PM_SIZE / 2, 0, "", &l), -1);
    w32(0x1f4, PM_SIZE / 16 - 10);
    assert_int_equal(plan_len(img_len, 0, "", &l), 0);
}

static void test_setup_sects_zero(void **state)
{
    (void)state;
    kernel();
    w8(0x1f1, 0);                        /* reads as 4 */
    assert_int_equal(plan(0, "", 256 * MiB), 0);
    assert_int_equal(p.setup_sects, 4);
    assert_int_equal(p.kernel_file_off, 5 * 512);
    w8(0x1f1, 30);
    img_len = 31 * 512 + 10;
    assert_int_equal(plan(0, "", 256 * MiB), 0);
    assert_int_equal(p.kernel_file_off, 31 * 512);
    assert_int_equal(p.kernel_file_size, 10);
    w8(0x1f1, 64);                       /* 65 * 512 > the file */
    expect_error(plan(0, "", 256 * MiB), "no protected-mode kernel");
}

static void test_kernel_too_big(void **state)
{
    (void)state;
    kernel();
    w32(0x260, 300 * MiB);
    expect_error(plan(0, "", 256 * MiB), "kernel does not fit");
    w32(0x260, 240 * MiB);               /* exactly to the end of RAM */
    assert_int_equal(plan(0, "", 256 * MiB), 0);
    assert_int_equal(p.kernel_region.hi, 256 * MiB);
    w32(0x260, 240 * MiB + 0x1000);
    expect_error(plan(0, "", 256 * MiB), "in 256 MiB of RAM");
    kernel();                            /* pref_address beyond the RAM: not at 1 MiB either */
    w64(0x258, 1ull << 62);
    expect_error(plan(0, "", 256 * MiB), "kernel does not fit");
}

static void test_initrd_placement(void **state)
{
    uint64_t size = 20 * MiB + 123;

    (void)state;
    kernel();
    assert_int_equal(plan(size, "", 256 * MiB), 0);  /* highest page-aligned fit */
    assert_int_equal(p.initrd_size, size);
    assert_int_equal(p.initrd_addr % 4096, 0);
    assert_true(p.initrd_addr + size <= 256 * MiB);
    assert_true(p.initrd_addr + 4096 + size > 256 * MiB);
    assert_int_equal(z32(0x218), p.initrd_addr);
    assert_int_equal(z32(0x21c), size);
    assert_int_equal(z32(0xc0), 0);
    assert_int_equal(z32(0xc4), 0);
    check_e820(256 * MiB);

    w32(0x22c, 0x37ffffff);              /* initrd_addr_max below the RAM's end */
    assert_int_equal(plan(size, "", 2 * GiB), 0);
    assert_true(p.initrd_addr + size <= 0x38000000);
    assert_true(p.initrd_addr + 4096 + size > 0x38000000);

    w16(0x236, 0x0003);                  /* XLF_CAN_BE_LOADED_ABOVE_4G: to the RAM's end */
    assert_int_equal(plan(size, "", 8 * GiB), 0);
    assert_true(p.initrd_addr >= 4 * GiB);
    assert_int_equal(z32(0xc0), p.initrd_addr >> 32);
    assert_int_equal(z32(0x218), (uint32_t)p.initrd_addr);
    check_e820(8 * GiB);

    kernel();                            /* the top is the kernel's: the initrd goes below */
    w32(0x260, 16 * MiB);
    assert_int_equal(plan(4 * MiB, "", 32 * MiB), 0);
    assert_int_equal(p.kernel_region.hi, 32 * MiB);
    assert_int_equal(p.initrd_addr, 12 * MiB);
    expect_error(plan(15 * MiB + 1, "", 32 * MiB), "initrd of");
    assert_int_equal(plan(15 * MiB, "", 32 * MiB), 0);
    assert_int_equal(p.initrd_addr, 1 * MiB);

    kernel();
    expect_error(plan(300 * MiB, "", 256 * MiB), "does not fit");
    w32(0x22c, 0xfffff);                 /* initrd_addr_max below 1 MiB */
    expect_error(plan(4096, "", 256 * MiB), "initrd_addr_max 0xfffff");
}

static void test_cmdline_too_long(void **state)
{
    char line[5000];

    (void)state;
    kernel();
    w32(0x238, 10);                      /* at most 10 characters (boot.rst) */
    assert_int_equal(plan(0, "0123456789", 256 * MiB), 0);
    assert_int_equal(p.cmdline_len, 11);
    expect_error(plan(0, "0123456789a", 256 * MiB), "longer than the kernel's cmdline_size");
    assert_int_equal(plan(0, NULL, 256 * MiB), 0);
    assert_int_equal(p.cmdline_len, 1);
    kernel();
    memset(line, 'x', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    line[2047] = '\0';
    assert_int_equal(plan(0, line, 256 * MiB), 0);
    line[2047] = 'x';
    expect_error(plan(0, line, 256 * MiB), "2047 characters at most");
}

static void test_e820(void **state)
{
    struct bzimage_e820 extra[] = {
        { 256 * MiB - 0x10000, 0x10000, BZIMAGE_E820_ACPI },   /* tables at the top */
        { 0xFEC00000, 0x1000, BZIMAGE_E820_RESERVED },         /* outside the RAM */
        { 0xE0000, 0x20000, BZIMAGE_E820_RESERVED },           /* inside the hole */
        { 8 * MiB, 4096, BZIMAGE_E820_NVS },                   /* splits high RAM */
    };
    struct bzimage_layout l = { .ram_size = 256 * MiB, .extra = extra, .nextra = 4 };

    (void)state;
    kernel();
    assert_int_equal(plan(0, "", 256 * MiB), 0);
    assert_int_equal(p.e820_entries, 4);
    assert_int_equal(p.e820[0].addr, 0);
    assert_int_equal(p.e820[0].size, 0x1000);
    assert_int_equal(p.e820[0].type, BZIMAGE_E820_RESERVED);
    assert_int_equal(p.e820[1].addr, 0x1000);
    assert_int_equal(p.e820[1].size, 0x9F000);
    assert_int_equal(p.e820[1].type, BZIMAGE_E820_RAM);
    assert_int_equal(p.e820[2].addr, 0xA0000);
    assert_int_equal(p.e820[2].size, 0x60000);
    assert_int_equal(p.e820[2].type, BZIMAGE_E820_RESERVED);
    assert_int_equal(p.e820[3].addr, 1 * MiB);
    assert_int_equal(p.e820[3].size, 255 * MiB);
    assert_int_equal(p.e820[3].type, BZIMAGE_E820_RAM);

    assert_int_equal(plan_len(img_len, 20 * MiB, "", &l), 0);
    check_e820(256 * MiB);
    assert_int_equal(p.e820_entries, 9);
    assert_int_equal(p.e820[p.e820_entries - 1].addr, 0xFEC00000);
    assert_true(p.initrd_addr + p.initrd_size <= 256 * MiB - 0x10000);   /* below the tables */
    for (unsigned i = 0; i < p.e820_entries; i++)
        if (p.e820[i].addr == 8 * MiB)
            assert_int_equal(p.e820[i].type, BZIMAGE_E820_NVS);

    extra[3].addr = 0x7800;              /* over the zero page */
    expect_error(plan_len(img_len, 0, "", &l), "zero page");
    extra[3].addr = 17 * MiB;            /* inside the kernel's region */
    expect_error(plan_len(img_len, 0, "", &l), "beside the extra E820 ranges");
    extra[3].addr = 0xE8000;             /* overlapping another extra */
    expect_error(plan_len(img_len, 0, "", &l), "overlap");
    extra[3].addr = 8 * MiB;
    extra[3].type = BZIMAGE_E820_RAM;
    expect_error(plan_len(img_len, 0, "", &l), "type 1");
    l.ram_size = 256 * MiB + 1;
    expect_error(plan_len(img_len, 0, "", &l), "4 KiB multiple");
}

static void test_non_relocatable(void **state)
{
    (void)state;
    kernel();
    w8(0x234, 0);
    w64(0x258, 0x100000);
    assert_int_equal(plan(0, "", 64 * MiB), 0);
    assert_false(p.relocatable);
    assert_int_equal(p.kernel_addr, 1 * MiB);
    assert_int_equal(p.kernel_run_addr, 1 * MiB);
    assert_int_equal(p.kernel_region.lo, 1 * MiB);
    assert_int_equal(p.kernel_region.hi, 9 * MiB);
    assert_int_equal(p.entry.rip, 1 * MiB + 0x200);
    w64(0x258, 16 * MiB);                /* loaded at 1 MiB, decompresses to 16 MiB */
    assert_int_equal(plan(0, "", 64 * MiB), 0);
    assert_int_equal(p.kernel_addr, 1 * MiB);
    assert_int_equal(p.kernel_run_addr, 16 * MiB);
    assert_int_equal(p.kernel_region.lo, 1 * MiB);
    assert_int_equal(p.kernel_region.hi, 24 * MiB);
    w64(0x258, 0x90000);
    expect_error(plan(0, "", 64 * MiB), "below 1 MiB");
    w32(0x230, 3);                       /* alignment is not checked when not relocatable */
    w64(0x258, 0);
    assert_int_equal(plan(0, "", 64 * MiB), 0);
    assert_int_equal(p.kernel_run_addr, 1 * MiB);
}

static void test_32bit_only_and_long_header(void **state)
{
    (void)state;
    kernel();
    w16(0x236, 0);
    assert_int_equal(plan(0, "", 256 * MiB), 0);
    assert_int_equal(p.entry.bits, 32);
    assert_int_equal(p.entry.rip, 16 * MiB);
    assert_int_equal(p.entry.ident_map[0].hi, 0);
    kernel();
    w8(0x201, 0xff);                     /* claims a header to 0x301: cut at 0x290 */
    memset(img + 0x26c, 0xEE, 0x301 - 0x26c);
    assert_int_equal(plan(0, "", 256 * MiB), 0);
    assert_int_equal(zp[0x28f], 0xEE);
    assert_int_equal(zp[0x290], 0);
    check_e820(256 * MiB);
}

/* Loader-owned fields the file may hold anything in: the plan's values or 0. */
static void test_loader_fields_reset(void **state)
{
    (void)state;
    kernel();
    w64(0x250, 0x123456789);             /* setup_data: a list the kernel would walk */
    w32(0x23c, 2);                       /* hardware_subarch: Xen */
    w64(0x240, 0xdeadbeef);
    w16(0x226, 0x5a5a);                  /* ext_loader_ver/type */
    w8(0x210, 0x72);                     /* type_of_loader */
    w8(0x211, 0x01 | 0x20 | 0x40);       /* QUIET_FLAG, KEEP_SEGMENTS: not kept */
    w32(0x218, 0x1111);                  /* ramdisk_image, ramdisk_size, cmd_line_ptr */
    w32(0x21c, 0x2222);
    w32(0x228, 0x3333);
    assert_int_equal(plan(0, "", 256 * MiB), 0);
    assert_int_equal(z64(0x250), 0);
    assert_int_equal(z32(0x23c), 0);
    assert_int_equal(z64(0x240), 0);
    assert_int_equal(z16(0x226), 0);
    assert_int_equal(zp[0x210], 0xff);
    assert_int_equal(zp[0x211], 0x81);
    assert_int_equal(z32(0x218), 0);
    assert_int_equal(z32(0x21c), 0);
    assert_int_equal(z32(0x228), 0x20000);
}

/* A pref_address above 4 GiB: the file's bytes stay below 4 GiB (32-bit entry), the kernel
 * still runs where it asks, and the region between is the kernel's. */
static void test_pref_above_4g(void **state)
{
    (void)state;
    kernel();
    w64(0x258, 5 * GiB);
    w16(0x236, 0x0003);
    assert_int_equal(plan(4096, "", 8 * GiB), 0);
    assert_int_equal(p.kernel_addr, 1 * MiB);
    assert_int_equal(p.kernel_run_addr, 5 * GiB);
    assert_int_equal(p.kernel_region.lo, 1 * MiB);
    assert_int_equal(p.kernel_region.hi, 5 * GiB + 8 * MiB);
    assert_true(p.initrd_addr >= p.kernel_region.hi);
    assert_int_equal(p.entry32.rip, 1 * MiB);
    w8(0x234, 0);                        /* not relocatable: loaded at 1 MiB, runs at 5 GiB */
    assert_int_equal(plan(0, "", 8 * GiB), 0);
    assert_int_equal(p.kernel_addr, 1 * MiB);
    assert_int_equal(p.kernel_run_addr, 5 * GiB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_2_15),
        cmocka_unit_test(test_protocol_2_05_refused),
        cmocka_unit_test(test_missing_magic),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_truncated_by_syssize),
        cmocka_unit_test(test_setup_sects_zero),
        cmocka_unit_test(test_kernel_too_big),
        cmocka_unit_test(test_initrd_placement),
        cmocka_unit_test(test_cmdline_too_long),
        cmocka_unit_test(test_e820),
        cmocka_unit_test(test_non_relocatable),
        cmocka_unit_test(test_32bit_only_and_long_header),
        cmocka_unit_test(test_loader_fields_reset),
        cmocka_unit_test(test_pref_above_4g),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
