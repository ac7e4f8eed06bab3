/* Building domains from boot modules (src/core/domain_build.c) and the domain table's
 * slot management shared with src/core/domain.c. */
#ifndef KESTREL_CORE_DOMAIN_BUILD_H
#define KESTREL_CORE_DOMAIN_BUILD_H

struct domain;

struct domain *domain_alloc_slot(void);
void domain_free_slot(struct domain *d);
/* Tear d down and build it again from the same cfg module (a new domain id, as in Xen). */
void domain_restart(struct domain *d);
/* xl's rename-restart, for d already preserved (shut down or crashed, kept for `dump` and
 * its console): rename it "<name>-<UTC yyyymmddThhmm>Z" as xl's preserve_domain does, and
 * build a new domain from the same cfg under the old name. */
void domain_rename_restart(struct domain *d);

#endif
