/*
 * stage32.c - the 32-bit stage of an mbootpack image.  Runs at 1 MiB, where
 * the boot loader put the payload, with boot_params from our real-mode
 * setup or from a 32-bit loader.  It reads the memory map and command
 * line, plans where the kernel and modules go (bootplan.c, which is
 * unit-tested on the host), builds the Multiboot
 * information below 1 MiB (or in checked free memory), copies the payload
 * above everything and hands over to the trampoline, which moves the
 * pieces to their places and enters the kernel.
 */
#include <stddef.h>
#include <stdint.h>

#include "../bootplan.h"
#include "../format.h"
#include "tramp.h"

#define TRAMP_STACK 4096u
#define MAX_MOVES (MBP_MAX_SEGMENTS + MBP_MAX_MODULES)

extern char _start[], _loader32_end[];
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

static struct mbp_meminfo mem;
static char loader_cl[MBP_MAX_CMDLINE + 1];
static char *parts[MBP_MAX_MODULES + 1];
static const char *packed_args[MBP_MAX_MODULES];
static const char *mod_args[MBP_MAX_MODULES];
static struct mbp_mbi_mod mods[MBP_MAX_MODULES];
static struct mbp_place_out place;

/* Copy the boot loader's command line (cmd_line_ptr) into loader_cl;
 * return NULL if there is none. */
static char *copy_loader_cmdline(const uint8_t *bp)
{
	uint32_t ptr = *(const uint32_t *)(bp + BZ_CMD_LINE_PTR);
	const char *src = (const char *)(uintptr_t)ptr;
	unsigned i = 0;

	if (!ptr)
		return NULL;
	for (; i < MBP_MAX_CMDLINE && src[i]; i++)
		loader_cl[i] = src[i];
	loader_cl[i] = '\0';
	return loader_cl;
}

/*
 * Entered from head32.S on our own stack with bp = boot_params (ours or the
 * 32-bit loader's).  Never returns: it enters the kernel through the
 * trampoline, or stops with a message on COM1 and the screen.
 */
void stage32_main(const uint8_t *bp)
{
	const struct mbp_tag *tag =
		(const struct mbp_tag *)(_start + MBP_TAG_OFFSET);
	const struct mbp_header *h =
		(const struct mbp_header *)(_start + tag->header_offset);
	struct mbp_mbi_in in = { 0 };

	if (h->magic != MBP_HEADER_MAGIC || h->version != MBP_FORMAT_VERSION)
		die("corrupt image (bad header)");
	if (h->nsegs > MBP_MAX_SEGMENTS || h->nmods > MBP_MAX_MODULES)
		die("corrupt image (bad tables)");
	const char *end_tag = _start + h->payload_size - MBP_END_SIZE;
	for (unsigned i = 0; i < 8; i++)
		if (end_tag[i] != MBP_END_MAGIC[i])
			die("image truncated: the boot loader did not load "
			    "all of it");
	const char *strings = _start + h->strings_offset;
	const struct mbp_segment *segs =
		(const struct mbp_segment *)(_start + h->seg_offset);
	const struct mbp_module *pm =
		(const struct mbp_module *)(_start + h->mod_offset);

	/* Everything from boot_params is copied before anything is written
	 * to low memory. */
	if (mbp_bootparams_memory(bp, &mem) < 0)
		die("the boot loader passed no memory information");
	for (unsigned i = 0; i < h->nmods; i++)
		packed_args[i] = strings + pm[i].args;
	mbp_choose_args(copy_loader_cmdline(bp), strings + h->cmdline,
			h->nmods, packed_args, &in.args, mod_args, parts);

	in.have_mmap = mem.have_mmap;
	in.map = mem.map;
	in.nmap = mem.n;
	in.mem_lower = mem.mem_lower;
	in.mem_upper = mem.mem_upper;
	in.kernel_name = strings + h->kernel_name;
	in.nmods = h->nmods;
	in.mods = mods;
	for (unsigned i = 0; i < h->nmods; i++) {
		mods[i].name = strings + pm[i].name;
		mods[i].args = mod_args[i];
	}

	uint32_t tsize = (uint32_t)(tramp_end - tramp_start);
	struct mbp_place_in pin = {
		.mem = &mem, .nsegs = h->nsegs, .segs = segs,
		.nmods = h->nmods, .mods = pm,
		.payload_base = MBP_LOAD_ADDR, .payload_size = h->payload_size,
		.scratch_extra = tsize + 16 + sizeof(struct tramp_params) +
				 MAX_MOVES * sizeof(struct tramp_move) +
				 TRAMP_STACK,
		.mbi_size = mbp_mbi_size(&in),
	};
	const char *why = mbp_place(&pin, &place);
	if (why)
		die(why);
	for (unsigned i = 0; i < h->nmods; i++) {
		mods[i].start = place.mod_start[i];
		mods[i].end = place.mod_start[i] + pm[i].size;
	}
	if (!mbp_build_mbi((uint8_t *)(uintptr_t)place.mbi, place.mbi,
			   pin.mbi_size, &in))
		die("no memory for the Multiboot information");

	/* Copy the payload high; then the trampoline and its parameters. */
	uint32_t psize = h->payload_size;
	uint32_t hi = place.scratch;
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
	tp->mbi = place.mbi;
	tp->stack = hi + place.scratch_size;
	tp->nmoves = 0;
	for (unsigned i = 0; i < h->nsegs; i++)
		tp->moves[tp->nmoves++] = (struct tramp_move){
			segs[i].dest, hi + segs[i].offset,
			segs[i].filesz, segs[i].memsz - segs[i].filesz };
	for (unsigned i = 0; i < h->nmods; i++)
		tp->moves[tp->nmoves++] = (struct tramp_move){
			mods[i].start, hi + pm[i].offset, pm[i].size, 0 };

	__asm__ volatile("jmp *%0" : : "r"(tcode), "S"(tp) : "memory");
	__builtin_unreachable();
}
