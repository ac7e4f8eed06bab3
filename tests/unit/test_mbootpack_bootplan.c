/*
 * test_mbootpack_bootplan.c - unit tests of the boot stub's hardware-free
 * logic: mem_lower/mem_upper, usable-RAM checks and allocation on an E820
 * map, loader command line cleanup and " -- " splitting, and the layout of
 * the Multiboot information structure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/mbootpack/bootplan.h"

/* The map QEMU's SeaBIOS reports with -m 256. */
static const struct mbp_e820 qemu_map[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0xfee0000, 1 },
	{ 0xffe0000, 0x20000, 2 },
	{ 0xfffc0000, 0x40000, 2 },
};
#define NQ (sizeof(qemu_map) / sizeof(qemu_map[0]))

static void test_mem_sizes(void **state)
{
	(void)state;
	uint32_t lo, up;

	mbp_mem_sizes(qemu_map, NQ, &lo, &up);
	assert_int_equal(lo, 639);
	assert_int_equal(up, 260992);
	/* Adjacent RAM entries above 1 MiB are joined; lower is capped. */
	const struct mbp_e820 split[] = {
		{ 0x0, 0x100000, 1 },
		{ 0x100000, 0x100000, 1 },
		{ 0x200000, 0x100000, 1 },
		{ 0x400000, 0x100000, 1 },
	};
	mbp_mem_sizes(split, 4, &lo, &up);
	assert_int_equal(lo, 640);
	assert_int_equal(up, 2048);
	mbp_mem_sizes(split, 0, &lo, &up);
	assert_int_equal(lo, 0);
	assert_int_equal(up, 0);
}

static void test_usable_and_alloc(void **state)
{
	(void)state;
	assert_true(mbp_usable(qemu_map, NQ, 0x9000, 0x1000));
	assert_false(mbp_usable(qemu_map, NQ, 0x9f000, 0x1000));
	assert_false(mbp_usable(qemu_map, NQ, 0xffdf000, 0x2000));
	assert_true(mbp_usable(qemu_map, NQ, 0x100000, 0xfee0000));
	assert_int_equal(mbp_alloc(qemu_map, NQ, 0x123456, 0x1000, 0x1000),
			 0x124000);
	assert_int_equal(mbp_alloc(qemu_map, NQ, 0x100000, 0x10000000,
				   0x1000), 0);
	/* A request that does not fit before a hole moves past it. */
	const struct mbp_e820 holey[] = {
		{ 0x100000, 0x100000, 1 },
		{ 0x200000, 0x100000, 2 },
		{ 0x300000, 0x400000, 1 },
	};
	assert_int_equal(mbp_alloc(holey, 3, 0x180000, 0x100000, 0x1000),
			 0x300000);
	assert_int_equal(mbp_alloc(holey, 3, 0x100000, 0x80000, 0x1000),
			 0x100000);
	/* Overlapping reserved entry wins over RAM. */
	const struct mbp_e820 bad[] = {
		{ 0x100000, 0x1000000, 1 },
		{ 0x180000, 0x1000, 2 },
	};
	assert_false(mbp_usable(bad, 2, 0x100000, 0x100000));
	assert_int_equal(mbp_alloc(bad, 2, 0x100000, 0x100000, 0x1000),
			 0x181000);
}

/* Clean a copy of in and compare with want. */
static void check_clean(const char *in, const char *want)
{
	char buf[256];

	strcpy(buf, in);
	assert_int_equal(mbp_clean_cmdline(buf), strlen(want));
	assert_string_equal(buf, want);
}

static void test_clean(void **state)
{
	(void)state;
	check_clean("", "");
	check_clean("BOOT_IMAGE=/boot/k.img", "");
	check_clean("BOOT_IMAGE=/boot/k.img a  b -- c", "a  b -- c");
	check_clean("  x BOOT_IMAGE=k y ", "x y");
	check_clean("auto BOOT_IMAGE=linux console=com1", "console=com1");
	check_clean("BOOT_IMAGE=linux auto console=com1", "console=com1");
	check_clean("auto console=com1", "auto console=com1");
	check_clean("xBOOT_IMAGE=1 BOOT_IMAGE", "xBOOT_IMAGE=1 BOOT_IMAGE");
}

