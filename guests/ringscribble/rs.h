/* ringscribble's shared declarations: the virtio-mmio registers it drives (virtio 1.2,
 * 4.2.2, written here from the spec rather than taken from Kestrel's headers), the layout
 * of its memory, its state and the functions of its files:
 *   dev.c     register access, probing and driver initialisation (3.1.1);
 *   mem.c     the memory zones, address and length pickers, descriptors made harmless;
 *   valid.c   the disk's known content and the checked read of a sector;
 *   attack.c  hostile ring contents (descriptor tables, available ring, indirect tables);
 *   regs.c    hostile register writes (queue registers, status, features, random);
 *   main.c    parameters, the round loop and the progress lines.
 *
 * Why the zones: the device writes into guest memory wherever a descriptor or the used
 * ring says, so a hostile guest must keep those writes off its own code, data and stack
 * (the image at 1 MiB) or it only destroys itself. Everything the device may read as a
 * descriptor (descriptor tables, indirect tables) lives in the DESC zone, which only this
 * guest writes, and only with 16-byte aligned, sanitised descriptors (rs_sanitise): a
 * descriptor the device may write through names RAM only in the LOW or BUF zones, one
 * naming an indirect table names RAM only in the DESC zone. Used rings (device-written)
 * go to the RING, BUF or LOW zones, never DESC. Addresses outside RAM are always fine:
 * that is the point. The disk's bytes contain no zero byte, so nothing read from it can
 * form an in-RAM address either. */
#ifndef RINGSCRIBBLE_RS_H
#define RINGSCRIBBLE_RS_H

#include "guest.h"

/* ---- the device: virtio-mmio device 0, a virtio-blk disk ---------------------------- */
#define RS_MMIO          0xFE000000u
#define RS_WINDOW        0x200u          /* registers and config; the rest of the page is not the device's */
#define R_MAGIC          0x000u
#define R_VERSION        0x004u
#define R_DEVICE_ID      0x008u
#define R_VENDOR_ID      0x00cu
#define R_DEV_FEAT       0x010u
#define R_DEV_FEAT_SEL   0x014u
#define R_DRV_FEAT       0x020u
#define R_DRV_FEAT_SEL   0x024u
#define R_QUEUE_SEL      0x030u
#define R_QUEUE_NUM_MAX  0x034u
#define R_QUEUE_NUM      0x038u
#define R_QUEUE_READY    0x044u
#define R_QUEUE_NOTIFY   0x050u
#define R_INT_STATUS     0x060u
#define R_INT_ACK        0x064u
#define R_STATUS         0x070u
#define R_QUEUE_DESC     0x080u          /* low; high at +4 */
#define R_QUEUE_DRIVER   0x090u
#define R_QUEUE_DEVICE   0x0a0u
#define R_CONFIG_GEN     0x0fcu
#define R_CONFIG         0x100u          /* virtio-blk: u64 capacity first */

#define MMIO_MAGIC       0x74726976u     /* "virt" */
#define VIRTIO_ID_BLK    2u
#define ST_ACK           1u
#define ST_DRIVER        2u
#define ST_DRIVER_OK     4u
#define ST_FEATURES_OK   8u
#define ST_NEEDS_RESET   64u
#define ST_FAILED        128u
#define F_INDIRECT       (1ull << 28)
#define F_EVENT_IDX      (1ull << 29)
#define F_VERSION_1      (1ull << 32)

#define D_NEXT           1u
#define D_WRITE          2u
#define D_INDIRECT       4u

#define BLK_T_IN         0u
#define BLK_T_OUT        1u
#define BLK_T_FLUSH      4u
#define BLK_T_GET_ID     8u
#define SECTOR           512u

/* ---- memory zones (rs_zones_check makes sure they fit the guest) --------------------- */
#define ZONE_LOW_END     0x8000u         /* [0, 0x8000): below the boot info, free after start */
#define ZONE_DESC        0x200000u       /* descriptor tables: 16 slots of 4 KiB */
#define ZONE_ITAB        0x210000u       /* indirect tables: 16 slots of 4 KiB */
#define ZONE_JUNK        0x220000u       /* one page of 0xa5 bytes (misaligned tables) */
#define ZONE_DESC_END    0x221000u
#define ZONE_RING        0x280000u       /* available and used rings */
#define ZONE_RING_END    0x300000u
#define ZONE_BUF         0x300000u       /* request buffers, up to ram_end - BUF_TAIL */
#define BUF_TAIL         0x2000u         /* the top of RAM stays unused (tables straddle it) */
#define SLOT             0x1000u
#define RS_MIN_RAM       0x400000u

struct vdesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} __attribute__((packed));

/* What the guest last told the device about queue 0, its bookkeeping and its counters. */
struct rs {
    uint32_t seed;
    uint32_t ram_end;
    uint32_t qmax;                  /* QueueNumMax */
    uint64_t capacity;              /* sectors */
    uint32_t num;                   /* QueueNum as written (maybe not a power of two) */
    uint64_t desc, avail, used;     /* as written */
    uint64_t features;              /* as written before FEATURES_OK */
    uint16_t avail_idx;             /* the next available index we publish */
    bool broken_seen;               /* DEVICE_NEEDS_RESET seen since the last reset */
    /* counters */
    uint64_t rounds, valid_ok, valid_bad, breaks, resets, notifies, wrong;
};

