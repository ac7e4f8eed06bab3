/* Unit tests for virtio-net (src/vdev/virtio_net.c): frames through real split rings
 * (fake_virtio.c) to and from a fake switch that records what it is sent. TX frames arrive
 * intact with the header stripped; RX fills a posted buffer with the header and the frame
 * and interrupts; no buffer means a dropped frame; oversize, short and malformed requests
 * and rings are refused and counted; a notify takes at most VNET_TX_BUDGET requests and
 * vnet_poll the rest, a batch at a time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_virtio.h"
#include "vdev/virtio_net.h"

#define SENT_MAX 80

struct fixture {
    struct virtio_transport t;
    struct vnet n;
    unsigned sent;                      /* frames the switch got */
    size_t sent_len[SENT_MAX];
    uint8_t sent_frame[SENT_MAX][VNET_FRAME_MAX];
};

static const uint8_t MAC[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };

/* The fake switch: records each frame. */
static int fake_send(void *ctx, const uint8_t *frame, size_t len)
{
    struct fixture *f = ctx;

    assert_true(len >= VNET_FRAME_MIN && len <= VNET_FRAME_MAX);
    if (f->sent < SENT_MAX) {
        f->sent_len[f->sent] = len;
        memcpy(f->sent_frame[f->sent], frame, len);
    }
    f->sent++;
    return 0;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    vnet_init(&f->n, MAC, fake_send, f);
    fv_init(&f->t, &vnet_ops, &f->n);
    f->n.t = &f->t;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    fv_fini(&f->t);
    free(f);
    return 0;
}

