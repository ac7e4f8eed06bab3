/* Unit tests for the learning Ethernet switch (src/vdev/netswitch.c): NICs on ports that
 * record what they receive; learning and forwarding, flooding, no echo, anti-spoofing,
 * detach, a full FDB (built with a small NETSW_FDB_SIZE by tests/unit/netswitch.mk's second
 * binary), bad port numbers, short and long frames, the dump. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/netswitch.h"

#define NICS NETSW_MAX_PORTS

struct nic {                            /* a NIC's receive side */
    unsigned frames;
    size_t last_len;
    uint8_t last[NETSW_FRAME_MAX + 4];
};

struct fixture {
    struct netsw sw;
    struct nic nic[NICS];
    uint8_t frame[NETSW_FRAME_MAX + 8];
};

static void nic_rx(void *ctx, const uint8_t *frame, size_t len)
{
    struct nic *n = ctx;

    n->frames++;
    n->last_len = len;
    memcpy(n->last, frame, len <= sizeof(n->last) ? len : sizeof(n->last));
}

/* NIC i's MAC: 00:16:3e:00:00:i+1. */
static void mac_of(unsigned i, uint8_t mac[6])
{
    const uint8_t m[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, (uint8_t)(i + 1) };
    memcpy(mac, m, 6);
}

static int attach_nic(struct fixture *f, unsigned i)
{
    uint8_t mac[6];

    mac_of(i, mac);
    return netsw_attach(&f->sw, mac, nic_rx, &f->nic[i]);
}

/* Build a frame of len bytes from MAC src to MAC dst in f->frame. */
static const uint8_t *frame(struct fixture *f, const uint8_t dst[6], const uint8_t src[6],
                            size_t len)
{
    memset(f->frame, 0xa5, sizeof(f->frame));
    memcpy(f->frame, dst, 6);
    memcpy(f->frame + 6, src, 6);
    f->frame[12] = 0x08;
    f->frame[13] = 0x00;
    for (size_t i = 14; i < len && i < sizeof(f->frame); i++)
        f->frame[i] = (uint8_t)i;       /* a payload the receiver's copy is checked against */
    return f->frame;
}

/* Send a len-byte frame from NIC a (its own source MAC) to NIC b's MAC. */
static void send_ab(struct fixture *f, unsigned a, unsigned b, size_t len)
{
    uint8_t sa[6], db[6];

    mac_of(a, sa);
    mac_of(b, db);
    netsw_send(&f->sw, (int)a, frame(f, db, sa, len), len);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    netsw_init(&f->sw, "lan0");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static unsigned total_rx(struct fixture *f)
{
    unsigned n = 0;

    for (unsigned i = 0; i < NICS; i++)
        n += f->nic[i].frames;
    return n;
}

static void test_attach_rules(void **state)
{
    struct fixture *f = *state;
    uint8_t mac[6], bcast[6], zero[6] = { 0 }, mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

    memset(bcast, 0xff, 6);
    assert_int_equal(attach_nic(f, 0), 0);
    assert_int_equal(attach_nic(f, 1), 1);
    assert_int_equal(attach_nic(f, 0), -1);              /* MAC already on the bridge */
    assert_int_equal(netsw_attach(&f->sw, bcast, nic_rx, NULL), -1);
    assert_int_equal(netsw_attach(&f->sw, mcast, nic_rx, NULL), -1);
    assert_int_equal(netsw_attach(&f->sw, zero, nic_rx, NULL), -1);
    mac_of(5, mac);
    assert_int_equal(netsw_attach(&f->sw, mac, NULL, NULL), -1);
    for (unsigned i = 2; i < NICS; i++)
        assert_int_equal(attach_nic(f, i), (int)i);
    mac_of(NICS + 3, mac);
    assert_int_equal(netsw_attach(&f->sw, mac, nic_rx, NULL), -1);   /* full */
    netsw_detach(&f->sw, 7);
    assert_int_equal(netsw_attach(&f->sw, mac, nic_rx, &f->nic[7]), 7);  /* lowest free */
}

static void test_unknown_unicast_floods_then_learns(void **state)
{
    struct fixture *f = *state;

    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(attach_nic(f, i), (int)i);
    send_ab(f, 0, 1, 60);               /* 1 not learned yet: flooded to 1 and 2 */
    assert_int_equal(f->nic[1].frames, 1);
    assert_int_equal(f->nic[2].frames, 1);
    assert_int_equal(f->nic[0].frames, 0);
    assert_int_equal(f->nic[1].last_len, 60);
    assert_memory_equal(f->nic[1].last, f->frame, 60);
    send_ab(f, 1, 0, 64);               /* 0 learned: only to 0; 1 learned now */
    assert_int_equal(f->nic[0].frames, 1);
    assert_int_equal(f->nic[2].frames, 1);
    send_ab(f, 0, 1, 70);               /* only to 1 */
    assert_int_equal(f->nic[1].frames, 2);
    assert_int_equal(f->nic[2].frames, 1);
    assert_int_equal(f->nic[1].last_len, 70);
    assert_int_equal(f->sw.port[0].tx_frames, 2);
    assert_int_equal(f->sw.port[0].tx_bytes, 130);
    assert_int_equal(f->sw.port[1].rx_frames, 2);
    assert_int_equal(f->sw.port[1].rx_bytes, 130);
    assert_int_equal(f->sw.port[2].rx_frames, 1);
}

static void test_broadcast_and_multicast_flood_without_echo(void **state)
{
    struct fixture *f = *state;
    uint8_t src[6], bcast[6], mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };

    memset(bcast, 0xff, 6);
    for (unsigned i = 0; i < 4; i++)
        attach_nic(f, i);
    send_ab(f, 1, 2, 60);               /* learn 1 first: learning never stops flooding */
    mac_of(2, src);
    netsw_send(&f->sw, 2, frame(f, bcast, src, 60), 60);
    netsw_send(&f->sw, 2, frame(f, mcast, src, 60), 60);
    assert_int_equal(f->nic[2].frames, 1);          /* only the first flood from 1 */
    assert_int_equal(f->nic[0].frames, 3);
    assert_int_equal(f->nic[1].frames, 2);
    assert_int_equal(f->nic[3].frames, 3);
}

