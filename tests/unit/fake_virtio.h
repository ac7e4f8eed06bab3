/* A test transport for the virtio devices (tests/unit/fake_virtio.c): the virtio.h services
 * over a fake guest RAM with real split rings in it, and the driver's side of those rings
 * (descriptor chains built as Linux builds them, the available ring, reading the used
 * ring), so a device model runs against real ring layouts through src/vdev/virtq.c.
 * Used by tests/unit/virtio_devs.mk and tests/fuzz/virtio_devs.mk. */
#ifndef KESTREL_TESTS_FAKE_VIRTIO_H
#define KESTREL_TESTS_FAKE_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vdev/virtio.h"
#include "vdev/virtq.h"

#define FV_RAM_BASE  0x100000ull        /* guest RAM starts here: gpa 0 is not RAM */
#ifndef FV_RAM_SIZE
#define FV_RAM_SIZE  (4ull << 20)      /* the fuzz target passes a smaller one */
#endif
#define FV_RING_NUM  64u                /* queue size the fake driver picks (capped by ops) */

struct fv_buf {
    uint64_t gpa;
    uint32_t len;
    bool write;                         /* device-writable */
};

struct virtio_transport {
    const struct virtio_dev_ops *ops;
    void *dev;
    uint8_t *ram;                       /* FV_RAM_SIZE bytes at FV_RAM_BASE */
    uint64_t hole_lo, hole_hi;          /* [lo, hi) fails like memory that is not RAM */
    struct virtq_mem mem;
    struct virtq vq[VIRTIO_MAX_QUEUES];
    uint64_t next_alloc;                /* bump allocator for buffers, above the rings */
    uint16_t next_desc[VIRTIO_MAX_QUEUES];      /* driver side: next free descriptor */
    uint16_t avail_idx[VIRTIO_MAX_QUEUES];      /* driver side: its available index */
    unsigned used_calls, config_changes, device_errors;
};

/* Set up t for (ops, dev): fresh zeroed RAM, every queue of ops set up with
 * min(FV_RING_NUM, ops->queue_max) entries and ready. Aborts on allocation failure. */
void fv_init(struct virtio_transport *t, const struct virtio_dev_ops *ops, void *dev);
/* Free the RAM. */
void fv_fini(struct virtio_transport *t);

/* A guest buffer of len bytes (16-aligned, zeroed) and the host pointer to guest bytes. */
uint64_t fv_alloc(struct virtio_transport *t, uint64_t len);
void *fv_ptr(struct virtio_transport *t, uint64_t gpa);

/* Driver side: write a descriptor chain of n buffers (direct descriptors), make it
 * available; returns its head. fv_add_indirect: the same buffers through one indirect
 * table. */
uint16_t fv_add(struct virtio_transport *t, unsigned q, const struct fv_buf *bufs, unsigned n);
uint16_t fv_add_indirect(struct virtio_transport *t, unsigned q, const struct fv_buf *bufs,
                         unsigned n);
/* Raw driver writes for malformed rings: descriptor i, and head into the available ring. */
void fv_put_desc(struct virtio_transport *t, unsigned q, uint16_t i, uint64_t addr,
                 uint32_t len, uint16_t flags, uint16_t next);
void fv_make_avail(struct virtio_transport *t, unsigned q, uint16_t head);

/* The driver notifies queue q (the device's notify op). */
void fv_kick(struct virtio_transport *t, unsigned q);
/* The used ring as the driver reads it: its index, and entry i's id and length. */
uint16_t fv_used_idx(struct virtio_transport *t, unsigned q);
void fv_used_elem(struct virtio_transport *t, unsigned q, uint16_t i, uint32_t *id,
                  uint32_t *len);

#endif
