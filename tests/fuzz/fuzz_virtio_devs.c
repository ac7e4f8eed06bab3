/* libFuzzer target for the virtio devices (src/vdev/virtio_blk.c, virtio_balloon.c,
 * virtio_rng.c): a hostile driver's view. The first byte picks the device (a read-write
 * or read-only disk, the balloon, the rng); the rest is a script over the test transport
 * of tests/unit/fake_virtio.c: well-shaped and malformed requests (direct and indirect,
 * any direction, lengths, addresses in and out of RAM), raw descriptor and available-ring
 * writes, scribbles over the rings, kicks on any queue, holes in guest memory, config
 * reads and writes, resets, target changes. Besides ASan/UBSan (the disk is an exact-size
 * heap block) it checks: a read-only disk never changes; the balloon's callbacks only see
 * page-aligned addresses below 2^44 and at most queue size x VBALLOON_PFNS_PER_REQ calls a
 * kick; the rng is never asked for more than a request's bound and gives at most queue
 * size x VRNG_REQ_MAX bytes a kick; a kick returns at most a queue's size of requests. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_virtio.h"
#include "vdev/virtio_balloon.h"
#include "vdev/virtio_blk.h"
#include "vdev/virtio_rng.h"

#define DISK_BYTES (16u * VBLK_SECTOR + 100u)
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
    const struct virtio_dev_ops *ops;
    void *dev;
    struct vblk blk;
    struct vballoon balloon;
    struct vrng rng;
    uint8_t *disk, *disk_copy;
    uint64_t page_calls, rng_asks;
};

static int page_cb(void *ctx, uint64_t gpa)
{
    struct world *w = ctx;
    if (gpa & 0xfff || gpa >> 44)
        abort();
    w->page_calls++;
    return (gpa >> 12) % 3 == 0;        /* refuse a third of them */
}

static size_t entropy(void *ctx, void *buf, size_t len)
{
    struct world *w = ctx;
    if (len > VRNG_REQ_MAX)
        abort();
    memset(buf, 0x5a, len);
    return ++w->rng_asks % 7 ? len : len / 2;   /* sometimes short */
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

/* A request of 1..8 buffers from the script, direct or indirect. For the disk its first
 * buffer may hold a header the script writes. */
static void add_request(struct world *w, struct in *in, unsigned q)
{
    struct fv_buf bufs[8];
    unsigned n = 1 + u8(in) % 8;
    bool indirect = u8(in) & 1;

    for (unsigned i = 0; i < n; i++) {
        uint8_t lk = u8(in);
        uint32_t len = lk < 128 ? lk : lk < 250 ? (uint32_t)un(in, 2) * 4 : (uint32_t)un(in, 4);
        bufs[i] = (struct fv_buf){ addr(in), len, u8(in) & 1 };
    }
    if (w->dev == &w->blk && bufs[0].gpa >= DATA_BASE &&
        bufs[0].gpa <= FV_RAM_BASE + FV_RAM_SIZE - 16) {
        uint8_t *h = fv_ptr(&w->t, bufs[0].gpa);
        h[0] = u8(in) % 10;             /* type: mostly known ones */
        for (unsigned i = 8; i < 16; i++)
            h[i] = i == 8 ? u8(in) % 24 : (u8(in) < 240 ? 0 : 0xff);
    }
    if (indirect)
        fv_add_indirect(&w->t, q, bufs, n);
    else
        fv_add(&w->t, q, bufs, n);
}

/* Kick queue q and check the per-kick bounds. */
static void kick(struct world *w, unsigned q)
{
    uint64_t pages = w->page_calls, bytes = w->rng.stats.bytes;
    uint16_t used_before = q < VIRTIO_MAX_QUEUES ? w->t.vq[q].used_idx : 0;

    fv_kick(&w->t, q);
    if (q >= w->ops->num_queues)
        return;
    unsigned num = w->t.vq[q].num;
    if (w->page_calls - pages > (uint64_t)num * VBALLOON_PFNS_PER_REQ ||
        w->rng.stats.bytes - bytes > (uint64_t)num * VRNG_REQ_MAX ||
        (uint16_t)(w->t.vq[q].used_idx - used_before) > num)
        abort();
}

static void build(struct world *w, uint8_t which)
{
    memset(w, 0, sizeof(*w));
    w->disk = malloc(DISK_BYTES);
    w->disk_copy = malloc(DISK_BYTES);
    if (!w->disk || !w->disk_copy)
        abort();
    for (unsigned i = 0; i < DISK_BYTES; i++)
        w->disk[i] = (uint8_t)(i * 13);
    memcpy(w->disk_copy, w->disk, DISK_BYTES);
    switch (which % 4) {
    case 0:
    case 1: {
        struct vblk_backing bk = { w->disk, DISK_BYTES, which % 4 == 1 };
        vblk_init(&w->blk, &bk, "fuzz.img");
        w->ops = vblk_dev_ops(&w->blk);
        w->dev = &w->blk;
        break;
    }
    case 2: {
        struct vballoon_cb cb = { page_cb, page_cb, w };
        vballoon_init(&w->balloon, &cb, &w->t);
        w->ops = &vballoon_ops;
        w->dev = &w->balloon;
        break;
    }
    default:
        vrng_init(&w->rng, entropy, w);
        w->ops = &vrng_ops;
        w->dev = &w->rng;
    }
    fv_init(&w->t, w->ops, w->dev);
}

/* One script step. */
static void step(struct world *w, struct in *in)
{
    unsigned q = u8(in) % (w->ops->num_queues + 1);     /* sometimes a queue that is not */
    unsigned qq = q < w->ops->num_queues ? q : 0;
    uint8_t op = u8(in) % 10;

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
    default: {
        uint8_t what = u8(in) % 5;
        unsigned off = u8(in) % 80, size = 1u << (u8(in) % 3);
        if (what == 0)
            (void)w->ops->config_read(w->dev, off, size);
        else if (what == 1 && w->ops->config_write)
            w->ops->config_write(w->dev, off, size, (uint32_t)un(in, 4));
        else if (what == 2)
            w->ops->reset(w->dev);
        else if (what == 3 && w->ops->driver_ok)
            w->ops->driver_ok(w->dev, &w->t, un(in, 1));
        else if (w->dev == &w->balloon)
            vballoon_set_target(&w->balloon, (uint32_t)un(in, 4));
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct world w;
    struct in in = { data, size };

    build(&w, u8(&in));
    for (unsigned steps = 0; in.n && steps < 400; steps++)
        step(&w, &in);
    for (unsigned q = 0; q < w.ops->num_queues; q++)
        kick(&w, q);
    if (w.dev == &w.blk && w.blk.disk.ro && memcmp(w.disk, w.disk_copy, DISK_BYTES))
        abort();
    fv_fini(&w.t);
    free(w.disk);
    free(w.disk_copy);
    return 0;
}