/* A frame of len bytes: a pattern from seed. */
static void make_frame(uint8_t *p, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

/* A guest buffer holding a 12-byte header (0xee: the device must ignore it) and a
 * pattern frame of len bytes; returns its gpa. */
static uint64_t tx_buffer(struct fixture *f, size_t len, uint8_t seed)
{
    uint64_t a = fv_alloc(&f->t, VNET_HDR_LEN + len);
    uint8_t *p = fv_ptr(&f->t, a);

    memset(p, 0xee, VNET_HDR_LEN);
    make_frame(p + VNET_HDR_LEN, len, seed);
    return a;
}

static void test_ops_and_config(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(vnet_ops.device_id, VIRTIO_ID_NET);
    assert_int_equal(vnet_ops.num_queues, 2);
    assert_true(vnet_ops.features == (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS));
    assert_int_equal(vnet_ops.config_read(&f->n, 0, 4), 0x123e1600u);
    assert_int_equal(vnet_ops.config_read(&f->n, 4, 2), 0x5634u);
    assert_int_equal(vnet_ops.config_read(&f->n, 5, 1), 0x56u);
    assert_int_equal(vnet_ops.config_read(&f->n, 6, 2), VIRTIO_NET_S_LINK_UP);
    assert_int_equal(vnet_ops.config_read(&f->n, 6, 4), 0);    /* crosses the end */
    assert_int_equal(vnet_ops.config_read(&f->n, 8, 1), 0);
    assert_int_equal(vnet_ops.config_read(&f->n, 0xffffffffu, 4), 0);
}

static void test_tx_one_and_split(void **state)
{
    struct fixture *f = *state;
    uint64_t a = tx_buffer(f, 60, 1);
    struct fv_buf one = { a, VNET_HDR_LEN + 60, false };
    uint32_t id, len;

    uint16_t head = fv_add(&f->t, VNET_TXQ, &one, 1);
    fv_kick(&f->t, VNET_TXQ);
    assert_int_equal(f->sent, 1);
    assert_int_equal(f->sent_len[0], 60);
    assert_memory_equal(f->sent_frame[0], (uint8_t *)fv_ptr(&f->t, a) + VNET_HDR_LEN, 60);
    assert_int_equal(fv_used_idx(&f->t, VNET_TXQ), 1);
    fv_used_elem(&f->t, VNET_TXQ, 0, &id, &len);
    assert_int_equal(id, head);
    assert_int_equal(len, 0);
    assert_int_equal(f->t.used_calls, 1);

    /* Linux's layout: header in its own buffer, the frame split over two more. */
    uint64_t h = fv_alloc(&f->t, VNET_HDR_LEN), b = fv_alloc(&f->t, 1000),
             c = fv_alloc(&f->t, 514);
    uint8_t want[1514];
    make_frame(want, sizeof(want), 9);
    memcpy(fv_ptr(&f->t, b), want, 1000);
    memcpy(fv_ptr(&f->t, c), want + 1000, 514);
    struct fv_buf three[3] = { { h, VNET_HDR_LEN, false }, { b, 1000, false },
                               { c, 514, false } };
    fv_add_indirect(&f->t, VNET_TXQ, three, 3);
    fv_kick(&f->t, VNET_TXQ);
    assert_int_equal(f->sent, 2);
    assert_int_equal(f->sent_len[1], 1514);
    assert_memory_equal(f->sent_frame[1], want, 1514);
    assert_int_equal(f->n.stats.tx, 2);
    assert_int_equal(f->n.stats.tx_bytes, 60 + 1514);
    assert_int_equal(f->n.stats.tx_bad, 0);
}

static void test_tx_lengths(void **state)
{
    struct fixture *f = *state;
    static const size_t lens[] = { VNET_FRAME_MIN - 1, VNET_FRAME_MIN, VNET_FRAME_MAX,
                                   VNET_FRAME_MAX + 1, 9000 };
    struct fv_buf hdr_only = { fv_alloc(&f->t, 8), 8, false };

    for (unsigned i = 0; i < 5; i++) {
        struct fv_buf b = { tx_buffer(f, lens[i], (uint8_t)i), VNET_HDR_LEN + lens[i], false };
        fv_add(&f->t, VNET_TXQ, &b, 1);
    }
    fv_add(&f->t, VNET_TXQ, &hdr_only, 1);     /* shorter than a header */
    fv_kick(&f->t, VNET_TXQ);
    assert_int_equal(fv_used_idx(&f->t, VNET_TXQ), 6);      /* all returned */
    assert_int_equal(f->sent, 2);
    assert_int_equal(f->sent_len[0], VNET_FRAME_MIN);
    assert_int_equal(f->sent_len[1], VNET_FRAME_MAX);
    assert_int_equal(f->n.stats.tx, 2);
    assert_int_equal(f->n.stats.tx_bad, 4);
}

static void test_tx_hole_and_writable(void **state)
{
    struct fixture *f = *state;
    uint64_t a = tx_buffer(f, 100, 3), w = fv_alloc(&f->t, 64);
    struct fv_buf b = { a, VNET_HDR_LEN + 100, false };
    struct fv_buf mixed[2] = { { a, VNET_HDR_LEN + 100, false }, { w, 64, true } };

    f->t.hole_lo = a + 50;
    f->t.hole_hi = a + 51;
    fv_add(&f->t, VNET_TXQ, &b, 1);
    fv_kick(&f->t, VNET_TXQ);
    assert_int_equal(f->sent, 0);
    assert_int_equal(f->n.stats.tx_bad, 1);
    f->t.hole_lo = f->t.hole_hi = 0;
    fv_add(&f->t, VNET_TXQ, mixed, 2);          /* writable part ignored */
    fv_kick(&f->t, VNET_TXQ);
    assert_int_equal(f->sent, 1);
    assert_int_equal(f->sent_len[0], 100);
    assert_int_equal(((uint8_t *)fv_ptr(&f->t, w))[0], 0);
}

/* A full ring is sent VNET_TX_BUDGET requests per notify: the rest stay in the ring with
 * tx_pending set, and each vnet_poll (the sender's next turn) takes the next batch and
 * interrupts; once the ring is found empty, tx_pending clears and polls do nothing. */
static void test_tx_budget_per_notify_and_poll(void **state)
{
    struct fixture *f = *state;
    unsigned num = f->t.vq[VNET_TXQ].num;
    struct fv_buf b = { tx_buffer(f, 64, 0), VNET_HDR_LEN + 64, false };

    assert_true(num > VNET_TX_BUDGET);
    for (unsigned i = 0; i < num; i++)
        fv_add(&f->t, VNET_TXQ, &b, 1);
    fv_kick(&f->t, VNET_TXQ);
    assert_int_equal(f->sent, VNET_TX_BUDGET);
    assert_int_equal(fv_used_idx(&f->t, VNET_TXQ), VNET_TX_BUDGET);
    assert_int_equal(f->t.used_calls, 1);
    assert_true(f->n.tx_pending);
    unsigned polls = 0;
    while (f->n.tx_pending && polls < num) {
        unsigned before = f->sent;
        vnet_poll(&f->n);
        assert_true(f->sent - before <= VNET_TX_BUDGET);
        polls++;
    }
    assert_false(f->n.tx_pending);
    assert_int_equal(f->sent, num);
    assert_int_equal(fv_used_idx(&f->t, VNET_TXQ), num);
    assert_int_equal(f->n.stats.tx, num);
    assert_true(f->n.stats.tx_deferred >= num / VNET_TX_BUDGET - 1);
    unsigned calls = f->t.used_calls;
    vnet_poll(&f->n);                           /* nothing pending: nothing done */
    assert_int_equal(f->t.used_calls, calls);
    assert_int_equal(f->sent, num);
}

/* A notify never takes more than the budget, even when the driver publishes an index far
 * ahead (malformed: the queue breaks, tx_pending clears, polls send nothing more). */
static void test_tx_bounded_per_notify(void **state)
{
    struct fixture *f = *state;
    unsigned num = f->t.vq[VNET_TXQ].num;
    struct fv_buf b = { tx_buffer(f, 64, 0), VNET_HDR_LEN + 64, false };

    for (unsigned i = 0; i < VNET_TX_BUDGET / 2; i++)
        fv_add(&f->t, VNET_TXQ, &b, 1);
    fv_kick(&f->t, VNET_TXQ);
    assert_int_equal(f->sent, VNET_TX_BUDGET / 2);
    assert_false(f->n.tx_pending);              /* found empty within the budget */
    f->t.avail_idx[VNET_TXQ] = (uint16_t)(f->t.avail_idx[VNET_TXQ] + num + 1);
    fv_make_avail(&f->t, VNET_TXQ, 0);
    fv_kick(&f->t, VNET_TXQ);
    assert_true(f->sent <= VNET_TX_BUDGET / 2 + VNET_TX_BUDGET);
    assert_int_equal(f->t.device_errors, 1);
    assert_true(f->t.vq[VNET_TXQ].broken);
    assert_false(f->n.tx_pending);
    unsigned sent = f->sent;
    vnet_poll(&f->n);
    assert_int_equal(f->sent, sent);
}

/* A reset forgets an unfinished batch; a NIC without a transport polls to nothing. */
static void test_tx_pending_reset(void **state)
{
    struct fixture *f = *state;
    struct fv_buf b = { tx_buffer(f, 64, 0), VNET_HDR_LEN + 64, false };

    for (unsigned i = 0; i < VNET_TX_BUDGET + 1; i++)
        fv_add(&f->t, VNET_TXQ, &b, 1);
    fv_kick(&f->t, VNET_TXQ);
    assert_true(f->n.tx_pending);
    vnet_ops.reset(&f->n);
    assert_false(f->n.tx_pending);
    f->n.tx_pending = true;
    f->n.t = NULL;
    vnet_poll(&f->n);
    assert_false(f->n.tx_pending);
    assert_int_equal(f->sent, VNET_TX_BUDGET);
}

static void test_rx_fills_buffer(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 1526);
    struct fv_buf b = { a, 1526, true };
    uint8_t frame[200];
    uint32_t id, len;

    memset(fv_ptr(&f->t, a), 0xcc, 1526);
    make_frame(frame, sizeof(frame), 42);
    uint16_t head = fv_add(&f->t, VNET_RXQ, &b, 1);
    fv_kick(&f->t, VNET_RXQ);                   /* posting buffers takes nothing */
    assert_int_equal(fv_used_idx(&f->t, VNET_RXQ), 0);
    vnet_receive(&f->n, frame, sizeof(frame));
    assert_int_equal(fv_used_idx(&f->t, VNET_RXQ), 1);
    fv_used_elem(&f->t, VNET_RXQ, 0, &id, &len);
    assert_int_equal(id, head);
    assert_int_equal(len, VNET_HDR_LEN + sizeof(frame));
    const uint8_t *p = fv_ptr(&f->t, a);
    static const uint8_t hdr[VNET_HDR_LEN] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
    assert_memory_equal(p, hdr, VNET_HDR_LEN);
    assert_memory_equal(p + VNET_HDR_LEN, frame, sizeof(frame));
    assert_int_equal(p[VNET_HDR_LEN + sizeof(frame)], 0xcc);
    assert_int_equal(f->t.used_calls, 1);
    assert_int_equal(f->n.stats.rx, 1);
    assert_int_equal(f->n.stats.rx_bytes, sizeof(frame));
    assert_int_equal(f->n.stats.rx_dropped, 0);
}

