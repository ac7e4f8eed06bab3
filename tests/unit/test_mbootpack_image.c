/*
 * test_mbootpack_image.c - unit tests of the mbootpack image writer and
 * reader: round trip, determinism, the bzImage header fields, limits, and
 * that truncated or corrupted images are rejected or flagged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/mbootpack/bytes.h"
#include "../../tools/mbootpack/image.h"

static uint8_t setup[1536];
static uint8_t loader32[100];
static uint8_t seg0[300], seg1[17], mod0[5000];
static struct mb_kernel kern;
static struct mbp_module_in mods[2];
static struct mbp_pack_in in;
static char err[256];

/* Reset the inputs to a valid two-segment, two-module pack. */
static int setup_inputs(void **state)
{
	(void)state;
	memset(setup, 0, sizeof(setup));
	put16(setup + BZ_BOOT_FLAG, 0xAA55);
	put32(setup + BZ_HEADER, BZ_HDRS_MAGIC);
	put16(setup + BZ_VERSION, BZ_PROTOCOL);
	memset(loader32, 0x90, sizeof(loader32));
	memcpy(loader32 + MBP_TAG_OFFSET, MBP_TAG_MAGIC, 8);
	for (size_t i = 0; i < sizeof(seg0); i++)
		seg0[i] = (uint8_t)i;
	memset(seg1, 0x11, sizeof(seg1));
	for (size_t i = 0; i < sizeof(mod0); i++)
		mod0[i] = (uint8_t)(i * 7);
	memset(&kern, 0, sizeof(kern));
	kern.entry = 0x100020;
	kern.flags = 3;
	kern.format = MBP_FMT_ELF32;
	kern.nsegs = 2;
	kern.segs[0] = (struct mb_segment){ 0x100000, sizeof(seg0), 0x1000,
					    seg0 };
	kern.segs[1] = (struct mb_segment){ 0x200000, sizeof(seg1), 0x20,
					    seg1 };
	mods[0] = (struct mbp_module_in){ "hello.elf", "a b", mod0,
					  sizeof(mod0) };
	mods[1] = (struct mbp_module_in){ "dom.cfg", "", NULL, 0 };
	in = (struct mbp_pack_in){ setup, sizeof(setup), loader32, sizeof(loader32),
				   &kern, "kestrel.elf", "console=com1", 2,
				   mods };
	return 0;
}

/* What mbp_pack writes, mbp_read gives back, header fields included. */
static void test_round_trip(void **state)
{
	(void)state;
	uint8_t *out;
	size_t len;
	struct mbp_image img;
	char ms[64];

	assert_int_equal(mbp_pack(&in, &out, &len, err, sizeof(err)), 0);
	assert_int_equal(out[BZ_SETUP_SECTS], 2);
	uint32_t payload = (uint32_t)(len - sizeof(setup));
	assert_int_equal(get32(out + BZ_SYSSIZE), (payload + 15) / 16);
	assert_int_equal(mbp_read(out, len, &img, err, sizeof(err)), 0);
	assert_int_equal(img.payload_offset, 1536);
	assert_int_equal(img.protocol, 0x0206);
	assert_int_equal(img.hdr.entry, 0x100020);
	assert_int_equal(img.hdr.mb_flags, 3);
	assert_int_equal(img.hdr.nsegs, 2);
	assert_int_equal(img.hdr.nmods, 2);
	assert_string_equal(img.kernel_name, "kestrel.elf");
	assert_string_equal(img.cmdline, "console=com1");
	assert_int_equal(img.segs[0].dest, 0x100000);
	assert_int_equal(img.segs[0].memsz, 0x1000);
	assert_memory_equal(img.payload + img.segs[0].offset, seg0,
			    sizeof(seg0));
	assert_memory_equal(img.payload + img.segs[1].offset, seg1,
			    sizeof(seg1));
	assert_memory_equal(img.payload + img.mods[0].offset, mod0,
			    sizeof(mod0));
	assert_int_equal(img.mods[0].offset % 16, 0);
	assert_int_equal(img.mods[1].size, 0);
	assert_int_equal(mbp_module_string(&img, 0, ms, sizeof(ms)), 0);
	assert_string_equal(ms, "hello.elf a b");
	assert_int_equal(mbp_module_string(&img, 1, ms, sizeof(ms)), 0);
	assert_string_equal(ms, "dom.cfg");
	assert_int_equal(mbp_module_string(&img, 2, ms, sizeof(ms)), -1);
	assert_int_equal(img.crc_actual, img.hdr.data_crc32);
	/* The 32-bit loader's tag leads to the header. */
	assert_int_equal(get32(img.payload + MBP_TAG_OFFSET + 12),
			 sizeof(loader32));
	free(out);
}

