/*
 * kernel.c - find and check a kernel's Multiboot v1 header and turn the
 * image (ELF32, or anything with the a.out-kludge address fields such as an
 * ELF64 or a flat binary) into a list of physical load segments.
 */
#include "kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

/* Format a one-line error into err and return -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *mb_format_name(uint32_t format)
{
	switch (format) {
	case MBP_FMT_ELF32:
		return "ELF32";
	case MBP_FMT_ELF64_KLUDGE:
		return "ELF64 (a.out-kludge addresses)";
	case MBP_FMT_AOUT_KLUDGE:
		return "a.out-kludge";
	default:
		return "unknown";
	}
}

/* Find a valid Multiboot header in the first 8 KiB; 0 and its offset in
 * *off, or -1 with err set. */
static int find_header(const uint8_t *buf, size_t len, uint32_t *off,
		       char *err, size_t errlen)
{
	size_t limit = len < MB_SEARCH_LIMIT ? len : MB_SEARCH_LIMIT;
	long bad = -1;

	for (size_t o = 0; o + 12 <= limit; o += 4) {
		if (get32(buf + o) != MB_HEADER_MAGIC)
			continue;
		uint32_t sum = get32(buf + o) + get32(buf + o + 4) +
			       get32(buf + o + 8);
		if (sum == 0) {
			*off = (uint32_t)o;
			return 0;
		}
		if (bad < 0)
			bad = (long)o;
	}
	if (bad >= 0)
		return fail(err, errlen,
			    "Multiboot header at offset 0x%lx has a bad checksum",
			    (unsigned long)bad);
	return fail(err, errlen, "no Multiboot header in the first 8 KiB");
}

/* Check the header's flags; 0 if every required flag is supported. */
static int check_flags(uint32_t flags, char *err, size_t errlen)
{
	uint32_t bad = flags & 0xffffu & ~MB_SUPPORTED_REQUIRED;

	if (bad & MB_FLAG_VIDEO)
		return fail(err, errlen,
			    "unsupported Multiboot flags 0x%x (video mode "
			    "information, flag 2)", bad);
	if (bad)
		return fail(err, errlen,
			    "unsupported Multiboot flags 0x%x (unknown "
			    "required flags)", bad);
	return 0;
}

/* Load segments from the a.out-kludge address fields of the header at hoff. */
static int parse_kludge(const uint8_t *buf, size_t len, uint32_t hoff,
			struct mb_kernel *k, char *err, size_t errlen)
{
	if ((size_t)hoff + 32 > len)
		return fail(err, errlen, "truncated Multiboot header "
			    "(address fields past end of file)");
	const uint8_t *h = buf + hoff;
	uint32_t header_addr = get32(h + 12), load_addr = get32(h + 16);
	uint32_t load_end = get32(h + 20), bss_end = get32(h + 24);
	uint32_t entry = get32(h + 28);

	if (header_addr < load_addr)
		return fail(err, errlen, "Multiboot header_addr 0x%x is below "
			    "load_addr 0x%x", header_addr, load_addr);
	if (header_addr - load_addr > hoff)
		return fail(err, errlen, "Multiboot load_addr 0x%x lies before "
			    "the start of the file", load_addr);
	uint32_t foff = hoff - (header_addr - load_addr);
	uint64_t filesz;
	if (load_end == 0) {
		filesz = len - foff;
	} else {
		if (load_end < load_addr)
			return fail(err, errlen, "Multiboot load_end_addr 0x%x "
				    "is below load_addr 0x%x", load_end,
				    load_addr);
		filesz = load_end - load_addr;
		if (foff + filesz > len)
			return fail(err, errlen, "truncated image: "
				    "load_end_addr 0x%x is past the end of the "
				    "file", load_end);
	}
	uint64_t memsz = filesz;
	if (bss_end != 0) {
		if ((uint64_t)bss_end < load_addr + filesz)
			return fail(err, errlen, "Multiboot bss_end_addr 0x%x "
				    "is below the end of the loaded data",
				    bss_end);
		memsz = bss_end - load_addr;
	}
	if (memsz == 0)
		return fail(err, errlen, "Multiboot address fields load "
			    "nothing");
	if (entry < load_addr || entry - load_addr >= memsz)
		return fail(err, errlen, "Multiboot entry_addr 0x%x is outside "
			    "the loaded image", entry);
	k->entry = entry;
	k->nsegs = 1;
	k->segs[0].dest = load_addr;
	k->segs[0].filesz = (uint32_t)filesz;
	k->segs[0].memsz = (uint32_t)memsz;
	k->segs[0].data = buf + foff;
	return 0;
}

