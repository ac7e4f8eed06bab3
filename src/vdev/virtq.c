/* The split virtqueue walker, device side (contract in vdev/virtq.h; virtio 1.x, 2.7).
 * Layout of the three areas a driver places in its memory, all little-endian:
 *   descriptor table  num x { u64 addr; u32 len; u16 flags; u16 next; }   16-byte aligned
 *   available ring    u16 flags; u16 idx; u16 ring[num]; u16 used_event   2-byte aligned
 *   used ring         u16 flags; u16 idx; { u32 id; u32 len; }[num]; u16 avail_event  4-aligned
 * Every field is read once through the caller's struct virtq_mem into a local copy and then
 * checked, so a guest changing a ring under our feet changes only which (checked) values we
 * see. Every loop is bounded by the queue size or VIRTQ_MAX_SEGS. */
#include "vdev/virtq.h"
#include "lib/string.h"

#define DESC_BYTES   16u
#define PROBE_PAGE   4096u    /* guest RAM is mapped in pages: one probe per page suffices */
#define SEG_LEN_MAX  0xffffffffull  /* a direction's total must fit the used ring's u32 len */

/* One descriptor, decoded. */
struct vq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

static uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

/* Read / write one little-endian u16 of guest memory: 0 or -1. */
static int read_u16(const struct virtq_mem *mem, uint64_t gpa, uint16_t *v)
{
    uint8_t b[2];

    if (mem->read(mem->ctx, gpa, b, sizeof(b)))
        return -1;
    *v = get_le16(b);
    return 0;
}

static int write_u16(const struct virtq_mem *mem, uint64_t gpa, uint16_t v)
{
    uint8_t b[2];

    put_le16(b, v);
    return mem->write(mem->ctx, gpa, b, sizeof(b));
}

/* Is one byte at gpa guest RAM? */
static bool byte_in_ram(const struct virtq_mem *mem, uint64_t gpa)
{
    uint8_t b;

    return mem->read(mem->ctx, gpa, &b, 1) == 0;
}

/* Is [gpa, gpa + len) (len > 0, no wrap) guest RAM? One probe per page it touches, so only
 * for the rings' areas (at most a few pages), never for a guest-sized buffer. */
static bool area_in_ram(const struct virtq_mem *mem, uint64_t gpa, uint64_t len)
{
    uint64_t last = gpa + len - 1;

    if (!len || last < gpa)
        return false;
    for (uint64_t a = gpa;; a = (a | (PROBE_PAGE - 1)) + 1) {
        if (!byte_in_ram(mem, a))
            return false;
        if ((a | (PROBE_PAGE - 1)) >= last)
            return true;
    }
}

static bool num_valid(uint16_t num)
{
    return num && num <= VIRTQ_MAX_NUM && !(num & (num - 1));
}

/* Where the fields after the rings sit (their sizes include them: spec 2.7, table of
 * alignments and sizes, whether or not EVENT_IDX is negotiated). */
static uint64_t avail_idx_gpa(const struct virtq *q) { return q->avail + 2; }
static uint64_t avail_ring_gpa(const struct virtq *q, uint16_t slot)
{
    return q->avail + 4 + 2ull * (slot & (q->num - 1));
}
static uint64_t used_event_gpa(const struct virtq *q) { return q->avail + 4 + 2ull * q->num; }
static uint64_t used_idx_gpa(const struct virtq *q) { return q->used + 2; }
static uint64_t used_elem_gpa(const struct virtq *q, uint16_t slot)
{
    return q->used + 4 + 8ull * (slot & (q->num - 1));
}
static uint64_t avail_event_gpa(const struct virtq *q) { return q->used + 4 + 8ull * q->num; }

/* Is the driver's setup usable: size, alignment, the three areas in guest RAM? */
static bool setup_valid(const struct virtq *q, const struct virtq_mem *mem)
{
    if (!num_valid(q->num) || q->desc % 16 || q->avail % 2 || q->used % 4)
        return false;
    return area_in_ram(mem, q->desc, (uint64_t)DESC_BYTES * q->num) &&
           area_in_ram(mem, q->avail, 6 + 2ull * q->num) &&
           area_in_ram(mem, q->used, 6 + 8ull * q->num);
}

/* Mark the queue broken and say so to virtq_pop's caller. */
static int fail(struct virtq *q)
{
    q->broken = true;
    return -1;
}

