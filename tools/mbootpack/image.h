/*
 * image.h - write and read mbootpack images (the bzImage container plus
 * the payload described in format.h).  Pure functions on memory buffers,
 * so they are unit-tested and fuzzed on the host.
 */
#ifndef MBOOTPACK_IMAGE_H
#define MBOOTPACK_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "kernel.h"

struct mbp_module_in {
	const char *name;           /* basename given to the kernel */
	const char *args;           /* may be "" */
	const uint8_t *data;
	size_t size;
};

struct mbp_pack_in {
	const uint8_t *setup;       /* real-mode setup, multiple of 512 */
	size_t setup_len;
	const uint8_t *loader32;    /* 32-bit loader, with its tag at 8 */
	size_t loader32_len;
	const struct mb_kernel *kernel;
	const char *kernel_name;
	const char *cmdline;        /* packed default args, may be "" */
	size_t nmods;
	const struct mbp_module_in *mods;
};

/*
 * Build the packed image from *in into a new malloc'ed buffer (*out, *outlen).
 * Deterministic: equal inputs give equal bytes.  Returns 0, or -1 with a
 * one-line reason in err (no file name, no newline).
 */
int mbp_pack(const struct mbp_pack_in *in, uint8_t **out, size_t *outlen,
	     char *err, size_t errlen);

/* A parsed image; every pointer points into the buffer given to mbp_read. */
struct mbp_image {
	uint16_t protocol;
	uint8_t setup_sects;
	uint32_t payload_offset;    /* file offset of the payload */
	uint32_t payload_size;
	const uint8_t *payload;
	struct mbp_header hdr;
	const char *kernel_name;
	const char *cmdline;
	struct mbp_segment segs[MBP_MAX_SEGMENTS];
	struct mbp_module mods[MBP_MAX_MODULES];
	const char *mod_name[MBP_MAX_MODULES];
	const char *mod_args[MBP_MAX_MODULES];
	uint32_t crc_actual;        /* CRC-32 computed over the data */
};

/*
 * Parse and fully bounds-check an image buf[0..len).  Returns 0 and fills
 * *img, or -1 with a one-line reason in err.  A CRC mismatch is not an
 * error here; callers compare hdr.data_crc32 with crc_actual.
 */
int mbp_read(const uint8_t *buf, size_t len, struct mbp_image *img,
	     char *err, size_t errlen);

/* The module string the kernel receives for module i: "name[ args]". */
int mbp_module_string(const struct mbp_image *img, unsigned i, char *out,
		      size_t outlen);

#endif
