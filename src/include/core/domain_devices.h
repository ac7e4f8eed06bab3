/* The virtio devices of a domain (src/core/domain_devices.c): a disk per `disk` spec of its
 * cfg (virtio-blk on the boot module the spec names, changed in place), and in every Linux
 * domain a memory balloon (virtio-balloon behind `mem-set`) and an entropy source
 * (virtio-rng on the CPU's RDSEED/RDRAND), on its virtio-mmio slots in that order. */
#ifndef KESTREL_CORE_DOMAIN_DEVICES_H
#define KESTREL_CORE_DOMAIN_DEVICES_H

#include <stddef.h>
#include <stdint.h>
#include "core/xlcfg.h"
#include "vdev/virtio_blk.h"
#include "vdev/virtio_balloon.h"
#include "vdev/virtio_rng.h"
#include "core/domain_net.h"

struct domain;

/* What a domain's devices are, for `block-list`, `mem-set` and teardown. */
struct domain_disk {
    int module;                     /* boot module index of its target */
    struct xlcfg_disk spec;
    struct vblk blk;
};

struct domain_devices {
    unsigned ndisks;
    struct domain_disk disks[XLCFG_DISKS_MAX];
    struct vballoon balloon;
    struct vrng rng;
    unsigned nvifs;
    struct domain_vif vifs[XLCFG_VIFS_MAX];
};

/* d's disks alone (a Multiboot domain's: it finds them at their fixed addresses, as
 * docs/architecture.md gives them, having no ACPI). 0, or -1 as below. */
int domain_disk_devices(struct domain *d, const char *cfgname, char *err, size_t errsz);
/* Build d's devices from its cfg. 0, or -1 with one line in err naming cfgname and the disk
 * (no module of that name, a size that is not whole 512-byte sectors, a module another
 * domain uses read-write, or one it uses at all when this one wants it read-write). */
int domain_linux_devices(struct domain *d, const char *cfgname, char *err, size_t errsz);
/* Give the devices back (domain teardown). */
void domain_devices_free(struct domain *d);
/* Tell d's balloon the new target (after mem-set): it holds what d's RAM exceeds it by. */
void domain_devices_balloon_target(struct domain *d);

#endif
