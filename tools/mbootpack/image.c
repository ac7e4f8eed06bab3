/*
 * image.c - the mbootpack image writer and reader: lays the real-mode
 * setup, the 32-bit loader, the tables, the strings and the kernel and module
 * data out as described in format.h, and parses such an image back.
 */
#include "image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

/* Round v up to a multiple of 16. */
static uint64_t align16(uint64_t v)
{
	return (v + 15) & ~(uint64_t)15;
}

/* CRC-32 (zlib's) of buf[0..len). */
static uint32_t crc_of(const uint8_t *buf, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	while (len > 0) {
		uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
		crc = crc32(crc, buf, n);
		buf += n;
		len -= n;
	}
	return (uint32_t)crc;
}

/* Append string s (with its NUL) at strings + *used; return its offset. */
static uint32_t add_string(uint8_t *strings, uint32_t *used, const char *s)
{
	uint32_t off = *used;
	size_t n = strlen(s) + 1;

	memcpy(strings + off, s, n);
	*used += (uint32_t)n;
	return off;
}

/* Check the pieces given to mbp_pack; 0 if usable. */
static int check_input(const struct mbp_pack_in *in, char *err, size_t errlen)
{
	if (in->setup_len < 1024 || in->setup_len % 512 ||
	    in->setup_len > 256 * 512 ||
	    get32(in->setup + BZ_HEADER) != BZ_HDRS_MAGIC)
		return fail(err, errlen, "internal error: bad setup blob");
	if (in->loader32_len < MBP_TAG_OFFSET + sizeof(struct mbp_tag) ||
	    memcmp(in->loader32 + MBP_TAG_OFFSET, MBP_TAG_MAGIC, 8))
		return fail(err, errlen, "internal error: bad 32-bit loader blob");
	if (in->kernel->nsegs == 0 || in->kernel->nsegs > MBP_MAX_SEGMENTS)
		return fail(err, errlen, "kernel has %zu segments (1 to %u "
			    "supported)", in->kernel->nsegs, MBP_MAX_SEGMENTS);
	if (in->nmods > MBP_MAX_MODULES)
		return fail(err, errlen, "%zu modules, at most %u supported",
			    in->nmods, MBP_MAX_MODULES);
	size_t cl = strlen(in->kernel_name) + 1 + strlen(in->cmdline);
	if (cl > MBP_MAX_CMDLINE)
		return fail(err, errlen, "command line too long (%zu bytes "
			    "with the kernel name, max %u)", cl,
			    MBP_MAX_CMDLINE);
	for (size_t i = 0; i < in->nmods; i++) {
		size_t ml = strlen(in->mods[i].name) + 1 +
			    strlen(in->mods[i].args);
		if (ml > MBP_MAX_MODSTR)
			return fail(err, errlen, "module %zu: module string "
				    "too long (%zu bytes, max %u)", i, ml,
				    MBP_MAX_MODSTR);
	}
	return 0;
}