/* A pointer to guest-physical address a (paging is off). Laundered through an asm so the
 * compiler cannot see a constant 0 and treat the access as undefined. */
static inline void *phys(uint64_t a)
{
    uintptr_t p = (uintptr_t)a;
    __asm__("" : "+r"(p));
    return (void *)p;
}

/* ---- dev.c --------------------------------------------------------------------------- */
uint32_t rs_rd32(uint32_t off);
void rs_wr32(uint32_t off, uint32_t v);
uint16_t rs_rd16(uint32_t off);
void rs_wr16(uint32_t off, uint16_t v);
uint8_t rs_rd8(uint32_t off);
void rs_wr8(uint32_t off, uint8_t v);
/* Check MagicValue, Version 2 and DeviceID 2 and print what was found; false if it is
 * not a version 2 virtio-blk. Fills s->qmax and s->capacity. */
bool rs_probe(struct rs *s);
/* Tell the device where queue 0 is (QueueSel 0, QueueNum, the three areas); QueueReady is
 * not touched. */
void rs_queue_regs(struct rs *s, uint32_t num, uint64_t desc, uint64_t avail, uint64_t used);
/* Clear the avail and used rings we own at s's layout and reset our index. */
void rs_rings_clear(struct rs *s);
/* Reset the device (Status 0) and initialise it as a driver with features `want` (what
 * is offered of them, plus VERSION_1) and queue 0 at the given layout; DRIVER_OK last
 * unless hold_driver_ok. 0, or -1 with a reason in *why when the device refused a step. */
int rs_init(struct rs *s, uint64_t want, uint32_t num, uint64_t desc, uint64_t avail,
            uint64_t used, bool hold_driver_ok, const char **why);
/* Notify queue q (counted). */
void rs_notify(struct rs *s, uint32_t q);

/* ---- mem.c --------------------------------------------------------------------------- */
/* false (and a line saying why) if the zones do not fit this guest's image and RAM. */
bool rs_zones_check(struct rs *s);
/* Fill the DESC zone with harmless content (zero descriptors, the junk page). */
void rs_zones_init(void);
uint32_t rs_rand(struct rs *s);
uint32_t rs_below(struct rs *s, uint32_t n);     /* 0..n-1 (n > 0) */
/* An address outside this guest's RAM: its end, straddling it, the virtio, I/O APIC and
 * local APIC pages, 4 GiB, 2^52, just below 2^64... */
uint64_t rs_addr_outside(struct rs *s);
/* A random 16-byte aligned buffer of len bytes in the BUF zone (len <= 64 KiB). */
uint32_t rs_buf(struct rs *s, uint32_t len);
/* An adversarial address / length for a descriptor (anything: rs_sanitise follows). */
uint64_t rs_addr_any(struct rs *s);
uint32_t rs_len_any(struct rs *s);
/* Where QueueDesc / QueueDriver / QueueDevice may point (see the zones above): mostly a
 * good place, sometimes outside RAM, misaligned or straddling RAM's end. */
uint64_t rs_pick_desc(struct rs *s);
uint64_t rs_pick_avail(struct rs *s);
uint64_t rs_pick_used(struct rs *s);
/* Make d harmless to this guest (rules at the top of this file). */
void rs_sanitise(const struct rs *s, struct vdesc *d);
/* The descriptor table / available ring our builders write: the device's if it lies where
 * we may write, else a shadow the device does not read. tn is the number of entries both
 * hold (a power of two). */
struct vdesc *rs_desc_table(const struct rs *s, uint32_t *tn);
uint16_t *rs_avail_ring(const struct rs *s);
/* Write descriptor i of table t (sanitised first). */
void rs_put_desc(const struct rs *s, struct vdesc *t, uint32_t i, uint64_t addr, uint32_t len,
                 uint16_t flags, uint16_t next);
/* Publish head in the available ring (entry avail_idx, then avail_idx + 1). */
void rs_publish(struct rs *s, uint16_t head);
/* The used ring's index as the device last wrote it, if we can read it (false if not). */
bool rs_used_idx(const struct rs *s, uint16_t *idx);

/* ---- valid.c ------------------------------------------------------------------------- */
/* Byte x of the disk image (guests/ringscribble/mkdisk.py makes the same bytes). */
uint8_t rs_disk_byte(uint32_t x);
/* One checked read of a sector on a freshly set-up queue (after a reset if the device
 * needs one, a queue restart otherwise). Counts valid_ok or valid_bad (with a line). */
void rs_valid_read(struct rs *s);

/* ---- attack.c / regs.c ------------------------------------------------------------- */
/* One round of hostile ring contents, then a notify (most of the time). */
void rs_attack_ring(struct rs *s);
/* One round of hostile register writes. */
void rs_attack_regs(struct rs *s);
/* Reset the device and initialise it again, sometimes wrongly, sometimes with requests
 * made available and kicked before DRIVER_OK and then scribbled over. */
void rs_reinit(struct rs *s);

#endif
