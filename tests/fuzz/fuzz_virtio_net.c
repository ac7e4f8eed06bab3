/* libFuzzer target for virtio-net (src/vdev/virtio_net.c): a hostile driver's view over
 * the test transport of tests/unit/fake_virtio.c. The input is a script: well-shaped and
 * malformed requests on either queue (direct and indirect, any direction, lengths,
 * addresses in and out of RAM), raw descriptor and available-ring writes, scribbles over
 * the rings, kicks on any queue, frames of any length from the switch, holes in guest
 * memory, config reads, resets. Besides ASan/UBSan it checks: the switch only ever gets
 * frames of VNET_FRAME_MIN..VNET_FRAME_MAX bytes; a kick or a poll (the sender's next
 * turn) returns and sends at most VNET_TX_BUDGET requests; a received frame uses at most one buffer, and the guest sees
 * header + frame exactly when rx counts it; counters add up. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_virtio.h"
#include "vdev/virtio_net.h"

#define DATA_BASE  (FV_RAM_BASE + 0x10000u)     /* buffers the script points at */

struct in {
    const uint8_t *p;
    size_t n;
};

static uint8_t u8(struct in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint64_t un(struct in *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)u8(in) << (8 * i);
    return v;
}

struct world {
    struct virtio_transport t;
    struct vnet n;
    uint64_t sends;
};

static int fake_send(void *ctx, const uint8_t *frame, size_t len)
{
    struct world *w = ctx;
    volatile uint8_t sink = 0;

    if (len < VNET_FRAME_MIN || len > VNET_FRAME_MAX)
        abort();
    for (size_t i = 0; i < len; i++)
        sink ^= frame[i];               /* every byte readable (ASan) */
    (void)sink;
    w->sends++;
    return (w->sends % 5) ? 0 : -1;     /* the switch sometimes drops */
}

/* An address for a buffer: mostly in the data area, sometimes anywhere. */
static uint64_t addr(struct in *in)
{
    uint8_t kind = u8(in);
    if (kind < 200)
        return DATA_BASE + un(in, 2) * 8;
    if (kind < 240)
        return FV_RAM_BASE + FV_RAM_SIZE - un(in, 1);
    return un(in, 8);
}

/* A request of 1..8 buffers from the script, direct or indirect, lengths around the
 * interesting sizes (header, minimum frame, maximum frame). */
static void add_request(struct world *w, struct in *in, unsigned q)
{
    struct fv_buf bufs[8];
    unsigned n = 1 + u8(in) % 8;
    bool indirect = u8(in) & 1;

    for (unsigned i = 0; i < n; i++) {
        uint8_t lk = u8(in);
        uint32_t len = lk < 128 ? lk : lk < 200 ? VNET_HDR_LEN + VNET_FRAME_MAX - 64 + lk % 72
                     : lk < 250 ? (uint32_t)un(in, 2) : (uint32_t)un(in, 4);
        bufs[i] = (struct fv_buf){ addr(in), len, u8(in) & 1 };
    }
    if (indirect)
        fv_add_indirect(&w->t, q, bufs, n);
    else
        fv_add(&w->t, q, bufs, n);
}

/* Kick queue q and check the per-kick bounds. */
static void kick(struct world *w, unsigned q)
{
    uint64_t sends = w->sends;
    uint16_t used_before = q < VIRTIO_MAX_QUEUES ? w->t.vq[q].used_idx : 0;

    fv_kick(&w->t, q);
    if (q >= vnet_ops.num_queues)
        return;
    if (w->sends - sends > VNET_TX_BUDGET ||
        (uint16_t)(w->t.vq[q].used_idx - used_before) > VNET_TX_BUDGET)
        abort();
    if (q == VNET_RXQ && (w->sends != sends || w->t.vq[q].used_idx != used_before))
        abort();                        /* posting receive buffers takes nothing */
}

/* A frame from the switch of a scripted length; checks one buffer at most is used and,
 * when counted received, that the guest holds header + frame. */
static void receive(struct world *w, struct in *in)
{
    static uint8_t frame[VNET_FRAME_MAX + 64];
    size_t len = un(in, 2) % sizeof(frame);
    struct virtq *q = &w->t.vq[VNET_RXQ];
    uint16_t used_before = q->used_idx;
    uint64_t rx = w->n.stats.rx, dropped = w->n.stats.rx_dropped;

    memset(frame, u8(in), len);
    vnet_receive(&w->n, frame, len);
    if ((uint16_t)(q->used_idx - used_before) > 1 ||
        (w->n.stats.rx - rx) + (w->n.stats.rx_dropped - dropped) != 1)
        abort();
    if (w->n.stats.rx != rx) {
        uint32_t id, used_len;
        fv_used_elem(&w->t, VNET_RXQ, used_before, &id, &used_len);
        if (used_len != VNET_HDR_LEN + len)
            abort();
    }
}

/* One script step. */
static void step(struct world *w, struct in *in)
{
    unsigned q = u8(in) % 3;            /* sometimes a queue that is not */
    unsigned qq = q < 2 ? q : 0;
    uint8_t op = u8(in) % 12;

    switch (op) {
    case 0: case 1: case 2:
        add_request(w, in, qq);
        break;
    case 3: case 4:
        kick(w, q);
        break;
    case 5:
        fv_put_desc(&w->t, qq, (uint16_t)(un(in, 1) % (w->t.vq[qq].num + 2)), addr(in),
                    (uint32_t)un(in, 2), u8(in) & 7, (uint16_t)un(in, 1));
        break;
    case 6:
        fv_make_avail(&w->t, qq, (uint16_t)un(in, 1));
        break;
    case 7: {                           /* scribble over the rings */
        uint64_t off = un(in, 2) % 0x4000;
        uint8_t *p = fv_ptr(&w->t, FV_RAM_BASE + off);
        *p = u8(in);
        break;
    }
    case 8: {
        uint64_t lo = DATA_BASE + un(in, 2) * 8;
        w->t.hole_lo = lo;
        w->t.hole_hi = lo + u8(in);
        break;
    }
    case 9:
        receive(w, in);
        break;
    case 11: {                          /* the sender's next turn */
        uint64_t sends = w->sends;
        vnet_poll(&w->n);
        if (w->sends - sends > VNET_TX_BUDGET)
            abort();
        break;
    }
    default: {
        uint8_t what = u8(in) % 2;
        unsigned off = u8(in), size = 1u << (u8(in) % 3);
        if (what == 0)
            (void)vnet_ops.config_read(&w->n, off, size);
        else
            vnet_ops.reset(&w->n);
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct world w;
    static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 1, 2, 3 };
    struct in in = { data, size };

    memset(&w, 0, sizeof(w));
    vnet_init(&w.n, mac, fake_send, &w);
    fv_init(&w.t, &vnet_ops, &w.n);
    w.n.t = &w.t;
    for (unsigned steps = 0; in.n && steps < 400; steps++)
        step(&w, &in);
    for (unsigned q = 0; q < vnet_ops.num_queues; q++)
        kick(&w, q);
    for (unsigned i = 0; i < 4 && w.n.tx_pending; i++)
        vnet_poll(&w.n);
    if (w.n.stats.tx != w.sends)
        abort();
    fv_fini(&w.t);
    return 0;
}
