/* Unit tests for the Multiboot guest image parser (src/core/mbimage.c). The images are built
 * here: ELF32 executables (with PT_LOAD, other and empty program headers, higher-half
 * vaddr/paddr), ELF64 and ELF32 with the address fields, raw a.out-kludge binaries; then many
 * malformed ones, each expecting its one-line error; then every truncation of a good image,
 * parsed from an exact-size heap copy so a read past the end would be caught. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/mbimage.h"
#include "core/vcpu.h"

#define IMG_MAX 0x6000
static uint8_t img[IMG_MAX];
static struct mbimage m;
static char err[256];

static void w16(size_t off, uint16_t v) { img[off] = (uint8_t)v; img[off + 1] = (uint8_t)(v >> 8); }
static void w32(size_t off, uint32_t v) { w16(off, (uint16_t)v); w16(off + 2, (uint16_t)(v >> 16)); }

/* A Multiboot header at off with flags and a correct checksum (plus address fields). */
static void mb_header(size_t off, uint32_t flags, uint32_t haddr, uint32_t load,
                      uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
    w32(off, 0x1BADB002u);
    w32(off + 4, flags);
    w32(off + 8, (uint32_t)-(0x1BADB002u + flags));
    w32(off + 12, haddr);
    w32(off + 16, load);
    w32(off + 20, load_end);
    w32(off + 24, bss_end);
    w32(off + 28, entry);
}

/* ELF32 EM_386 executable header with nph program headers at 52, and the Multiboot header
 * (flags 3) at 0x800, past 17 program headers. */
static void elf32(uint32_t entry, unsigned nph)
{
    memset(img, 0, sizeof(img));
    memcpy(img, "\x7f" "ELF\x01\x01\x01", 7);
    w16(16, 2);                          /* ET_EXEC */
    w16(18, 3);                          /* EM_386 */
    w32(20, 1);
    w32(24, entry);
    w32(28, 52);                         /* e_phoff */
    w16(40, 52);
    w16(42, 32);
    w16(44, (uint16_t)nph);
    mb_header(0x800, 3, 0, 0, 0, 0, 0);
}

/* Program header i of the ELF32 image. */
static void ph32(unsigned i, uint32_t type, uint32_t off, uint32_t vaddr, uint32_t paddr,
                 uint32_t fsz, uint32_t msz)
{
    size_t p = 52 + 32u * i;

    w32(p, type);
    w32(p + 4, off);
    w32(p + 8, vaddr);
    w32(p + 12, paddr);
    w32(p + 16, fsz);
    w32(p + 20, msz);
}

/* Parse img[0..len) from an exact-size heap copy. */
static int parse(size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    assert_non_null(copy);
    memcpy(copy, img, len);
    memset(err, 0x55, sizeof(err));
    rc = mbimage_parse(copy, len, &m, err, sizeof(err));
    free(copy);
    if (rc == 0)
        assert_int_equal(err[0], '\0');
    else
        assert_null(strchr(err, '\n'));
    return rc;
}

static void bad(size_t len, const char *piece)
{
    if (parse(len) != -1)
        fail_msg("accepted an image that should fail with: %s", piece);
    if (!strstr(err, piece))
        fail_msg("error '%s' does not contain '%s'", err, piece);
}

static void seg_is(unsigned i, uint64_t off, uint64_t fsz, uint64_t addr, uint64_t msz)
{
    assert_int_equal(m.segs[i].file_off, off);
    assert_int_equal(m.segs[i].file_size, fsz);
    assert_int_equal(m.segs[i].load_addr, addr);
    assert_int_equal(m.segs[i].mem_size, msz);
}

static void test_elf32_good(void **state)
{
    (void)state;
    elf32(0x100010, 4);
    ph32(0, 1, 0x2000, 0x102000, 0x102000, 0x100, 0x2000);   /* data + bss, listed first */
    ph32(1, 4, 0x300, 0, 0, 0x20, 0x20);                      /* PT_NOTE: skipped */
    ph32(2, 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);  /* text */
    ph32(3, 1, 0, 0x200000, 0x200000, 0, 0);                  /* empty PT_LOAD: skipped */
    assert_int_equal(parse(0x2100), 0);
    assert_string_equal(m.format, "ELF32");
    assert_int_equal(m.mb_flags, 3);
    assert_int_equal(m.header_off, 0x800);
    assert_int_equal(m.entry, 0x100010);
    assert_int_equal(m.nsegs, 2);
    seg_is(0, 0x1000, 0x1000, 0x100000, 0x1000);
    seg_is(1, 0x2000, 0x100, 0x102000, 0x2000);
    assert_int_equal(m.lowest, 0x100000);
    assert_int_equal(m.highest, 0x104000);
}

