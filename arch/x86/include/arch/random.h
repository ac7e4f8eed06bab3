/* Random bytes from the CPU's own generator (arch/x86/random.c): RDSEED where the CPU has
 * it, else RDRAND; for the guests' entropy device (virtio-rng). */
#ifndef KESTREL_ARCH_RANDOM_H
#define KESTREL_ARCH_RANDOM_H

#include <stddef.h>

/* Fill buf with up to len random bytes; returns how many (fewer when the CPU's generator
 * is exhausted after a few retries, 0 when the CPU has neither instruction). */
size_t arch_random_bytes(void *buf, size_t len);

#endif