int mbp_pack(const struct mbp_pack_in *in, uint8_t **out, size_t *outlen,
	     char *err, size_t errlen)
{
	const struct mb_kernel *k = in->kernel;

	*out = NULL;
	*outlen = 0;
	if (check_input(in, err, errlen) < 0)
		return -1;

	/* Lay out the payload. */
	uint64_t hdr_off = align16(in->loader32_len);
	uint64_t seg_off = hdr_off + sizeof(struct mbp_header);
	uint64_t mod_off = seg_off + k->nsegs * sizeof(struct mbp_segment);
	uint64_t str_off = mod_off + in->nmods * sizeof(struct mbp_module);
	uint64_t str_size = strlen(in->kernel_name) + strlen(in->cmdline) + 2;
	for (size_t i = 0; i < in->nmods; i++)
		str_size += strlen(in->mods[i].name) +
			    strlen(in->mods[i].args) + 2;
	uint64_t data_off = align16(str_off + str_size);
	uint64_t end = data_off;
	for (size_t i = 0; i < k->nsegs; i++)
		end = align16(end + k->segs[i].filesz);
	for (size_t i = 0; i < in->nmods; i++)
		end = align16(end + in->mods[i].size);
	end += MBP_END_SIZE;
	uint64_t total = in->setup_len + end;
	if (total > MBP_MAX_IMAGE)
		return fail(err, errlen, "packed image would be %llu bytes, "
			    "over the %u MiB limit",
			    (unsigned long long)total, MBP_MAX_IMAGE >> 20);

	uint8_t *img = calloc(1, (size_t)total);
	if (!img)
		return fail(err, errlen, "out of memory");
	uint8_t *pl = img + in->setup_len;

	/* Real-mode setup with its header fields patched. */
	memcpy(img, in->setup, in->setup_len);
	img[BZ_SETUP_SECTS] = (uint8_t)(in->setup_len / 512 - 1);
	put32(img + BZ_SYSSIZE, (uint32_t)((end + 15) / 16));

	/* Stub with its tag patched. */
	memcpy(pl, in->loader32, in->loader32_len);
	put32(pl + MBP_TAG_OFFSET + 8, (uint32_t)hdr_off);
	put32(pl + MBP_TAG_OFFSET + 12, (uint32_t)in->loader32_len);

	/* Strings. */
	uint8_t *strings = pl + str_off;
	uint32_t used = 0;
	uint32_t kname = add_string(strings, &used, in->kernel_name);
	uint32_t kcmd = add_string(strings, &used, in->cmdline);

	/* Segment and module tables and data. */
	uint64_t pos = data_off;
	for (size_t i = 0; i < k->nsegs; i++) {
		uint8_t *e = pl + seg_off + i * sizeof(struct mbp_segment);
		put32(e, k->segs[i].dest);
		put32(e + 4, (uint32_t)pos);
		put32(e + 8, k->segs[i].filesz);
		put32(e + 12, k->segs[i].memsz);
		memcpy(pl + pos, k->segs[i].data, k->segs[i].filesz);
		pos = align16(pos + k->segs[i].filesz);
	}
	for (size_t i = 0; i < in->nmods; i++) {
		uint8_t *e = pl + mod_off + i * sizeof(struct mbp_module);
		put32(e, (uint32_t)pos);
		put32(e + 4, (uint32_t)in->mods[i].size);
		put32(e + 8, add_string(strings, &used, in->mods[i].name));
		put32(e + 12, add_string(strings, &used, in->mods[i].args));
		if (in->mods[i].size)
			memcpy(pl + pos, in->mods[i].data, in->mods[i].size);
		pos = align16(pos + in->mods[i].size);
	}

	memcpy(pl + end - MBP_END_SIZE, MBP_END_MAGIC, 8);
	put32(pl + end - MBP_END_SIZE + 8, (uint32_t)end);

	/* Header last, with the CRC of the data. */
	uint8_t *h = pl + hdr_off;
	put32(h + 0, MBP_HEADER_MAGIC);
	put32(h + 4, MBP_FORMAT_VERSION);
	put32(h + 8, (uint32_t)end);
	put32(h + 12, k->entry);
	put32(h + 16, k->flags);
	put32(h + 20, (uint32_t)k->format);
	put32(h + 24, (uint32_t)k->nsegs);
	put32(h + 28, (uint32_t)seg_off);
	put32(h + 32, (uint32_t)in->nmods);
	put32(h + 36, (uint32_t)mod_off);
	put32(h + 40, kname);
	put32(h + 44, kcmd);
	put32(h + 48, (uint32_t)str_off);
	put32(h + 52, (uint32_t)str_size);
	put32(h + 56, crc_of(pl + data_off, (size_t)(end - data_off)));
	put32(h + 60, 0);

	*out = img;
	*outlen = (size_t)total;
	return 0;
}

/* Return the string at offset off of the string area, or NULL if it is
 * out of bounds or not NUL-terminated inside the area. */
static const char *string_at(const uint8_t *strings, uint32_t size,
			     uint32_t off)
{
	if (off >= size || !memchr(strings + off, 0, size - off))
		return NULL;
	return (const char *)strings + off;
}

/* Parse the bzImage container: protocol, setup size, payload bounds. */
static int read_container(const uint8_t *buf, size_t len,
			  struct mbp_image *img, char *err, size_t errlen)
{
	if (len < 0x240)
		return fail(err, errlen, "too short for a bzImage (%zu bytes)",
			    len);
	if (get16(buf + BZ_BOOT_FLAG) != 0xAA55 ||
	    get32(buf + BZ_HEADER) != BZ_HDRS_MAGIC)
		return fail(err, errlen, "not a bzImage (no HdrS header)");
	img->protocol = get16(buf + BZ_VERSION);
	img->setup_sects = buf[BZ_SETUP_SECTS];
	unsigned sects = img->setup_sects ? img->setup_sects : 4;
	img->payload_offset = (sects + 1) * 512;
	if (img->payload_offset + MBP_TAG_OFFSET + sizeof(struct mbp_tag) >
	    len)
		return fail(err, errlen, "truncated bzImage: no protected-mode "
			    "payload");
	img->payload = buf + img->payload_offset;
	img->payload_size = (uint32_t)(len - img->payload_offset);
	if (memcmp(img->payload + MBP_TAG_OFFSET, MBP_TAG_MAGIC, 8))
		return fail(err, errlen, "a bzImage, but not made by "
			    "mbootpack");
	return 0;
}

