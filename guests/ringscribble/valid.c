/* ringscribble: the disk's known content and the checked read. Between the hostile
 * rounds the guest sets a queue up again as a well-behaved driver would (a device reset if
 * the device asks for one or at random, else QueueReady 0 and a fresh queue), reads one
 * sector (sector 0 half the time) through a direct or an indirect chain, and checks the
 * used element, the status byte and every byte against the image's formula. */
#include "rs.h"

#define VR_DESC   ZONE_DESC
#define VR_ITAB   ZONE_ITAB
#define VR_AVAIL  ZONE_RING
#define VR_USED   (ZONE_RING + 0x40000)
#define VR_HDR    ZONE_BUF
#define VR_STATUS (ZONE_BUF + 0x20)
#define VR_DATA   (ZONE_BUF + 0x1000)
#define POLL_TRIES 1000                 /* x 1 ms: the device answers during the notify */

/* Contract: rs.h. Every sector begins "RSCRIBBLE-" and its number in 4 hex digits and
 * "--"; every other byte has its top bit set. No byte is 0 (rs.h says why). */
uint8_t rs_disk_byte(uint32_t x)
{
    static const char tag[] = "RSCRIBBLE-", hex[] = "0123456789abcdef";
    uint32_t o = x % SECTOR, sec = x / SECTOR;
    if (o < 10)
        return (uint8_t)tag[o];
    if (o < 14)
        return (uint8_t)hex[(sec >> (4 * (13 - o))) & 15];
    if (o < 16)
        return '-';
    return (uint8_t)(0x80 | ((x * 37u + sec * 11u) & 0x7f));
}

static void bad(struct rs *s, const char *why, uint32_t a, uint32_t b)
{
    s->valid_bad++;
    printf("ringscribble: valid read %llu FAILED: %s (0x%x, 0x%x)\n",
           (unsigned long long)(s->valid_ok + s->valid_bad), why, (unsigned)a, (unsigned)b);
}

/* Make queue 0 usable at the fixed layout: 0, or -1 after reporting why. */
static int fresh_queue(struct rs *s, uint32_t num)
{
    uint32_t st = rs_rd32(R_STATUS);
    const char *why;
    bool ok = (st & (ST_FEATURES_OK | ST_DRIVER_OK)) == (ST_FEATURES_OK | ST_DRIVER_OK) &&
              !(st & (ST_NEEDS_RESET | ST_FAILED));
    if (!ok || rs_below(s, 4) == 0) {
        uint64_t want = (rs_below(s, 2) ? F_INDIRECT : 0) | (rs_below(s, 2) ? F_EVENT_IDX : 0);
        if (rs_init(s, want, num, VR_DESC, VR_AVAIL, VR_USED, false, &why) != 0) {
            bad(s, why, st, rs_rd32(R_STATUS));
            return -1;
        }
        return 0;
    }
    rs_wr32(R_QUEUE_SEL, 0);
    rs_wr32(R_QUEUE_READY, 0);
    if (rs_rd32(R_QUEUE_READY) != 0) {
        bad(s, "QueueReady stays 1", st, 0);
        return -1;
    }
    rs_queue_regs(s, num, VR_DESC, VR_AVAIL, VR_USED);
    rs_rings_clear(s);
    rs_wr32(R_QUEUE_READY, 1);
    if (rs_rd32(R_QUEUE_READY) != 1) {
        bad(s, "QueueReady refused", st, num);
        return -1;
    }
    return 0;
}

/* Build the request for sector sec at head h (num entries): header, 512 bytes in one or
 * two writable buffers, status; directly or through an indirect table. Returns where the
 * data will be. */
static uint32_t build(struct rs *s, uint32_t num, uint16_t h, uint64_t sec)
{
    struct vdesc *t = phys(VR_DESC);
    uint32_t *hdr = phys(VR_HDR);
    uint32_t split = rs_below(s, 2) ? 0 : 1 + rs_below(s, SECTOR - 1);
    uint32_t data = VR_DATA + (rs_below(s, 2) ? 0 : SLOT - 200);   /* across a page */
    struct vdesc chain[4] = {
        { VR_HDR, 16, D_NEXT, 0 },
        { data, split ? split : SECTOR, D_WRITE | D_NEXT, 0 },
        { data + split, SECTOR - split, D_WRITE | D_NEXT, 0 },
        { VR_STATUS, 1, D_WRITE, 0 },
    };
    unsigned n = 0;
    struct vdesc *out = chain;
    hdr[0] = BLK_T_IN;
    hdr[1] = 0;
    hdr[2] = (uint32_t)sec;
    hdr[3] = (uint32_t)(sec >> 32);
    memset(phys(data), 0, SECTOR);
    *(uint8_t *)phys(VR_STATUS) = 0xee;
    for (unsigned i = 0; i < 4; i++)
        if (i != 2 || split)
            out[n++] = chain[i];
    if (rs_below(s, 3) == 0) {                  /* indirect: entries 0..n-1 of a table */
        struct vdesc *it = phys(VR_ITAB);
        for (unsigned i = 0; i < n; i++) {
            it[i] = out[i];
            it[i].next = (uint16_t)(i + 1);
        }
        rs_put_desc(s, t, h, VR_ITAB, 16 * n, D_INDIRECT, 0);
        return data;
    }
    for (unsigned i = 0; i < n; i++) {
        uint16_t at = (uint16_t)((h + i) & (num - 1)), nx = (uint16_t)((h + i + 1) & (num - 1));
        rs_put_desc(s, t, at, out[i].addr, out[i].len, out[i].flags, nx);
    }
    return data;
}

/* Check the finished request: used element, status, data. */
static void check(struct rs *s, uint16_t h, uint64_t sec, uint32_t data_at)
{
    const volatile uint32_t *elem = phys(VR_USED + 4);
    uint8_t status = *(volatile uint8_t *)phys(VR_STATUS);
    if (elem[0] != h || elem[1] != SECTOR + 1)
        return bad(s, "used element (id, len)", elem[0], elem[1]);
    if (status != 0)
        return bad(s, "status", status, (uint32_t)sec);
    const uint8_t *d = phys(data_at);
    for (uint32_t i = 0; i < SECTOR; i++)
        if (d[i] != rs_disk_byte((uint32_t)sec * SECTOR + i))
            return bad(s, "data differs at sector, byte", (uint32_t)sec, i);
    s->valid_ok++;
}

/* Contract: rs.h. */
void rs_valid_read(struct rs *s)
{
    uint32_t num = 4u << rs_below(s, 7);        /* 4..256 */
    while (num > s->qmax)
        num >>= 1;
    if (fresh_queue(s, num) != 0)
        return;
    uint16_t h = (uint16_t)rs_below(s, num);
    uint64_t sec = rs_below(s, 2) ? 0 : rs_below(s, (uint32_t)s->capacity);
    uint32_t data = build(s, num, h, sec);
    rs_publish(s, h);
    rs_notify(s, 0);
    uint16_t idx = 0;
    for (unsigned i = 0; i < POLL_TRIES && (!rs_used_idx(s, &idx) || idx != 1); i++)
        sleep_us(1000);
    if (idx != 1)
        return bad(s, "no answer: used idx, status", idx, rs_rd32(R_STATUS));
    check(s, h, sec, data);
}
