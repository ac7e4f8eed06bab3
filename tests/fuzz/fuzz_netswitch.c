/* libFuzzer target for the learning Ethernet switch (src/vdev/netswitch.c): random
 * sequences of attach (MACs from a small pool, some multicast or zero, so duplicates and
 * refusals happen), detach (any port number) and send (any port number, source and
 * destination from the pool or the port's own, any length up to past the maximum). A
 * reference model predicts exactly which ports each frame reaches (the FDB cannot fill with
 * 16 ports) and checks: no delivery to the sender or to a port not attached, the frame
 * delivered unchanged, every port's counters equal the model's. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vdev/netswitch.h"

#define POOL 8
#define BUF  (NETSW_FRAME_MAX + 16)

static const uint8_t pool[POOL][6] = {
    { 0x00, 0x16, 0x3e, 0, 0, 1 }, { 0x00, 0x16, 0x3e, 0, 0, 2 }, { 0x00, 0x16, 0x3e, 0, 0, 3 },
    { 0x02, 0, 0, 0, 0, 4 },       { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
    { 0x01, 0x00, 0x5e, 0, 0, 1 }, { 0, 0, 0, 0, 0, 0 },  { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
};

struct model_port {                     /* what the switch should know about one port */
    bool used, learned;
    uint8_t mac[6];
    uint64_t sends, rx_frames, rx_bytes, tx_frames, tx_bytes;
};

static struct netsw sw;
static struct model_port model[NETSW_MAX_PORTS];
static int sender = -1;                 /* the port whose frame is being sent */
static const uint8_t *sent_frame;
static size_t sent_len;
static bool expect[NETSW_MAX_PORTS];    /* the ports the current frame must reach */
static unsigned delivered[NETSW_MAX_PORTS];

static void nic_rx(void *ctx, const uint8_t *frame, size_t len)
{
    int port = (int)(uintptr_t)ctx;

    if (port < 0 || port >= NETSW_MAX_PORTS || !model[port].used || port == sender ||
        !expect[port] || len != sent_len || memcmp(frame, sent_frame, len) != 0)
        abort();
    delivered[port]++;
}

static bool is_multicast(const uint8_t *mac)
{
    return mac[0] & 1u;
}

/* The port owning mac in the model's FDB (attached and learned), or -1. */
static int model_owner(const uint8_t *mac)
{
    for (int i = 0; i < NETSW_MAX_PORTS; i++)
        if (model[i].used && model[i].learned && memcmp(model[i].mac, mac, 6) == 0)
            return i;
    return -1;
}

static void do_attach(uint8_t pick)
{
    const uint8_t *mac = pool[pick % POOL];
    int want = -1;
    bool ok = !is_multicast(mac) && memcmp(mac, pool[6], 6) != 0;

    for (int i = 0; i < NETSW_MAX_PORTS && ok; i++)
        if (model[i].used && memcmp(model[i].mac, mac, 6) == 0)
            ok = false;
    for (int i = 0; i < NETSW_MAX_PORTS && ok && want < 0; i++)
        if (!model[i].used)
            want = i;
    int got = netsw_attach(&sw, mac, nic_rx, (void *)(uintptr_t)(want < 0 ? 0 : want));
    if (got != want)
        abort();
    if (got >= 0) {
        memset(&model[got], 0, sizeof(model[got]));
        model[got].used = true;
        memcpy(model[got].mac, mac, 6);
    }
}

static void do_detach(int port)
{
    netsw_detach(&sw, port);
    if (port >= 0 && port < NETSW_MAX_PORTS)
        memset(&model[port], 0, sizeof(model[port]));
}

/* Work out in expect[] where a frame from port should go, updating the model's counters. */
static void predict(int port, const uint8_t *frame, size_t len)
{
    memset(expect, 0, sizeof(expect));
    if (port < 0 || port >= NETSW_MAX_PORTS || !model[port].used)
        return;
    struct model_port *m = &model[port];
    m->sends++;
    if (len < 14 || len > NETSW_FRAME_MAX + 4 || memcmp(frame + 6, m->mac, 6) != 0 ||
        memcmp(frame, m->mac, 6) == 0)
        return;
    m->tx_frames++;
    m->tx_bytes += len;
    m->learned = true;
    int owner = is_multicast(frame) ? -1 : model_owner(frame);
    for (int i = 0; i < NETSW_MAX_PORTS; i++)
        expect[i] = model[i].used && i != port && (owner < 0 || owner == i);
}

static void do_send(int port, const uint8_t *frame, size_t len)
{
    predict(port, frame, len);
    memset(delivered, 0, sizeof(delivered));
    sender = port;
    sent_frame = frame;
    sent_len = len;
    netsw_send(&sw, port, frame, len);
    sender = -1;
    for (int i = 0; i < NETSW_MAX_PORTS; i++) {
        if (delivered[i] != (expect[i] ? 1u : 0u))
            abort();
        model[i].rx_frames += delivered[i];
        model[i].rx_bytes += delivered[i] * len;
    }
}

/* Every attached port's counters are the model's, and every send counted exactly once. */
static void check_counters(void)
{
    for (int i = 0; i < NETSW_MAX_PORTS; i++) {
        const struct netsw_port *p = &sw.port[i];
        const struct model_port *m = &model[i];

        if (p->used != m->used)
            abort();
        if (!p->used)
            continue;
        if (p->tx_frames + p->spoofed + p->dropped != m->sends || p->tx_frames != m->tx_frames ||
            p->tx_bytes != m->tx_bytes || p->rx_frames != m->rx_frames || p->rx_bytes != m->rx_bytes)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t frame[BUF];
    size_t pos = 0;
    char dump[4096];

    netsw_init(&sw, "fuzz");
    memset(model, 0, sizeof(model));
    while (pos + 5 <= size) {
        const uint8_t *op = data + pos;
        int port = (int)(op[1] % (NETSW_MAX_PORTS + 4)) - 2;     /* -2 .. 17 */
        pos += 5;
        switch (op[0] % 4) {
        case 0:
        case 3:
            do_attach(op[1]);
            break;
        case 1:
            do_detach(port);
            break;
        default: {
            size_t len = ((size_t)op[3] << 8 | op[4]) % BUF;
            const uint8_t *own = port >= 0 && port < NETSW_MAX_PORTS ? sw.port[port].mac : pool[0];
            memset(frame, op[2], sizeof(frame));
            memcpy(frame, op[2] & 0x80 ? own : pool[op[2] % POOL], 6);
            memcpy(frame + 6, op[2] & 0x40 ? pool[(op[2] >> 3) % POOL] : own, 6);
            do_send(port, frame, len);
        }
        }
        check_counters();
    }
    size_t n = netsw_dump(&sw, dump, (size_t)(size % sizeof(dump)) + 1);
    if (n >= sizeof(dump) || dump[n] != '\0' || strlen(dump) != n)
        abort();
    return 0;
}
