/* A domain's guest-physical memory (see src/core/guestmem.c). */
#ifndef KESTREL_CORE_GUESTMEM_H
#define KESTREL_CORE_GUESTMEM_H

#include <stdint.h>

struct domain;

/* Map zeroed RAM over [0, bytes); -1 when memory ran out (what was mapped stays counted). */
int guestmem_populate(struct domain *d, uint64_t bytes);
/* Give every page and table back. */
void guestmem_release_all(struct domain *d);
/* The balloon: release or repopulate 4 KiB pages of [gpa, gpa + pages * 4 KiB) within maxmem.
 * Return how many pages changed, or -1 for a bad range. */
int64_t guestmem_decrease(struct domain *d, uint64_t gpa, uint64_t pages);
int64_t guestmem_increase(struct domain *d, uint64_t gpa, uint64_t pages);

#endif
