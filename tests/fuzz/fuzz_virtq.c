/* libFuzzer target for the split virtqueue walker (src/vdev/virtq.c): a hostile driver's
 * rings. The input is a header (queue size, layout, start indices), a short script of
 * available-index bumps, and the image of a small guest memory holding the rings, the
 * indirect tables and the buffers. The device pops, copies, pushes and asks whether to
 * notify in a bounded loop, with the driver bumping its index whenever the queue looks empty.
 * Besides ASan/UBSan, checks what the devices rely on: a request's buffers lie in guest
 * memory, readable before writable, with the totals it claims; each pop touches guest memory
 * a bounded number of times (no hang on loops); a broken queue stays broken and untouched. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vdev/virtq.h"

#define MEM_BASE   0x1000ull
#define MEM_SIZE   0x8000ull
#define HDR_BYTES  16u
#define OPS_BYTES  16u
#define MAX_ROUNDS 256u
/* Reads of one pop: setup probes, index and head, then per descriptor one read and two
 * probes, for at most VIRTQ_MAX_SEGS + 1 descriptors, plus an indirect table's probes. */
#define MAX_POP_ACCESSES (32u + 3u * (VIRTQ_MAX_SEGS + 2u))

static uint8_t mem_image[MEM_SIZE];
static unsigned accesses;

static bool inside(uint64_t gpa, size_t len)
{
    return gpa >= MEM_BASE && gpa - MEM_BASE <= MEM_SIZE && len <= MEM_SIZE - (gpa - MEM_BASE);
}

static int mem_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    (void)ctx;
    accesses++;
    if (!inside(gpa, len))
        return -1;
    memcpy(dst, mem_image + (gpa - MEM_BASE), len);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    (void)ctx;
    accesses++;
    if (!inside(gpa, len))
        return -1;
    memcpy(mem_image + (gpa - MEM_BASE), src, len);
    return 0;
}

static const struct virtq_mem mem = { mem_read, mem_write, NULL };

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static void check(bool ok)
{
    if (!ok)
        abort();
}

/* The queue the header describes: a valid power-of-two size most of the time, any 16-bit
 * value otherwise; the rings packed as a Linux driver lays them out, or anywhere. */
static void setup(struct virtq *q, const uint8_t *h)
{
    virtq_reset(q);
    q->num = h[0] < 0xf0 ? (uint16_t)(1u << (h[0] % 11)) : get16(h + 2);
    q->event_idx = h[1] & 1;
    q->ready = !(h[1] & 0x80) || (h[1] & 0x40);
    q->last_avail = q->used_idx = get16(h + 4);
    if (h[1] & 2) {
        q->desc = MEM_BASE + get16(h + 6);
        q->avail = MEM_BASE + get16(h + 8);
        q->used = (h[1] & 4) ? get16(h + 10) * 0x100000001ull : MEM_BASE + get16(h + 10);
    } else {
        q->desc = MEM_BASE;
        q->avail = q->desc + 16ull * q->num;
        q->used = (q->avail + 6 + 2ull * q->num + 3) & ~3ull;
    }
}

/* Check a request pop returned against the queue and guest memory. */
static void check_request(const struct virtq *q, const struct virtq_req *r)
{
    uint64_t out = 0, in = 0;
    bool seen_write = false;

    check(r->head < q->num && r->nseg >= 1 && r->nseg <= VIRTQ_MAX_SEGS);
    for (unsigned i = 0; i < r->nseg; i++) {
        const struct virtq_seg *s = &r->seg[i];
        check(!(seen_write && !s->write));
        seen_write |= s->write;
        check(!s->len || inside(s->gpa, s->len));
        *(s->write ? &in : &out) += s->len;
    }
    check(out == r->out_len && in == r->in_len && out <= 0xffffffffu && in <= 0xffffffffu);
}

/* Serve one request: read some of it, write some reply, give it back, maybe notify. */
static void serve(struct virtq *q, const struct virtq_req *r, uint8_t op)
{
    uint8_t buf[64];
    uint16_t old_used = q->used_idx;

    size_t got = virtq_gather(r, &mem, op % 8, buf, sizeof(buf));
    check(got <= sizeof(buf) && got <= r->out_len);
    size_t put = virtq_scatter(r, &mem, op % 4, buf, got);
    check(put <= got && put <= r->in_len);
    if (virtq_push(q, &mem, r->head, (uint32_t)put) == 0) {
        check(q->used_idx == (uint16_t)(old_used + 1));
        check(get16(mem_image + (q->used + 2 - MEM_BASE)) == q->used_idx);
    } else {
        check(q->broken && q->used_idx == old_used);
    }
    (void)virtq_should_notify(q, &mem, old_used);
}

/* The driver makes n more entries available (whatever the ring holds). */
static void bump_avail(const struct virtq *q, uint8_t n)
{
    if (inside(q->avail + 2, 2)) {
        uint8_t *p = mem_image + (q->avail + 2 - MEM_BASE);
        uint16_t idx = (uint16_t)(get16(p) + n);
        p[0] = (uint8_t)idx;
        p[1] = (uint8_t)(idx >> 8);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct virtq_req req;
    struct virtq q;
    uint8_t hdr[HDR_BYTES] = { 0 }, ops[OPS_BYTES] = { 0 };
    unsigned nops = 0;

    memcpy(hdr, data, size < HDR_BYTES ? size : HDR_BYTES);
    if (size > HDR_BYTES) {
        nops = size - HDR_BYTES < OPS_BYTES ? (unsigned)(size - HDR_BYTES) : OPS_BYTES;
        memcpy(ops, data + HDR_BYTES, nops);
    }
    memset(mem_image, 0, sizeof(mem_image));
    if (size > HDR_BYTES + OPS_BYTES) {
        size_t n = size - HDR_BYTES - OPS_BYTES;
        memcpy(mem_image, data + HDR_BYTES + OPS_BYTES, n < MEM_SIZE ? n : MEM_SIZE);
    }
    setup(&q, hdr);

    unsigned next_op = 0;
    for (unsigned round = 0; round < MAX_ROUNDS; round++) {
        uint16_t last = q.last_avail;
        bool was_broken = q.broken;
        accesses = 0;
        int rc = virtq_pop(&q, &mem, &req);
        check(accesses <= MAX_POP_ACCESSES);
        if (rc < 0) {
            check(q.broken && !was_broken && q.last_avail == last);
            continue;
        }
        if (rc == 0) {
            check(q.last_avail == last);
            check(!was_broken || accesses == 0);
            if (next_op >= nops || q.broken)
                break;
            bump_avail(&q, ops[next_op++]);
            continue;
        }
        check(q.last_avail == (uint16_t)(last + 1) && !q.broken);
        check_request(&q, &req);
        serve(&q, &req, ops[round % OPS_BYTES]);
    }
    return 0;
}