static void test_elf32_higher_half_and_video(void **state)
{
    (void)state;
    elf32(0xC010000C, 1);
    ph32(0, 1, 0x1000, 0xC0100000, 0x100000, 0x1000, 0x3000);
    mb_header(0x800, 7, 0, 0, 0, 0, 0);  /* bit 2 video: accepted, ignored */
    assert_int_equal(parse(0x2000), 0);
    assert_int_equal(m.entry, 0x10000C);
    assert_int_equal(m.mb_flags, 7);
    mb_header(0x800, 0x00F00003, 0, 0, 0, 0, 0);   /* optional bits 17+: fine */
    assert_int_equal(parse(0x2000), 0);
}

static void test_kludge_good(void **state)
{
    (void)state;
    memset(img, 0xAA, sizeof(img));
    mb_header(0x20, 0x10003, 0x100020, 0x100000, 0x103000, 0x105000, 0x100040);
    assert_int_equal(parse(0x3000), 0);
    assert_string_equal(m.format, "a.out kludge");
    assert_int_equal(m.entry, 0x100040);
    assert_int_equal(m.nsegs, 1);
    seg_is(0, 0, 0x3000, 0x100000, 0x5000);
    assert_int_equal(m.lowest, 0x100000);
    assert_int_equal(m.highest, 0x105000);

    /* load_end 0: to the end of the file; bss_end 0: no bss; the file starts before load */
    memset(img, 0xAA, sizeof(img));
    mb_header(0x1000, 0x10000, 0x200800, 0x200000, 0, 0, 0x200000);
    assert_int_equal(parse(0x2000), 0);
    seg_is(0, 0x800, 0x1800, 0x200000, 0x1800);
}

static void test_elf64_and_elf32_with_addr(void **state)
{
    (void)state;
    memset(img, 0, sizeof(img));
    memcpy(img, "\x7f" "ELF\x02\x01\x01", 7);
    w16(16, 2);
    w16(18, 62);
    mb_header(0x1000, 0x10002, 0x101000, 0x100000, 0x104000, 0x110000, 0x10100C);
    assert_int_equal(parse(0x5000), 0);
    assert_string_equal(m.format, "ELF64+addr");
    seg_is(0, 0, 0x4000, 0x100000, 0x10000);
    assert_int_equal(m.entry, 0x10100C);
    mb_header(0x1000, 2, 0, 0, 0, 0, 0);
    bad(0x5000, "ELF64 needs the Multiboot address fields");
    w16(18, 183);
    bad(0x5000, "ELF64 image for machine 183 needs the Multiboot address fields");

    elf32(0x300000, 1);                  /* phdrs say 3 MiB, the address fields win */
    ph32(0, 1, 0x1000, 0x300000, 0x300000, 0x10, 0x10);
    mb_header(0x800, 0x10000, 0x100800, 0x100000, 0x102000, 0, 0x100300);
    assert_int_equal(parse(0x2000), 0);
    assert_string_equal(m.format, "ELF32+addr");
    seg_is(0, 0, 0x2000, 0x100000, 0x2000);
}

static void test_header_search(void **state)
{
    (void)state;
    memset(img, 0, sizeof(img));
    bad(0x4000, "no Multiboot header");
    bad(0, "no Multiboot header");
    mb_header(8180, 0x10000, 0x101FF4, 0x100000, 0, 0, 0x100000);  /* ends at byte 8192 */
    w32(8180 + 8, (uint32_t)-(0x1BADB002u + 0x10000));
    assert_int_equal(parse(0x4000), 0);  /* address fields lie past 8 KiB: still fine */
    memset(img, 0, sizeof(img));
    mb_header(8184, 0x10000, 0, 0, 0, 0, 0);   /* header not wholly inside 8 KiB */
    bad(0x4000, "no Multiboot header");
    memset(img, 0, sizeof(img));
    mb_header(0x102, 0x10000, 0, 0, 0, 0, 0);  /* not 4-byte aligned */
    bad(0x4000, "no Multiboot header");
    memset(img, 0, sizeof(img));
    mb_header(0x100, 3, 0, 0, 0, 0, 0);
    w32(0x108, 0x12345678);
    bad(0x4000, "offset 0x100 has a bad checksum");
    mb_header(0x200, 0x10000, 0x100200, 0x100000, 0, 0, 0x100000);  /* a good one later */
    assert_int_equal(parse(0x1000), 0);
    assert_int_equal(m.header_off, 0x200);
    memset(img, 0, sizeof(img));
    mb_header(0x40, 0x10000, 0, 0, 0, 0, 0);
    bad(0x50, "cut off by the end of the file");
}