static void test_rx_split_buffer(void **state)
{
    struct fixture *f = *state;
    uint64_t h = fv_alloc(&f->t, VNET_HDR_LEN), d = fv_alloc(&f->t, 1514);
    struct fv_buf two[2] = { { h, VNET_HDR_LEN, true }, { d, 1514, true } };
    uint8_t frame[1514];

    make_frame(frame, sizeof(frame), 5);
    fv_add(&f->t, VNET_RXQ, two, 2);
    vnet_receive(&f->n, frame, sizeof(frame));
    assert_int_equal(((uint8_t *)fv_ptr(&f->t, h))[10], 1);
    assert_memory_equal(fv_ptr(&f->t, d), frame, sizeof(frame));
    assert_int_equal(f->n.stats.rx, 1);
}

static void test_rx_no_buffer_dropped(void **state)
{
    struct fixture *f = *state;
    uint8_t frame[64] = { 0 };

    vnet_receive(&f->n, frame, sizeof(frame));
    vnet_receive(&f->n, frame, sizeof(frame));
    assert_int_equal(f->n.stats.rx_dropped, 2);
    assert_int_equal(f->n.stats.rx, 0);
    assert_int_equal(f->t.used_calls, 0);
    f->n.t = NULL;                              /* not wired yet */
    vnet_receive(&f->n, frame, sizeof(frame));
    assert_int_equal(f->n.stats.rx_dropped, 3);
}