static void test_split(void **state)
{
	(void)state;
	char buf[128], *p[4];

	strcpy(buf, "xen args -- dom0 args --  m2 ");
	assert_int_equal(mbp_split_cmdline(buf, p, 4), 3);
	assert_string_equal(p[0], "xen args");
	assert_string_equal(p[1], "dom0 args");
	assert_string_equal(p[2], "m2");
	strcpy(buf, "a --b c-- d --");
	assert_int_equal(mbp_split_cmdline(buf, p, 4), 2);
	assert_string_equal(p[0], "a --b c-- d");
	assert_string_equal(p[1], "");
	strcpy(buf, "-- only");
	assert_int_equal(mbp_split_cmdline(buf, p, 4), 2);
	assert_string_equal(p[0], "");
	assert_string_equal(p[1], "only");
	/* Extra parts stay in the last one. */
	strcpy(buf, "a -- b -- c");
	assert_int_equal(mbp_split_cmdline(buf, p, 2), 2);
	assert_string_equal(p[1], "b -- c");
}

/* Read a 32-bit field of the built structure. */
static uint32_t f32(const uint8_t *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, 4);
	return v;
}

static void test_build_mbi(void **state)
{
	(void)state;
	static uint8_t buf[4096];
	const uint32_t phys = 0x9000;
	struct mbp_mbi_mod mods[2] = {
		{ 0x105000, 0x10500a, "hello.elf", "a1" },
		{ 0x106000, 0x106000, "dom.cfg", "" },
	};
	struct mbp_mbi_in in = {
		.have_mmap = 1, .map = qemu_map, .nmap = NQ,
		.mem_lower = 639, .mem_upper = 260992,
		.kernel_name = "kestrel.elf", .args = "console=com1",
		.nmods = 2, .mods = mods,
	};
	size_t need = mbp_mbi_size(&in);

	assert_int_equal(mbp_build_mbi(buf, phys, need - 1, &in), 0);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(mbp_build_mbi(buf, phys, sizeof(buf), &in), need);
	assert_int_equal(f32(buf, 0), 0x24d);
	assert_int_equal(f32(buf, 4), 639);
	assert_int_equal(f32(buf, 8), 260992);
	assert_int_equal(f32(buf, 12), 0);
	assert_string_equal((char *)buf + f32(buf, 16) - phys,
			    "kestrel.elf console=com1");
	assert_string_equal((char *)buf + f32(buf, 64) - phys, "mbootpack");
	assert_int_equal(f32(buf, 20), 2);
	const uint8_t *m = buf + f32(buf, 24) - phys;
	assert_int_equal(f32(m, 0), 0x105000);
	assert_int_equal(f32(m, 4), 0x10500a);
	assert_string_equal((char *)buf + f32(m, 8) - phys, "hello.elf a1");
	assert_string_equal((char *)buf + f32(m, 24) - phys, "dom.cfg");
	assert_int_equal(f32(buf, 44), NQ * 24);
	const uint8_t *mm = buf + f32(buf, 48) - phys;
	assert_int_equal(f32(mm, 0), 20);
	assert_memory_equal(mm + 4, &qemu_map[0], 20);
	assert_int_equal(f32(mm + 24 * 3, 0), 20);
	assert_memory_equal(mm + 24 * 3 + 4, &qemu_map[3], 20);
	/* Without a firmware map: no MMAP flag. */
	in.have_mmap = 0;
	in.nmods = 0;
	assert_int_not_equal(mbp_build_mbi(buf, phys, sizeof(buf), &in), 0);
	assert_int_equal(f32(buf, 0), 0x20d);
	assert_int_equal(f32(buf, 24), 0);
	assert_int_equal(f32(buf, 44), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_sizes),
		cmocka_unit_test(test_usable_and_alloc),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_build_mbi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
