/* ringscribble: the virtio-mmio register window of device 0 and the driver side of the
 * initialisation sequence (virtio 1.2, 3.1.1 and 4.2.3). Paging is off, so a pointer is a
 * guest-physical address; each access is one plain MOV (the only kind Kestrel's MMIO
 * emulation must take), with compiler barriers so ring memory written before a register
 * write is really in memory when the device looks (the device runs during the access). */
#include "rs.h"

#define BARRIER() __asm__ volatile("" ::: "memory")

/* Register accessors: off < RS_WINDOW, off + size <= RS_WINDOW (the caller's duty: the rest
 * of the page is not the device's and would end this domain). */
uint32_t rs_rd32(uint32_t off)
{
    BARRIER();
    uint32_t v = *(volatile uint32_t *)(uintptr_t)(RS_MMIO + off);
    BARRIER();
    return v;
}

void rs_wr32(uint32_t off, uint32_t v)
{
    BARRIER();
    *(volatile uint32_t *)(uintptr_t)(RS_MMIO + off) = v;
    BARRIER();
}

uint16_t rs_rd16(uint32_t off)
{
    BARRIER();
    uint16_t v = *(volatile uint16_t *)(uintptr_t)(RS_MMIO + off);
    BARRIER();
    return v;
}

void rs_wr16(uint32_t off, uint16_t v)
{
    BARRIER();
    *(volatile uint16_t *)(uintptr_t)(RS_MMIO + off) = v;
    BARRIER();
}

uint8_t rs_rd8(uint32_t off)
{
    BARRIER();
    uint8_t v = *(volatile uint8_t *)(uintptr_t)(RS_MMIO + off);
    BARRIER();
    return v;
}

void rs_wr8(uint32_t off, uint8_t v)
{
    BARRIER();
    *(volatile uint8_t *)(uintptr_t)(RS_MMIO + off) = v;
    BARRIER();
}

/* Contract: rs.h. */
bool rs_probe(struct rs *s)
{
    uint32_t magic = rs_rd32(R_MAGIC), version = rs_rd32(R_VERSION);
    uint32_t id = rs_rd32(R_DEVICE_ID), vendor = rs_rd32(R_VENDOR_ID);
    printf("ringscribble: virtio-mmio at 0x%08x: magic 0x%08x version %u device %u "
           "vendor 0x%08x\n", RS_MMIO, (unsigned)magic, (unsigned)version, (unsigned)id,
           (unsigned)vendor);
    if (magic != MMIO_MAGIC || version != 2 || id != VIRTIO_ID_BLK)
        return false;
    rs_wr32(R_STATUS, 0);
    rs_wr32(R_QUEUE_SEL, 0);
    s->qmax = rs_rd32(R_QUEUE_NUM_MAX);
    s->capacity = rs_rd32(R_CONFIG) | (uint64_t)rs_rd32(R_CONFIG + 4) << 32;
    rs_wr32(R_DEV_FEAT_SEL, 0);
    uint32_t f0 = rs_rd32(R_DEV_FEAT);
    rs_wr32(R_DEV_FEAT_SEL, 1);
    uint32_t f1 = rs_rd32(R_DEV_FEAT);
    printf("ringscribble: virtio-blk, %llu sectors, queue max %u, features 0x%08x%08x\n",
           (unsigned long long)s->capacity, (unsigned)s->qmax, (unsigned)f1, (unsigned)f0);
    return s->qmax >= 1 && s->qmax <= 32768 && s->capacity >= 1;
}

/* Contract: rs.h. */
void rs_queue_regs(struct rs *s, uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
    s->num = num;
    s->desc = desc;
    s->avail = avail;
    s->used = used;
    rs_wr32(R_QUEUE_SEL, 0);
    rs_wr32(R_QUEUE_NUM, num);
    rs_wr32(R_QUEUE_DESC, (uint32_t)desc);
    rs_wr32(R_QUEUE_DESC + 4, (uint32_t)(desc >> 32));
    rs_wr32(R_QUEUE_DRIVER, (uint32_t)avail);
    rs_wr32(R_QUEUE_DRIVER + 4, (uint32_t)(avail >> 32));
    rs_wr32(R_QUEUE_DEVICE, (uint32_t)used);
    rs_wr32(R_QUEUE_DEVICE + 4, (uint32_t)(used >> 32));
}

/* Is [a, a + len) inside [lo, hi)? */
static bool inside(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi)
{
    return a >= lo && a < hi && len <= hi - a;
}

/* Contract: rs.h. Only rings in the zones we own are touched. */
void rs_rings_clear(struct rs *s)
{
    uint32_t n = s->num <= 32768 ? s->num : 0;
    if (inside(s->avail, 6 + 2ull * n, ZONE_RING, ZONE_RING_END) ||
        inside(s->avail, 6 + 2ull * n, 0, ZONE_LOW_END))
        memset(phys(s->avail), 0, 6 + 2 * n);
    if (inside(s->used, 6 + 8ull * n, ZONE_RING, ZONE_RING_END) ||
        inside(s->used, 6 + 8ull * n, ZONE_BUF, s->ram_end) ||
        inside(s->used, 6 + 8ull * n, 0, ZONE_LOW_END))
        memset(phys(s->used), 0, 6 + 8 * n);
    s->avail_idx = 0;
}

/* Contract: rs.h. */
int rs_init(struct rs *s, uint64_t want, uint32_t num, uint64_t desc, uint64_t avail,
            uint64_t used, bool hold_driver_ok, const char **why)
{
    rs_wr32(R_STATUS, 0);
    s->resets++;
    s->broken_seen = false;
    if (rs_rd32(R_STATUS) != 0)
        return *why = "status not 0 after a reset", -1;
    rs_wr32(R_STATUS, ST_ACK);
    rs_wr32(R_STATUS, ST_ACK | ST_DRIVER);
    rs_wr32(R_DEV_FEAT_SEL, 0);
    uint64_t offered = rs_rd32(R_DEV_FEAT);
    rs_wr32(R_DEV_FEAT_SEL, 1);
    offered |= (uint64_t)rs_rd32(R_DEV_FEAT) << 32;
    if (!(offered & F_VERSION_1))
        return *why = "VERSION_1 not offered", -1;
    s->features = (want & offered) | F_VERSION_1;
    rs_wr32(R_DRV_FEAT_SEL, 0);
    rs_wr32(R_DRV_FEAT, (uint32_t)s->features);
    rs_wr32(R_DRV_FEAT_SEL, 1);
    rs_wr32(R_DRV_FEAT, (uint32_t)(s->features >> 32));
    rs_wr32(R_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
    if (!(rs_rd32(R_STATUS) & ST_FEATURES_OK))
        return *why = "FEATURES_OK refused", -1;
    rs_wr32(R_QUEUE_SEL, 0);
    if (rs_rd32(R_QUEUE_READY) != 0)
        return *why = "queue ready after a reset", -1;
    rs_queue_regs(s, num, desc, avail, used);
    rs_rings_clear(s);
    rs_wr32(R_QUEUE_READY, 1);
    if (rs_rd32(R_QUEUE_READY) != 1)
        return *why = "QueueReady refused", -1;
    if (!hold_driver_ok) {
        rs_wr32(R_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
        if (!(rs_rd32(R_STATUS) & ST_DRIVER_OK))
            return *why = "DRIVER_OK refused", -1;
    }
    return 0;
}

/* Contract: rs.h. */
void rs_notify(struct rs *s, uint32_t q)
{
    s->notifies++;
    rs_wr32(R_QUEUE_NOTIFY, q);
}
