/* Loading a Linux bzImage into a domain (src/core/load_linux.c): the kernel module chosen
 * by its own header (core/bzimage.h's bzimage_probe), planned by bzimage_plan, copied with
 * its initrd, zero page, command line and boot tables into the domain's memory, and the
 * vCPU reset into the 64-bit entry state. The Multiboot loader is its sibling in
 * domain_build.c. */
#ifndef KESTREL_CORE_LOAD_LINUX_H
#define KESTREL_CORE_LOAD_LINUX_H

#include <stddef.h>

struct domain;
struct boot_module;

/* Load kernel k (a bzImage) with the initrd module rd (NULL: none) and d->cfg's command
 * line into d, whose memory is populated, and reset its vCPU at the kernel's entry. 0, or
 * -1 with one line naming cfgname, the module and what is wrong in err (the caller
 * unbuilds the domain). */
int load_linux(struct domain *d, const struct boot_module *k, const struct boot_module *rd,
               const char *cfgname, char *err, size_t errsz);

#endif
