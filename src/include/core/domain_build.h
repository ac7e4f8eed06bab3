/* The domain builder (src/core/domain_build.c): domains from the boot image's cfg modules
 * and, for the shell's `create`, from one of them; restart and rename-restart for the
 * on_* actions. */
#ifndef KESTREL_CORE_DOMAIN_BUILD_H
#define KESTREL_CORE_DOMAIN_BUILD_H

#include <stdbool.h>
#include <stddef.h>

struct domain;

/* Build every domain whose cfg module is in the boot image (autostart ones are started).
 * Errors name the module, line and key; that domain is skipped and the others boot. */
void domains_build_from_boot(void);

/* Create a domain from a boot module's cfg (the shell's `create`). Returns it or NULL with
 * a reason in err. */
struct domain *domain_create_from_module(int cfg_module, char *err, size_t errsz);

/* Virtualization is available (SVM with NPT or VMX with EPT found and enabled). */
bool virt_available(void);
const char *virt_unavailable_reason(void);

/* Tear d down and build it again from the same cfg module (a new domain id, as in Xen). */
void domain_restart(struct domain *d);
/* xl's rename-restart, for d already preserved (shut down or crashed, kept for `dump` and
 * its console): rename it "<name>-<UTC yyyymmddThhmm>Z" as xl's preserve_domain does, and
 * build a new domain from the same cfg under the old name. */
void domain_rename_restart(struct domain *d);

#endif