/* Equal inputs give equal bytes. */
static void test_deterministic(void **state)
{
	(void)state;
	uint8_t *a, *b;
	size_t la, lb;

	assert_int_equal(mbp_pack(&in, &a, &la, err, sizeof(err)), 0);
	assert_int_equal(mbp_pack(&in, &b, &lb, err, sizeof(err)), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

/* Over-long strings, too many modules and an over-size image are refused. */
static void test_limits(void **state)
{
	(void)state;
	uint8_t *out;
	size_t len;
	static char long_args[MBP_MAX_MODSTR + 2];

	memset(long_args, 'x', sizeof(long_args) - 1);
	mods[0].args = long_args;
	assert_int_equal(mbp_pack(&in, &out, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "module string too long"));
	assert_null(out);
	mods[0].args = "";
	in.cmdline = long_args;
	assert_int_equal(mbp_pack(&in, &out, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "command line too long"));
	in.cmdline = "";
	mods[1].size = MBP_MAX_IMAGE;
	mods[1].data = NULL;
	assert_int_equal(mbp_pack(&in, &out, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "over the 64 MiB limit"));
	mods[1].size = 0;
	in.nmods = MBP_MAX_MODULES + 1;
	assert_int_equal(mbp_pack(&in, &out, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "modules"));
}

/* Every proper prefix of an image is rejected. */
static void test_truncated_rejected(void **state)
{
	(void)state;
	uint8_t *out;
	size_t len;
	struct mbp_image img;

	assert_int_equal(mbp_pack(&in, &out, &len, err, sizeof(err)), 0);
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, out, n);
		assert_int_equal(mbp_read(copy, n, &img, err, sizeof(err)),
				 -1);
		free(copy);
	}
	free(out);
}

/* Corrupt data shows as a CRC mismatch; corrupt tables and foreign files fail. */
static void test_corruption(void **state)
{
	(void)state;
	uint8_t *out;
	size_t len;
	struct mbp_image img;

	assert_int_equal(mbp_pack(&in, &out, &len, err, sizeof(err)), 0);
	out[len - 100] ^= 1;
	assert_int_equal(mbp_read(out, len, &img, err, sizeof(err)), 0);
	assert_int_not_equal(img.crc_actual, img.hdr.data_crc32);
	/* A module string offset out of range. */
	put32((uint8_t *)img.payload + img.hdr.mod_offset + 8, 0xffffff);
	assert_int_equal(mbp_read(out, len, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "module 0"));
	/* A bzImage that mbootpack did not make. */
	memset(out + 1536 + MBP_TAG_OFFSET, 0, 8);
	assert_int_equal(mbp_read(out, len, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not made by mbootpack"));
	put32(out + BZ_HEADER, 0);
	assert_int_equal(mbp_read(out, len, &img, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a bzImage"));
	free(out);
}

/* Run every test of this file. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_round_trip, setup_inputs),
		cmocka_unit_test_setup(test_deterministic, setup_inputs),
		cmocka_unit_test_setup(test_limits, setup_inputs),
		cmocka_unit_test_setup(test_truncated_rejected, setup_inputs),
		cmocka_unit_test_setup(test_corruption, setup_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
