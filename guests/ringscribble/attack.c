/* ringscribble: hostile ring contents. Each pattern writes descriptors at a random head
 * of the queue's table (or of a shadow, when the queue is set up where we must not
 * write), makes them available and usually notifies; then the used ring is read and the
 * interrupt acknowledged, as a driver would. Every descriptor goes through rs_put_desc, so
 * nothing the device writes lands on this guest's own image (rs.h). */
#include "rs.h"

/* Where the current pattern writes: the table, its size and the head's index. */
struct pat {
    struct rs *s;
    struct vdesc *t;
    uint32_t tn;
    uint16_t h;
};

static uint16_t at(const struct pat *p, uint32_t k)
{
    return (uint16_t)((p->h + k) & (p->tn - 1));
}

/* A 16-byte virtio-blk header of type and sector at a fresh buffer; its address. */
static uint32_t header(struct rs *s, uint32_t type, uint64_t sector)
{
    uint32_t a = rs_buf(s, 16);
    uint32_t *h = phys(a);
    h[0] = type;
    h[1] = 0;
    h[2] = (uint32_t)sector;
    h[3] = (uint32_t)(sector >> 32);
    return a;
}

/* Chain entry k of the pattern: linked to k + 1 when more follows. */
static void link(const struct pat *p, uint32_t k, uint64_t addr, uint32_t len, uint16_t flags,
                 bool more)
{
    rs_put_desc(p->s, p->t, at(p, k), addr, len, (uint16_t)(flags | (more ? D_NEXT : 0)),
                at(p, k + 1));
}

/* Random descriptors: any address, length, flags and next (some past the table). */
static void p_random(struct pat *p)
{
    struct rs *s = p->s;
    uint32_t n = 1 + rs_below(s, p->tn < 8 ? p->tn : 8);
    for (uint32_t k = 0; k < n; k++) {
        uint16_t next = rs_below(s, 4) ? at(p, k + 1) : (uint16_t)rs_rand(s);
        uint64_t addr = rs_addr_any(s);
        uint32_t len = rs_len_any(s);
        uint16_t flags = (uint16_t)rs_rand(s);
        if (rs_below(s, 4))
            flags &= 7;
        rs_put_desc(s, p->t, at(p, k), addr, len, flags, next);
    }
}

/* A read request with one part outside RAM: the header, the data or the status. */
static void p_outside(struct pat *p)
{
    struct rs *s = p->s;
    unsigned which = rs_below(s, 3);
    uint64_t hdr = which == 0 ? rs_addr_outside(s) : header(s, BLK_T_IN, 0);
    uint64_t data = which == 1 ? rs_addr_outside(s) : rs_buf(s, SECTOR);
    uint64_t st = which == 2 ? rs_addr_outside(s) : rs_buf(s, 1);
    link(p, 0, hdr, 16, 0, true);
    link(p, 1, data, SECTOR, D_WRITE, true);
    link(p, 2, st, 1, D_WRITE, false);
}

/* A well-formed read into page 0: header at 0, data at 0x100, status at 0x7fff. */
static void p_page0(struct pat *p)
{
    uint32_t *h = phys(0);
    h[0] = BLK_T_IN;
    h[1] = 0;
    h[2] = rs_below(p->s, (uint32_t)p->s->capacity);
    h[3] = 0;
    link(p, 0, 0, 16, 0, true);
    link(p, 1, 0x100, SECTOR, D_WRITE, true);
    link(p, 2, ZONE_LOW_END - 1, 1, D_WRITE, false);
}

/* Huge lengths, and totals past 32 bits: many readable buffers each all of RAM. */
static void p_huge(struct pat *p)
{
    struct rs *s = p->s;
    uint32_t n = 2 + rs_below(s, p->tn < 64 ? p->tn - 1 : 63);
    if (n > p->tn)
        n = p->tn;
    bool huge = rs_below(s, 2);
    for (uint32_t k = 0; k + 1 < n; k++) {
        uint64_t addr = huge ? rs_addr_any(s) : 0;
        link(p, k, addr, huge ? 0x80000000u + rs_below(s, 16) : s->ram_end, 0, true);
    }
    uint32_t st = rs_buf(s, 1);
    link(p, n - 1, st, rs_below(s, 2) ? 1 : 0xffffffffu, D_WRITE, false);
}

/* NEXT loops: to itself, a pair, the whole table round, or next past the table. */
static void p_loop(struct pat *p)
{
    struct rs *s = p->s;
    uint32_t hdr = header(s, BLK_T_IN, 0);
    switch (rs_below(s, 4)) {
    case 0:
        rs_put_desc(s, p->t, p->h, hdr, 16, D_NEXT, p->h);
        break;
    case 1:
        rs_put_desc(s, p->t, at(p, 0), hdr, 16, D_NEXT, at(p, 1));
        rs_put_desc(s, p->t, at(p, 1), rs_buf(s, 1), 1, D_WRITE | D_NEXT, at(p, 0));
        break;
    case 2:
        for (uint32_t k = 0; k < p->tn; k++)
            link(p, k, k ? rs_buf(s, 1) : hdr, k ? 1 : 16, k ? D_WRITE : 0, true);
        break;
    default:
        rs_put_desc(s, p->t, p->h, hdr, 16, D_NEXT, (uint16_t)(p->tn + rs_below(s, 0x10000 - p->tn)));
        break;
    }
}

