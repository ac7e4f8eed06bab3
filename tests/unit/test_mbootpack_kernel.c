/*
 * test_mbootpack_kernel.c - unit tests of mbootpack's Multiboot kernel
 * parser: ELF32, ELF64 and flat a.out-kludge images, and every fault it
 * must report (no header, bad checksum, flags, truncation, overlaps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/mbootpack/bytes.h"
#include "../../tools/mbootpack/kernel.h"

static uint8_t img[16384];
static char err[256];
static struct mb_kernel k;

/* Put a Multiboot header with flags at off (address fields if given). */
static void mb_header(size_t off, uint32_t flags, const uint32_t *addr)
{
	put32(img + off, MB_HEADER_MAGIC);
	put32(img + off + 4, flags);
	put32(img + off + 8, (uint32_t)-(MB_HEADER_MAGIC + flags));
	if (addr)
		for (int i = 0; i < 5; i++)
			put32(img + off + 12 + 4 * i, addr[i]);
}

/* Build an ELF32 i386 executable with n PT_LOAD segments: segment i at
 * paddr[i] with filesz 0x100, memsz 0x200, data at 0x1000 + 0x100 * i. */
static size_t elf32(unsigned n, const uint32_t *paddr, uint32_t entry)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF\1\1\1", 7);
	put16(img + 16, 2);
	put16(img + 18, 3);
	put32(img + 24, entry);
	put32(img + 28, 52);
	put16(img + 42, 32);
	put16(img + 44, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *ph = img + 52 + 32 * i;
		put32(ph, 1);
		put32(ph + 4, 0x1000 + 0x100 * i);
		put32(ph + 8, paddr[i] + 0xc0000000u);
		put32(ph + 12, paddr[i]);
		put32(ph + 16, 0x100);
		put32(ph + 20, 0x200);
		memset(img + 0x1000 + 0x100 * i, 0xa0 + (int)i, 0x100);
	}
	mb_header(0x400, 3, NULL);
	return 0x1000 + 0x100 * n;
}

/* An ELF32 kernel loads by physical address, entry translated. */
static void test_elf32_ok(void **state)
{
	(void)state;
	uint32_t p[2] = { 0x100000, 0x200000 };
	size_t len = elf32(2, p, 0xc0100010u);

	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), 0);
	assert_int_equal(k.format, MBP_FMT_ELF32);
	assert_int_equal(k.nsegs, 2);
	assert_int_equal(k.segs[1].dest, 0x200000);
	assert_int_equal(k.segs[1].filesz, 0x100);
	assert_int_equal(k.segs[1].memsz, 0x200);
	assert_ptr_equal(k.segs[1].data, img + 0x1100);
	/* Virtual entry translated to physical, as GRUB does. */
	assert_int_equal(k.entry, 0x100010);
	assert_int_equal(k.header_offset, 0x400);
}

/* A header only past the first 8 KiB is not found. */
static void test_no_header(void **state)
{
	(void)state;
	uint32_t p[1] = { 0x100000 };
	size_t len = elf32(1, p, 0x100000);

	memset(img + 0x400, 0, 12);
	/* A header past 8 KiB does not count. */
	mb_header(0x2000, 3, NULL);
	assert_int_equal(mb_kernel_parse(img, len + 0x2000, &k, err,
					 sizeof(err)), -1);
	assert_string_equal(err, "no Multiboot header in the first 8 KiB");
}

/* A header with a bad checksum is reported with its offset. */
static void test_bad_checksum(void **state)
{
	(void)state;
	uint32_t p[1] = { 0x100000 };
	size_t len = elf32(1, p, 0x100000);

	put32(img + 0x408, 0);
	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad checksum"));
	assert_non_null(strstr(err, "0x400"));
}

/* Video mode and unknown required flags are refused by name; optional ones ignored. */
static void test_flags(void **state)
{
	(void)state;
	uint32_t p[1] = { 0x100000 };
	size_t len = elf32(1, p, 0x100000);

	mb_header(0x400, 0x7, NULL);
	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0x4 (video mode"));
	mb_header(0x400, 0x103, NULL);
	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0x100 (unknown required"));
	/* Optional flags (16-31) other than the kludge are ignored. */
	mb_header(0x400, 0x80000003u, NULL);
	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), 0);
}