/* Parse and check the tables of the payload. */
static int read_tables(struct mbp_image *img, char *err, size_t errlen)
{
	const uint8_t *pl = img->payload;
	uint64_t psize = img->payload_size;
	uint32_t hoff = get32(pl + MBP_TAG_OFFSET + 8);
	struct mbp_header *h = &img->hdr;

	if ((uint64_t)hoff + sizeof(*h) > psize)
		return fail(err, errlen, "truncated image: header past end");
	uint32_t *dst = (uint32_t *)h;
	for (size_t i = 0; i < sizeof(*h) / 4; i++)
		dst[i] = get32(pl + hoff + 4 * i);
	if (h->magic != MBP_HEADER_MAGIC || h->version != MBP_FORMAT_VERSION)
		return fail(err, errlen, "unknown mbootpack format version");
	if (h->payload_size > psize)
		return fail(err, errlen, "truncated image: %llu of %u payload "
			    "bytes present", (unsigned long long)psize,
			    h->payload_size);
	psize = h->payload_size;
	if (psize < MBP_END_SIZE ||
	    memcmp(pl + psize - MBP_END_SIZE, MBP_END_MAGIC, 8) ||
	    get32(pl + psize - MBP_END_SIZE + 8) != psize)
		return fail(err, errlen, "corrupt image: no end marker");
	if (h->nsegs == 0 || h->nsegs > MBP_MAX_SEGMENTS ||
	    h->nmods > MBP_MAX_MODULES)
		return fail(err, errlen, "corrupt image: %u segments, %u "
			    "modules", h->nsegs, h->nmods);
	if ((uint64_t)h->seg_offset + h->nsegs * 16ull > psize ||
	    (uint64_t)h->mod_offset + h->nmods * 16ull > psize ||
	    (uint64_t)h->strings_offset + h->strings_size > psize)
		return fail(err, errlen, "corrupt image: tables past end");
	const uint8_t *strings = pl + h->strings_offset;
	img->kernel_name = string_at(strings, h->strings_size, h->kernel_name);
	img->cmdline = string_at(strings, h->strings_size, h->cmdline);
	if (!img->kernel_name || !img->cmdline)
		return fail(err, errlen, "corrupt image: bad string offset");
	for (uint32_t i = 0; i < h->nsegs; i++) {
		const uint8_t *e = pl + h->seg_offset + 16 * i;
		struct mbp_segment *s = &img->segs[i];
		s->dest = get32(e);
		s->offset = get32(e + 4);
		s->filesz = get32(e + 8);
		s->memsz = get32(e + 12);
		if ((uint64_t)s->offset + s->filesz > psize ||
		    s->filesz > s->memsz)
			return fail(err, errlen, "corrupt image: segment %u "
				    "out of bounds", i);
	}
	for (uint32_t i = 0; i < h->nmods; i++) {
		const uint8_t *e = pl + h->mod_offset + 16 * i;
		struct mbp_module *m = &img->mods[i];
		m->offset = get32(e);
		m->size = get32(e + 4);
		m->name = get32(e + 8);
		m->args = get32(e + 12);
		img->mod_name[i] = string_at(strings, h->strings_size, m->name);
		img->mod_args[i] = string_at(strings, h->strings_size, m->args);
		if ((uint64_t)m->offset + m->size > psize ||
		    !img->mod_name[i] || !img->mod_args[i])
			return fail(err, errlen, "corrupt image: module %u "
				    "out of bounds", i);
	}
	uint64_t data_off = align16((uint64_t)h->strings_offset +
				    h->strings_size);
	img->crc_actual = data_off <= psize
		? crc_of(pl + data_off, (size_t)(psize - data_off)) : 0;
	return 0;
}

int mbp_read(const uint8_t *buf, size_t len, struct mbp_image *img,
	     char *err, size_t errlen)
{
	memset(img, 0, sizeof(*img));
	if (read_container(buf, len, img, err, errlen) < 0)
		return -1;
	return read_tables(img, err, errlen);
}

int mbp_module_string(const struct mbp_image *img, unsigned i, char *out,
		      size_t outlen)
{
	if (i >= img->hdr.nmods)
		return -1;
	int n = snprintf(out, outlen, "%s%s%s", img->mod_name[i],
			 img->mod_args[i][0] ? " " : "", img->mod_args[i]);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}