/* Indirect tables: self-referencing, nested, with NEXT, bad lengths, loops, misaligned,
 * outside RAM, the descriptor table itself, or a good one. */
static void p_indirect(struct pat *p)
{
    struct rs *s = p->s;
    uint32_t it_a = ZONE_ITAB + SLOT * rs_below(s, 16);
    uint32_t other = ZONE_ITAB + SLOT * rs_below(s, 16);
    struct vdesc *it = phys(it_a);
    uint32_t cnt = 1 + rs_below(s, p->tn < 8 ? p->tn : 8), len = 16 * cnt;
    uint32_t hdr = header(s, BLK_T_IN, 0);
    uint32_t data = rs_buf(s, SECTOR);
    uint32_t st = rs_buf(s, 1);
    uint16_t flags = D_INDIRECT;
    rs_put_desc(s, it, 0, hdr, 16, D_NEXT, 1);
    rs_put_desc(s, it, 1, data, SECTOR, D_WRITE | D_NEXT, 2);
    rs_put_desc(s, it, 2, st, 1, D_WRITE, 0);
    uint64_t addr = it_a;
    switch (rs_below(s, 11)) {
    case 0: rs_put_desc(s, it, 0, it_a, len, D_INDIRECT, 0); break;     /* itself */
    case 1: rs_put_desc(s, it, 0, other, 48, D_INDIRECT, 0); break;     /* nested */
    case 2: flags |= D_NEXT; break;
    case 3: len = rs_below(s, 2) ? 0 : 16 * cnt + 1 + rs_below(s, 15); break;
    case 4: len = 16 * (p->tn + 1); break;                              /* past num */
    case 5: rs_put_desc(s, it, 1, data, SECTOR, D_WRITE | D_NEXT, 0); break;  /* loop */
    case 6: rs_put_desc(s, it, 1, data, SECTOR, D_WRITE | D_NEXT, (uint16_t)cnt); break;
    case 7: addr = ZONE_JUNK + 1 + 16 * rs_below(s, 200); break;        /* misaligned */
    case 8: addr = rs_addr_outside(s); break;
    case 9: addr = (uint32_t)(uintptr_t)p->t; len = 16 * p->tn; break; /* the table itself */
    default: len = 48; break;                                          /* a good one */
    }
    rs_put_desc(s, p->t, p->h, addr, len, flags, at(p, 1));
}

/* A device-writable buffer before a readable one. */
static void p_write_first(struct pat *p)
{
    struct rs *s = p->s;
    link(p, 0, rs_buf(s, SECTOR), SECTOR, D_WRITE, true);
    link(p, 1, header(s, BLK_T_IN, 0), 16, 0, true);
    link(p, 2, rs_buf(s, 1), 1, D_WRITE, false);
}

/* No writable byte at all: no room for a status. */
static void p_no_status(struct pat *p)
{
    bool more = rs_below(p->s, 2);
    link(p, 0, header(p->s, BLK_T_IN, 0), 16, 0, more);
    link(p, 1, rs_buf(p->s, SECTOR), SECTOR, 0, false);
}

/* Well-formed rings, bad block requests: writes to the (read-only) disk, sectors past the
 * end, partial sectors, unknown types, FLUSH with data, GET_ID, short headers, data in the
 * wrong direction, and the most buffers a chain may have (and one more). */
static void p_blk(struct pat *p)
{
    struct rs *s = p->s;
    uint64_t cap = s->capacity;
    uint32_t kind = rs_below(s, 10), n = 0;
    uint32_t type = BLK_T_IN, dlen = SECTOR, dflags = D_WRITE, hlen = 16;
    uint64_t sec = 0;
    switch (kind) {
    case 0: type = BLK_T_OUT; dflags = 0; break;
    case 1: sec = cap + rs_below(s, 4); break;
    case 2: sec = ~0ull - rs_below(s, 4); break;
    case 3: sec = cap - 1; dlen = 2 * SECTOR; break;
    case 4: dlen = SECTOR - 1 - rs_below(s, 100); break;
    case 5: type = rs_rand(s); break;
    case 6: type = BLK_T_FLUSH; break;
    case 7: type = BLK_T_GET_ID; dlen = 1 + rs_below(s, 40); break;
    case 8: hlen = rs_below(s, 16); break;
    default: dflags = 0; break;
    }
    link(p, n++, header(s, type, sec), hlen, 0, true);
    uint32_t segs = rs_below(s, 4) ? 1 : 126 + rs_below(s, 4);    /* seg_max 126; 128 max */
    if (segs + 2 > p->tn)
        segs = 1;
    for (uint32_t k = 0; k < segs; k++)
        link(p, n++, rs_buf(s, dlen), dlen, (uint16_t)dflags, true);
    link(p, n, rs_buf(s, 1), 1, D_WRITE, false);
}

