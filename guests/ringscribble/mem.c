/* ringscribble: its memory zones (rs.h says why they exist), the pickers of hostile
 * addresses and lengths, the sanitiser that keeps the device's writes off this guest's
 * own image, and the tables our builders write. */
#include "rs.h"

/* Contract: rs.h. */
bool rs_zones_check(struct rs *s)
{
    uint64_t end = mbi_ram_end();
    if (end > 0xF0000000ull)
        end = 0xF0000000ull;                 /* 32-bit pointers; below the devices */
    s->ram_end = (uint32_t)end & ~(SLOT - 1);
    if ((uintptr_t)_image_end > ZONE_DESC || s->ram_end < RS_MIN_RAM) {
        printf("ringscribble: needs its image below 0x%x and at least %u MiB (image ends "
               "0x%x, RAM ends 0x%x)\n", ZONE_DESC, RS_MIN_RAM >> 20,
               (unsigned)(uintptr_t)_image_end, (unsigned)s->ram_end);
        return false;
    }
    return true;
}

/* Contract: rs.h. */
void rs_zones_init(void)
{
    memset(phys(ZONE_DESC), 0, ZONE_JUNK - ZONE_DESC);
    memset(phys(ZONE_JUNK), 0xa5, ZONE_DESC_END - ZONE_JUNK);
}

uint32_t rs_rand(struct rs *s)
{
    return xorshift32(&s->seed);
}

uint32_t rs_below(struct rs *s, uint32_t n)
{
    return n ? rs_rand(s) % n : 0;
}

/* Contract: rs.h. */
uint64_t rs_addr_outside(struct rs *s)
{
    switch (rs_below(s, 12)) {
    case 0: return s->ram_end;                          /* the first byte past RAM */
    case 1: return s->ram_end - 8;                      /* straddles RAM's end */
    case 2: return RS_MMIO;                             /* the device's own registers */
    case 3: return RS_MMIO + 0x50;                      /* ...its QueueNotify */
    case 4: return 0xFEC00000u;                         /* I/O APIC */
    case 5: return 0xFEE00000u;                         /* local APIC */
    case 6: return 0xFFFFF000u;
    case 7: return 0x100000000ull;                      /* 4 GiB */
    case 8: return 1ull << 52;
    case 9: return ~0ull - 15;                          /* wraps with any length > 16 */
    case 10: return 0x8000000000000000ull;
    default: return s->ram_end + (uint64_t)rs_rand(s) * 16;
    }
}

/* Contract: rs.h. */
uint32_t rs_buf(struct rs *s, uint32_t len)
{
    uint32_t room = s->ram_end - BUF_TAIL - ZONE_BUF - len;
    return ZONE_BUF + (rs_below(s, room / 16) * 16);
}

/* Contract: rs.h. */
uint64_t rs_addr_any(struct rs *s)
{
    switch (rs_below(s, 10)) {
    case 0: case 1: case 2: return rs_addr_outside(s);
    case 3: return 0;
    case 4: return rs_below(s, ZONE_LOW_END);
    case 5: return ZONE_DESC + rs_below(s, ZONE_DESC_END - ZONE_DESC);
    case 6: return 0x100000u + rs_below(s, 0x10000);    /* our image: reads only */
    case 7: return ((uint64_t)rs_rand(s) << 32) | rs_rand(s);
    default: return rs_buf(s, 0x10000) + rs_below(s, 16);
    }
}

/* Contract: rs.h. */
uint32_t rs_len_any(struct rs *s)
{
    switch (rs_below(s, 12)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 16;
    case 3: return SECTOR;
    case 4: return SECTOR + 1;
    case 5: return 4096;
    case 6: return 0x10000;
    case 7: return 0xffffffffu;
    case 8: return 0x80000000u;
    case 9: return s->ram_end;
    case 10: return rs_rand(s);
    default: return rs_rand(s) & 0xffff;
    }
}

/* Contract: rs.h. */
uint64_t rs_pick_desc(struct rs *s)
{
    switch (rs_below(s, 20)) {
    case 0: return rs_addr_outside(s) & ~15ull;
    case 1: return ZONE_DESC + 8;                       /* misaligned: QueueReady refuses */
    case 2: return s->ram_end - 0x800;                  /* a table straddling RAM's end */
    case 3: return ZONE_DESC + 16 * rs_below(s, (ZONE_ITAB - ZONE_DESC) / 16);
    default: return ZONE_DESC + SLOT * rs_below(s, 16);
    }
}

