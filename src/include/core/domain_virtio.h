/* A domain's virtio devices (src/core/domain_virtio.c): each on its own virtio-mmio
 * transport at VIRTIO_MMIO_BASE + n * VIRTIO_MMIO_STRIDE with I/O APIC pin
 * VIRTIO_MMIO_GSI_BASE + n, described to the guest in the DSDT (load_linux.c), its rings
 * reaching the domain's RAM through domain_copy_from/_to (so a ring or buffer in memory the
 * guest does not have, or gave back to the balloon, is refused). Linux domains only: a
 * Multiboot guest has no ACPI to find them. */
#ifndef KESTREL_CORE_DOMAIN_VIRTIO_H
#define KESTREL_CORE_DOMAIN_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vdev/virtio.h"
#include "vdev/virtio_mmio.h"

struct domain;

struct domain_virtio {
    unsigned n;
    struct virtio_transport t[VIRTIO_MMIO_MAX_DEVICES];
    uint64_t signalled[VIRTIO_MMIO_MAX_DEVICES];   /* t[i].interrupts at its last edge */
};

/* Put device dev (ops) on d's next virtio-mmio slot (the set is allocated on first use).
 * Returns the slot, or -1 with err set (no slot left, out of memory, bad ops). */
int domain_virtio_add(struct domain *d, const struct virtio_dev_ops *ops, void *dev,
                      char *err, size_t errsz);
/* How many slots d uses (for the DSDT). */
unsigned domain_virtio_count(const struct domain *d);
/* Drive each device's I/O APIC pin from its transport's interrupt line. */
void domain_virtio_lines(struct domain *d);
/* Reset every device (domain reboot) / give the set back (domain teardown). */
void domain_virtio_reset(struct domain *d);
void domain_virtio_free(struct domain *d);
/* One line per device for `dump` into buf (cut to fit); returns the length. */
size_t domain_virtio_dump(const struct domain *d, char *buf, size_t len);

#endif