static void test_frame_to_own_mac_is_not_echoed(void **state)
{
    struct fixture *f = *state;

    attach_nic(f, 0);
    attach_nic(f, 1);
    send_ab(f, 0, 0, 60);               /* before and after its MAC is learned */
    send_ab(f, 0, 1, 60);
    send_ab(f, 0, 0, 60);
    assert_int_equal(f->nic[0].frames, 0);
    assert_int_equal(f->nic[1].frames, 1);
    assert_int_equal(f->sw.port[0].dropped, 2);
    assert_int_equal(f->sw.port[0].tx_frames, 1);
}

static void test_spoofed_source_dropped_and_not_learned(void **state)
{
    struct fixture *f = *state;
    uint8_t m0[6], m1[6], m2[6];

    for (unsigned i = 0; i < 3; i++)
        attach_nic(f, i);
    mac_of(0, m0);
    mac_of(1, m1);
    mac_of(2, m2);
    netsw_send(&f->sw, 2, frame(f, m0, m1, 60), 60);    /* 2 pretends to be 1 */
    assert_int_equal(total_rx(f), 0);
    assert_int_equal(f->sw.port[2].spoofed, 1);
    assert_int_equal(f->sw.port[2].tx_frames, 0);
    send_ab(f, 0, 1, 60);               /* 1 still unknown: flooded, so 2 did not steal it */
    assert_int_equal(f->nic[1].frames, 1);
    assert_int_equal(f->nic[2].frames, 1);
    uint8_t bcast[6];
    memset(bcast, 0xff, 6);
    netsw_send(&f->sw, 1, frame(f, m2, bcast, 60), 60);  /* a broadcast source */
    assert_int_equal(f->sw.port[1].spoofed, 1);
}