static void test_rx_bad_lengths(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 4096);
    struct fv_buf big = { a, 4096, true };
    static uint8_t frame[VNET_FRAME_MAX + 1];

    fv_add(&f->t, VNET_RXQ, &big, 1);
    vnet_receive(&f->n, frame, VNET_FRAME_MAX + 1);
    vnet_receive(&f->n, frame, VNET_FRAME_MIN - 1);
    vnet_receive(&f->n, NULL, 64);
    assert_int_equal(fv_used_idx(&f->t, VNET_RXQ), 0);     /* buffer kept for later */
    assert_int_equal(f->n.stats.rx_dropped, 3);
    vnet_receive(&f->n, frame, VNET_FRAME_MAX);
    assert_int_equal(fv_used_idx(&f->t, VNET_RXQ), 1);
    assert_int_equal(f->n.stats.rx, 1);
}

static void test_rx_unusable_buffers(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 100), r = fv_alloc(&f->t, 2048);
    struct fv_buf small = { a, 100, true };
    struct fv_buf readable[2] = { { r, 16, false }, { r + 16, 2000, true } };
    struct fv_buf holed = { r, 2048, true };
    uint8_t frame[200];
    uint32_t id, len;

    make_frame(frame, sizeof(frame), 1);
    fv_add(&f->t, VNET_RXQ, &small, 1);
    fv_add(&f->t, VNET_RXQ, readable, 2);
    fv_add(&f->t, VNET_RXQ, &holed, 1);
    f->t.hole_lo = r + 100;
    f->t.hole_hi = r + 101;
    for (unsigned i = 0; i < 3; i++)
        vnet_receive(&f->n, frame, sizeof(frame));
    assert_int_equal(fv_used_idx(&f->t, VNET_RXQ), 3);     /* returned, empty */
    for (uint16_t i = 0; i < 3; i++) {
        fv_used_elem(&f->t, VNET_RXQ, i, &id, &len);
        assert_int_equal(len, 0);
    }
    assert_int_equal(((uint8_t *)fv_ptr(&f->t, a))[VNET_HDR_LEN], 0);
    assert_int_equal(f->n.stats.rx_dropped, 3);
    assert_int_equal(f->n.stats.rx, 0);
}

static void test_malformed_rings(void **state)
{
    struct fixture *f = *state;
    uint8_t frame[64] = { 0 };

    fv_make_avail(&f->t, VNET_RXQ, 0xffff);     /* head out of range */
    vnet_receive(&f->n, frame, sizeof(frame));
    assert_int_equal(f->t.device_errors, 1);
    assert_true(f->t.vq[VNET_RXQ].broken);
    assert_int_equal(f->n.stats.rx_dropped, 1);
    vnet_receive(&f->n, frame, sizeof(frame));  /* broken: dropped, no more errors */
    assert_int_equal(f->t.device_errors, 1);
    assert_int_equal(f->n.stats.rx_dropped, 2);

    fv_put_desc(&f->t, VNET_TXQ, 0, fv_alloc(&f->t, 64), 64, VIRTQ_DESC_F_NEXT, 0);
    fv_make_avail(&f->t, VNET_TXQ, 0);          /* a chain that loops on itself */
    fv_kick(&f->t, VNET_TXQ);
    assert_int_equal(f->t.device_errors, 2);
    assert_int_equal(f->sent, 0);
    vnet_ops.notify(&f->n, &f->t, 2);           /* no such queue */
    vnet_ops.notify(&f->n, &f->t, 99);
    vnet_ops.reset(&f->n);
    assert_memory_equal(f->n.mac, MAC, 6);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_ops_and_config),
        T(test_tx_one_and_split),
        T(test_tx_lengths),
        T(test_tx_hole_and_writable),
        T(test_tx_budget_per_notify_and_poll),
        T(test_tx_bounded_per_notify),
        T(test_tx_pending_reset),
        T(test_rx_fills_buffer),
        T(test_rx_split_buffer),
        T(test_rx_no_buffer_dropped),
        T(test_rx_bad_lengths),
        T(test_rx_unusable_buffers),
        T(test_malformed_rings),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