static void test_flags(void **state)
{
    (void)state;
    memset(img, 0, sizeof(img));
    mb_header(0, 0x10000 | (1u << 3) | (1u << 7) | (1u << 15), 0x100000, 0x100000, 0, 0,
              0x100000);
    bad(0x1000, "unsupported feature bit(s) 3, 7, 15");
    mb_header(0, 3, 0, 0, 0, 0, 0);
    bad(0x1000, "not an ELF32 image and no Multiboot address fields");
}

static void test_kludge_errors(void **state)
{
    (void)state;
    memset(img, 0, sizeof(img));
    mb_header(0x20, 0x10000, 0x100020, 0x100000, 0xFFFFF, 0, 0x100000);
    bad(0x3000, "load_end_addr 0xfffff is below load_addr 0x100000");
    mb_header(0x20, 0x10000, 0xFFFFF, 0x100000, 0, 0, 0x100000);
    bad(0x3000, "header_addr 0xfffff is below load_addr");
    mb_header(0x20, 0x10000, 0x100040, 0x100000, 0, 0, 0x100000);
    bad(0x3000, "before the file");
    mb_header(0x20, 0x10000, 0x100020, 0x100000, 0x104000, 0, 0x100000);
    bad(0x3000, "past the end of the file");
    mb_header(0x20, 0x10000, 0x100020, 0x100000, 0x103000, 0x102000, 0x100000);
    bad(0x3000, "bss_end_addr 0x102000 is below");
    mb_header(0x20, 0x10000, 0x100020, 0x100000, 0x100000, 0, 0x100000);
    bad(0x3000, "load nothing");
    mb_header(0x20, 0x10000, 0x100020, 0x100000, 0, 0, 0x200000);
    bad(0x3000, "entry point 0x200000 is outside every loaded segment");
    mb_header(0x20, 0x10000, 0x80020, 0x80000, 0, 0, 0x80000);
    bad(0x3000, "below 1 MiB");
    mb_header(0x20, 0x10000, 0xFFFFF020, 0xFFFFF000, 0xFFFFF800, 0xFFFFFFFF, 0xFFFFF000);
    assert_int_equal(parse(0x3000), 0);  /* ends 1 byte below 4 GiB */
    mb_header(0x20, 0x10000, 0xFFFFF020, 0xFFFFF000, 0, 0, 0xFFFFF000);
    bad(0x3000, "above 4 GiB");
}

static void test_elf32_errors(void **state)
{
    (void)state;
    elf32(0x100000, 1);
    ph32(0, 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);
    assert_int_equal(parse(0x2000), 0);
    ph32(0, 1, 0x1000, 0x100000, 0x100000, 0x1001, 0x1000);
    bad(0x2000, "p_filesz 0x1001 exceeds p_memsz 0x1000");
    ph32(0, 1, 0x1800, 0x100000, 0x100000, 0x1000, 0x1000);
    bad(0x2000, "run past the end of the file");
    ph32(0, 1, 0xFFFFFFFF, 0x100000, 0x100000, 0x1000, 0x1000);
    bad(0x2000, "run past the end of the file");
    ph32(0, 1, 0x1000, 0xFFFFF000, 0xFFFFF000, 0x1000, 0x2000);
    elf32(0xFFFFF000, 1);
    ph32(0, 1, 0x1000, 0xFFFFF000, 0xFFFFF000, 0x1000, 0x2000);
    bad(0x2000, "above 4 GiB");
    elf32(0x100000, 2);
    ph32(0, 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x2000);
    ph32(1, 1, 0x1000, 0x101000, 0x101000, 0x1000, 0x1000);
    bad(0x2000, "overlap");
    elf32(0x100000, 1);
    ph32(0, 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);
    w16(44, 0);
    bad(0x2000, "no program headers");
    w16(44, 1);
    w16(42, 16);
    bad(0x2000, "e_phentsize 16");
    w16(42, 32);
    w32(28, 0x1FF0);
    bad(0x2000, "truncated ELF: program headers");
    w32(28, 0xFFFFFFF0);
    bad(0x2000, "truncated ELF: program headers");
    w32(28, 52);
    w16(44, 2000);
    bad(0x2000, "truncated ELF");
    w16(44, 1);
    w16(18, 62);
    bad(0x2000, "machine 62, not EM_386");
    w16(18, 3);
    w16(16, 3);
    bad(0x2000, "not an executable");
    w16(16, 2);
    img[5] = 2;
    bad(0x2000, "not little-endian");
    img[5] = 1;
    ph32(0, 4, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);
    bad(0x2000, "no loadable (PT_LOAD) segment");
    memset(img + 0x800, 0, 32);
    mb_header(0x20, 3, 0, 0, 0, 0, 0);   /* header inside the ELF header area, ELF32 < 52 */
    bad(0x30, "truncated ELF32 header");
}

