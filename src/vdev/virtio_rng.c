/* virtio-rng: fill each request's device-writable buffers with bytes from the entropy
 * callback, bounded (vdev/virtio_rng.h). */
#include "vdev/virtio_rng.h"

#include "lib/string.h"

#define RNG_CHUNK 64u                   /* bytes asked of the callback at a time */

/* Contract: see virtio_rng.h. */
void vrng_init(struct vrng *r, vrng_entropy_fn entropy, void *ctx)
{
    memset(r, 0, sizeof(*r));
    r->entropy = entropy;
    r->ctx = ctx;
}

/* Fill request req's writable part with up to VRNG_REQ_MAX random bytes; return how many
 * reached the guest. Stops early when the callback or guest memory falls short. */
static uint32_t fill(struct vrng *r, const struct virtq_mem *mem, const struct virtq_req *req)
{
    uint64_t want = req->in_len < VRNG_REQ_MAX ? req->in_len : VRNG_REQ_MAX;
    uint8_t chunk[RNG_CHUNK];
    uint64_t done = 0;

    while (done < want) {
        size_t n = want - done < RNG_CHUNK ? (size_t)(want - done) : RNG_CHUNK;
        size_t got = r->entropy(r->ctx, chunk, n);
        if (got > n)
            got = n;                    /* a callback that overstates is not believed */
        size_t put = virtq_scatter(req, mem, done, chunk, got);
        done += put;
        if (put < n)
            break;
    }
    if (done < want)
        r->stats.short_fills++;
    return (uint32_t)done;
}

/* Contract: virtio_dev_ops.notify: fill and return every pending request of the queue
 * (at most the queue's size per call), then interrupt the driver if it wants to be. A
 * malformed ring breaks the queue and tells the transport. */
static void vrng_notify(void *dev, struct virtio_transport *t, unsigned qi)
{
    struct vrng *r = dev;
    struct virtq *q = virtio_queue(t, qi);

    if (qi != 0 || !q)
        return;
    uint16_t old_used = q->used_idx;
    for (unsigned n = 0; n < q->num; n++) {
        int rc = virtq_pop(q, virtio_mem(t), &r->req);
        if (rc < 0)
            virtio_device_error(t);
        if (rc <= 0)
            break;
        if (r->req.out_len)
            r->stats.bad_requests++;
        uint32_t written = fill(r, virtio_mem(t), &r->req);
        if (virtq_push(q, virtio_mem(t), r->req.head, written)) {
            virtio_device_error(t);
            break;
        }
        r->stats.requests++;
        r->stats.bytes += written;
    }
    if (q->used_idx != old_used)
        virtio_used(t, qi, old_used);
}

/* Contract: virtio_dev_ops.config_read: there is no configuration space. */
static uint32_t vrng_config_read(void *dev, unsigned off, unsigned size)
{
    (void)dev;
    (void)off;
    (void)size;
    return 0;
}

/* Contract: virtio_dev_ops.reset: nothing is kept between requests. */
static void vrng_reset(void *dev)
{
    (void)dev;
}

const struct virtio_dev_ops vrng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .features = 0,
    .num_queues = 1,
    .queue_max = VRNG_QUEUE_MAX,
    .config_size = 0,
    .config_read = vrng_config_read,
    .notify = vrng_notify,
    .reset = vrng_reset,
};
