/* The learning Ethernet switch behind a Kestrel bridge (issue 18): domains' virtio-net
 * NICs are its ports. A frame a NIC sends goes to the port that owns its destination MAC,
 * or is flooded (broadcast, multicast, unknown unicast) to every other port; never back to
 * the port it came from. A port may only send with its own MAC as the source (anything
 * else is dropped and counted as spoofed), so one domain cannot impersonate another or
 * poison the forwarding database (FDB).
 *
 * A pure module: no allocation, no locks, no hardware; the caller owns the struct and
 * serialises every call on one switch. The deliver callbacks run inside netsw_send and
 * must not call back into the same switch (they copy the frame into their NIC's RX queue,
 * or drop it if the queue is full).
 *
 * FDB: NETSW_FDB_SIZE entries, learned from accepted frames' source MACs, forgotten when
 * their port detaches. No ageing (there is no clock; a port's MAC cannot move while it is
 * attached). When the FDB is full a new source evicts the least recently seen entry
 * (counted in fdb_evicted); since sources are anti-spoofed the FDB holds at most one
 * entry per attached port, so with 256 entries and 16 ports this is defence, not policy.
 * NETSW_FDB_SIZE may be overridden at build time (tests shrink it to reach the full case).
 *
 * Storm control (a flood costs only the flooder): what a port floods (broadcast, multicast,
 * unknown unicast) is copied into every other port's receive ring, so one domain flooding
 * would fill its neighbours' rings and make them spend their CPU on its frames. Like a
 * hardware switch's storm control, each port may flood at most `rate` frames a second on
 * average with bursts of `burst` (a token bucket per port, refilled from the time the
 * caller gives with netsw_set_time); beyond that its flooded frames are dropped and counted
 * against it (flood_limited). Unicast to a learned MAC is never limited: it reaches one
 * port, whose own ring bounds it. Off (rate 0) until netsw_set_storm_limit. */
#ifndef KESTREL_VDEV_NETSWITCH_H
#define KESTREL_VDEV_NETSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETSW_MAX_PORTS 16
#ifndef NETSW_FDB_SIZE
#define NETSW_FDB_SIZE  256             /* learned MACs per bridge */
#endif
#define NETSW_FRAME_MAX 1518            /* Ethernet frame without FCS, 802.1Q adds 4: 1522 */
#define NETSW_FRAME_MIN 14              /* destination, source, EtherType */
#define NETSW_MAC_LEN   6

/* Give one frame to a NIC's receive side; the frame is only valid during the call. */
typedef void (*netsw_deliver_fn)(void *ctx, const uint8_t *frame, size_t len);

struct netsw_port {                     /* one vif on the bridge */
    bool used;
    uint8_t mac[NETSW_MAC_LEN];         /* the vif's own MAC: the only source it may send */
    netsw_deliver_fn deliver;           /* into the NIC's RX */
    void *ctx;
    /* The NIC's view: tx = frames it sent that the switch accepted, rx = frames delivered
     * to it; spoofed = sent with another source MAC; dropped = sent too short, too long,
     * or addressed to its own MAC. Every send on this port counts in exactly one of
     * tx_frames, spoofed, dropped, flood_limited (flooded beyond the storm limit). Zeroed
     * on attach. */
    uint64_t tx_frames, rx_frames, tx_bytes, rx_bytes, spoofed, dropped, flood_limited;
    uint32_t flood_tokens;              /* frames it may still flood now (<= storm_burst) */
    uint64_t flood_refill_ns;           /* the time its tokens were last counted up to */
};

struct netsw_fdb_entry {
    bool used;
    uint8_t mac[NETSW_MAC_LEN];
    uint8_t port;
    uint64_t seen;                      /* sw->clock when last seen as a source */
};

struct netsw {
    char name[16];
    struct netsw_port port[NETSW_MAX_PORTS];
    struct netsw_fdb_entry fdb[NETSW_FDB_SIZE];
    uint64_t clock;                     /* counts accepted frames: the FDB's notion of age */
    uint64_t bad_port;                  /* sends on a port number not attached */
    uint64_t fdb_evicted;               /* entries pushed out by a full FDB */
    uint32_t storm_rate;                /* flooded frames per second per port; 0: no limit */
    uint32_t storm_burst;               /* a port's bucket size, >= 1 when rate is set */
    uint64_t now_ns;                    /* the caller's clock (netsw_set_time) */
};

/* Empty the switch and name it (cut to 15 characters; NULL names it ""). */
void netsw_init(struct netsw *sw, const char *name);

/* Plug a NIC with MAC mac into the lowest free port; deliver(ctx, ...) receives its frames.
 * Returns the port number, or -1 if the switch is full, mac is already on the bridge, mac
 * is multicast or all zeroes, or deliver is NULL. */
int netsw_attach(struct netsw *sw, const uint8_t mac[NETSW_MAC_LEN], netsw_deliver_fn deliver,
                 void *ctx);

/* Unplug port: no frame reaches it any more and its FDB entries are forgotten. A port
 * number out of range or not attached is ignored. */
void netsw_detach(struct netsw *sw, int port);

/* A frame the NIC on `port` sent: dropped and counted if shorter than 14 bytes or longer
 * than NETSW_FRAME_MAX+4, or if its source MAC is not the port's own (spoofing); else the
 * source is learned, and the frame goes to the port owning the destination, or is flooded
 * (broadcast, multicast, unknown unicast) to every other port if the port's storm limit
 * allows (else dropped and counted in flood_limited); never back to its sender (a frame to
 * the sender's own MAC is dropped). A port not attached counts in bad_port. */
void netsw_send(struct netsw *sw, int port, const uint8_t *frame, size_t len);

/* Limit what each port floods to rate frames a second on average, bursts of burst (at least
 * 1; a port starts with a full bucket); rate 0 removes the limit. Every port's bucket is
 * refilled to burst. */
void netsw_set_storm_limit(struct netsw *sw, uint32_t rate, uint32_t burst);

/* The time now in nanoseconds, from any monotonic clock: the storm limit's buckets refill
 * from it. A time earlier than the last one given is taken as no time passing. */
void netsw_set_time(struct netsw *sw, uint64_t now_ns);

/* The bridge's name, its ports with their counters and its learned MACs, one per line,
 * cut to fit buf[0..len), NUL-terminated. Returns the length written without the NUL. */
size_t netsw_dump(const struct netsw *sw, char *buf, size_t len);

#endif
