/* virtio-balloon (virtio 1.2, section 5.5): how the host asks a guest for memory back and
 * gives it again, behind any virtio transport (vdev/virtio.h). Two queues, inflate (0)
 * and deflate (1), each request an array of 32-bit page frame numbers of 4 KiB pages;
 * config num_pages (the balloon size the host wants, set by vballoon_set_target) and
 * actual (the size the guest says it has reached).
 *
 * The device only reports: for each inflated page it calls give(ctx, gpa) (the hypervisor
 * unmaps and frees the page), for each deflated one take(ctx, gpa) (the hypervisor maps a
 * fresh zeroed page there). Either may refuse (not RAM, already given, above maxmem):
 * refused pages are skipped and counted, never fatal. The callbacks own every memory
 * decision; the device trusts nothing the guest says and bounds the work per request
 * (VBALLOON_PFNS_PER_REQ pages; Linux sends at most 256) and per notify (one pass over the
 * queue), so a lying guest only wastes its own time.
 *
 * Feature VIRTIO_BALLOON_F_MUST_TELL_HOST is offered: a driver that accepts it promises to
 * deflate (tell us) before it touches a page it had given, so the page is mapped again
 * first; the negotiated value is in must_tell for the integrator (a driver that declines
 * may touch given pages unannounced). Not locked: the transport serialises calls. */
#ifndef KESTREL_VDEV_VIRTIO_BALLOON_H
#define KESTREL_VDEV_VIRTIO_BALLOON_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/virtio.h"
#include "vdev/virtq.h"

#define VIRTIO_BALLOON_F_MUST_TELL_HOST  (1ull << 0)

#define VBALLOON_Q_INFLATE      0u
#define VBALLOON_Q_DEFLATE      1u
#define VBALLOON_PAGE_SHIFT     12u         /* PFNs are of 4 KiB pages, whatever the guest's */
#define VBALLOON_QUEUE_MAX      128u
#define VBALLOON_PFNS_PER_REQ   1024u       /* pages one request may move; more are dropped */

/* Configuration space (5.5.4): two little-endian 32-bit words. */
#define VBALLOON_CFG_NUM_PAGES  0u
#define VBALLOON_CFG_ACTUAL     4u
#define VBALLOON_CONFIG_SIZE    8u

/* The integrator's page decisions: 0 done, anything else refused. */
struct vballoon_cb {
    int (*give)(void *ctx, uint64_t gpa);
    int (*take)(void *ctx, uint64_t gpa);
    void *ctx;
};

/* What `list` and `meminfo` show. */
struct vballoon_stats {
    uint64_t given, taken;          /* pages the callbacks accepted */
    uint64_t refused;               /* pages a callback refused */
    uint64_t dropped;               /* PFNs past VBALLOON_PFNS_PER_REQ, or unreadable */
    uint64_t bad_requests;          /* device-writable buffers, a partial PFN */
};

struct vballoon {
    struct vballoon_cb cb;
    struct virtio_transport *t;     /* told of target changes; may be NULL */
    uint32_t num_pages;             /* the host's target balloon size, pages */
    uint32_t actual;                /* the guest's word: pages in its balloon */
    bool must_tell;                 /* MUST_TELL_HOST negotiated (since DRIVER_OK) */
    struct vballoon_stats stats;
    struct virtq_req req;           /* scratch for notify (4 KiB, off the stack) */
};

/* Set b up: target 0, actual 0, counters 0; cb copied; t (the transport b sits behind,
 * may be NULL until known) kept for configuration-change interrupts. */
void vballoon_init(struct vballoon *b, const struct vballoon_cb *cb,
                   struct virtio_transport *t);

/* The host wants the balloon to hold pages pages (4 KiB): sets num_pages and, if it
 * changed and a transport is known, signals a configuration change. */
void vballoon_set_target(struct vballoon *b, uint32_t pages);

extern const struct virtio_dev_ops vballoon_ops;

#endif