/* Valid requests made available, then scribbled before the notify: descriptors replaced,
 * ring entries and the index changed, the used ring overwritten. */
static void p_inflight(struct pat *p)
{
    struct rs *s = p->s;
    uint32_t reqs = 1 + rs_below(s, p->tn / 3 ? (p->tn / 3 < 8 ? p->tn / 3 : 8) : 1);
    for (uint32_t r = 0; r < reqs && 3 * r + 2 < p->tn; r++) {
        uint32_t k = 3 * r;
        uint32_t sec = rs_below(s, (uint32_t)s->capacity);
        link(p, k, header(s, BLK_T_IN, sec), 16, 0, true);
        link(p, k + 1, rs_buf(s, SECTOR), SECTOR, D_WRITE, true);
        link(p, k + 2, rs_buf(s, 1), 1, D_WRITE, false);
        rs_publish(s, at(p, k));
    }
    if (rs_below(s, 2))
        rs_notify(s, 0);                         /* some taken, the rest still pending */
    uint16_t *ring = rs_avail_ring(s);
    for (uint32_t n = 1 + rs_below(s, 8); n; n--) {
        switch (rs_below(s, 4)) {
        case 0: {
            uint16_t i = (uint16_t)rs_below(s, p->tn);
            uint64_t addr = rs_addr_any(s);
            uint32_t len = rs_len_any(s);
            uint16_t flags = (uint16_t)(rs_rand(s) & 7);
            rs_put_desc(s, p->t, i, addr, len, flags, (uint16_t)rs_below(s, p->tn + 2));
            break;
        }
        case 1: {
            uint32_t i = rs_below(s, p->tn);
            ring[2 + i] = (uint16_t)rs_rand(s);
            break;
        }
        case 2: ring[1] = s->avail_idx = (uint16_t)(s->avail_idx + rs_below(s, 3) - 1); break;
        default: {
            uint16_t idx;
            uint32_t i = rs_below(s, 4 * p->tn);
            if (rs_used_idx(s, &idx))
                ((uint16_t *)phys(s->used))[2 + i] = (uint16_t)rs_rand(s);
            break;
        }
        }
    }
}

/* The available index jumps: past num, backwards, or anywhere; random ring entries. */
static void p_avail_jump(struct pat *p)
{
    struct rs *s = p->s;
    uint16_t *ring = rs_avail_ring(s);
    for (uint32_t i = 0; i < 4 && i < p->tn; i++) {
        uint32_t slot = rs_below(s, p->tn);
        ring[2 + slot] = (uint16_t)(rs_below(s, 2) ? rs_below(s, p->tn) : rs_rand(s));
    }
    switch (rs_below(s, 3)) {
    case 0: s->avail_idx = (uint16_t)(s->avail_idx + p->tn + 1 + rs_below(s, 100)); break;
    case 1: s->avail_idx = (uint16_t)(s->avail_idx - 1 - rs_below(s, 4)); break;
    default: s->avail_idx = (uint16_t)rs_rand(s); break;
    }
    ring[0] = (uint16_t)rs_rand(s);             /* flags too */
    ring[1] = s->avail_idx;
}

typedef void (*pattern_fn)(struct pat *p);
static const pattern_fn patterns[] = {
    p_random, p_random, p_outside, p_page0, p_huge, p_loop, p_indirect, p_indirect,
    p_write_first, p_no_status, p_blk, p_blk, p_inflight, p_inflight,
};
#define N_PATTERNS (sizeof(patterns) / sizeof(patterns[0]))

/* Read what the device gave back (used index and a few elements) and acknowledge the
 * interrupt, as a driver's handler would. */
static void read_used(struct rs *s)
{
    uint16_t idx;
    if (rs_used_idx(s, &idx)) {
        volatile uint32_t *elem = phys(s->used + 4);
        uint32_t sum = idx;
        for (uint32_t i = 0; i < 4 && i < s->num; i++)
            sum += elem[2 * i] + elem[2 * i + 1];
        (void)sum;
    }
    uint32_t isr = rs_rd32(R_INT_STATUS);
    if (isr)
        rs_wr32(R_INT_ACK, rs_below(s, 4) ? isr : rs_rand(s));
}

/* Contract: rs.h. */
void rs_attack_ring(struct rs *s)
{
    struct pat p = { .s = s };
    p.t = rs_desc_table(s, &p.tn);
    p.h = (uint16_t)rs_below(s, p.tn);
    const pattern_fn fn = patterns[rs_below(s, N_PATTERNS)];
    fn(&p);
    if (fn != p_inflight && fn != p_avail_jump)
        rs_publish(s, p.h);
    if (rs_below(s, 8) == 0)
        p_avail_jump(&p);
    if (rs_below(s, 10))
        rs_notify(s, rs_below(s, 16) ? 0 : rs_rand(s));
    read_used(s);
}
