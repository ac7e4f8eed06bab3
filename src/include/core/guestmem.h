/* A domain's guest-physical memory (src/core/guestmem.c): populating it, the balloon, and
 * copies in and out of it. */
#ifndef KESTREL_CORE_GUESTMEM_H
#define KESTREL_CORE_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>

struct domain;

/* Guest memory access (for loaders, hypercalls and `dumpmem`): 0, or -1 when any byte is
 * outside the domain's memory. */
int domain_copy_to(struct domain *d, uint64_t gpa, const void *src, size_t n);
int domain_copy_from(struct domain *d, void *dst, uint64_t gpa, size_t n);

/* Map zeroed RAM over [0, bytes); -1 when memory ran out (what was mapped stays counted). */
int guestmem_populate(struct domain *d, uint64_t bytes);
/* Give every page and table back. */
void guestmem_release_all(struct domain *d);
/* The balloon: release or repopulate 4 KiB pages of [gpa, gpa + pages * 4 KiB) within maxmem.
 * Return how many pages changed, or -1 for a bad range. */
int64_t guestmem_decrease(struct domain *d, uint64_t gpa, uint64_t pages);
int64_t guestmem_increase(struct domain *d, uint64_t gpa, uint64_t pages);

#endif
