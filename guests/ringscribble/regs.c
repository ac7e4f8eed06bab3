/* ringscribble: hostile register writes and re-initialisations. Queue addresses are only
 * ever written with values from the pickers (mem.c), so wherever the device ends up
 * writing a used ring it cannot be this guest's image; every other register gets random
 * values, sizes and offsets inside the 0x200-byte window (outside it the page is not the
 * device's, and touching it would end this domain by design). */
#include "rs.h"

#define Q_ADDR_FIRST 0x080u                 /* QueueDesc low .. QueueDevice high */
#define Q_ADDR_END   0x0a8u

/* A queue size: a good one, or 0, not a power of two, above QueueNumMax, above 16 bits. */
static uint32_t pick_num(struct rs *s)
{
    static const uint32_t odd[] = { 0, 3, 255, 257, 384, 512, 1024, 0xffff, 0x10000,
                                    0xffffffffu };
    if (rs_below(s, 4)) {
        uint32_t n = s->qmax >> rs_below(s, 9);
        return n ? n : 1;
    }
    return odd[rs_below(s, sizeof(odd) / sizeof(odd[0]))];
}

/* Stop the queue, set it up somewhere (maybe badly), start it (maybe refused). */
static void requeue(struct rs *s)
{
    rs_wr32(R_QUEUE_SEL, 0);
    rs_wr32(R_QUEUE_READY, 0);
    uint32_t num = pick_num(s);
    uint64_t desc = rs_pick_desc(s);
    uint64_t used = rs_pick_used(s);
    s->used = used;                                 /* so the avail ring may overlap it */
    uint64_t avail = rs_pick_avail(s);
    rs_queue_regs(s, num, desc, avail, used);
    rs_rings_clear(s);
    if (rs_below(s, 8))
        rs_wr32(R_QUEUE_READY, rs_below(s, 8) ? 1 : rs_rand(s));
}

/* A register write of random size, offset and value (never the queue address registers:
 * requeue writes those). */
static void random_write(struct rs *s)
{
    static const uint32_t regs[] = { R_DEV_FEAT_SEL, R_DRV_FEAT, R_DRV_FEAT_SEL, R_QUEUE_SEL,
                                     R_QUEUE_NUM, R_QUEUE_READY, R_QUEUE_NOTIFY, R_INT_ACK,
                                     R_STATUS, R_MAGIC, R_CONFIG_GEN, 0x0ac, 0x0f0,
                                     R_CONFIG, R_CONFIG + 8 };
    unsigned size = 1u << rs_below(s, 3);
    uint32_t off = rs_below(s, 2) ? regs[rs_below(s, sizeof(regs) / sizeof(regs[0]))]
                                  : rs_below(s, RS_WINDOW - size + 1);
    if (off + size > Q_ADDR_FIRST && off < Q_ADDR_END)
        off = R_QUEUE_NUM;
    uint32_t v = rs_below(s, 4) ? rs_rand(s) : rs_rand(s) & 0xff;
    if (size == 4)
        rs_wr32(off, v);
    else if (size == 2)
        rs_wr16(off, (uint16_t)v);
    else
        rs_wr8(off, (uint8_t)v);
}

/* A register read of random size and offset inside the window. */
static void random_read(struct rs *s)
{
    unsigned size = 1u << rs_below(s, 3);
    uint32_t off = rs_below(s, RS_WINDOW - size + 1);
    if (size == 4)
        (void)rs_rd32(off);
    else if (size == 2)
        (void)rs_rd16(off);
    else
        (void)rs_rd8(off);
}

/* Feature registers: selectors past the 64 bits, stray bits, features after FEATURES_OK. */
static void feature_dance(struct rs *s)
{
    rs_wr32(R_DRV_FEAT_SEL, rs_below(s, 4));
    rs_wr32(R_DRV_FEAT, rs_rand(s));
    rs_wr32(R_DEV_FEAT_SEL, rs_rand(s));
    (void)rs_rd32(R_DEV_FEAT);
    if (rs_below(s, 2))
        rs_wr32(R_STATUS, rs_rd32(R_STATUS) | ST_FEATURES_OK);
}

/* Contract: rs.h. */
void rs_attack_regs(struct rs *s)
{
    switch (rs_below(s, 6)) {
    case 0: requeue(s); break;
    case 1:                                         /* setup writes while ready: ignored */
        rs_wr32(R_QUEUE_SEL, rs_below(s, 2) ? 0 : rs_rand(s));
        rs_wr32(R_QUEUE_NUM, pick_num(s));
        rs_wr32(R_QUEUE_SEL, 0);
        break;
    case 2: case 3: random_write(s); break;
    case 4: random_read(s); break;
    default: feature_dance(s); break;
    }
    if (rs_rd32(R_STATUS) == 0)
        s->broken_seen = false;                     /* a reset went through */
}

/* Contract: rs.h. Variants: a normal init; one whose requests are made available and
 * kicked before DRIVER_OK and scribbled over before it is set; and wrong orders (DRIVER_OK
 * first, stray feature bits, QueueReady before the features). */
void rs_reinit(struct rs *s)
{
    const char *why;
    uint64_t hi = rs_rand(s), lo = rs_rand(s);
    uint64_t want = (hi << 32 | lo) & (rs_below(s, 2) ? ~0ull :
                                       (F_INDIRECT | F_EVENT_IDX | 0xffffffull));
    s->broken_seen = false;
    switch (rs_below(s, 4)) {
    case 0:                                         /* out of order */
        rs_wr32(R_STATUS, 0);
        s->resets++;
        rs_wr32(R_STATUS, ST_ACK | ST_DRIVER | ST_DRIVER_OK);
        rs_wr32(R_QUEUE_READY, 1);
        rs_wr32(R_DRV_FEAT_SEL, rs_below(s, 3));
        rs_wr32(R_DRV_FEAT, rs_rand(s));
        rs_wr32(R_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
        break;
    case 1: {                                       /* kicks held before DRIVER_OK */
        uint32_t num = 4u << rs_below(s, 7);
        while (num > s->qmax)
            num >>= 1;
        uint64_t desc = rs_pick_desc(s), avail = rs_pick_avail(s), used = rs_pick_used(s);
        if (rs_init(s, want, num, desc, avail, used, true, &why) != 0)
            break;
        rs_attack_ring(s);
        rs_attack_ring(s);
        rs_wr32(R_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
        break;
    }
    default: {
        uint32_t num = pick_num(s);
        uint64_t desc = rs_pick_desc(s), avail = rs_pick_avail(s), used = rs_pick_used(s);
        (void)rs_init(s, want, num, desc, avail, used, false, &why);
        break;
    }
    }
}
