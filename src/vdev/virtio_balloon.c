/* virtio-balloon: turn each inflate/deflate request's page numbers into the integrator's
 * give/take calls, bounded, and keep the two config words (vdev/virtio_balloon.h). */
#include "vdev/virtio_balloon.h"

#include "lib/string.h"

#define PFN_CHUNK 64u                   /* PFNs read from the guest at a time (256 bytes) */

/* Contract: see virtio_balloon.h. */
void vballoon_init(struct vballoon *b, const struct vballoon_cb *cb,
                   struct virtio_transport *t)
{
    memset(b, 0, sizeof(*b));
    b->cb = *cb;
    b->t = t;
}

/* Contract: see virtio_balloon.h. */
void vballoon_set_target(struct vballoon *b, uint32_t pages)
{
    if (pages == b->num_pages)
        return;
    b->num_pages = pages;
    if (b->t)
        virtio_config_changed(b->t);
}

/* Contract: virtio_dev_ops.config_read: size bytes at off of (num_pages, actual),
 * little-endian; 0 outside. */
static uint32_t vballoon_config_read(void *dev, unsigned off, unsigned size)
{
    const struct vballoon *b = dev;
    uint64_t both = b->num_pages | (uint64_t)b->actual << 32;

    if (size == 0 || size > 4 || off >= VBALLOON_CONFIG_SIZE ||
        size > VBALLOON_CONFIG_SIZE - off)
        return 0;
    return (uint32_t)(both >> (8 * off)) & (uint32_t)(0xffffffffull >> (32 - 8 * size));
}

/* Contract: virtio_dev_ops.config_write: the bytes that fall on actual replace its bytes;
 * num_pages is the host's and ignores writes; nothing outside the space changes. */
static void vballoon_config_write(void *dev, unsigned off, unsigned size, uint32_t val)
{
    struct vballoon *b = dev;

    if (size > 4 || off >= VBALLOON_CONFIG_SIZE || size > VBALLOON_CONFIG_SIZE - off)
        return;
    for (unsigned i = 0; i < size; i++) {
        unsigned at = off + i;
        if (at < VBALLOON_CFG_ACTUAL)
            continue;
        unsigned shift = 8 * (at - VBALLOON_CFG_ACTUAL);
        b->actual = (b->actual & ~(0xffu << shift)) | ((val >> (8 * i)) & 0xffu) << shift;
    }
}

/* One page from the guest's array: give (inflate) or take (deflate) it, counted. */
static void one_page(struct vballoon *b, bool inflate, uint32_t pfn)
{
    uint64_t gpa = (uint64_t)pfn << VBALLOON_PAGE_SHIFT;
    int rc = inflate ? b->cb.give(b->cb.ctx, gpa) : b->cb.take(b->cb.ctx, gpa);

    if (rc)
        b->stats.refused++;
    else if (inflate)
        b->stats.given++;
    else
        b->stats.taken++;
}

/* Carry out one request: its device-readable bytes are little-endian PFNs; the first
 * VBALLOON_PFNS_PER_REQ of them are acted on, the rest (and any the guest's memory fails
 * to give) dropped and counted. */
static void serve(struct vballoon *b, const struct virtq_mem *mem, bool inflate,
                  const struct virtq_req *r)
{
    uint64_t npfn = r->out_len / 4, done = 0;
    uint64_t todo = npfn < VBALLOON_PFNS_PER_REQ ? npfn : VBALLOON_PFNS_PER_REQ;
    uint8_t chunk[PFN_CHUNK * 4];

    if (r->in_len || r->out_len % 4)
        b->stats.bad_requests++;
    while (done < todo) {
        uint64_t n = todo - done < PFN_CHUNK ? todo - done : PFN_CHUNK;
        size_t got = virtq_gather(r, mem, done * 4, chunk, n * 4) / 4;
        for (size_t i = 0; i < got; i++) {
            const uint8_t *p = chunk + 4 * i;
            one_page(b, inflate, p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                                 (uint32_t)p[3] << 24);
        }
        done += got;
        if (got < n)
            break;
    }
    b->stats.dropped += npfn - done;
}

/* Contract: virtio_dev_ops.notify: serve the pending requests of the inflate or deflate
 * queue (at most the queue's size per call), give each back with length 0, then interrupt
 * the driver if it wants to be. A malformed ring breaks the queue and tells the
 * transport. */
static void vballoon_notify(void *dev, struct virtio_transport *t, unsigned qi)
{
    struct vballoon *b = dev;
    struct virtq *q = virtio_queue(t, qi);

    if (qi > VBALLOON_Q_DEFLATE || !q)
        return;
    b->t = t;
    uint16_t old_used = q->used_idx;
    for (unsigned n = 0; n < q->num; n++) {
        int rc = virtq_pop(q, virtio_mem(t), &b->req);
        if (rc < 0)
            virtio_device_error(t);
        if (rc <= 0)
            break;
        serve(b, virtio_mem(t), qi == VBALLOON_Q_INFLATE, &b->req);
        if (virtq_push(q, virtio_mem(t), b->req.head, 0)) {
            virtio_device_error(t);
            break;
        }
    }
    if (q->used_idx != old_used)
        virtio_used(t, qi, old_used);
}

/* Contract: virtio_dev_ops.reset: the driver is gone, and its word with it (actual 0, no
 * feature). The host's target and the counters stay; pages given stay given (the driver
 * deflates before it resets, or the hypervisor reclaims them with the domain). */
static void vballoon_reset(void *dev)
{
    struct vballoon *b = dev;

    b->actual = 0;
    b->must_tell = false;
}

/* Contract: virtio_dev_ops.driver_ok: note MUST_TELL_HOST and the transport. */
static void vballoon_driver_ok(void *dev, struct virtio_transport *t, uint64_t features)
{
    struct vballoon *b = dev;

    b->t = t;
    b->must_tell = features & VIRTIO_BALLOON_F_MUST_TELL_HOST;
}

const struct virtio_dev_ops vballoon_ops = {
    .name = "virtio-balloon",
    .device_id = VIRTIO_ID_BALLOON,
    .features = VIRTIO_BALLOON_F_MUST_TELL_HOST,
    .num_queues = 2,
    .queue_max = VBALLOON_QUEUE_MAX,
    .config_size = VBALLOON_CONFIG_SIZE,
    .config_read = vballoon_config_read,
    .config_write = vballoon_config_write,
    .notify = vballoon_notify,
    .reset = vballoon_reset,
    .driver_ok = vballoon_driver_ok,
};
