/*
 * stage32.c - the 32-bit stage of an mbootpack image.  Runs at 1 MiB, where
 * the boot loader put the payload, with boot_params from our real-mode
 * setup or from a 32-bit loader.  It reads the memory map and command
 * line, plans where the kernel and modules go, builds the Multiboot
 * information below 1 MiB (or in checked free memory), copies the payload
 * above everything and hands over to the trampoline, which moves the
 * pieces to their places and enters the kernel.
 */
#include <stddef.h>
#include <stdint.h>

#include "../bootplan.h"
#include "../format.h"
#include "tramp.h"

#define MBI_LOW_ADDR 0x9000u        /* where QEMU's multiboot puts it too */
#define MBI_LOW_LIMIT 0x80000u
#define TRAMP_STACK 4096u
#define MAX_MOVES (MBP_MAX_SEGMENTS + MBP_MAX_MODULES)

extern char _start[], _stub_end[];
extern char tramp_start[], tramp_reload[], tramp_end[];

void stage32_main(const uint8_t *bp) __attribute__((noreturn));

/* Freestanding memcpy, also used by the compiler. */
void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (((uintptr_t)d | (uintptr_t)s | n) % 4 == 0) {
		uint32_t *d4 = dst;
		const uint32_t *s4 = src;
		for (size_t i = 0; i < n / 4; i++)
			d4[i] = s4[i];
		return dst;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
	return dst;
}

/* Freestanding memset, also used by the compiler. */
void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)c;
	return dst;
}

/* Write byte v to I/O port. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* Read a byte from I/O port. */
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Print s on COM1 and on the first VGA text line; used only for fatal
 * errors, as the kernel owns the console. */
static void say(const char *s)
{
	static unsigned col;
	volatile uint16_t *vga = (volatile uint16_t *)0xb8000;

	for (; *s; s++) {
		for (int i = 0; i < 100000 && !(inb(0x3fd) & 0x20); i++)
			;
		outb(0x3f8, (uint8_t)*s);
		if (*s != '\n' && col < 80)
			vga[col++] = (uint16_t)(0x4f00 | (uint8_t)*s);
	}
}

