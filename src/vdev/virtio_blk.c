/* virtio-blk: parse each request of the queue, check it against the disk and move its
 * bytes between guest buffers and the backing array (vdev/virtio_blk.h has the rules). */
#include "vdev/virtio_blk.h"

#include "lib/string.h"

/* The header and the request's shape once checked. */
struct blk_req {
    uint32_t type;
    uint64_t sector;
    uint64_t data_len;                  /* bytes between header and status */
    uint64_t status_off;                /* the status byte's offset in the writable part */
};

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* Contract: see virtio_blk.h. */
void vblk_init(struct vblk *b, const struct vblk_backing *disk, const char *serial)
{
    memset(b, 0, sizeof(*b));
    b->disk = *disk;
    if (!b->disk.data)
        b->disk.size = 0;
    b->capacity = b->disk.size / VBLK_SECTOR;
    if (serial)
        memcpy(b->serial, serial, strnlen(serial, VBLK_ID_BYTES));
}

/* The configuration space as bytes (little-endian fields, the rest 0). */
static void config_bytes(const struct vblk *b, uint8_t cfg[VBLK_CONFIG_SIZE])
{
    uint64_t cap = b->capacity;
    uint32_t words[3][2] = { { VBLK_CFG_SIZE_MAX, VBLK_SIZE_MAX },
                             { VBLK_CFG_SEG_MAX, VBLK_SEG_MAX },
                             { VBLK_CFG_BLK_SIZE, VBLK_SECTOR } };

    memset(cfg, 0, VBLK_CONFIG_SIZE);
    for (unsigned i = 0; i < 8; i++)
        cfg[VBLK_CFG_CAPACITY + i] = (uint8_t)(cap >> (8 * i));
    for (unsigned w = 0; w < 3; w++)
        for (unsigned i = 0; i < 4; i++)
            cfg[words[w][0] + i] = (uint8_t)(words[w][1] >> (8 * i));
}

/* Contract: virtio_dev_ops.config_read: size bytes at off, little-endian; 0 outside. */
static uint32_t vblk_config_read(void *dev, unsigned off, unsigned size)
{
    uint8_t cfg[VBLK_CONFIG_SIZE];
    uint32_t val = 0;

    if (size > 4 || off >= VBLK_CONFIG_SIZE || size > VBLK_CONFIG_SIZE - off)
        return 0;
    config_bytes(dev, cfg);
    for (unsigned i = 0; i < size; i++)
        val |= (uint32_t)cfg[off + i] << (8 * i);
    return val;
}

/* Read and check the request's shape: 0 with br's type, sector and data_len filled, or the status to answer it with
 * (the caller has made sure there is a status byte). The data direction is the type's:
 * readable after the header for OUT, writable before the status for IN and GET_ID, none
 * for FLUSH; bytes in the other direction are an error. */
static int parse(const struct virtq_req *r, const struct virtq_mem *mem, struct blk_req *br)
{
    uint8_t hdr[VBLK_HDR_LEN];

    if (r->out_len < VBLK_HDR_LEN ||
        virtq_gather(r, mem, 0, hdr, VBLK_HDR_LEN) != VBLK_HDR_LEN)
        return VIRTIO_BLK_S_IOERR;
    br->type = get_le32(hdr);
    br->sector = get_le64(hdr + 8);
    uint64_t extra_out = r->out_len - VBLK_HDR_LEN, extra_in = r->in_len - 1;
    switch (br->type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_GET_ID:
        br->data_len = extra_in;
        return extra_out ? VIRTIO_BLK_S_IOERR : 0;
    case VIRTIO_BLK_T_OUT:
        br->data_len = extra_out;
        return extra_in ? VIRTIO_BLK_S_IOERR : 0;
    case VIRTIO_BLK_T_FLUSH:
        br->data_len = 0;
        return extra_in || extra_out ? VIRTIO_BLK_S_IOERR : 0;
    default:
        return VIRTIO_BLK_S_UNSUPP;
    }
}

/* The byte offset in the disk of an IN/OUT request's data, or -1 if its length is not
 * whole sectors, is above VBLK_REQ_MAX or does not lie within the capacity (checked
 * without overflow). */
static int64_t disk_offset(const struct vblk *b, const struct blk_req *br)
{
    uint64_t nsect = br->data_len / VBLK_SECTOR;

    if (br->data_len % VBLK_SECTOR || br->data_len > VBLK_REQ_MAX ||
        br->sector > b->capacity || nsect > b->capacity - br->sector)
        return -1;
    return (int64_t)(br->sector * VBLK_SECTOR);
}

/* Carry out a well-formed request; returns its status and sets *written to the bytes put
 * in the writable part before the status byte. */
