/*
 * fuzz_mbootpack.c - libFuzzer target for mbootpack's reader and writer.
 * Each input is tried as (1) a packed image for the reader, (2) a kernel
 * for the Multiboot parser, which when accepted is packed, read back and
 * compared, (3) a loader command line and an E820 map for the 32-bit loader's
 * planning code, and (4) a boot_params page to plan a boot from.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/mbootpack/bootplan.h"
#include "../../tools/mbootpack/bytes.h"
#include "../../tools/mbootpack/image.h"
#include "../../tools/mbootpack/kernel.h"

/* Run the reader over data and touch everything it returns. */
static void fuzz_reader(const uint8_t *data, size_t size)
{
	struct mbp_image img;
	char err[256], ms[MBP_MAX_MODSTR + 64];

	if (mbp_read(data, size, &img, err, sizeof(err)) < 0)
		return;
	for (uint32_t i = 0; i < img.hdr.nmods; i++)
		mbp_module_string(&img, i, ms, sizeof(ms));
	assert(strlen(img.kernel_name) < img.hdr.strings_size);
}

/* Parse data as a kernel; if it is one, pack it and read it back. */
static void fuzz_kernel(const uint8_t *data, size_t size)
{
	static uint8_t setup[1024], loader32[64];
	struct mb_kernel k;
	char err[256];

	if (mb_kernel_parse(data, size, &k, err, sizeof(err)) < 0)
		return;
	put16(setup + BZ_BOOT_FLAG, 0xAA55);
	put32(setup + BZ_HEADER, BZ_HDRS_MAGIC);
	memcpy(loader32 + MBP_TAG_OFFSET, MBP_TAG_MAGIC, 8);
	struct mbp_module_in mod = { "m.bin", "x y", data, size < 64 ? size : 64 };
	struct mbp_pack_in in = { setup, sizeof(setup), loader32, sizeof(loader32),
				  &k, "k.elf", "a b", 1, &mod };
	uint8_t *out;
	size_t len;
	if (mbp_pack(&in, &out, &len, err, sizeof(err)) < 0)
		return;
	struct mbp_image img;
	int rc = mbp_read(out, len, &img, err, sizeof(err));
	assert(rc == 0);
	assert(img.hdr.entry == k.entry);
	assert(img.hdr.nsegs == k.nsegs);
	assert(img.crc_actual == img.hdr.data_crc32);
	for (size_t i = 0; i < k.nsegs; i++) {
		assert(img.segs[i].dest == k.segs[i].dest);
		assert(img.segs[i].memsz == k.segs[i].memsz);
		assert(!memcmp(img.payload + img.segs[i].offset,
			       k.segs[i].data, k.segs[i].filesz));
	}
	free(out);
}

/* Use data as a command line and as an E820 map for the boot planner. */
static void fuzz_plan(const uint8_t *data, size_t size)
{
	char cl[MBP_MAX_CMDLINE + 1], *parts[MBP_MAX_MODULES + 1];
	size_t n = size < MBP_MAX_CMDLINE ? size : MBP_MAX_CMDLINE;

	memcpy(cl, data, n);
	cl[n] = '\0';
	size_t cleaned = mbp_clean_cmdline(cl);
	assert(cleaned == strlen(cl));
	unsigned np = mbp_split_cmdline(cl, parts, MBP_MAX_MODULES + 1);
	assert(np >= 1 && np <= MBP_MAX_MODULES + 1);

	struct mbp_e820 map[128];
	unsigned nmap = (unsigned)(size / sizeof(map[0]));
	if (nmap > 128)
		nmap = 128;
	memcpy(map, data, nmap * sizeof(map[0]));
	uint32_t lo, up;
	mbp_mem_sizes(map, nmap, &lo, &up);
	assert(lo <= 640);
	uint64_t at = mbp_alloc(map, nmap, 0x100000, 0x3000, 0x1000);
	assert(at == 0 || (at % 0x1000 == 0 && at >= 0x100000 &&
			   mbp_usable(map, nmap, at, 0x3000)));

	struct mbp_mbi_mod mods[MBP_MAX_MODULES];
	unsigned nm = np - 1;
	for (unsigned i = 0; i < nm; i++)
		mods[i] = (struct mbp_mbi_mod){ 0x200000, 0x201000, "m",
						parts[i + 1] };
	struct mbp_mbi_in in = { 1, map, nmap, lo, up, "k", parts[0], nm,
				 mods };
	static uint8_t buf[65536 * 4];
	size_t need = mbp_mbi_size(&in);
	size_t got = mbp_build_mbi(buf, 0x9000, sizeof(buf), &in);
	assert(got == (need <= sizeof(buf) ? need : 0) || got <= need);
}

/* Use data as a boot_params page and plan a boot with what it says. */
static void fuzz_bootparams(const uint8_t *data, size_t size)
{
	static uint8_t bp[4096];
	static struct mbp_meminfo mi;
	struct mbp_place_out out;

	memset(bp, 0, sizeof(bp));
	memcpy(bp, data, size < sizeof(bp) ? size : sizeof(bp));
	if (mbp_bootparams_memory(bp, &mi) < 0)
		return;
	assert(mi.n >= 1 && mi.n <= BP_E820_MAX && mi.mem_lower <= 640);
	const struct mbp_segment segs[1] = { { 0x100000, 0, 0x800, 0x2000 } };
	const struct mbp_module mods[2] = { { 0, 0x1234, 0, 0 },
					    { 0, 0, 0, 0 } };
	struct mbp_place_in in = { &mi, 1, segs, 2, mods, 0x100000, 0x9000,
				   0x2000, 300 };
	if (mbp_place(&in, &out))
		return;
	assert(out.mod_start[0] >= 0x102000 && out.mod_start[0] % 4096 == 0);
	assert(out.scratch >= out.mod_start[1]);
	assert(mbp_usable(mi.map, mi.n, out.scratch, out.scratch_size));
	assert(mbp_usable(mi.map, mi.n, out.mbi, 300));
}

/* libFuzzer entry: try data every way above; crashes and asserts are bugs. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reader(data, size);
	fuzz_kernel(data, size);
	fuzz_plan(data, size);
	fuzz_bootparams(data, size);
	return 0;
}
