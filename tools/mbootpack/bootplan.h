/*
 * bootplan.h - boot-time decisions of the 32-bit loader that need no
 * hardware: memory sizes and free-memory search on an E820 map, command
 * line cleanup and splitting, and building the Multiboot v1 information
 * structure.  Freestanding C, compiled into the 32-bit loader (-m32) and on the host
 * for the unit tests and the fuzzer.
 */
#ifndef MBOOTPACK_BOOTPLAN_H
#define MBOOTPACK_BOOTPLAN_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

/* One E820 entry as the BIOS reports it (20 bytes). */
struct mbp_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

#define MBP_E820_RAM 1u

/* Multiboot v1 information flags and layout. */
#define MBI_FLAG_MEM 0x001u
#define MBI_FLAG_CMDLINE 0x004u
#define MBI_FLAG_MODS 0x008u
#define MBI_FLAG_MMAP 0x040u
#define MBI_FLAG_LOADER 0x200u
#define MBI_SIZE 120u               /* up to the framebuffer fields */
#define MB_BOOTLOADER_MAGIC 0x2BADB002u
#define MBP_LOADER_NAME "mbootpack"

/*
 * mem_lower and mem_upper in KiB from an E820 map, as GRUB computes them:
 * lower is the RAM entry at address 0 (at most 640 KiB), upper is the RAM
 * contiguous from 1 MiB (adjacent RAM entries are joined).
 */
void mbp_mem_sizes(const struct mbp_e820 *map, unsigned n, uint32_t *lower,
		   uint32_t *upper);

/* Nonzero if [start, start+len) lies inside one RAM entry and overlaps no
 * entry of another type. */
int mbp_usable(const struct mbp_e820 *map, unsigned n, uint64_t start,
	       uint64_t len);

/*
 * Lowest address >= from, aligned to align (a power of two), where size
 * bytes are usable and end at or below 4 GiB.  Returns 0 if none.
 */
uint64_t mbp_alloc(const struct mbp_e820 *map, unsigned n, uint64_t from,
		   uint64_t size, uint64_t align);

/*
 * Remove what boot loaders add to a command line in place: every word that
 * starts with "BOOT_IMAGE=" (GRUB, SYSLINUX, LILO) and LILO's "auto" when
 * it is the first word and a BOOT_IMAGE word was present; then strip
 * leading and trailing blanks.  Returns the new length.
 */
size_t mbp_clean_cmdline(char *s);

/*
 * Split s in place at every word that is exactly "--" (so at " -- ").
 * parts[0] is the kernel's part, parts[i] the i-th module's; each part is
 * trimmed of blanks.  Stores at most max parts and returns their number.
 */
unsigned mbp_split_cmdline(char *s, char **parts, unsigned max);

/* A module as placed in memory, for mbp_build_mbi. */
struct mbp_mbi_mod {
	uint32_t start, end;
	const char *name;
	const char *args;
};

struct mbp_mbi_in {
	int have_mmap;              /* map is the firmware's E820 map */
	const struct mbp_e820 *map;
	unsigned nmap;
	uint32_t mem_lower, mem_upper;
	const char *kernel_name;
	const char *args;           /* kernel arguments, may be "" */
	unsigned nmods;
	const struct mbp_mbi_mod *mods;
};

/* Bytes mbp_build_mbi needs for *in. */
size_t mbp_mbi_size(const struct mbp_mbi_in *in);

/*
 * Build the Multiboot information structure and everything it points to
 * into buf[0..cap), which the kernel will see at physical address phys.
 * The structure itself is at phys.  Returns the bytes used, or 0 if cap
 * is too small.
 */
size_t mbp_build_mbi(uint8_t *buf, uint32_t phys, size_t cap,
		     const struct mbp_mbi_in *in);

/* Memory information taken from a boot_params page. */
struct mbp_meminfo {
	int have_mmap;              /* map is the firmware's E820 map */
	unsigned n;                 /* entries in map */
	struct mbp_e820 map[BP_E820_MAX]; /* else: RAM from E801/88h */
	uint32_t mem_lower, mem_upper;
};

/*
 * Read the memory information of boot_params bp: the E820 table if it has
 * entries (mem_lower/upper computed from it), else E801 (alt_mem_k), else
 * INT 15h/88h (ext_mem_k) with INT 12h's low memory from our setup (or
 * 640 KiB), turned into a two-entry RAM map for allocation.  Returns 0,
 * or -1 if bp holds no memory information at all.
 */
int mbp_bootparams_memory(const uint8_t *bp, struct mbp_meminfo *mi);

/*
 * Choose the kernel's and each module's arguments.  loader_cl is the boot
 * loader's command line (cleaned and split in place; NULL if none); when
 * it is empty after cleanup the packed defaults stay.  Otherwise its first
 * part replaces def_args and part i + 1 replaces packed[i].  parts is
 * scratch space for MBP_MAX_MODULES + 1 pointers.
 */
void mbp_choose_args(char *loader_cl, const char *def_args, unsigned nmods,
		     const char *const *packed, const char **kargs,
		     const char **margs, char **parts);

/* Where everything goes at boot. */
struct mbp_place_in {
	const struct mbp_meminfo *mem;
	unsigned nsegs;
	const struct mbp_segment *segs;
	unsigned nmods;
	const struct mbp_module *mods;
	uint32_t payload_base, payload_size;
	uint32_t scratch_extra;     /* trampoline, parameters, stack */
	size_t mbi_size;
};

struct mbp_place_out {
	uint32_t mod_start[MBP_MAX_MODULES];
	uint32_t scratch;           /* payload copy, then scratch_extra */
	uint32_t scratch_size;
	uint32_t mbi;
};

#define MBP_MBI_LOW_ADDR 0x9000u    /* where QEMU's multiboot puts it too */
#define MBP_MBI_LOW_LIMIT 0x80000u

/*
 * Plan the boot: kernel segments must be in RAM; modules go page-aligned
 * after the kernel; the scratch area (a copy of the payload and
 * scratch_extra bytes) above the payload and everything placed; the
 * Multiboot information at MBP_MBI_LOW_ADDR if that is RAM, else after
 * the scratch area.  Returns NULL, or a message saying what did not fit.
 */
const char *mbp_place(const struct mbp_place_in *in,
		      struct mbp_place_out *out);

#endif