void virtq_reset(struct virtq *q)
{
    memset(q, 0, sizeof(*q));
}

/* Read and decode entry i of the descriptor table at gpa table: 0 or -1. The caller has
 * bounded i by the table's size. */
static int read_desc(const struct virtq_mem *mem, uint64_t table, uint16_t i,
                     struct vq_desc *d)
{
    uint8_t b[DESC_BYTES];

    if (mem->read(mem->ctx, table + (uint64_t)DESC_BYTES * i, b, sizeof(b)))
        return -1;
    d->addr = get_le64(b);
    d->len = get_le32(b + 8);
    d->flags = get_le16(b + 12);
    d->next = get_le16(b + 14);
    return 0;
}

/* Append buffer d to req: 0, or -1 if there is no room, it is device-readable after a
 * device-writable one, its range wraps or does not start and end in guest RAM, or its
 * direction's total would pass 32 bits. A zero-length buffer names no memory. */
static int add_seg(struct virtq_req *req, const struct vq_desc *d,
                   const struct virtq_mem *mem)
{
    bool write = d->flags & VIRTQ_DESC_F_WRITE;
    uint64_t *total = write ? &req->in_len : &req->out_len;

    if (req->nseg >= VIRTQ_MAX_SEGS)
        return -1;
    if (!write && req->nseg && req->seg[req->nseg - 1].write)
        return -1;
    if (d->len) {
        uint64_t last = d->addr + d->len - 1;
        if (last < d->addr || !byte_in_ram(mem, d->addr) || !byte_in_ram(mem, last))
            return -1;
    }
    if (*total + d->len > SEG_LEN_MAX)
        return -1;
    *total += d->len;
    req->seg[req->nseg++] = (struct virtq_seg){ d->addr, d->len, write };
    return 0;
}

/* Walk the indirect table that descriptor ind names (the last of its chain) into req:
 * 0 or -1. The table holds len / 16 entries, at most num, and starts and ends in guest RAM;
 * its chain starts at entry 0 and
 * may not visit more entries than the table has (so a loop ends in an error). */
static int walk_indirect(const struct virtq *q, const struct virtq_mem *mem,
                         const struct vq_desc *ind, struct virtq_req *req)
{
    uint32_t count = ind->len / DESC_BYTES;
    struct vq_desc d;
    uint16_t i = 0;

    if (!ind->len || ind->len % DESC_BYTES || count > q->num ||
        ind->addr + ind->len - 1 < ind->addr || !byte_in_ram(mem, ind->addr) ||
        !byte_in_ram(mem, ind->addr + ind->len - 1))
        return -1;
    for (uint32_t steps = 0; steps < count; steps++) {
        if (read_desc(mem, ind->addr, i, &d) || (d.flags & VIRTQ_DESC_F_INDIRECT) ||
            add_seg(req, &d, mem))
            return -1;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        if (d.next >= count)
            return -1;
        i = d.next;
    }
    return -1;
}

/* Walk the chain starting at descriptor head of the queue's table into req: 0 or -1.
 * At most num descriptors are visited (a longer chain must loop). A descriptor naming an
 * indirect table ends the chain (INDIRECT with NEXT is refused: spec 2.7.5.3.1); its
 * WRITE flag means nothing (2.7.5.3.2). */
static int walk_chain(const struct virtq *q, const struct virtq_mem *mem, uint16_t head,
                      struct virtq_req *req)
{
    struct vq_desc d;
    uint16_t i = head;

    for (unsigned steps = 0; steps < q->num; steps++) {
        if (read_desc(mem, q->desc, i, &d))
            return -1;
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            if (d.flags & VIRTQ_DESC_F_NEXT)
                return -1;
            return walk_indirect(q, mem, &d, req);
        }
        if (add_seg(req, &d, mem))
            return -1;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        if (d.next >= q->num)
            return -1;
        i = d.next;
    }
    return -1;
}

/* How many entries the driver has made available beyond last_avail: 0..num, or -1 if the
 * index cannot be read or runs more than num ahead. */
static int avail_pending(const struct virtq *q, const struct virtq_mem *mem)
{
    uint16_t idx;

    if (read_u16(mem, avail_idx_gpa(q), &idx))
        return -1;
    uint16_t pending = (uint16_t)(idx - q->last_avail);
    return pending > q->num ? -1 : pending;
}

