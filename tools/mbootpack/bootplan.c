/*
 * bootplan.c - the hardware-free part of the 32-bit loader: E820 arithmetic,
 * command line cleanup and splitting, and the Multiboot information
 * structure.  Uses no library functions so it builds freestanding.
 */
#include "bootplan.h"

/* Length of the NUL-terminated string s. */
static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Copy n bytes from src to dst (regions do not overlap). */
static void bcopy_(uint8_t *dst, const void *src, size_t n)
{
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++)
		dst[i] = s[i];
}

/* Store v little-endian at p. */
static void st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Nonzero if c is a blank for command line purposes. */
static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void mbp_mem_sizes(const struct mbp_e820 *map, unsigned n, uint32_t *lower,
		   uint32_t *upper)
{
	uint64_t lo = 0, cur = 0x100000;

	for (unsigned i = 0; i < n; i++)
		if (map[i].type == MBP_E820_RAM && map[i].addr == 0 &&
		    map[i].size > lo)
			lo = map[i].size;
	if (lo > 640 * 1024)
		lo = 640 * 1024;
	for (int grew = 1; grew;) {
		grew = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t a = map[i].addr, e = a + map[i].size;
			if (map[i].type == MBP_E820_RAM && a <= cur &&
			    e > cur) {
				cur = e;
				grew = 1;
			}
		}
	}
	uint64_t up = (cur - 0x100000) >> 10;
	*lower = (uint32_t)(lo >> 10);
	*upper = up > 0xffffffffu ? 0xffffffffu : (uint32_t)up;
}

int mbp_usable(const struct mbp_e820 *map, unsigned n, uint64_t start,
	       uint64_t len)
{
	uint64_t end = start + len;
	int inside = 0;

	if (end < start)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t a = map[i].addr, e = a + map[i].size;
		if (map[i].type == MBP_E820_RAM) {
			if (a <= start && end <= e)
				inside = 1;
		} else if (a < end && start < e && map[i].size) {
			return 0;
		}
	}
	return inside || len == 0;
}

uint64_t mbp_alloc(const struct mbp_e820 *map, unsigned n, uint64_t from,
		   uint64_t size, uint64_t align)
{
	uint64_t best = 0;

	/* Candidates: from itself and the aligned start of each RAM entry,
	 * and the aligned end of each other entry (to step over holes). */
	for (unsigned i = 0; i <= 2 * n; i++) {
		uint64_t c;
		if (i == 2 * n)
			c = from;
		else if (i % 2 == 0)
			c = map[i / 2].addr;
		else
			c = map[i / 2].addr + map[i / 2].size;
		if (c < from)
			c = from;
		c = (c + align - 1) & ~(align - 1);
		if (c + size > 0x100000000ull || c < from)
			continue;
		if ((best == 0 || c < best) && mbp_usable(map, n, c, size))
			best = c;
	}
	return best;
}

/* Nonzero if the word w[0..wl) starts with "BOOT_IMAGE=". */
static int is_boot_image(const char *w, size_t wl)
{
	static const char key[] = "BOOT_IMAGE=";

	if (wl < sizeof(key) - 1)
		return 0;
	for (size_t i = 0; i < sizeof(key) - 1; i++)
		if (w[i] != key[i])
			return 0;
	return 1;
}

