/*
 * kernel.h - parse a Multiboot v1 kernel image (ELF32, ELF64 or flat with
 * the a.out-kludge address fields) into the list of segments to load.
 */
#ifndef MBOOTPACK_KERNEL_H
#define MBOOTPACK_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_SEARCH_LIMIT 8192u
#define MB_FLAG_PAGE_ALIGN 0x1u
#define MB_FLAG_MEMINFO 0x2u
#define MB_FLAG_VIDEO 0x4u
#define MB_FLAG_AOUT_KLUDGE 0x10000u
#define MB_SUPPORTED_REQUIRED (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO)

/* One piece of the kernel: filesz bytes at data, loaded at dest, followed
 * by memsz - filesz zero bytes. */
struct mb_segment {
	uint32_t dest;
	uint32_t filesz;
	uint32_t memsz;
	const uint8_t *data;
};

struct mb_kernel {
	uint32_t header_offset;     /* file offset of the Multiboot header */
	uint32_t flags;             /* its flags word */
	uint32_t entry;             /* physical entry point */
	enum mbp_kernel_format format;
	size_t nsegs;
	struct mb_segment segs[MBP_MAX_SEGMENTS];
};

/*
 * Parse the kernel image buf[0..len).  On success fill *k (whose segments
 * point into buf) and return 0.  On failure write a one-line reason (no
 * file name, no newline) to err[0..errlen) and return -1.
 */
int mb_kernel_parse(const uint8_t *buf, size_t len, struct mb_kernel *k,
		    char *err, size_t errlen);

/* Return a short name for a kernel format ("ELF32", ...). */
const char *mb_format_name(uint32_t format);

#endif