/* Segment data or program headers past the end of the file are reported. */
static void test_truncated_elf(void **state)
{
	(void)state;
	uint32_t p[2] = { 0x100000, 0x200000 };
	size_t len = elf32(2, p, 0x100000);

	assert_int_equal(mb_kernel_parse(img, len - 1, &k, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "truncated ELF: segment 1"));
	put16(img + 44, 200);
	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated ELF: program headers"));
}

/* Overlapping segments and segments below 1 MiB are refused. */
static void test_overlap_and_low(void **state)
{
	(void)state;
	uint32_t p[2] = { 0x100000, 0x100100 };
	size_t len = elf32(2, p, 0x100000);

	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "overlapping segments 0"));
	uint32_t q[1] = { 0x8000 };
	len = elf32(1, q, 0x8000);
	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "below 1 MiB"));
}

/* An ELF64 loads only through the a.out-kludge address fields. */
static void test_elf64_needs_kludge(void **state)
{
	(void)state;
	uint32_t p[1] = { 0x100000 };
	size_t len = elf32(1, p, 0x100000);

	img[4] = 2;
	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ELF64 kernel without"));
	/* With the address fields it loads one flat segment. */
	uint32_t a[5] = { 0x100400, 0x100000, 0x100800, 0x101000, 0x100420 };
	mb_header(0x400, 0x10003, a);
	assert_int_equal(mb_kernel_parse(img, len, &k, err, sizeof(err)), 0);
	assert_int_equal(k.format, MBP_FMT_ELF64_KLUDGE);
	assert_int_equal(k.nsegs, 1);
	assert_ptr_equal(k.segs[0].data, img);
	assert_int_equal(k.segs[0].filesz, 0x800);
	assert_int_equal(k.segs[0].memsz, 0x1000);
	assert_int_equal(k.entry, 0x100420);
}

/* A flat a.out-kludge image loads; each bad address field is named. */
static void test_aout_flat(void **state)
{
	(void)state;
	memset(img, 0x5a, sizeof(img));
	/* load_end 0: the rest of the file; bss_end 0: no BSS. */
	uint32_t a[5] = { 0x200010, 0x200000, 0, 0, 0x200040 };
	mb_header(0x10, 0x10002, a);
	assert_int_equal(mb_kernel_parse(img, 0x3000, &k, err, sizeof(err)),
			 0);
	assert_int_equal(k.format, MBP_FMT_AOUT_KLUDGE);
	assert_int_equal(k.segs[0].dest, 0x200000);
	assert_int_equal(k.segs[0].filesz, 0x3000);
	assert_int_equal(k.segs[0].memsz, 0x3000);
	/* Faults in the address fields. */
	a[1] = 0x100000;
	mb_header(0x10, 0x10002, a);
	assert_int_equal(mb_kernel_parse(img, 0x3000, &k, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "before the start of the file"));
	uint32_t b[5] = { 0x200010, 0x200000, 0x209000, 0, 0x200040 };
	mb_header(0x10, 0x10002, b);
	assert_int_equal(mb_kernel_parse(img, 0x3000, &k, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "past the end of the file"));
	uint32_t c[5] = { 0x200010, 0x200000, 0x201000, 0x200800, 0x200040 };
	mb_header(0x10, 0x10002, c);
	assert_int_equal(mb_kernel_parse(img, 0x3000, &k, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "bss_end_addr"));
	uint32_t d[5] = { 0x200010, 0x200000, 0x201000, 0, 0x300000 };
	mb_header(0x10, 0x10002, d);
	assert_int_equal(mb_kernel_parse(img, 0x3000, &k, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "entry_addr"));
	/* Header cut off before its address fields. */
	mb_header(0x10, 0x10002, a);
	assert_int_equal(mb_kernel_parse(img, 0x20, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated Multiboot header"));
}

/* A non-ELF file needs the address fields. */
static void test_not_elf_without_kludge(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	mb_header(0x20, 3, NULL);
	assert_int_equal(mb_kernel_parse(img, 0x1000, &k, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not an ELF file"));
}

/* Run every test of this file. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf32_ok),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_truncated_elf),
		cmocka_unit_test(test_overlap_and_low),
		cmocka_unit_test(test_elf64_needs_kludge),
		cmocka_unit_test(test_aout_flat),
		cmocka_unit_test(test_not_elf_without_kludge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
