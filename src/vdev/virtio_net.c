/* virtio-net: frames between a guest's split rings and the switch's send callback, one
 * queue pair, no offloads, bounded (vdev/virtio_net.h). */
#include "vdev/virtio_net.h"

#include "lib/string.h"

/* Contract: see virtio_net.h. */
void vnet_init(struct vnet *n, const uint8_t mac[6], vnet_send_fn send, void *ctx)
{
    memset(n, 0, sizeof(*n));
    memcpy(n->mac, mac, sizeof(n->mac));
    n->send = send;
    n->ctx = ctx;
}

/* Copy one received frame into request r (checked to be all device-writable): 0 with the
 * used length in *written, or -1 when it does not fit or guest memory fails. */
static int rx_fill(const struct virtq_req *r, const struct virtq_mem *mem,
                   const uint8_t *frame, size_t len, uint32_t *written)
{
    uint8_t hdr[VNET_HDR_LEN] = { 0 };

    hdr[10] = 1;                        /* num_buffers = 1 (le16): one buffer per frame */
    if (r->out_len || r->in_len < VNET_HDR_LEN + (uint64_t)len)
        return -1;
    if (virtq_scatter(r, mem, 0, hdr, VNET_HDR_LEN) != VNET_HDR_LEN ||
        virtq_scatter(r, mem, VNET_HDR_LEN, frame, len) != len)
        return -1;
    *written = (uint32_t)(VNET_HDR_LEN + len);
    return 0;
}

/* Contract: see virtio_net.h. */
void vnet_receive(struct vnet *n, const uint8_t *frame, size_t len)
{
    struct virtq *q = n->t ? virtio_queue(n->t, VNET_RXQ) : NULL;
    uint32_t written = 0;

    if (!q || !frame || len < VNET_FRAME_MIN || len > VNET_FRAME_MAX) {
        n->stats.rx_dropped++;
        return;
    }
    const struct virtq_mem *mem = virtio_mem(n->t);
    int rc = virtq_pop(q, mem, &n->req);
    if (rc < 0)
        virtio_device_error(n->t);
    if (rc <= 0) {
        n->stats.rx_dropped++;
        return;
    }
    uint16_t old_used = q->used_idx;
    bool ok = rx_fill(&n->req, mem, frame, len, &written) == 0;
    if (virtq_push(q, mem, n->req.head, ok ? written : 0)) {
        virtio_device_error(n->t);
        n->stats.rx_dropped++;
        return;
    }
    if (ok) {
        n->stats.rx++;
        n->stats.rx_bytes += len;
    } else {
        n->stats.rx_dropped++;
    }
    virtio_used(n->t, VNET_RXQ, old_used);
}

/* Send the frame of transmit request r (header skipped) to the switch, or count it bad:
 * shorter than a header + VNET_FRAME_MIN, longer than header + VNET_FRAME_MAX, or not all
 * readable from guest memory. Device-writable buffers in it are ignored. */
static void tx_one(struct vnet *n, const struct virtq_mem *mem, const struct virtq_req *r)
{
    if (r->out_len < VNET_HDR_LEN + VNET_FRAME_MIN ||
        r->out_len > VNET_HDR_LEN + VNET_FRAME_MAX) {
        n->stats.tx_bad++;
        return;
    }
    size_t len = (size_t)(r->out_len - VNET_HDR_LEN);
    uint8_t hdr[VNET_HDR_LEN];
    if (virtq_gather(r, mem, 0, hdr, VNET_HDR_LEN) != VNET_HDR_LEN ||
        virtq_gather(r, mem, VNET_HDR_LEN, n->frame, len) != len) {
        n->stats.tx_bad++;
        return;
    }
    if (n->send)
        (void)n->send(n->ctx, n->frame, len);
    n->stats.tx++;
    n->stats.tx_bytes += len;
}

/* Send and return up to VNET_TX_BUDGET pending transmit requests, then interrupt the
 * driver if it wants to be. tx_pending is left set when the budget ran out (more may be
 * waiting: vnet_poll takes them at the sender's next turn), cleared when the ring was found
 * empty or broken. A malformed ring breaks the queue and tells the transport. */
static void tx_batch(struct vnet *n, struct virtio_transport *t, struct virtq *q)
{
    const struct virtq_mem *mem = virtio_mem(t);
    uint16_t old_used = q->used_idx;
    unsigned k;

    n->tx_pending = false;
    for (k = 0; k < VNET_TX_BUDGET; k++) {
        int rc = virtq_pop(q, mem, &n->req);
        if (rc < 0)
            virtio_device_error(t);
        if (rc <= 0)
            break;
        tx_one(n, mem, &n->req);
        if (virtq_push(q, mem, n->req.head, 0)) {
            virtio_device_error(t);
            break;
        }
    }
    if (k == VNET_TX_BUDGET && !q->broken) {
        n->tx_pending = true;
        n->stats.tx_deferred++;
    }
    if (q->used_idx != old_used)
        virtio_used(t, VNET_TXQ, old_used);
}

/* Contract: virtio_dev_ops.notify: on the transmit queue, a batch (tx_batch). A notify on
 * the receive queue (new buffers posted) needs nothing: frames are never queued in the
 * device. */
static void vnet_notify(void *dev, struct virtio_transport *t, unsigned qi)
{
    struct vnet *n = dev;
    struct virtq *q = virtio_queue(t, qi);

    if (qi != VNET_TXQ || !q)
        return;
    tx_batch(n, t, q);
}

/* Contract: see virtio_net.h. */
void vnet_poll(struct vnet *n)
{
    struct virtq *q = n->t && n->tx_pending ? virtio_queue(n->t, VNET_TXQ) : NULL;

    if (!q) {
        n->tx_pending = false;
        return;
    }
    tx_batch(n, n->t, q);
}

/* Contract: virtio_dev_ops.config_read: size bytes at off of { mac[6], status le16 },
 * little-endian; 0 outside. The link is always up. */
static uint32_t vnet_config_read(void *dev, unsigned off, unsigned size)
{
    const struct vnet *n = dev;
    uint8_t cfg[VNET_CONFIG_SIZE];
    uint32_t val = 0;

    if (size > 4 || off >= VNET_CONFIG_SIZE || size > VNET_CONFIG_SIZE - off)
        return 0;
    memcpy(cfg, n->mac, 6);
    cfg[6] = VIRTIO_NET_S_LINK_UP;
    cfg[7] = 0;
    for (unsigned i = 0; i < size; i++)
        val |= (uint32_t)cfg[off + i] << (8 * i);
    return val;
}

/* Contract: virtio_dev_ops.reset: the device keeps no state between frames but whether a
 * transmit batch is unfinished (forgotten: the queue is reset too); the MAC and counters
 * stay. */
static void vnet_reset(void *dev)
{
    struct vnet *n = dev;
    n->tx_pending = false;
}

const struct virtio_dev_ops vnet_ops = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .features = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
    .num_queues = 2,
    .queue_max = VNET_QUEUE_MAX,
    .config_size = VNET_CONFIG_SIZE,
    .config_read = vnet_config_read,
    .notify = vnet_notify,
    .reset = vnet_reset,
};
