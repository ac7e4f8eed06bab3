/* The test transport and driver side of fake_virtio.h. */
#include "fake_virtio.h"

#include <stdlib.h>
#include <string.h>

/* Is [gpa, gpa + len) all RAM and clear of the hole? */
static bool in_ram(const struct virtio_transport *t, uint64_t gpa, size_t len)
{
    if (gpa < FV_RAM_BASE || gpa - FV_RAM_BASE > FV_RAM_SIZE ||
        len > FV_RAM_SIZE - (gpa - FV_RAM_BASE))
        return false;
    return len == 0 || gpa + len <= t->hole_lo || gpa >= t->hole_hi;
}

static int mem_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    struct virtio_transport *t = ctx;

    if (!in_ram(t, gpa, len))
        return -1;
    memcpy(dst, t->ram + (gpa - FV_RAM_BASE), len);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    struct virtio_transport *t = ctx;

    if (!in_ram(t, gpa, len))
        return -1;
    memcpy(t->ram + (gpa - FV_RAM_BASE), src, len);
    return 0;
}

void fv_init(struct virtio_transport *t, const struct virtio_dev_ops *ops, void *dev)
{
    memset(t, 0, sizeof(*t));
    t->ops = ops;
    t->dev = dev;
    t->ram = calloc(1, FV_RAM_SIZE);
    if (!t->ram)
        abort();
    t->mem = (struct virtq_mem){ mem_read, mem_write, t };
    t->next_alloc = FV_RAM_BASE;
    for (unsigned q = 0; q < ops->num_queues && q < VIRTIO_MAX_QUEUES; q++) {
        struct virtq *vq = &t->vq[q];
        vq->num = ops->queue_max < FV_RING_NUM ? ops->queue_max : FV_RING_NUM;
        vq->desc = fv_alloc(t, 16ull * vq->num);
        vq->avail = fv_alloc(t, 6 + 2ull * vq->num);
        vq->used = fv_alloc(t, 6 + 8ull * vq->num);
        vq->ready = true;
    }
}

void fv_fini(struct virtio_transport *t)
{
    free(t->ram);
    t->ram = NULL;
}

uint64_t fv_alloc(struct virtio_transport *t, uint64_t len)
{
    uint64_t gpa = t->next_alloc;

    if (len > FV_RAM_SIZE - (gpa - FV_RAM_BASE))
        abort();
    t->next_alloc = (gpa + len + 15) & ~15ull;
    memset(fv_ptr(t, gpa), 0, len);
    return gpa;
}

void *fv_ptr(struct virtio_transport *t, uint64_t gpa)
{
    return t->ram + (gpa - FV_RAM_BASE);
}

static void put16(struct virtio_transport *t, uint64_t gpa, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    memcpy(fv_ptr(t, gpa), b, 2);
}

static uint32_t get32(struct virtio_transport *t, uint64_t gpa)
{
    const uint8_t *p = fv_ptr(t, gpa);
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One 16-byte descriptor at table entry i. */
static void put_desc_at(struct virtio_transport *t, uint64_t table, uint16_t i, uint64_t addr,
                        uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t *p = fv_ptr(t, table + 16ull * i);

    for (unsigned k = 0; k < 8; k++)
        p[k] = (uint8_t)(addr >> (8 * k));
    for (unsigned k = 0; k < 4; k++)
        p[8 + k] = (uint8_t)(len >> (8 * k));
    p[12] = (uint8_t)flags;
    p[13] = (uint8_t)(flags >> 8);
    p[14] = (uint8_t)next;
    p[15] = (uint8_t)(next >> 8);
}

void fv_put_desc(struct virtio_transport *t, unsigned q, uint16_t i, uint64_t addr,
                 uint32_t len, uint16_t flags, uint16_t next)
{
    put_desc_at(t, t->vq[q].desc, i, addr, len, flags, next);
}

void fv_make_avail(struct virtio_transport *t, unsigned q, uint16_t head)
{
    struct virtq *vq = &t->vq[q];

    put16(t, vq->avail + 4 + 2ull * (t->avail_idx[q] % vq->num), head);
    t->avail_idx[q]++;
    put16(t, vq->avail + 2, t->avail_idx[q]);
}

uint16_t fv_add(struct virtio_transport *t, unsigned q, const struct fv_buf *bufs, unsigned n)
{
    struct virtq *vq = &t->vq[q];
    uint16_t head = t->next_desc[q] % vq->num;

    for (unsigned k = 0; k < n; k++) {
        uint16_t i = (uint16_t)((head + k) % vq->num);
        uint16_t next = (uint16_t)((i + 1) % vq->num);
        uint16_t flags = (bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) |
                         (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
        fv_put_desc(t, q, i, bufs[k].gpa, bufs[k].len, flags, next);
    }
    t->next_desc[q] = (uint16_t)((head + n) % vq->num);
    fv_make_avail(t, q, head);
    return head;
}

uint16_t fv_add_indirect(struct virtio_transport *t, unsigned q, const struct fv_buf *bufs,
                         unsigned n)
{
    struct virtq *vq = &t->vq[q];
    uint64_t table = fv_alloc(t, 16ull * n);
    uint16_t head = t->next_desc[q] % vq->num;

    for (unsigned k = 0; k < n; k++)
        put_desc_at(t, table, (uint16_t)k, bufs[k].gpa, bufs[k].len,
                    (bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) |
                    (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0), (uint16_t)(k + 1));
    fv_put_desc(t, q, head, table, 16u * n, VIRTQ_DESC_F_INDIRECT, 0);
    t->next_desc[q] = (uint16_t)((head + 1) % vq->num);
    fv_make_avail(t, q, head);
    return head;
}

void fv_kick(struct virtio_transport *t, unsigned q)
{
    t->ops->notify(t->dev, t, q);
}

uint16_t fv_used_idx(struct virtio_transport *t, unsigned q)
{
    const uint8_t *p = fv_ptr(t, t->vq[q].used + 2);
    return (uint16_t)(p[0] | p[1] << 8);
}

void fv_used_elem(struct virtio_transport *t, unsigned q, uint16_t i, uint32_t *id,
                  uint32_t *len)
{
    uint64_t e = t->vq[q].used + 4 + 8ull * (i % t->vq[q].num);
    *id = get32(t, e);
    *len = get32(t, e + 4);
}

/* The virtio.h services. */

struct virtq *virtio_queue(struct virtio_transport *t, unsigned q)
{
    return q < t->ops->num_queues && q < VIRTIO_MAX_QUEUES ? &t->vq[q] : NULL;
}

const struct virtq_mem *virtio_mem(struct virtio_transport *t)
{
    return &t->mem;
}

void virtio_used(struct virtio_transport *t, unsigned q, uint16_t old_used)
{
    (void)q;
    (void)old_used;
    t->used_calls++;
}

void virtio_config_changed(struct virtio_transport *t)
{
    t->config_changes++;
}

void virtio_device_error(struct virtio_transport *t)
{
    t->device_errors++;
}