static void test_detach_forgets_and_stops_delivery(void **state)
{
    struct fixture *f = *state;
    uint8_t m1[6];
    char buf[512];

    for (unsigned i = 0; i < 3; i++)
        attach_nic(f, i);
    send_ab(f, 1, 0, 60);               /* learn 1 */
    netsw_detach(&f->sw, 1);
    netsw_dump(&f->sw, buf, sizeof(buf));
    mac_of(1, m1);
    assert_null(strstr(buf, "00:16:3e:00:00:02"));
    send_ab(f, 0, 1, 60);               /* 1 forgotten and gone: flooded to 2 only */
    assert_int_equal(f->nic[1].frames, 0);
    assert_int_equal(f->nic[2].frames, 2);
    /* The MAC may come back on another port, with fresh counters, and is learned there. */
    netsw_detach(&f->sw, 2);
    assert_int_equal(netsw_attach(&f->sw, m1, nic_rx, &f->nic[1]), 1);
    assert_int_equal(f->sw.port[1].rx_frames, 0);
    send_ab(f, 1, 0, 60);
    send_ab(f, 0, 1, 60);
    assert_int_equal(f->nic[1].frames, 1);
}

static void test_bad_port_numbers(void **state)
{
    struct fixture *f = *state;
    uint8_t m0[6], bcast[6];

    memset(bcast, 0xff, 6);
    attach_nic(f, 0);
    attach_nic(f, 1);
    mac_of(0, m0);
    frame(f, bcast, m0, 60);
    netsw_send(&f->sw, -1, f->frame, 60);
    netsw_send(&f->sw, NETSW_MAX_PORTS, f->frame, 60);
    netsw_send(&f->sw, 5, f->frame, 60);            /* in range, not attached */
    netsw_send(&f->sw, 0x7fffffff, f->frame, 60);
    assert_int_equal(f->sw.bad_port, 4);
    assert_int_equal(total_rx(f), 0);
    netsw_detach(&f->sw, -3);
    netsw_detach(&f->sw, NETSW_MAX_PORTS);
    netsw_detach(&f->sw, 9);
    assert_true(f->sw.port[0].used && f->sw.port[1].used);
}

static void test_short_and_long_frames(void **state)
{
    struct fixture *f = *state;

    attach_nic(f, 0);
    attach_nic(f, 1);
    send_ab(f, 0, 1, 13);
    send_ab(f, 0, 1, 0);
    send_ab(f, 0, 1, NETSW_FRAME_MAX + 5);
    netsw_send(&f->sw, 0, NULL, 60);
    assert_int_equal(f->sw.port[0].dropped, 4);
    assert_int_equal(total_rx(f), 0);
    send_ab(f, 0, 1, 14);
    send_ab(f, 0, 1, NETSW_FRAME_MAX + 4);          /* 802.1Q-tagged full frame */
    assert_int_equal(f->nic[1].frames, 2);
    assert_int_equal(f->nic[1].last_len, NETSW_FRAME_MAX + 4);
    assert_int_equal(f->sw.port[0].tx_frames, 2);
}

static void test_dump(void **state)
{
    struct fixture *f = *state;
    char buf[1024], small[20];

    attach_nic(f, 0);
    attach_nic(f, 3);
    send_ab(f, 0, 3, 60);
    size_t n = netsw_dump(&f->sw, buf, sizeof(buf));
    assert_int_equal(n, strlen(buf));
    assert_non_null(strstr(buf, "bridge lan0: 2/16 ports, 1/"));
    assert_non_null(strstr(buf, " port 0 00:16:3e:00:00:01 tx 1/60B rx 0/0B"));
    assert_non_null(strstr(buf, " port 1 00:16:3e:00:00:04 tx 0/0B rx 1/60B"));
    assert_non_null(strstr(buf, " fdb 00:16:3e:00:00:01 port 0\n"));
    n = netsw_dump(&f->sw, small, sizeof(small));
    assert_int_equal(n, sizeof(small) - 1);
    assert_int_equal(strlen(small), n);
    assert_int_equal(netsw_dump(&f->sw, small, 0), 0);
}

static void test_name_cut(void **state)
{
    struct fixture *f = *state;

    netsw_init(&f->sw, "a-very-long-bridge-name");
    assert_string_equal(f->sw.name, "a-very-long-bri");
    netsw_init(&f->sw, NULL);
    assert_string_equal(f->sw.name, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_attach_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_unicast_floods_then_learns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broadcast_and_multicast_flood_without_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_to_own_mac_is_not_echoed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spoofed_source_dropped_and_not_learned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detach_forgets_and_stops_delivery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_port_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_and_long_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_cut, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
