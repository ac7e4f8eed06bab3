/* The domain builder (src/core/domain_build.c), a leaf of the life cycle in domain.c: it
 * fills in a domain slot that already has its config, and empties it again. It never
 * touches the domain table or the scheduler. */
#ifndef KESTREL_CORE_DOMAIN_BUILD_H
#define KESTREL_CORE_DOMAIN_BUILD_H

#include <stddef.h>

struct domain;

/* Give d (its cfg, id and name set) its console ring, nested page tables, vCPU and memory,
 * load its kernel and ramdisk, wire its devices and reset its vCPU into the kernel's entry
 * state. 0, or -1 with one line naming cfgname and what failed in err; then nothing stays
 * allocated (the slot itself is the caller's). */
int domain_build(struct domain *d, const char *cfgname, char *err, size_t errsz);
/* Give back all domain_build allocated (vCPU, memory and tables, console ring). */
void domain_unbuild(struct domain *d);

#endif
