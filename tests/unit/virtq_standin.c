/* A stand-in for src/vdev/virtq.c while that file is not on main (tests/unit/virtio_devs.mk
 * uses the real walker as soon as it exists): the vdev/virtq.h contract in its simplest
 * checked form, so the device tests and fuzzers run on real split-ring layouts. Every
 * guest field is checked as the header says (indices, chain length, areas and buffers in
 * RAM by their first and last bytes, readable before writable, 32-bit length sums). */
#include <string.h>

#include "vdev/virtq.h"

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static int rd(const struct virtq_mem *m, uint64_t gpa, void *p, size_t n)
{
    return m->read(m->ctx, gpa, p, n);
}

static int rd16(const struct virtq_mem *m, uint64_t gpa, uint16_t *v)
{
    uint8_t b[2];
    if (rd(m, gpa, b, 2))
        return -1;
    *v = (uint16_t)(b[0] | b[1] << 8);
    return 0;
}

static int rd_desc(const struct virtq_mem *m, uint64_t table, uint16_t i, struct desc *d)
{
    uint8_t b[16];
    if (rd(m, table + 16ull * i, b, 16))
        return -1;
    d->addr = 0;
    for (unsigned k = 0; k < 8; k++)
        d->addr |= (uint64_t)b[k] << (8 * k);
    d->len = b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
    d->flags = (uint16_t)(b[12] | b[13] << 8);
    d->next = (uint16_t)(b[14] | b[15] << 8);
    return 0;
}

static bool span_ok(const struct virtq_mem *m, uint64_t gpa, uint64_t len)
{
    uint8_t b;
    if (!len)
        return true;
    if (gpa + len - 1 < gpa)
        return false;
    return !rd(m, gpa, &b, 1) && !rd(m, gpa + len - 1, &b, 1);
}

static bool num_ok(uint16_t num)
{
    return num && num <= VIRTQ_MAX_NUM && !(num & (num - 1));
}

void virtq_reset(struct virtq *q)
{
    memset(q, 0, sizeof(*q));
}

static int add(struct virtq_req *r, const struct desc *d, const struct virtq_mem *m)
{
    bool w = d->flags & VIRTQ_DESC_F_WRITE;
    uint64_t *tot = w ? &r->in_len : &r->out_len;

    if (r->nseg >= VIRTQ_MAX_SEGS || (!w && r->nseg && r->seg[r->nseg - 1].write) ||
        !span_ok(m, d->addr, d->len) || *tot + d->len > 0xffffffffull)
        return -1;
    *tot += d->len;
    r->seg[r->nseg++] = (struct virtq_seg){ d->addr, d->len, w };
    return 0;
}

/* Walk a chain in table (n entries) from i; indirect allowed only when !nested. */
static int walk(const struct virtq *q, const struct virtq_mem *m, uint64_t table, uint32_t n,
                uint16_t i, bool nested, struct virtq_req *r)
{
    struct desc d;

    for (uint32_t steps = 0; steps < n; steps++) {
        if (rd_desc(m, table, i, &d))
            return -1;
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            uint32_t cnt = d.len / 16;
            if (nested || (d.flags & VIRTQ_DESC_F_NEXT) || !d.len || d.len % 16 ||
                cnt > q->num || !span_ok(m, d.addr, d.len))
                return -1;
            return walk(q, m, d.addr, cnt, 0, true, r);
        }
        if (add(r, &d, m))
            return -1;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        if (d.next >= n)
            return -1;
        i = d.next;
    }
    return -1;
}

int virtq_pop(struct virtq *q, const struct virtq_mem *mem, struct virtq_req *req)
{
    uint16_t idx, head;

    if (!q->ready || q->broken)
        return 0;
    if (!num_ok(q->num) || !span_ok(mem, q->desc, 16ull * q->num) ||
        !span_ok(mem, q->avail, 6 + 2ull * q->num) || !span_ok(mem, q->used, 6 + 8ull * q->num) ||
        rd16(mem, q->avail + 2, &idx) || (uint16_t)(idx - q->last_avail) > q->num)
        goto broken;
    if (idx == q->last_avail)
        return 0;
    if (rd16(mem, q->avail + 4 + 2ull * (q->last_avail % q->num), &head) || head >= q->num)
        goto broken;
    req->head = head;
    req->nseg = 0;
    req->in_len = req->out_len = 0;
    if (walk(q, mem, q->desc, q->num, head, false, req))
        goto broken;
    q->last_avail++;
    return 1;
broken:
    q->broken = true;
    return -1;
}

int virtq_push(struct virtq *q, const struct virtq_mem *mem, uint16_t head, uint32_t written)
{
    uint8_t e[8], ix[2];

    if (!q->ready || q->broken || !num_ok(q->num) || head >= q->num)
        return -1;
    for (unsigned k = 0; k < 4; k++) {
        e[k] = (uint8_t)(head >> (8 * k));
        e[4 + k] = (uint8_t)(written >> (8 * k));
    }
    uint16_t next = (uint16_t)(q->used_idx + 1);
    ix[0] = (uint8_t)next;
    ix[1] = (uint8_t)(next >> 8);
    if (mem->write(mem->ctx, q->used + 4 + 8ull * (q->used_idx % q->num), e, 8) ||
        mem->write(mem->ctx, q->used + 2, ix, 2)) {
        q->broken = true;
        return -1;
    }
    q->used_idx = next;
    return 0;
}

bool virtq_should_notify(struct virtq *q, const struct virtq_mem *mem, uint16_t old_used)
{
    uint16_t flags;

    if (!q->ready || q->broken || old_used == q->used_idx)
        return false;
    return rd16(mem, q->avail, &flags) || !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

static size_t copy(const struct virtq_req *r, const struct virtq_mem *m, uint64_t off,
                   uint8_t *dst, const uint8_t *src, size_t len)
{
    bool w = src != NULL;
    size_t done = 0;

    for (unsigned i = 0; i < r->nseg && i < VIRTQ_MAX_SEGS && done < len; i++) {
        const struct virtq_seg *s = &r->seg[i];
        if (s->write != w)
            continue;
        if (off >= s->len) {
            off -= s->len;
            continue;
        }
        size_t n = s->len - off < len - done ? s->len - off : len - done;
        if (w ? m->write(m->ctx, s->gpa + off, src + done, n)
              : m->read(m->ctx, s->gpa + off, dst + done, n))
            break;
        done += n;
        off = 0;
    }
    return done;
}

size_t virtq_gather(const struct virtq_req *r, const struct virtq_mem *mem, uint64_t off,
                    void *dst, size_t len)
{
    return copy(r, mem, off, dst, NULL, len);
}

size_t virtq_scatter(const struct virtq_req *r, const struct virtq_mem *mem, uint64_t off,
                     const void *src, size_t len)
{
    return copy(r, mem, off, NULL, src, len);
}
