/* The split virtqueue as a virtio device sees it (virtio 1.x, 2.7 "Split Virtqueues"):
 * taking the driver's requests from the available ring, describing each as the chain of
 * guest buffers it names, and returning them through the used ring (src/vdev/virtq.c).
 * Everything in the rings is written by the guest and is untrusted: indices, addresses,
 * lengths and chains are checked, chains are bounded, and a malformed ring stops the queue
 * (broken) instead of being guessed at. Pure: guest memory is reached only through the
 * caller's struct virtq_mem. */
#ifndef KESTREL_VDEV_VIRTQ_H
#define KESTREL_VDEV_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_MAX_NUM   1024u       /* the largest queue a device offers */
#define VIRTQ_MAX_SEGS  256u        /* buffers in one request (after indirect expansion) */

#define VIRTQ_DESC_F_NEXT     1u
#define VIRTQ_DESC_F_WRITE    2u
#define VIRTQ_DESC_F_INDIRECT 4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

/* Guest memory as the device reaches it: copy to/from guest-physical addresses; each
 * returns 0, or -1 if any byte of [gpa, gpa + len) is not the guest's RAM. */
struct virtq_mem {
    int (*read)(void *ctx, uint64_t gpa, void *dst, size_t len);
    int (*write)(void *ctx, uint64_t gpa, const void *src, size_t len);
    void *ctx;
};

struct virtq {
    uint16_t num;               /* queue size the driver chose (power of 2, <= VIRTQ_MAX_NUM) */
    uint64_t desc, avail, used; /* guest-physical addresses of the three areas */
    bool ready;
    uint16_t last_avail;        /* the next available-ring slot the device takes */
    uint16_t used_idx;          /* the device's used index */
    bool event_idx;             /* VIRTIO_F_EVENT_IDX negotiated */
    bool broken;                /* a malformed ring was seen: the queue takes nothing more */
};

/* One buffer of a request: device-readable (write false) or device-writable. */
struct virtq_seg {
    uint64_t gpa;
    uint32_t len;
    bool write;
};

/* One request: the chain of one available entry, indirect tables expanded. */
struct virtq_req {
    uint16_t head;              /* the descriptor index to give back in the used ring */
    unsigned nseg;
    struct virtq_seg seg[VIRTQ_MAX_SEGS];
    uint64_t out_len;           /* bytes device-readable (the driver's request) */
    uint64_t in_len;            /* bytes device-writable (room for the reply) */
};

/* Forget the queue's setup and progress (device reset). */
void virtq_reset(struct virtq *q);

/* Take the next available request: 1 with *req filled, 0 if none is pending (or the queue
 * is not ready or broken), -1 if the ring is malformed: the queue is then marked broken.
 * Checked: num a power of two <= VIRTQ_MAX_NUM; the areas aligned (16, 2, 4) and in guest
 * RAM; the available index at most num ahead of last_avail; every descriptor index < num; a
 * chain ends within num descriptors (a loop is an error, not a hang) and VIRTQ_MAX_SEGS
 * buffers; an indirect table is 16-byte entries, not nested, not combined with NEXT, at
 * most num entries, starting and ending in guest RAM; device-readable buffers come before
 * device-writable ones; each buffer's first and last bytes are guest RAM (a hole inside
 * one shows as a short gather/scatter); each direction's total fits in 32 bits (the used
 * ring's len). INDIRECT is accepted whether or not it was negotiated.
 * With event_idx, finding the ring empty writes avail_event (= last_avail) and looks once
 * more, so the driver notifies for its next entry: a device pops until 0 before it waits
 * for a notification. */
int virtq_pop(struct virtq *q, const struct virtq_mem *mem, struct virtq_req *req);

/* Give a finished request back: (head, written) into the used ring, then the used index.
 * 0, or -1: the queue is not ready, broken, or head >= num (a device bug: nothing is
 * written), or the used ring is not in guest RAM (the queue is then marked broken). */
int virtq_push(struct virtq *q, const struct virtq_mem *mem, uint16_t head, uint32_t written);

/* After one or more pushes that moved used_idx from old_used: should the device interrupt
 * the driver (VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX)? False if nothing
 * was pushed or the queue is broken; true if the driver's field cannot be read. */
bool virtq_should_notify(struct virtq *q, const struct virtq_mem *mem, uint16_t old_used);

/* Copy up to len device-readable bytes starting at byte off of the request's readable part
 * into dst / len bytes from src into its writable part at off. Return the bytes copied
 * (short at the end of that part, or where guest memory fails). */
size_t virtq_gather(const struct virtq_req *r, const struct virtq_mem *mem, uint64_t off,
                    void *dst, size_t len);
size_t virtq_scatter(const struct virtq_req *r, const struct virtq_mem *mem, uint64_t off,
                     const void *src, size_t len);

#endif