/* With EVENT_IDX: the queue looks empty, so ask the driver to notify when it makes entry
 * last_avail available (avail_event), then look again, in that order (a full fence: the
 * driver reads avail_event after writing its index, we read the index after writing
 * avail_event, so one of us sees the other). Returns as avail_pending. */
static int avail_pending_rearmed(const struct virtq *q, const struct virtq_mem *mem)
{
    if (write_u16(mem, avail_event_gpa(q), q->last_avail))
        return -1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return avail_pending(q, mem);
}

int virtq_pop(struct virtq *q, const struct virtq_mem *mem, struct virtq_req *req)
{
    uint16_t head;

    if (!q->ready || q->broken)
        return 0;
    if (!setup_valid(q, mem))
        return fail(q);
    int pending = avail_pending(q, mem);
    if (pending == 0 && q->event_idx)
        pending = avail_pending_rearmed(q, mem);
    if (pending <= 0)
        return pending < 0 ? fail(q) : 0;
    /* The ring entry and descriptors are read after the index that published them. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (read_u16(mem, avail_ring_gpa(q, q->last_avail), &head) || head >= q->num)
        return fail(q);
    req->head = head;
    req->nseg = 0;
    req->out_len = req->in_len = 0;
    if (walk_chain(q, mem, head, req))
        return fail(q);
    q->last_avail++;
    return 1;
}

int virtq_push(struct virtq *q, const struct virtq_mem *mem, uint16_t head, uint32_t written)
{
    uint8_t elem[8];

    if (!q->ready || q->broken || !num_valid(q->num) || head >= q->num)
        return -1;
    put_le32(elem, head);
    put_le32(elem + 4, written);
    if (mem->write(mem->ctx, used_elem_gpa(q, q->used_idx), elem, sizeof(elem)))
        return fail(q);
    /* The element is visible before the index that publishes it. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (write_u16(mem, used_idx_gpa(q), (uint16_t)(q->used_idx + 1)))
        return fail(q);
    q->used_idx++;
    return 0;
}

bool virtq_should_notify(struct virtq *q, const struct virtq_mem *mem, uint16_t old_used)
{
    uint16_t v;

    if (!q->ready || q->broken || !num_valid(q->num) || old_used == q->used_idx)
        return false;
    /* Our used index is written before we read the driver's wish (a full fence: the
     * driver writes its wish, then reads our index). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (q->event_idx) {
        if (read_u16(mem, used_event_gpa(q), &v))
            return true;
        /* vring_need_event: did used_idx pass used_event in (old_used, used_idx]? */
        return (uint16_t)(q->used_idx - v - 1) < (uint16_t)(q->used_idx - old_used);
    }
    if (read_u16(mem, q->avail, &v))
        return true;
    return !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* Copy between the request's segments of one direction and a host buffer, starting at
 * byte off of that direction: with src, into the device-writable segments; else from the
 * device-readable ones into dst. Returns the bytes copied; stops at the end of that
 * direction or at a guest memory failure. */
static size_t copy_segs(const struct virtq_req *r, const struct virtq_mem *mem, uint64_t off,
                        uint8_t *dst, const uint8_t *src, size_t len)
{
    bool write = src != NULL;
    unsigned nseg = r->nseg < VIRTQ_MAX_SEGS ? r->nseg : VIRTQ_MAX_SEGS;
    size_t done = 0;

    for (unsigned i = 0; i < nseg && done < len; i++) {
        const struct virtq_seg *s = &r->seg[i];
        if (s->write != write)
            continue;
        if (off >= s->len) {
            off -= s->len;
            continue;
        }
        size_t n = s->len - off;
        if (n > len - done)
            n = len - done;
        int rc = write ? mem->write(mem->ctx, s->gpa + off, src + done, n)
                       : mem->read(mem->ctx, s->gpa + off, dst + done, n);
        if (rc)
            break;
        done += n;
        off = 0;
    }
    return done;
}

size_t virtq_gather(const struct virtq_req *r, const struct virtq_mem *mem, uint64_t off,
                    void *dst, size_t len)
{
    return copy_segs(r, mem, off, dst, NULL, len);
}

size_t virtq_scatter(const struct virtq_req *r, const struct virtq_mem *mem, uint64_t off,
                     const void *src, size_t len)
{
    return copy_segs(r, mem, off, NULL, src, len);
}