static int execute(struct vblk *b, const struct virtq_req *r, const struct virtq_mem *mem,
                   const struct blk_req *br, uint64_t *written)
{
    int64_t pos;
    size_t n;

    *written = 0;
    switch (br->type) {
    case VIRTIO_BLK_T_IN:
        if ((pos = disk_offset(b, br)) < 0)
            return VIRTIO_BLK_S_IOERR;
        n = virtq_scatter(r, mem, 0, b->disk.data + pos, br->data_len);
        *written = n;
        if (n != br->data_len)
            return VIRTIO_BLK_S_IOERR;
        b->stats.reads++;
        b->stats.bytes_read += n;
        return VIRTIO_BLK_S_OK;
    case VIRTIO_BLK_T_OUT:
        if (b->disk.ro || (pos = disk_offset(b, br)) < 0)
            return VIRTIO_BLK_S_IOERR;
        if (virtq_gather(r, mem, VBLK_HDR_LEN, b->disk.data + pos, br->data_len) !=
            br->data_len)
            return VIRTIO_BLK_S_IOERR;
        b->stats.writes++;
        b->stats.bytes_written += br->data_len;
        return VIRTIO_BLK_S_OK;
    case VIRTIO_BLK_T_FLUSH:
        b->stats.flushes++;         /* the array is the disk: nothing is cached */
        return VIRTIO_BLK_S_OK;
    default:                        /* GET_ID: as much of the serial as fits */
        n = br->data_len < VBLK_ID_BYTES ? br->data_len : VBLK_ID_BYTES;
        *written = virtq_scatter(r, mem, 0, b->serial, n);
        if (*written != n)
            return VIRTIO_BLK_S_IOERR;
        b->stats.get_ids++;
        return VIRTIO_BLK_S_OK;
    }
}

/* Answer one request taken from queue q: 0, or -1 if it has no status byte or the used
 * ring is not in guest RAM (the queue is then broken and the transport told). */
static int serve(struct vblk *b, struct virtio_transport *t, struct virtq *q,
                 const struct virtq_req *r)
{
    const struct virtq_mem *mem = virtio_mem(t);
    struct blk_req br;
    uint64_t written = 0;

    if (r->in_len == 0) {
        b->stats.errors++;
        q->broken = true;
        virtio_device_error(t);
        return -1;
    }
    br.status_off = r->in_len - 1;
    int status = parse(r, mem, &br);
    if (status == 0)
        status = execute(b, r, mem, &br, &written);
    if (status == VIRTIO_BLK_S_IOERR)
        b->stats.errors++;
    else if (status == VIRTIO_BLK_S_UNSUPP)
        b->stats.unsupported++;
    uint8_t s = (uint8_t)status;
    if (virtq_scatter(r, mem, br.status_off, &s, 1) == 1)
        written++;
    else if (status == VIRTIO_BLK_S_OK)
        b->stats.errors++;          /* the driver cannot learn it went well */
    if (virtq_push(q, mem, r->head, (uint32_t)written) == 0)
        return 0;
    virtio_device_error(t);             /* the used ring is not in guest RAM */
    return -1;
}

/* Contract: virtio_dev_ops.notify: answer every pending request of the request queue
 * (at most the queue's size per call, so a driver refilling it from another CPU cannot
 * keep us here), then interrupt the driver if it wants to be. A malformed ring breaks the
 * queue and tells the transport. */
static void vblk_notify(void *dev, struct virtio_transport *t, unsigned qi)
{
    struct vblk *b = dev;
    struct virtq *q = virtio_queue(t, qi);
    struct virtq_req *req = &b->req;

    if (qi != 0 || !q)
        return;
    uint16_t old_used = q->used_idx;
    for (unsigned n = 0; n < q->num; n++) {
        int rc = virtq_pop(q, virtio_mem(t), req);
        if (rc < 0) {
            b->stats.errors++;
            virtio_device_error(t);
        }
        if (rc <= 0 || serve(b, t, q, req))
            break;
    }
    if (q->used_idx != old_used)
        virtio_used(t, qi, old_used);
}

/* Contract: virtio_dev_ops.reset: nothing to forget (no request is ever left half done;
 * the counters are the disk's, kept across driver resets). */
static void vblk_reset(void *dev)
{
    (void)dev;
}

#define VBLK_FEATURES (VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_SIZE_MAX | \
                       VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH)

const struct virtio_dev_ops vblk_ops_rw = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .features = VBLK_FEATURES,
    .num_queues = 1,
    .queue_max = VBLK_QUEUE_MAX,
    .config_size = VBLK_CONFIG_SIZE,
    .config_read = vblk_config_read,
    .notify = vblk_notify,
    .reset = vblk_reset,
};

const struct virtio_dev_ops vblk_ops_ro = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .features = VBLK_FEATURES | VIRTIO_BLK_F_RO,
    .num_queues = 1,
    .queue_max = VBLK_QUEUE_MAX,
    .config_size = VBLK_CONFIG_SIZE,
    .config_read = vblk_config_read,
    .notify = vblk_notify,
    .reset = vblk_reset,
};

/* Contract: see virtio_blk.h. */
const struct virtio_dev_ops *vblk_dev_ops(const struct vblk *b)
{
    return b->disk.ro ? &vblk_ops_ro : &vblk_ops_rw;
}