/* Print "mbootpack: why" and stop the machine. */
static void __attribute__((noreturn)) die(const char *why)
{
	say("\nmbootpack: ");
	say(why);
	say("\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Read a little-endian 32-bit value at p. */
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static struct mbp_e820 fw_map[BP_E820_MAX];  /* as the firmware said */
static struct mbp_e820 ram_map[BP_E820_MAX]; /* what we allocate from */
static char loader_cl[MBP_MAX_CMDLINE + 1];
static char *parts[MBP_MAX_MODULES + 1];
static struct mbp_mbi_mod mods[MBP_MAX_MODULES];

/* Copy the memory information out of boot_params into *in and ram_map;
 * return the number of ram_map entries. */
static unsigned read_memory(const uint8_t *bp, struct mbp_mbi_in *in)
{
	unsigned n = bp[BP_E820_ENTRIES];

	if (n > BP_E820_MAX)
		n = BP_E820_MAX;
	memcpy(fw_map, bp + BP_E820_TABLE, n * sizeof(fw_map[0]));
	if (n > 0) {
		in->have_mmap = 1;
		in->map = fw_map;
		in->nmap = n;
		mbp_mem_sizes(fw_map, n, &in->mem_lower, &in->mem_upper);
		memcpy(ram_map, fw_map, n * sizeof(fw_map[0]));
		return n;
	}
	/* No E820: E801, then INT 15h/88h, and INT 12h from our setup. */
	uint32_t upper = rd32(bp + BP_ALT_MEM_K);
	if (upper == 0)
		upper = (uint32_t)bp[BP_EXT_MEM_K] |
			((uint32_t)bp[BP_EXT_MEM_K + 1] << 8);
	uint32_t lower = 640;
	if (rd32(bp + BP_PRIV_MAGIC) == BP_PRIV_MAGIC_VALUE) {
		lower = (uint32_t)bp[BP_PRIV_LOWMEM] |
			((uint32_t)bp[BP_PRIV_LOWMEM + 1] << 8);
		if (lower > 640)
			lower = 640;
	}
	if (upper == 0)
		die("the boot loader passed no memory information");
	in->mem_lower = lower;
	in->mem_upper = upper;
	ram_map[0] = (struct mbp_e820){ 0, (uint64_t)lower << 10, 1 };
	ram_map[1] = (struct mbp_e820){ 0x100000, (uint64_t)upper << 10, 1 };
	return 2;
}

/* Take the loader's command line, if any, and set the kernel and module
 * arguments in *in (module i's args to parts[i + 1] when given). */
static void read_cmdline(const uint8_t *bp, const struct mbp_header *h,
			 const char *strings, struct mbp_mbi_in *in)
{
	uint32_t ptr = rd32(bp + BZ_CMD_LINE_PTR);
	unsigned nparts = 0;

	in->args = strings + h->cmdline;
	if (ptr) {
		const char *src = (const char *)(uintptr_t)ptr;
		unsigned i = 0;
		for (; i < MBP_MAX_CMDLINE && src[i]; i++)
			loader_cl[i] = src[i];
		loader_cl[i] = '\0';
		if (mbp_clean_cmdline(loader_cl) > 0) {
			nparts = mbp_split_cmdline(loader_cl, parts,
						   MBP_MAX_MODULES + 1);
			in->args = parts[0];
		}
	}
	for (unsigned i = 0; i < h->nmods; i++) {
		const struct mbp_module *mm = (const struct mbp_module *)
			(_start + h->mod_offset) + i;
		mods[i].name = strings + (mm->name);
		mods[i].args = i + 1 < nparts ? parts[i + 1]
					      : strings + mm->args;
	}
}

void stage32_main(const uint8_t *bp)
{
	const struct mbp_tag *tag =
		(const struct mbp_tag *)(_start + MBP_TAG_OFFSET);
	const struct mbp_header *h =
		(const struct mbp_header *)(_start + tag->header_offset);
	struct mbp_mbi_in in = { 0 };

	if (h->magic != MBP_HEADER_MAGIC || h->version != MBP_FORMAT_VERSION)
		die("corrupt image (bad header)");
	const char *strings = _start + h->strings_offset;
	const struct mbp_segment *segs =
		(const struct mbp_segment *)(_start + h->seg_offset);
	const struct mbp_module *pm =
		(const struct mbp_module *)(_start + h->mod_offset);

	unsigned nram = read_memory(bp, &in);
	in.kernel_name = strings + h->kernel_name;
	read_cmdline(bp, h, strings, &in);
	in.nmods = h->nmods;
	in.mods = mods;

	/* Kernel segments go to their link addresses. */
	uint64_t top = 0;
	for (unsigned i = 0; i < h->nsegs; i++) {
		uint64_t end = (uint64_t)segs[i].dest + segs[i].memsz;
		if (!mbp_usable(ram_map, nram, segs[i].dest, segs[i].memsz))
			die("the kernel's load address is not in usable RAM");
		if (end > top)
			top = end;
	}
	/* Modules follow, page-aligned, in usable RAM. */
	for (unsigned i = 0; i < h->nmods; i++) {
		uint64_t at = mbp_alloc(ram_map, nram, top, pm[i].size, 4096);
		if (!at)
			die("not enough memory for the modules");
		mods[i].start = (uint32_t)at;
		mods[i].end = (uint32_t)(at + pm[i].size);
		top = at + pm[i].size;
	}
	/* Scratch above everything: payload copy, trampoline, parameters. */
	uint32_t psize = h->payload_size;
	uint32_t tsize = (uint32_t)(tramp_end - tramp_start);
	uint32_t params_size = sizeof(struct tramp_params) +
			       MAX_MOVES * sizeof(struct tramp_move);
	uint64_t scratch_size = ((psize + 15) & ~15u) + tsize + 16 +
				params_size + TRAMP_STACK;
	uint64_t from = MBP_LOAD_ADDR + (uint64_t)psize;
	if (top > from)
		from = top;
	uint64_t hi = mbp_alloc(ram_map, nram, from, scratch_size, 4096);
	if (!hi)
		die("not enough memory to unpack the image");

	/* Multiboot information: low memory if it is free, else above. */
	size_t mbi_size = mbp_mbi_size(&in);
	uint64_t mbi = MBI_LOW_ADDR;
	if (MBI_LOW_ADDR + mbi_size > MBI_LOW_LIMIT ||
	    !mbp_usable(ram_map, nram, MBI_LOW_ADDR, mbi_size))
		mbi = mbp_alloc(ram_map, nram, hi + scratch_size, mbi_size,
				4096);
	if (!mbi || !mbp_build_mbi((uint8_t *)(uintptr_t)mbi, (uint32_t)mbi,
				   mbi_size, &in))
		die("no memory for the Multiboot information");

	/* Copy the payload high; then the trampoline and its parameters. */
	uint8_t *high = (uint8_t *)(uintptr_t)hi;
	memcpy(high, _start, psize);
	uint8_t *tcode = high + ((psize + 15) & ~15u);
	memcpy(tcode, tramp_start, tsize);
	struct tramp_params *tp =
		(struct tramp_params *)(((uintptr_t)tcode + tsize + 15) & ~15u);
	tp->gdt[0] = 0;
	tp->gdt[1] = 0;
	tp->gdt[2] = 0x00cf9a000000ffffull;
	tp->gdt[3] = 0x00cf92000000ffffull;
	tp->gdt_limit = sizeof(tp->gdt) - 1;
	tp->gdt_base = (uint32_t)(uintptr_t)tp->gdt;
	tp->far_off = (uint32_t)(uintptr_t)tcode +
		      (uint32_t)(tramp_reload - tramp_start);
	tp->far_sel = 0x10;
	tp->entry = h->entry;
	tp->mbi = (uint32_t)mbi;
	tp->stack = (uint32_t)(hi + scratch_size);
	tp->nmoves = 0;
	for (unsigned i = 0; i < h->nsegs; i++)
		tp->moves[tp->nmoves++] = (struct tramp_move){
			segs[i].dest, (uint32_t)hi + segs[i].offset,
			segs[i].filesz, segs[i].memsz - segs[i].filesz };
	for (unsigned i = 0; i < h->nmods; i++)
		tp->moves[tp->nmoves++] = (struct tramp_move){
			mods[i].start, (uint32_t)hi + pm[i].offset,
			pm[i].size, 0 };

	__asm__ volatile("jmp *%0" : : "r"(tcode), "S"(tp) : "memory");
	__builtin_unreachable();
}