/* Contract: rs.h. */
uint64_t rs_pick_avail(struct rs *s)
{
    switch (rs_below(s, 20)) {
    case 0: return rs_addr_outside(s) & ~1ull;
    case 1: return ZONE_RING + 1;                       /* misaligned */
    case 2: return s->used;                             /* the used ring (device-written) */
    case 3: return rs_below(s, 2) ? 0 : 0x100;          /* page 0 */
    case 4: return s->ram_end - 0x100;                  /* straddles RAM's end */
    default: return ZONE_RING + 2 * rs_below(s, 0x20000);
    }
}

/* Contract: rs.h. */
uint64_t rs_pick_used(struct rs *s)
{
    switch (rs_below(s, 20)) {
    case 0: return rs_addr_outside(s) & ~3ull;
    case 1: return ZONE_RING + 0x40002;                 /* misaligned */
    case 2: return s->ram_end - 0x400;                  /* straddles RAM's end */
    case 3: return rs_buf(s, 0x2000);
    case 4: return 0;                                   /* page 0 */
    default: return ZONE_RING + 0x40000 + 4 * rs_below(s, 0xf000);
    }
}

/* Contract: rs.h. A descriptor that names no RAM, or that the device refuses (its last
 * byte outside RAM, a wrap), is left alone: that is the hostile part. */
void rs_sanitise(const struct rs *s, struct vdesc *d)
{
    uint64_t a = d->addr, last = a + d->len - 1;
    if (!d->len || a >= s->ram_end || last < a || last >= s->ram_end)
        return;
    if (d->flags & D_INDIRECT) {
        bool table = !(a & 15) && a >= ZONE_DESC && last < ZONE_JUNK;
        bool junk = a >= ZONE_JUNK && last < ZONE_DESC_END;
        if (!table && !junk)
            d->addr = RS_MMIO + (a & 0xff0);            /* a table outside RAM instead */
        return;
    }
    if (!(d->flags & D_WRITE) || last < ZONE_LOW_END || a >= ZONE_BUF)
        return;
    d->addr = ZONE_BUF + (a & 0xfff0);                  /* in BUF, or refused past RAM */
}

static bool inside(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi)
{
    return a >= lo && a < hi && len <= hi - a;
}

static bool num_ok(const struct rs *s)
{
    return s->num && s->num <= 256 && s->num <= s->qmax && !(s->num & (s->num - 1));
}

/* Contract: rs.h. */
struct vdesc *rs_desc_table(const struct rs *s, uint32_t *tn)
{
    *tn = num_ok(s) ? s->num : 16;
    if (num_ok(s) && !(s->desc & 15) && inside(s->desc, 16ull * s->num, ZONE_DESC, ZONE_ITAB))
        return phys(s->desc);
    return phys(ZONE_DESC + 15 * SLOT);
}

/* Contract: rs.h. */
uint16_t *rs_avail_ring(const struct rs *s)
{
    uint32_t n = num_ok(s) ? s->num : 16;
    if (num_ok(s) && !(s->avail & 1) && (inside(s->avail, 6 + 2ull * n, ZONE_RING, ZONE_RING_END) ||
                                       inside(s->avail, 6 + 2ull * n, 0, ZONE_LOW_END)))
        return phys(s->avail);
    return phys(ZONE_RING_END - SLOT);
}

/* Contract: rs.h. */
void rs_put_desc(const struct rs *s, struct vdesc *t, uint32_t i, uint64_t addr, uint32_t len,
                 uint16_t flags, uint16_t next)
{
    struct vdesc d = { addr, len, flags, next };
    rs_sanitise(s, &d);
    t[i] = d;
}

/* Contract: rs.h. */
void rs_publish(struct rs *s, uint16_t head)
{
    uint32_t tn;
    (void)rs_desc_table(s, &tn);
    uint16_t *ring = rs_avail_ring(s);
    ring[2 + (s->avail_idx & (tn - 1))] = head;
    __asm__ volatile("" ::: "memory");
    ring[1] = ++s->avail_idx;
}

/* Contract: rs.h. */
bool rs_used_idx(const struct rs *s, uint16_t *idx)
{
    uint32_t n = num_ok(s) ? s->num : 0;
    if (!n || (s->used & 3) || !(inside(s->used, 6 + 8ull * n, ZONE_RING, ZONE_RING_END) ||
                                 inside(s->used, 6 + 8ull * n, ZONE_BUF, s->ram_end) ||
                                 inside(s->used, 6 + 8ull * n, 0, ZONE_LOW_END)))
        return false;
    __asm__ volatile("" ::: "memory");
    *idx = ((volatile uint16_t *)phys(s->used))[1];
    return true;
}
