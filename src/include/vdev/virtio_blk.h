/* virtio-blk (virtio 1.2, section 5.2): a disk whose bytes are an array in hypervisor
 * memory (a boot module's bytes, changed in place), behind any virtio transport
 * (vdev/virtio.h). One request queue; 512-byte sectors; requests IN, OUT, FLUSH and
 * GET_ID, the others answered UNSUPP.
 *
 * Offered features: SEG_MAX, SIZE_MAX, BLK_SIZE, FLUSH, and RO for a read-only disk. A
 * request's data is at most VBLK_SEG_MAX segments of VBLK_SIZE_MAX bytes, so one request
 * moves at most VBLK_REQ_MAX bytes: a guest that sends more (ignoring size_max) gets IOERR,
 * which bounds the copying one request can make the hypervisor do.
 *
 * Everything in a request is untrusted. A request must be: a 16-byte header
 * (type, reserved, sector) in its device-readable part, then the data (device-readable
 * for OUT, device-writable for IN and GET_ID), then one status byte, the last byte of its
 * device-writable part. A request without a writable byte has nowhere to say IOERR: the
 * queue is broken and the transport told (virtio_device_error). Every other malformed
 * request (short header, data in the wrong direction, a length not a multiple of 512,
 * sectors past the capacity, too large, a guest buffer that fails) is answered IOERR and
 * counted in errors. Not locked: the transport serialises calls. */
#ifndef KESTREL_VDEV_VIRTIO_BLK_H
#define KESTREL_VDEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/virtio.h"
#include "vdev/virtq.h"

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN      0u
#define VIRTIO_BLK_T_OUT     1u
#define VIRTIO_BLK_T_FLUSH   4u
#define VIRTIO_BLK_T_GET_ID  8u
#define VIRTIO_BLK_S_OK      0u
#define VIRTIO_BLK_S_IOERR   1u
#define VIRTIO_BLK_S_UNSUPP  2u

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX  (1ull << 1)
#define VIRTIO_BLK_F_SEG_MAX   (1ull << 2)
#define VIRTIO_BLK_F_RO        (1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE  (1ull << 6)
#define VIRTIO_BLK_F_FLUSH     (1ull << 9)

#define VBLK_SECTOR       512u
#define VBLK_HDR_LEN      16u
#define VBLK_ID_BYTES     20u           /* GET_ID: the serial, NUL-padded, no terminator */
#define VBLK_QUEUE_MAX    256u          /* queue size offered */
#define VBLK_SEG_MAX      (VIRTQ_MAX_SEGS - 2u)   /* data segments: header and status aside */
#define VBLK_SIZE_MAX     (128u * 1024u)         /* bytes per data segment */
#define VBLK_REQ_MAX      ((uint64_t)VBLK_SEG_MAX * VBLK_SIZE_MAX)
#define VBLK_CONFIG_SIZE  64u           /* struct virtio_blk_config's span; past blk_size reads 0 */

/* Configuration space offsets (5.2.4). */
#define VBLK_CFG_CAPACITY  0u           /* le64, sectors */
#define VBLK_CFG_SIZE_MAX  8u           /* le32 */
#define VBLK_CFG_SEG_MAX   12u          /* le32 */
#define VBLK_CFG_BLK_SIZE  20u          /* le32 */

/* The disk: size bytes at data (a trailing partial sector is not part of the disk). */
struct vblk_backing {
    uint8_t *data;
    uint64_t size;
    bool ro;
};

/* What `block-list` shows. */
struct vblk_stats {
    uint64_t reads, writes, flushes, get_ids;   /* requests completed OK */
    uint64_t bytes_read, bytes_written;         /* data moved by them */
    uint64_t errors;                            /* answered IOERR, or broke the queue */
    uint64_t unsupported;                       /* answered UNSUPP */
};

struct vblk {
    struct vblk_backing disk;
    uint64_t capacity;                  /* sectors */
    char serial[VBLK_ID_BYTES];
    struct vblk_stats stats;
    struct virtq_req req;               /* scratch for notify (4 KiB, off the stack) */
};

/* Set b up for disk (copied; its bytes are used in place) with serial (e.g. the module's
 * name; its first VBLK_ID_BYTES bytes, NUL-padded). Counters start at 0. */
void vblk_init(struct vblk *b, const struct vblk_backing *disk, const char *serial);

/* The ops to give the transport with dev = b: they differ in the RO feature only. */
const struct virtio_dev_ops *vblk_dev_ops(const struct vblk *b);

extern const struct virtio_dev_ops vblk_ops_rw, vblk_ops_ro;

#endif
