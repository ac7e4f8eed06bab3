/*
 * bytes.h - unaligned little-endian loads and stores, used by the parsers
 * so that no input is ever dereferenced through a misaligned pointer.
 */
#ifndef MBOOTPACK_BYTES_H
#define MBOOTPACK_BYTES_H

#include <stdint.h>

/* Return the 16-bit little-endian value at p. */
static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

/* Return the 32-bit little-endian value at p. */
static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Return the 64-bit little-endian value at p. */
static inline uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

/* Store v at p as 16-bit little-endian. */
static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Store v at p as 32-bit little-endian. */
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif
