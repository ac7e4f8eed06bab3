/* Unit tests for the switch's storm control (src/vdev/netswitch.c, issue 18: a flood costs
 * only the flooder): a port floods (broadcast, multicast, unknown unicast) at most its
 * bucket's burst at once and `rate` frames a second after that, by the clock the caller
 * gives; the excess is dropped and counted as flood_limited against that port alone;
 * unicast to a learned MAC and other ports' floods are not limited; the limit off (the
 * default) limits nothing; time going back or jumping far is harmless. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/netswitch.h"

#define MS 1000000ull                   /* nanoseconds */

struct nic {
    unsigned frames;
};

struct fixture {
    struct netsw sw;
    struct nic nic[4];
    uint8_t frame[64];
};

static void nic_rx(void *ctx, const uint8_t *frame, size_t len)
{
    (void)frame;
    (void)len;
    ((struct nic *)ctx)->frames++;
}

static void mac_of(unsigned i, uint8_t mac[6])
{
    const uint8_t m[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, (uint8_t)(i + 1) };
    memcpy(mac, m, 6);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    uint8_t mac[6];

    assert_non_null(f);
    netsw_init(&f->sw, "lan0");
    for (unsigned i = 0; i < 4; i++) {
        mac_of(i, mac);
        assert_int_equal(netsw_attach(&f->sw, mac, nic_rx, &f->nic[i]), (int)i);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Port a sends one 60-byte frame to dst (NULL: broadcast). */
static void send_to(struct fixture *f, unsigned a, const uint8_t *dst)
{
    memset(f->frame, 0, sizeof(f->frame));
    if (dst)
        memcpy(f->frame, dst, 6);
    else
        memset(f->frame, 0xff, 6);
    mac_of(a, f->frame + 6);
    f->frame[12] = 0x88;
    f->frame[13] = 0xb5;
    netsw_send(&f->sw, (int)a, f->frame, 60);
}

static void flood(struct fixture *f, unsigned a, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        send_to(f, a, NULL);
}

static void test_off_by_default(void **state)
{
    struct fixture *f = *state;

    flood(f, 0, 1000);
    assert_int_equal(f->nic[1].frames, 1000);
    assert_int_equal(f->sw.port[0].flood_limited, 0);
    assert_int_equal(f->sw.port[0].tx_frames, 1000);
}

/* The burst goes through at once, then nothing until time passes; rate frames a second
 * after that, to every other port; the excess counts against the flooder only. */
static void test_burst_then_rate(void **state)
{
    struct fixture *f = *state;

    netsw_set_time(&f->sw, 5 * MS);
    netsw_set_storm_limit(&f->sw, 100, 10);
    flood(f, 0, 50);
    for (unsigned i = 1; i < 4; i++)
        assert_int_equal(f->nic[i].frames, 10);
    assert_int_equal(f->sw.port[0].tx_frames, 10);
    assert_int_equal(f->sw.port[0].flood_limited, 40);
    for (unsigned i = 1; i < 4; i++)
        assert_int_equal(f->sw.port[i].flood_limited, 0);

    netsw_set_time(&f->sw, 5 * MS + 95 * MS);      /* 95 ms at 100/s: 9 more */
    flood(f, 0, 50);
    assert_int_equal(f->nic[1].frames, 19);
    assert_int_equal(f->sw.port[0].flood_limited, 81);
    netsw_set_time(&f->sw, 5 * MS + 100 * MS);     /* the 95 ms's remainder + 5 ms: 1 more */
    flood(f, 0, 5);
    assert_int_equal(f->nic[1].frames, 20);
    /* Every send counts in exactly one counter. */
    const struct netsw_port *p = &f->sw.port[0];
    assert_int_equal(p->tx_frames + p->spoofed + p->dropped + p->flood_limited, 105);
}

/* Unknown unicast is a flood too; once the destination is learned, unicast to it is not
 * limited at all; other ports keep their own full buckets. */
static void test_unicast_to_learned_mac_is_not_limited(void **state)
{
    struct fixture *f = *state;
    uint8_t m1[6], m9[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x99 };

    netsw_set_storm_limit(&f->sw, 1, 4);
    mac_of(1, m1);
    for (unsigned i = 0; i < 10; i++)
        send_to(f, 0, m9);                         /* unknown: flooded, limited */
    assert_int_equal(f->nic[2].frames, 4);
    assert_int_equal(f->sw.port[0].flood_limited, 6);
    send_to(f, 1, m9);                             /* port 1 has its own bucket */
    assert_int_equal(f->nic[2].frames, 5);
    for (unsigned i = 0; i < 1000; i++)
        send_to(f, 0, m1);                         /* learned: port 1 only, no limit */
    assert_int_equal(f->nic[1].frames, 4 + 1000);
    assert_int_equal(f->nic[2].frames, 5);
    assert_int_equal(f->sw.port[0].flood_limited, 6);
    assert_int_equal(f->sw.port[1].flood_limited, 0);
}

/* Time going back refills nothing; a jump of years only fills the bucket (no overflow);
 * a spoofed flood counts as spoofed, not against the bucket; the limit off again frees
 * everything; a port attached later starts with a full bucket. */
static void test_clock_edges_and_spoofing(void **state)
{
    struct fixture *f = *state;
    uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x42 };

    netsw_set_time(&f->sw, 1000 * MS);
    netsw_set_storm_limit(&f->sw, 1000, 2);
    flood(f, 0, 3);
    assert_int_equal(f->nic[1].frames, 2);
    netsw_set_time(&f->sw, 1 * MS);                /* back: ignored */
    flood(f, 0, 1);
    assert_int_equal(f->nic[1].frames, 2);
    netsw_set_time(&f->sw, UINT64_MAX - 1);        /* far ahead: burst, not more */
    flood(f, 0, 10);
    assert_int_equal(f->nic[1].frames, 4);

    memset(f->frame, 0xff, 6);
    memcpy(f->frame + 6, mac, 6);                  /* another source MAC */
    for (unsigned i = 0; i < 20; i++)
        netsw_send(&f->sw, 2, f->frame, 60);
    assert_int_equal(f->sw.port[2].spoofed, 20);
    assert_int_equal(f->sw.port[2].flood_limited, 0);
    flood(f, 2, 2);                                /* its bucket is untouched */
    assert_int_equal(f->nic[1].frames, 6);

    netsw_detach(&f->sw, 3);
    assert_int_equal(netsw_attach(&f->sw, mac, nic_rx, &f->nic[3]), 3);
    memset(f->frame, 0xff, 6);
    memcpy(f->frame + 6, mac, 6);
    for (unsigned i = 0; i < 3; i++)
        netsw_send(&f->sw, 3, f->frame, 60);
    assert_int_equal(f->sw.port[3].tx_frames, 2);
    assert_int_equal(f->sw.port[3].flood_limited, 1);

    netsw_set_storm_limit(&f->sw, 0, 0);
    flood(f, 0, 100);
    assert_int_equal(f->nic[1].frames, 6 + 2 + 100);
}

/* The dump shows each port's flood_limited; a rate with burst 0 still lets one through. */
static void test_dump_and_zero_burst(void **state)
{
    struct fixture *f = *state;
    char buf[2048];

    netsw_set_storm_limit(&f->sw, 10, 0);
    flood(f, 0, 3);
    assert_int_equal(f->nic[1].frames, 1);
    netsw_dump(&f->sw, buf, sizeof(buf));
    assert_non_null(strstr(buf, " port 0 00:16:3e:00:00:01 tx 1/60B rx 0/0B spoofed 0 "
                                "dropped 0 flood-limited 2\n"));
    assert_non_null(strstr(buf, " port 1 00:16:3e:00:00:02 tx 0/0B rx 1/60B spoofed 0 "
                                "dropped 0 flood-limited 0\n"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_off_by_default),
        T(test_burst_then_rate),
        T(test_unicast_to_learned_mac_is_not_limited),
        T(test_clock_edges_and_spoofing),
        T(test_dump_and_zero_burst),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
