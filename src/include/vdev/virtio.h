/* A virtio device as its transport sees it (virtio 1.x, section 4.2 virtio-mmio is the
 * transport Kestrel uses: src/vdev/virtio_mmio.c): its identity, features, queues and
 * configuration space, and the transport's services a device calls. One file per device
 * (virtio_blk.c, virtio_balloon.c, virtio_rng.c, later virtio_net.c) implements these ops;
 * none knows the transport's registers. */
#ifndef KESTREL_VDEV_VIRTIO_H
#define KESTREL_VDEV_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "vdev/virtq.h"

#define VIRTIO_MAX_QUEUES 4u

#define VIRTIO_ID_NET      1u
#define VIRTIO_ID_BLOCK    2u
#define VIRTIO_ID_RNG      4u
#define VIRTIO_ID_BALLOON  5u

#define VIRTIO_F_RING_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_RING_EVENT_IDX     (1ull << 29)
#define VIRTIO_F_VERSION_1          (1ull << 32)

struct virtio_transport;

struct virtio_dev_ops {
    const char *name;           /* "virtio-blk", for log lines and dumps */
    uint32_t device_id;         /* VIRTIO_ID_* */
    uint64_t features;          /* the device's own; the transport adds VERSION_1 and the
                                   ring features it supports */
    unsigned num_queues;        /* <= VIRTIO_MAX_QUEUES */
    uint16_t queue_max;         /* largest queue size offered (<= VIRTQ_MAX_NUM) */
    /* Device configuration space: size 1, 2 or 4 at offset off (the transport bounds off
     * by config_size); reads past the device's fields return 0. */
    unsigned config_size;
    uint32_t (*config_read)(void *dev, unsigned off, unsigned size);
    void (*config_write)(void *dev, unsigned off, unsigned size, uint32_t val); /* may be NULL */
    /* The driver notified queue q (it is ready): take and finish what it can. */
    void (*notify)(void *dev, struct virtio_transport *t, unsigned q);
    /* Device reset (the driver wrote 0 to status, or the machine reset). */
    void (*reset)(void *dev);
    /* The driver set DRIVER_OK with these negotiated features (may be NULL). */
    void (*driver_ok)(void *dev, struct virtio_transport *t, uint64_t features);
};

/* What a device uses of its transport, during notify or later. */
struct virtq *virtio_queue(struct virtio_transport *t, unsigned q);
const struct virtq_mem *virtio_mem(struct virtio_transport *t);
/* Interrupt the driver for used buffers on a queue (if virtq_should_notify says so) or for a
 * configuration change. */
void virtio_used(struct virtio_transport *t, unsigned q, uint16_t old_used);
void virtio_config_changed(struct virtio_transport *t);
/* The device cannot go on (a malformed ring): DEVICE_NEEDS_RESET, one log line by the
 * caller. */
void virtio_device_error(struct virtio_transport *t);

#endif
