/* The I/O-port bus of one domain: which emulated device answers which port.
 * Each device is one file with a vdev_ops table; both backends' port I/O exits reach it
 * only through vcpu_handle_io() (src/core/vcpu.c), which calls vdev_bus_io(), so adding a
 * device never edits an exit handler.
 * Not locked: the caller serialises access (one bus per domain, one vCPU at a time). */
#ifndef KESTREL_VDEV_VDEV_H
#define KESTREL_VDEV_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VDEV_MAX_RANGES 24

/* Read size (1, 2 or 4) bytes at port; the result is taken modulo 2^(8*size). */
typedef uint32_t (*vdev_read_fn)(void *dev, uint16_t port, unsigned size);
/* Write the low size (1, 2 or 4) bytes of val to port. */
typedef void (*vdev_write_fn)(void *dev, uint16_t port, unsigned size, uint32_t val);
/* Write a one-line, NUL-terminated summary of the device's state into buf[0..len)
 * (cut to fit); returns the length written without the NUL. */
typedef size_t (*vdev_dump_fn)(void *dev, char *buf, size_t len);

struct vdev_ops {
    const char *name;
    vdev_read_fn read;
    vdev_write_fn write;
    void (*reset)(void *dev);       /* may be NULL: nothing to reset */
    vdev_dump_fn dump;              /* may be NULL: nothing to show */
    /* An 8-bit ISA device: the bus splits 2- and 4-byte accesses into byte accesses on
     * consecutive ports, as the PC's ISA bridge does, so read/write only ever see size 1. */
    bool bytewise;
};

struct vdev_range {
    uint16_t lo, hi;                /* inclusive */
    const struct vdev_ops *ops;
    void *dev;
};

struct vdev_bus {
    struct vdev_range ranges[VDEV_MAX_RANGES];
    unsigned n;
};

/* Empty the bus (a zeroed struct vdev_bus is also an empty bus). */
void vdev_bus_init(struct vdev_bus *bus);

/* Claim ports lo..hi (inclusive) for dev. Returns 0, or -1 if lo > hi, ops is NULL or
 * lacks read/write, the range overlaps one already registered, or the bus is full. */
int vdev_bus_register(struct vdev_bus *bus, uint16_t lo, uint16_t hi,
                      const struct vdev_ops *ops, void *dev);

/* One guest IN (in = true, result in *val) or OUT (*val written) of size 1, 2 or 4 at
 * port. Returns false when no device claims any byte of the access (or size is bad): then
 * an IN sets *val to all ones for its size and the caller drops a write and logs it.
 * Bytes of a split access that no device claims read as 0xFF. */
bool vdev_bus_io(struct vdev_bus *bus, uint16_t port, unsigned size, bool in, uint32_t *val);

/* Reset every registered device (machine reset); a device on several ranges is reset
 * once per distinct (ops, dev) pair. */
void vdev_bus_reset(struct vdev_bus *bus);

/* One line per distinct device ("name lo-hi: summary\n"), cut to fit buf[0..len),
 * NUL-terminated. Returns the length written without the NUL. */
size_t vdev_bus_dump(const struct vdev_bus *bus, char *buf, size_t len);

/* Helpers for dump functions: append s, or val in `digits` hex digits, at buf[pos] (cut to
 * fit, always NUL-terminated if len > 0); return the new position (never beyond len-1). */
size_t vdev_put_str(char *buf, size_t len, size_t pos, const char *s);
size_t vdev_put_hex(char *buf, size_t len, size_t pos, uint64_t val, unsigned digits);

#endif