static void test_too_many_and_limits(void **state)
{
    (void)state;
    elf32(0x100000, 17);
    for (unsigned i = 0; i < 17; i++)
        ph32(i, 1, 0x1000, 0x100000 + 0x1000 * i, 0x100000 + 0x1000 * i, 0x10, 0x1000);
    bad(0x2000, "too many loadable segments (at most 16)");
    w16(44, 16);
    assert_int_equal(parse(0x2000), 0);
    assert_int_equal(m.nsegs, 16);
    assert_int_equal(m.highest, 0x110000);
    ph32(3, 1, 0x1000, 0x100000, 0x100000, 0x10, 0x1000);   /* duplicate of 0 */
    bad(0x2000, "overlap");
    elf32(0x1FFFFF, 1);
    ph32(0, 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x100000);
    assert_int_equal(parse(0x2000), 0);   /* last byte of the segment */
    elf32(0x200000, 1);
    ph32(0, 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x100000);
    bad(0x2000, "entry point 0x200000 is outside");
    assert_int_equal(mbimage_parse(NULL, 100, &m, NULL, 0), -1);
}

/* Every prefix of good images parses or fails cleanly (ASan-checked reads). */
static void test_truncations(void **state)
{
    (void)state;
    elf32(0x100010, 2);
    ph32(0, 1, 0x2000, 0x102000, 0x102000, 0x100, 0x2000);
    ph32(1, 1, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000);
    for (size_t n = 0; n <= 0x2100; n++)
        assert_int_equal(parse(n), n >= 0x2100 ? 0 : -1);
    memset(img, 0xAA, sizeof(img));
    mb_header(0x20, 0x10003, 0x100020, 0x100000, 0x103000, 0x105000, 0x100040);
    for (size_t n = 0; n <= 0x3000; n++)
        assert_int_equal(parse(n), n >= 0x3000 ? 0 : -1);
}

/* The Multiboot entry state (spec 3.2), which both backends load as given. */
static void test_entry_state(void **state)
{
    (void)state;
    struct mbimage mb = { .entry = 0x100123 };
    struct vcpu_entry e;
    memset(&e, 0xa5, sizeof(e));
    mbimage_entry_state(&mb, 0x8000, &e);
    assert_int_equal(e.regs.rax, 0x2BADB002u);
    assert_int_equal(e.regs.rbx, 0x8000);
    assert_int_equal(e.regs.rip, 0x100123);
    assert_int_equal(e.regs.rflags, 0x2);           /* IF clear */
    assert_int_equal(e.regs.rsp, 0);
    assert_int_equal(e.regs.rcx | e.regs.rdx | e.regs.rsi | e.regs.rdi | e.regs.r15, 0);
    assert_int_equal(e.cr0, 0x11);                  /* PE, ET; paging off */
    assert_int_equal(e.cr3 | e.cr4 | e.efer, 0);
    assert_int_equal(e.cs.sel, 0x08);
    assert_int_equal(e.cs.attr, 0xC9B);             /* 32-bit code, DPL 0, G */
    assert_int_equal(e.cs.limit, 0xFFFFFFFFu);
    assert_int_equal(e.cs.base, 0);
    const struct vcpu_segment *data[] = { &e.ds, &e.es, &e.fs, &e.gs, &e.ss };
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(data[i]->sel, 0x10);
        assert_int_equal(data[i]->attr, 0xC93);
        assert_int_equal(data[i]->limit, 0xFFFFFFFFu);
        assert_int_equal(data[i]->base, 0);
    }
    assert_int_equal(e.ldtr.sel, 0);
    assert_int_equal(e.tr.attr, 0x08B);
    assert_int_equal(e.gdtr.limit, 0xFFFF);
    assert_int_equal(e.idtr.base, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_state),
        cmocka_unit_test(test_elf32_good),
        cmocka_unit_test(test_elf32_higher_half_and_video),
        cmocka_unit_test(test_kludge_good),
        cmocka_unit_test(test_elf64_and_elf32_with_addr),
        cmocka_unit_test(test_header_search),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_kludge_errors),
        cmocka_unit_test(test_elf32_errors),
        cmocka_unit_test(test_too_many_and_limits),
        cmocka_unit_test(test_truncations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
