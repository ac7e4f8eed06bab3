/* The memory-mapped I/O bus of one domain: which emulated device answers which
 * guest-physical range (the local APIC at 0xFEE00000, the I/O APIC at 0xFEC00000, later
 * virtio devices). Those pages are left out of the nested page tables, so every access
 * exits; the backend decodes the instruction (arch/x86's MMIO exit handler) and comes
 * here with the address, size and value. Like the port bus (vdev/vdev.h), a device is one
 * ops table and registering it never edits an exit handler.
 * Not locked: the caller serialises access (one bus per domain, one vCPU at a time). */
#ifndef KESTREL_VDEV_MMIO_H
#define KESTREL_VDEV_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VDEV_MMIO_MAX_RANGES 16   /* the APIC pages and up to 8 virtio devices */

/* Read size (1, 2, 4 or 8) bytes at offset off of the device's range (the access lies
 * wholly inside it); the result is taken modulo 2^(8*size). */
typedef uint64_t (*vdev_mmio_read_fn)(void *dev, uint64_t off, unsigned size);
/* Write the low size bytes of val at offset off. */
typedef void (*vdev_mmio_write_fn)(void *dev, uint64_t off, unsigned size, uint64_t val);

struct vdev_mmio_ops {
    const char *name;
    vdev_mmio_read_fn read;
    vdev_mmio_write_fn write;
};

struct vdev_mmio_range {
    uint64_t base, size;
    const struct vdev_mmio_ops *ops;
    void *dev;
};

struct vdev_mmio_bus {
    struct vdev_mmio_range ranges[VDEV_MMIO_MAX_RANGES];
    unsigned n;
    uint64_t unclaimed;             /* accesses that no device claimed (counted, for dump) */
};

/* Empty the bus (a zeroed struct is also empty). */
void vdev_mmio_init(struct vdev_mmio_bus *bus);

/* Claim [base, base + size) for dev. 0, or -1 if size is 0, the range wraps, overlaps one
 * already registered, ops lacks read/write, or the bus is full. */
int vdev_mmio_register(struct vdev_mmio_bus *bus, uint64_t base, uint64_t size,
                       const struct vdev_mmio_ops *ops, void *dev);

/* The range holding gpa, or NULL: the exit handler asks before it decodes anything, so an
 * access to memory no device owns is reported as such. */
const struct vdev_mmio_range *vdev_mmio_find(const struct vdev_mmio_bus *bus, uint64_t gpa);

/* One access of size 1, 2, 4 or 8 at gpa: a read into *val or a write of *val. False when
 * no device owns every byte of it (a read then gives all ones, a write is dropped, and
 * the access is counted as unclaimed): a guest straddling two devices or a range's end
 * gets what a PC's unclaimed cycles give, never another device's registers. */
bool vdev_mmio_access(struct vdev_mmio_bus *bus, uint64_t gpa, unsigned size, bool write,
                      uint64_t *val);

#endif
