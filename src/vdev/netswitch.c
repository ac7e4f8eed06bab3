/* The learning Ethernet switch behind a bridge: ports, anti-spoofing, the forwarding
 * database and flooding (vdev/netswitch.h). */
#include "vdev/netswitch.h"

#include <stdarg.h>

#include "lib/format.h"
#include "lib/string.h"

static const uint8_t zero_mac[NETSW_MAC_LEN];

/* True if mac is a group address (broadcast included): the I/G bit of its first byte. */
static bool mac_is_multicast(const uint8_t *mac)
{
    return (mac[0] & 1u) != 0;
}

/* The attached port numbered port, or NULL when it is out of range or free. */
static struct netsw_port *port_at(struct netsw *sw, int port)
{
    if (port < 0 || port >= NETSW_MAX_PORTS || !sw->port[port].used)
        return NULL;
    return &sw->port[port];
}

/* The FDB entry for mac, or NULL. */
static struct netsw_fdb_entry *fdb_find(struct netsw *sw, const uint8_t *mac)
{
    for (unsigned i = 0; i < NETSW_FDB_SIZE; i++)
        if (sw->fdb[i].used && memcmp(sw->fdb[i].mac, mac, NETSW_MAC_LEN) == 0)
            return &sw->fdb[i];
    return NULL;
}

/* A free FDB entry, or the least recently seen one (evicted) when the FDB is full. */
static struct netsw_fdb_entry *fdb_slot(struct netsw *sw)
{
    struct netsw_fdb_entry *oldest = &sw->fdb[0];

    for (unsigned i = 0; i < NETSW_FDB_SIZE; i++) {
        if (!sw->fdb[i].used)
            return &sw->fdb[i];
        if (sw->fdb[i].seen < oldest->seen)
            oldest = &sw->fdb[i];
    }
    sw->fdb_evicted++;
    return oldest;
}

/* Record that mac was last seen as a source on port (a unicast MAC, checked by the caller). */
static void fdb_learn(struct netsw *sw, const uint8_t *mac, int port)
{
    struct netsw_fdb_entry *e = fdb_find(sw, mac);

    if (!e) {
        e = fdb_slot(sw);
        e->used = true;
        memcpy(e->mac, mac, NETSW_MAC_LEN);
    }
    e->port = (uint8_t)port;
    e->seen = sw->clock;
}

/* Contract: see netswitch.h. */
void netsw_init(struct netsw *sw, const char *name)
{
    memset(sw, 0, sizeof(*sw));
    if (name) {
        size_t n = strnlen(name, sizeof(sw->name) - 1);
        memcpy(sw->name, name, n);
    }
}

/* Contract: see netswitch.h. */
int netsw_attach(struct netsw *sw, const uint8_t mac[NETSW_MAC_LEN], netsw_deliver_fn deliver,
                 void *ctx)
{
    int free_port = -1;

    if (!mac || !deliver || mac_is_multicast(mac) || memcmp(mac, zero_mac, NETSW_MAC_LEN) == 0)
        return -1;
    for (int i = 0; i < NETSW_MAX_PORTS; i++) {
        if (!sw->port[i].used) {
            if (free_port < 0)
                free_port = i;
        } else if (memcmp(sw->port[i].mac, mac, NETSW_MAC_LEN) == 0) {
            return -1;
        }
    }
    if (free_port < 0)
        return -1;
    struct netsw_port *p = &sw->port[free_port];
    memset(p, 0, sizeof(*p));
    p->used = true;
    memcpy(p->mac, mac, NETSW_MAC_LEN);
    p->deliver = deliver;
    p->ctx = ctx;
    p->flood_tokens = sw->storm_burst;
    p->flood_refill_ns = sw->now_ns;
    return free_port;
}

/* Contract: see netswitch.h. */
void netsw_detach(struct netsw *sw, int port)
{
    struct netsw_port *p = port_at(sw, port);

    if (!p)
        return;
    for (unsigned i = 0; i < NETSW_FDB_SIZE; i++)
        if (sw->fdb[i].used && sw->fdb[i].port == port)
            memset(&sw->fdb[i], 0, sizeof(sw->fdb[i]));
    memset(p, 0, sizeof(*p));
}

#define NS_PER_S 1000000000ull

/* Contract: see netswitch.h. */
void netsw_set_storm_limit(struct netsw *sw, uint32_t rate, uint32_t burst)
{
    sw->storm_rate = rate;
    sw->storm_burst = rate ? (burst ? burst : 1) : 0;
    for (unsigned i = 0; i < NETSW_MAX_PORTS; i++) {
        sw->port[i].flood_tokens = sw->storm_burst;
        sw->port[i].flood_refill_ns = sw->now_ns;
    }
}

/* Contract: see netswitch.h. */
void netsw_set_time(struct netsw *sw, uint64_t now_ns)
{
    if (now_ns > sw->now_ns)
        sw->now_ns = now_ns;
}

/* May port p flood one more frame now? Refills its bucket by the time passed (whole
 * frames only: the remainder of the time is kept for the next refill), then takes a
 * token. Overflow-free: the time counted is below burst/rate seconds, so its product with
 * rate stays below burst * 1e9. */
