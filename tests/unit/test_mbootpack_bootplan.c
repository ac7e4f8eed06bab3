/*
 * test_mbootpack_bootplan.c - unit tests of the 32-bit loader's hardware-free
 * logic: mem_lower/mem_upper, usable-RAM checks and allocation on an E820
 * map, reading memory information from boot_params (E820, E801, 88h),
 * loader command line cleanup, " -- " splitting and the choice of
 * arguments, the placement of modules and scratch memory, and the layout
 * of the Multiboot information structure.
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

/* mem_lower/mem_upper follow GRUB: RAM at 0 (capped at 640 KiB) and RAM contiguous from 1 MiB. */
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

/* Usable means inside RAM and clear of other entries; allocation steps over holes. */
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

/* Loader-added BOOT_IMAGE= words and LILO's "auto" go; everything else stays as typed. */
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

/* The line splits at each word "--", parts trimmed, extra parts kept in the last. */
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

/* The Multiboot information has every field and string where its pointers say. */
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

/* A boot_params page with everything zero. */
static uint8_t bp[4096];

/* Store v little-endian in bp at off. */
static void bp32(size_t off, uint32_t v)
{
	memcpy(bp + off, &v, 4);
}

/* boot_params memory: E820 first, then E801, then 88h, INT 12h for mem_lower. */
static void test_bootparams_memory(void **state)
{
	(void)state;
	static struct mbp_meminfo mi;

	memset(bp, 0, sizeof(bp));
	assert_int_equal(mbp_bootparams_memory(bp, &mi), -1);
	/* INT 15h/88h only; no INT 12h value: 640 KiB assumed. */
	bp[BP_EXT_MEM_K] = 0x00;
	bp[BP_EXT_MEM_K + 1] = 0x3c;          /* 15360 KiB */
	assert_int_equal(mbp_bootparams_memory(bp, &mi), 0);
	assert_false(mi.have_mmap);
	assert_int_equal(mi.mem_lower, 640);
	assert_int_equal(mi.mem_upper, 15360);
	assert_int_equal(mi.n, 2);
	assert_int_equal(mi.map[1].addr, 0x100000);
	assert_int_equal(mi.map[1].size, 15360u << 10);
	/* E801 wins over 88h; INT 12h from our setup gives mem_lower. */
	bp32(BP_ALT_MEM_K, 64512);
	bp32(BP_PRIV_MAGIC, BP_PRIV_MAGIC_VALUE);
	bp[BP_PRIV_LOWMEM] = 0x7f;            /* 639 */
	bp[BP_PRIV_LOWMEM + 1] = 0x02;
	assert_int_equal(mbp_bootparams_memory(bp, &mi), 0);
	assert_int_equal(mi.mem_lower, 639);
	assert_int_equal(mi.mem_upper, 64512);
	assert_int_equal(mi.map[0].size, 639u << 10);
	/* E820 wins over both, copied as reported. */
	memcpy(bp + BP_E820_TABLE, qemu_map, sizeof(qemu_map));
	bp[BP_E820_ENTRIES] = NQ;
	assert_int_equal(mbp_bootparams_memory(bp, &mi), 0);
	assert_true(mi.have_mmap);
	assert_int_equal(mi.n, NQ);
	assert_memory_equal(mi.map, qemu_map, sizeof(qemu_map));
	assert_int_equal(mi.mem_upper, 260992);
	/* A count over the table size is clamped. */
	bp[BP_E820_ENTRIES] = 200;
	assert_int_equal(mbp_bootparams_memory(bp, &mi), 0);
	assert_int_equal(mi.n, BP_E820_MAX);
}

/* A loader line replaces the packed args part by part; an empty one keeps them. */
static void test_choose_args(void **state)
{
	(void)state;
	const char *packed[3] = { "p0", "", "p2" }, *k, *m[3];
	char *parts[MBP_MAX_MODULES + 1];
	char line[128];

	mbp_choose_args(NULL, "def", 3, packed, &k, m, parts);
	assert_string_equal(k, "def");
	assert_string_equal(m[0], "p0");
	assert_string_equal(m[2], "p2");
	strcpy(line, "  BOOT_IMAGE=/boot/kestrel.img ");
	mbp_choose_args(line, "def", 3, packed, &k, m, parts);
	assert_string_equal(k, "def");
	assert_string_equal(m[1], "");
	strcpy(line, "BOOT_IMAGE=x new -- m0 -- ");
	mbp_choose_args(line, "def", 3, packed, &k, m, parts);
	assert_string_equal(k, "new");
	assert_string_equal(m[0], "m0");
	assert_string_equal(m[1], "");
	assert_string_equal(m[2], "p2");
}

/* Modules follow the kernel, scratch goes above all, the information low if RAM. */
static void test_place(void **state)
{
	(void)state;
	static struct mbp_meminfo mi;
	struct mbp_place_out out;
	const struct mbp_segment segs[2] = {
		{ 0x100000, 0, 0x1000, 0x3000 },
		{ 0x200000, 0, 0x10, 0x20 },
	};
	const struct mbp_module mods[2] = {
		{ 0, 10, 0, 0 },
		{ 0, 0x5000, 0, 0 },
	};
	struct mbp_place_in in = {
		.mem = &mi, .nsegs = 2, .segs = segs, .nmods = 2,
		.mods = mods, .payload_base = 0x100000,
		.payload_size = 0x40000, .scratch_extra = 0x3000,
		.mbi_size = 500,
	};

	memset(&mi, 0, sizeof(mi));
	mi.have_mmap = 1;
	mi.n = NQ;
	memcpy(mi.map, qemu_map, sizeof(qemu_map));
	assert_null(mbp_place(&in, &out));
	assert_int_equal(out.mod_start[0], 0x201000);
	assert_int_equal(out.mod_start[1], 0x202000);
	assert_int_equal(out.scratch, 0x207000);
	assert_int_equal(out.scratch_size, 0x43000);
	assert_int_equal(out.mbi, MBP_MBI_LOW_ADDR);
	/* A payload that ends above everything: scratch goes after it. */
	in.payload_size = 0x180000;
	assert_null(mbp_place(&in, &out));
	assert_int_equal(out.scratch, 0x280000);
	/* Low memory not RAM: the information goes after the scratch. */
	mi.map[0].type = 2;
	assert_null(mbp_place(&in, &out));
	assert_int_equal(out.mbi, out.scratch + out.scratch_size);
	mi.map[0].type = 1;
	/* Faults. */
	in.payload_size = 0x20000000;
	assert_string_equal(mbp_place(&in, &out),
			    "not enough memory to unpack the image");
	in.payload_size = 0x40000;
	const struct mbp_module huge[1] = { { 0, 0x10000000, 0, 0 } };
	in.mods = huge;
	in.nmods = 1;
	assert_string_equal(mbp_place(&in, &out),
			    "not enough memory for the modules");
	const struct mbp_segment hole[1] = { { 0xffe0000, 0, 0x10, 0x10 } };
	in.segs = hole;
	in.nsegs = 1;
	assert_non_null(strstr(mbp_place(&in, &out), "not in usable RAM"));
}

/* Run every test of this file. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_sizes),
		cmocka_unit_test(test_usable_and_alloc),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_build_mbi),
		cmocka_unit_test(test_bootparams_memory),
		cmocka_unit_test(test_choose_args),
		cmocka_unit_test(test_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