/* Load the PT_LOAD segments of an ELF32 executable. */
static int parse_elf32(const uint8_t *buf, size_t len, struct mb_kernel *k,
		       char *err, size_t errlen)
{
	if (len < 52)
		return fail(err, errlen, "truncated ELF: header past end of "
			    "file");
	if (get16(buf + 18) != 3)
		return fail(err, errlen, "ELF32 kernel is not for i386 "
			    "(e_machine %u)", get16(buf + 18));
	uint32_t entry = get32(buf + 24), phoff = get32(buf + 28);
	uint16_t phentsize = get16(buf + 42), phnum = get16(buf + 44);
	if (phnum == 0)
		return fail(err, errlen, "ELF has no program headers");
	if (phentsize < 32)
		return fail(err, errlen, "ELF program header size %u is too "
			    "small", phentsize);
	if ((uint64_t)phoff + (uint64_t)phentsize * phnum > len)
		return fail(err, errlen, "truncated ELF: program headers past "
			    "end of file");
	int entry_found = 0;
	k->nsegs = 0;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = buf + phoff + (size_t)i * phentsize;
		uint32_t type = get32(ph), off = get32(ph + 4);
		uint32_t vaddr = get32(ph + 8), paddr = get32(ph + 12);
		uint32_t filesz = get32(ph + 16), memsz = get32(ph + 20);
		if (type != 1 || memsz == 0)
			continue;
		if (filesz > memsz)
			return fail(err, errlen, "ELF segment %u has filesz "
				    "0x%x larger than memsz 0x%x", i, filesz,
				    memsz);
		if ((uint64_t)off + filesz > len)
			return fail(err, errlen, "truncated ELF: segment %u "
				    "data past end of file", i);
		if (k->nsegs == MBP_MAX_SEGMENTS)
			return fail(err, errlen, "ELF has more than %u "
				    "loadable segments", MBP_MAX_SEGMENTS);
		struct mb_segment *s = &k->segs[k->nsegs++];
		s->dest = paddr;
		s->filesz = filesz;
		s->memsz = memsz;
		s->data = buf + off;
		/* Like GRUB: an entry given as a virtual address is
		 * translated to the physical one. */
		if (!entry_found && entry >= vaddr && entry - vaddr < memsz) {
			entry = entry - vaddr + paddr;
			entry_found = 1;
		}
	}
	if (k->nsegs == 0)
		return fail(err, errlen, "ELF has no loadable segments");
	k->entry = entry;
	return 0;
}

/* Check that segments are above 1 MiB, below 4 GiB and disjoint. */
static int check_segments(const struct mb_kernel *k, char *err, size_t errlen)
{
	for (size_t i = 0; i < k->nsegs; i++) {
		const struct mb_segment *a = &k->segs[i];
		uint64_t aend = (uint64_t)a->dest + a->memsz;
		if (a->dest < MBP_LOAD_ADDR)
			return fail(err, errlen, "segment %zu loads at 0x%x, "
				    "below 1 MiB (not supported)", i, a->dest);
		if (aend > 0x100000000ull)
			return fail(err, errlen, "segment %zu at 0x%x extends "
				    "past 4 GiB", i, a->dest);
		for (size_t j = 0; j < i; j++) {
			const struct mb_segment *b = &k->segs[j];
			uint64_t bend = (uint64_t)b->dest + b->memsz;
			if (a->dest < bend && b->dest < aend)
				return fail(err, errlen, "overlapping segments "
					    "%zu [0x%x-0x%llx) and %zu "
					    "[0x%x-0x%llx)", j, b->dest,
					    (unsigned long long)bend, i,
					    a->dest, (unsigned long long)aend);
		}
	}
	return 0;
}

int mb_kernel_parse(const uint8_t *buf, size_t len, struct mb_kernel *k,
		    char *err, size_t errlen)
{
	uint32_t hoff = 0;

	memset(k, 0, sizeof(*k));
	if (find_header(buf, len, &hoff, err, errlen) < 0)
		return -1;
	k->header_offset = hoff;
	k->flags = get32(buf + hoff + 4);
	if (check_flags(k->flags, err, errlen) < 0)
		return -1;
	int is_elf = len >= 16 && memcmp(buf, "\177ELF", 4) == 0;
	int rc;
	if (k->flags & MB_FLAG_AOUT_KLUDGE) {
		k->format = (is_elf && buf[4] == 2) ? MBP_FMT_ELF64_KLUDGE
						    : MBP_FMT_AOUT_KLUDGE;
		rc = parse_kludge(buf, len, hoff, k, err, errlen);
	} else if (!is_elf) {
		return fail(err, errlen, "not an ELF file and the Multiboot "
			    "header has no address fields (flag 16)");
	} else if (buf[4] == 2) {
		return fail(err, errlen, "ELF64 kernel without the Multiboot "
			    "a.out-kludge address fields (flag 16)");
	} else if (buf[4] != 1 || buf[5] != 1) {
		return fail(err, errlen, "unsupported ELF class %u / data "
			    "encoding %u", buf[4], buf[5]);
	} else {
		k->format = MBP_FMT_ELF32;
		rc = parse_elf32(buf, len, k, err, errlen);
	}
	if (rc < 0)
		return -1;
	return check_segments(k, err, errlen);
}