static bool flood_allowed(struct netsw *sw, struct netsw_port *p)
{
    if (!sw->storm_rate)
        return true;
    uint64_t elapsed = sw->now_ns > p->flood_refill_ns ? sw->now_ns - p->flood_refill_ns : 0;
    uint64_t full = (uint64_t)sw->storm_burst * NS_PER_S / sw->storm_rate;
    if (elapsed >= full) {
        p->flood_tokens = sw->storm_burst;
        p->flood_refill_ns = sw->now_ns;
    } else {
        uint64_t add = elapsed * sw->storm_rate / NS_PER_S;
        if (add) {
            uint64_t t = p->flood_tokens + add;
            p->flood_tokens = t < sw->storm_burst ? (uint32_t)t : sw->storm_burst;
            p->flood_refill_ns += add * NS_PER_S / sw->storm_rate;
        }
    }
    if (!p->flood_tokens)
        return false;
    p->flood_tokens--;
    return true;
}

/* Give the frame to port to (attached, not the sender) and count it there. */
static void deliver_to(struct netsw *sw, int to, const uint8_t *frame, size_t len)
{
    struct netsw_port *p = &sw->port[to];

    p->rx_frames++;
    p->rx_bytes += len;
    p->deliver(p->ctx, frame, len);
}

/* Contract: see netswitch.h. */
void netsw_send(struct netsw *sw, int port, const uint8_t *frame, size_t len)
{
    struct netsw_port *src = port_at(sw, port);
    const uint8_t *dst_mac = frame, *src_mac = frame + NETSW_MAC_LEN;

    if (!src) {
        sw->bad_port++;
        return;
    }
    if (!frame || len < NETSW_FRAME_MIN || len > NETSW_FRAME_MAX + 4) {
        src->dropped++;
        return;
    }
    if (memcmp(src_mac, src->mac, NETSW_MAC_LEN) != 0) {
        src->spoofed++;
        return;
    }
    if (memcmp(dst_mac, src->mac, NETSW_MAC_LEN) == 0) {
        src->dropped++;                 /* to itself: delivering it would be an echo */
        return;
    }
    bool flooded = mac_is_multicast(dst_mac) || !fdb_find(sw, dst_mac);
    if (flooded && !flood_allowed(sw, src)) {
        src->flood_limited++;
        return;
    }
    src->tx_frames++;
    src->tx_bytes += len;
    sw->clock++;
    fdb_learn(sw, src_mac, port);

    const struct netsw_fdb_entry *e = mac_is_multicast(dst_mac) ? NULL : fdb_find(sw, dst_mac);
    if (e) {
        if (e->port != port && port_at(sw, e->port))
            deliver_to(sw, e->port, frame, len);
        return;
    }
    for (int i = 0; i < NETSW_MAX_PORTS; i++)
        if (i != port && sw->port[i].used)
            deliver_to(sw, i, frame, len);
}

/* Append to buf at *pos, cut to fit; *pos never passes len - 1. */
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*pos + 1 >= len)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    *pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

/* Append mac as xx:xx:xx:xx:xx:xx. */
static void put_mac(char *buf, size_t len, size_t *pos, const uint8_t *mac)
{
    put(buf, len, pos, "%02x:%02x:%02x:%02x:%02x:%02x",
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Contract: see netswitch.h. */
size_t netsw_dump(const struct netsw *sw, char *buf, size_t len)
{
    size_t pos = 0;
    unsigned ports = 0, macs = 0;

    if (!buf || len == 0)
        return 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < NETSW_MAX_PORTS; i++)
        ports += sw->port[i].used;
    for (unsigned i = 0; i < NETSW_FDB_SIZE; i++)
        macs += sw->fdb[i].used;
    put(buf, len, &pos, "bridge %s: %u/%u ports, %u/%u learned MACs, bad port %llu, evicted %llu\n",
        sw->name, ports, NETSW_MAX_PORTS, macs, NETSW_FDB_SIZE,
        (unsigned long long)sw->bad_port, (unsigned long long)sw->fdb_evicted);
    for (unsigned i = 0; i < NETSW_MAX_PORTS; i++) {
        const struct netsw_port *p = &sw->port[i];

        if (!p->used)
            continue;
        put(buf, len, &pos, " port %u ", i);
        put_mac(buf, len, &pos, p->mac);
        put(buf, len, &pos, " tx %llu/%lluB rx %llu/%lluB spoofed %llu dropped %llu"
            " flood-limited %llu\n",
            (unsigned long long)p->tx_frames, (unsigned long long)p->tx_bytes,
            (unsigned long long)p->rx_frames, (unsigned long long)p->rx_bytes,
            (unsigned long long)p->spoofed, (unsigned long long)p->dropped,
            (unsigned long long)p->flood_limited);
    }
    for (unsigned i = 0; i < NETSW_FDB_SIZE; i++) {
        if (!sw->fdb[i].used)
            continue;
        put(buf, len, &pos, " fdb ");
        put_mac(buf, len, &pos, sw->fdb[i].mac);
        put(buf, len, &pos, " port %u\n", sw->fdb[i].port);
    }
    return pos;
}
