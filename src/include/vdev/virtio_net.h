/* virtio-net, the network card (virtio 1.2, section 5.1), behind any virtio transport
 * (vdev/virtio.h): queue 0 receives (the driver posts device-writable buffers the device
 * fills with frames from the switch), queue 1 transmits (the driver's device-readable
 * frames go to the switch through the integrator's send callback). Features MAC and STATUS
 * only: no offloads, no mergeable receive buffers, no control queue, one queue pair.
 *
 * Every buffer starts with the 12-byte struct virtio_net_hdr (VERSION_1 layout, with
 * num_buffers). On TX it is checked for length and ignored (no offloads were offered); on
 * RX the device writes it all zero but num_buffers = 1, which the spec requires when
 * MRG_RXBUF is not negotiated (5.1.6.4.2) and which drivers ignore.
 *
 * Bounded: a frame is 14..VNET_FRAME_MAX bytes (1518 + a VLAN tag) both ways; a notify on
 * the transmit queue takes at most VNET_TX_BUDGET requests (so one exit's work is bounded
 * whatever the guest queued, and the switch's deliveries with it); the rest stay in the
 * ring, tx_pending says so, and the integrator calls vnet_poll at the sending vCPU's next
 * turn, which takes the next batch (so the time goes to the sender's share, and a guest
 * that queued a full ring and waits for its interrupt is still served); a received frame uses
 * one posted buffer or is dropped and counted (never queued, never waited for). Receive
 * buffers too small for header + frame, with device-readable parts, or that guest memory
 * fails are returned empty (used length 0: Linux drops them as too short and reposts).
 * Not locked: the integrator serialises notify and vnet_receive on one NIC. */
#ifndef KESTREL_VDEV_VIRTIO_NET_H
#define KESTREL_VDEV_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vdev/virtio.h"
#include "vdev/virtq.h"

#define VIRTIO_NET_F_MAC     (1ull << 5)
#define VIRTIO_NET_F_STATUS  (1ull << 16)
#define VIRTIO_NET_S_LINK_UP 1u

#define VNET_RXQ        0u
#define VNET_TXQ        1u
#define VNET_QUEUE_MAX  256u
#define VNET_HDR_LEN    12u             /* struct virtio_net_hdr with num_buffers */
#define VNET_FRAME_MIN  14u             /* an Ethernet header */
#define VNET_FRAME_MAX  (1518u + 4u)    /* largest frame without FCS, VLAN-tagged */
#define VNET_CONFIG_SIZE 8u             /* mac[6], status (le16) */
#define VNET_TX_BUDGET  32u             /* transmit requests taken per notify or poll */

/* Hand a frame to the switch; the frame is only valid during the call. Returns 0, or
 * negative if the switch dropped it (the device does not care: the frame is sent). */
typedef int (*vnet_send_fn)(void *ctx, const uint8_t *frame, size_t len);

struct vnet_stats {
    uint64_t tx, rx;                /* frames sent to the switch / given to the guest */
    uint64_t tx_bytes, rx_bytes;    /* their bytes, headers not counted */
    uint64_t rx_dropped;            /* frames from the switch the guest did not get */
    uint64_t tx_bad;                /* transmit requests refused (length, memory) */
    uint64_t tx_deferred;           /* batches that ran out of budget (rest left queued) */
};

struct vnet {
    uint8_t mac[6];
    struct virtio_transport *t;     /* set by the integrator after the transport's init */
    vnet_send_fn send;
    void *ctx;
    struct vnet_stats stats;
    bool tx_pending;                /* a batch ran out of budget: vnet_poll has work */
    struct virtq_req req;           /* scratch, off the stack */
    uint8_t frame[VNET_FRAME_MAX];  /* scratch for one transmitted frame */
};

/* Set n up with its MAC and the switch's send callback; counters 0, no transport yet. */
void vnet_init(struct vnet *n, const uint8_t mac[6], vnet_send_fn send, void *ctx);

/* A frame from the switch for this NIC: into the next posted receive buffer (header +
 * frame) and interrupt the driver, or dropped and counted when there is no transport, no
 * posted buffer, a broken queue, or the frame is outside 14..VNET_FRAME_MAX bytes. */
void vnet_receive(struct vnet *n, const uint8_t *frame, size_t len);

/* The sender's next turn: if the last transmit batch ran out of budget, take the next one
 * (at most VNET_TX_BUDGET requests), as a notify would. Cheap when tx_pending is clear. */
void vnet_poll(struct vnet *n);

extern const struct virtio_dev_ops vnet_ops;

#endif