/* Move the string at src (with its NUL) down to dst. */
static void move_down(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

size_t mbp_clean_cmdline(char *s)
{
	char *out = s, *p = s;
	int saw_boot_image = 0, first_is_auto = 0;
	size_t nwords = 0;

	/* Drop BOOT_IMAGE= words with the blanks after them; keep all other
	 * text as it is. */
	while (*p) {
		if (blank(*p)) {
			*out++ = *p++;
			continue;
		}
		char *w = p;
		while (*p && !blank(*p))
			p++;
		size_t wl = (size_t)(p - w);
		if (is_boot_image(w, wl)) {
			saw_boot_image = 1;
			while (blank(*p))
				p++;
			continue;
		}
		if (nwords++ == 0 && wl == 4 && w[0] == 'a' && w[1] == 'u' &&
		    w[2] == 't' && w[3] == 'o')
			first_is_auto = 1;
		while (w < p)
			*out++ = *w++;
	}
	*out = '\0';
	char *t = s;
	while (blank(*t))
		t++;
	if (saw_boot_image && first_is_auto) {
		t += 4;
		while (blank(*t))
			t++;
	}
	move_down(s, t);
	size_t n = slen(s);
	while (n > 0 && blank(s[n - 1]))
		s[--n] = '\0';
	return n;
}

/* Trim blanks at both ends of s in place and return the new start. */
static char *trim(char *s)
{
	while (blank(*s))
		s++;
	size_t n = slen(s);
	while (n > 0 && blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

unsigned mbp_split_cmdline(char *s, char **parts, unsigned max)
{
	unsigned count = 0;
	char *start = s, *p = s;

	if (max == 0)
		return 0;
	while (*p) {
		/* A word "--": blank or string start before, blank or end
		 * after. */
		if (p[0] == '-' && p[1] == '-' && (p == s || blank(p[-1])) &&
		    (p[2] == '\0' || blank(p[2])) && count + 1 < max) {
			char *next = p[2] ? p + 3 : p + 2;
			*p = '\0';
			parts[count++] = trim(start);
			start = p = next;
			continue;
		}
		p++;
	}
	parts[count++] = trim(start);
	return count;
}

/* Round v up to a multiple of 8. */
static size_t up8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* Length of "name[ args]" plus its NUL. */
static size_t joined_len(const char *name, const char *args)
{
	size_t a = slen(args);

	return slen(name) + (a ? a + 1 : 0) + 1;
}

/* Write "name[ args]" with its NUL at p; return the bytes written. */
static size_t join(uint8_t *p, const char *name, const char *args)
{
	size_t n = slen(name), a = slen(args);

	bcopy_(p, name, n);
	if (a) {
		p[n] = ' ';
		bcopy_(p + n + 1, args, a);
		n += a + 1;
	}
	p[n] = 0;
	return n + 1;
}

size_t mbp_mbi_size(const struct mbp_mbi_in *in)
{
	size_t sz = up8(MBI_SIZE);

	if (in->have_mmap)
		sz += (size_t)in->nmap * 24;
	sz = up8(sz) + (size_t)in->nmods * 16;
	sz += sizeof(MBP_LOADER_NAME);
	sz += joined_len(in->kernel_name, in->args);
	for (unsigned i = 0; i < in->nmods; i++)
		sz += joined_len(in->mods[i].name, in->mods[i].args);
	return sz;
}

size_t mbp_build_mbi(uint8_t *buf, uint32_t phys, size_t cap,
		     const struct mbp_mbi_in *in)
{
	size_t need = mbp_mbi_size(in);
	uint32_t flags = MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MODS |
			 MBI_FLAG_LOADER;

	if (need > cap)
		return 0;
	for (size_t i = 0; i < need; i++)
		buf[i] = 0;
	size_t pos = up8(MBI_SIZE);
	st32(buf + 4, in->mem_lower);
	st32(buf + 8, in->mem_upper);
	if (in->have_mmap) {
		flags |= MBI_FLAG_MMAP;
		st32(buf + 44, in->nmap * 24);
		st32(buf + 48, phys + (uint32_t)pos);
		for (unsigned i = 0; i < in->nmap; i++, pos += 24) {
			st32(buf + pos, 20);
			bcopy_(buf + pos + 4, &in->map[i], 20);
		}
	}
	pos = up8(pos);
	size_t mods = pos;
	st32(buf + 20, in->nmods);
	st32(buf + 24, in->nmods ? phys + (uint32_t)mods : 0);
	pos += (size_t)in->nmods * 16;
	st32(buf + 64, phys + (uint32_t)pos);
	bcopy_(buf + pos, MBP_LOADER_NAME, sizeof(MBP_LOADER_NAME));
	pos += sizeof(MBP_LOADER_NAME);
	st32(buf + 16, phys + (uint32_t)pos);
	pos += join(buf + pos, in->kernel_name, in->args);
	for (unsigned i = 0; i < in->nmods; i++) {
		uint8_t *m = buf + mods + 16 * (size_t)i;
		st32(m, in->mods[i].start);
		st32(m + 4, in->mods[i].end);
		st32(m + 8, phys + (uint32_t)pos);
		pos += join(buf + pos, in->mods[i].name, in->mods[i].args);
	}
	st32(buf, flags);
	return pos;
}

/* Read a little-endian 32-bit value at p. */
static uint32_t ld32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int mbp_bootparams_memory(const uint8_t *bp, struct mbp_meminfo *mi)
{
	unsigned n = bp[BP_E820_ENTRIES];

	if (n > BP_E820_MAX)
		n = BP_E820_MAX;
	mi->n = n;
	if (n > 0) {
		bcopy_((uint8_t *)mi->map, bp + BP_E820_TABLE,
		       n * sizeof(mi->map[0]));
		mi->have_mmap = 1;
		mbp_mem_sizes(mi->map, n, &mi->mem_lower, &mi->mem_upper);
		return 0;
	}
	mi->have_mmap = 0;
	uint32_t upper = ld32(bp + BP_ALT_MEM_K);
	if (upper == 0)
		upper = (uint32_t)bp[BP_EXT_MEM_K] |
			((uint32_t)bp[BP_EXT_MEM_K + 1] << 8);
	if (upper == 0)
		return -1;
	uint32_t lower = 640;
	if (ld32(bp + BP_PRIV_MAGIC) == BP_PRIV_MAGIC_VALUE) {
		lower = (uint32_t)bp[BP_PRIV_LOWMEM] |
			((uint32_t)bp[BP_PRIV_LOWMEM + 1] << 8);
		if (lower > 640)
			lower = 640;
	}
	mi->mem_lower = lower;
	mi->mem_upper = upper;
	mi->map[0] = (struct mbp_e820){ 0, (uint64_t)lower << 10, 1 };
	mi->map[1] = (struct mbp_e820){ 0x100000, (uint64_t)upper << 10, 1 };
	mi->n = 2;
	return 0;
}

void mbp_choose_args(char *loader_cl, const char *def_args, unsigned nmods,
		     const char *const *packed, const char **kargs,
		     const char **margs, char **parts)
{
	unsigned nparts = 0;

	*kargs = def_args;
	if (loader_cl && mbp_clean_cmdline(loader_cl) > 0) {
		nparts = mbp_split_cmdline(loader_cl, parts,
					   MBP_MAX_MODULES + 1);
		*kargs = parts[0];
	}
	for (unsigned i = 0; i < nmods; i++)
		margs[i] = i + 1 < nparts ? parts[i + 1] : packed[i];
}

const char *mbp_place(const struct mbp_place_in *in,
		      struct mbp_place_out *out)
{
	const struct mbp_e820 *map = in->mem->map;
	unsigned n = in->mem->n;
	uint64_t top = 0;

	for (unsigned i = 0; i < in->nsegs; i++) {
		uint64_t end = (uint64_t)in->segs[i].dest + in->segs[i].memsz;
		if (!mbp_usable(map, n, in->segs[i].dest, in->segs[i].memsz))
			return "the kernel's load address is not in usable RAM";
		if (end > top)
			top = end;
	}
	for (unsigned i = 0; i < in->nmods; i++) {
		uint64_t at = mbp_alloc(map, n, top, in->mods[i].size, 4096);
		if (!at)
			return "not enough memory for the modules";
		out->mod_start[i] = (uint32_t)at;
		top = at + in->mods[i].size;
	}
	uint64_t from = (uint64_t)in->payload_base + in->payload_size;
	if (top > from)
		from = top;
	uint64_t size = (((uint64_t)in->payload_size + 15) & ~15ull) +
			in->scratch_extra;
	uint64_t hi = mbp_alloc(map, n, from, size, 4096);
	if (!hi)
		return "not enough memory to unpack the image";
	out->scratch = (uint32_t)hi;
	out->scratch_size = (uint32_t)size;
	uint64_t mbi = MBP_MBI_LOW_ADDR;
	if (MBP_MBI_LOW_ADDR + in->mbi_size > MBP_MBI_LOW_LIMIT ||
	    !mbp_usable(map, n, MBP_MBI_LOW_ADDR, in->mbi_size))
		mbi = mbp_alloc(map, n, hi + size, in->mbi_size, 4096);
	if (!mbi)
		return "no memory for the Multiboot information";
	out->mbi = (uint32_t)mbi;
	return NULL;
}
