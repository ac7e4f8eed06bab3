/* virtio-rng, the entropy device (virtio 1.2, section 5.4), behind any virtio transport
 * (vdev/virtio.h): one request queue whose device-writable buffers the device fills with
 * random bytes from the integrator's entropy callback (RDRAND/RDSEED, or a DRBG seeded
 * from them). No features, no configuration space.
 *
 * Each request gets at most VRNG_REQ_MAX bytes (Linux asks for at most 64 at a time), so
 * a guest offering huge buffers costs the hypervisor a bounded amount of work per request
 * and one pass over the queue per notify. The callback may give fewer bytes than asked
 * (entropy exhausted): the request is returned with what was filled, possibly none, and
 * the driver asks again. Device-readable buffers in a request are ignored and counted.
 * Not locked: the transport serialises calls. */
#ifndef KESTREL_VDEV_VIRTIO_RNG_H
#define KESTREL_VDEV_VIRTIO_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "vdev/virtio.h"
#include "vdev/virtq.h"

#define VRNG_QUEUE_MAX  64u
#define VRNG_REQ_MAX    4096u           /* bytes given per request at most */

/* Fill buf with up to len random bytes; return how many were filled (<= len). */
typedef size_t (*vrng_entropy_fn)(void *ctx, void *buf, size_t len);

struct vrng_stats {
    uint64_t requests;              /* returned to the driver */
    uint64_t bytes;                 /* random bytes given */
    uint64_t short_fills;           /* the callback or guest memory gave fewer than asked */
    uint64_t bad_requests;          /* with device-readable buffers */
};

struct vrng {
    vrng_entropy_fn entropy;
    void *ctx;
    struct vrng_stats stats;
    struct virtq_req req;           /* scratch for notify (4 KiB, off the stack) */
};

/* Set r up with its entropy source; counters 0. */
void vrng_init(struct vrng *r, vrng_entropy_fn entropy, void *ctx);

extern const struct virtio_dev_ops vrng_ops;

#endif
