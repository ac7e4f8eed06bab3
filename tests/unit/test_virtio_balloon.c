/* Unit tests for virtio-balloon (src/vdev/virtio_balloon.c): PFN arrays built by a
 * Linux-like driver side in real split rings (fake_virtio.c) turned into give/take calls;
 * refusals, lies and oversized arrays; the config words and the target's change signal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_virtio.h"
#include "vdev/virtio_balloon.h"

#define LOG_MAX 4096u

struct fixture {
    struct virtio_transport t;
    struct vballoon b;
    uint64_t gave[LOG_MAX], took[LOG_MAX];
    unsigned ngave, ntook, calls;
    bool refuse_odd;                    /* refuse pages whose PFN is odd */
};

static int give(void *ctx, uint64_t gpa)
{
    struct fixture *f = ctx;
    f->calls++;
    if (f->refuse_odd && (gpa >> 12) % 2)
        return -1;
    if (f->ngave < LOG_MAX)
        f->gave[f->ngave++] = gpa;
    return 0;
}

static int take(void *ctx, uint64_t gpa)
{
    struct fixture *f = ctx;
    f->calls++;
    if (f->refuse_odd && (gpa >> 12) % 2)
        return 1;
    if (f->ntook < LOG_MAX)
        f->took[f->ntook++] = gpa;
    return 0;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    struct vballoon_cb cb = { give, take, f };
    vballoon_init(&f->b, &cb, &f->t);
    fv_init(&f->t, &vballoon_ops, &f->b);
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

/* Put n PFNs in one guest buffer and submit it on queue q; kick. */
static void submit(struct fixture *f, unsigned q, const uint32_t *pfns, unsigned n)
{
    uint64_t g = fv_alloc(&f->t, 4ull * n);
    uint8_t *p = fv_ptr(&f->t, g);
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < 4; k++)
            p[4 * i + k] = (uint8_t)(pfns[i] >> (8 * k));
    struct fv_buf buf = { g, 4 * n, false };
    fv_add(&f->t, q, &buf, 1);
    fv_kick(&f->t, q);
}

static void test_config(void **state)
{
    struct fixture *f = *state;
    const struct virtio_dev_ops *ops = &vballoon_ops;

    assert_int_equal(ops->device_id, VIRTIO_ID_BALLOON);
    assert_int_equal(ops->num_queues, 2);
    assert_int_equal(ops->features, VIRTIO_BALLOON_F_MUST_TELL_HOST);
    assert_int_equal(ops->config_read(&f->b, VBALLOON_CFG_NUM_PAGES, 4), 0);
    vballoon_set_target(&f->b, 0x12345678);
    assert_int_equal(f->t.config_changes, 1);
    vballoon_set_target(&f->b, 0x12345678);     /* no change, no signal */
    assert_int_equal(f->t.config_changes, 1);
    assert_int_equal(ops->config_read(&f->b, VBALLOON_CFG_NUM_PAGES, 4), 0x12345678);
    assert_int_equal(ops->config_read(&f->b, 1, 2), 0x3456);
    assert_int_equal(ops->config_read(&f->b, 3, 1), 0x12);
    assert_int_equal(ops->config_read(&f->b, 6, 4), 0);     /* past the end */
    assert_int_equal(ops->config_read(&f->b, 8, 1), 0);
    assert_int_equal(ops->config_read(&f->b, 0xfffffffeu, 4), 0);
}

static void test_actual_written_by_guest(void **state)
{
    struct fixture *f = *state;
    const struct virtio_dev_ops *ops = &vballoon_ops;

    vballoon_set_target(&f->b, 100);
    ops->config_write(&f->b, VBALLOON_CFG_ACTUAL, 4, 0xaabbccdd);
    assert_int_equal(f->b.actual, 0xaabbccdd);
    assert_int_equal(ops->config_read(&f->b, VBALLOON_CFG_ACTUAL, 4), 0xaabbccdd);
    ops->config_write(&f->b, 5, 1, 0x11);
    assert_int_equal(f->b.actual, 0xaabb11dd);
    ops->config_write(&f->b, 2, 4, 0x99887766);  /* bytes 2..5: only 4 and 5 are actual */
    assert_int_equal(f->b.actual, 0xaabb9988);
    ops->config_write(&f->b, VBALLOON_CFG_NUM_PAGES, 4, 7);  /* the host's: ignored */
    ops->config_write(&f->b, 6, 4, 0);                      /* past the end: ignored */
    ops->config_write(&f->b, 0xfffffffcu, 4, 0);
    assert_int_equal(f->b.num_pages, 100);
    assert_int_equal(f->b.actual, 0xaabb9988);
}

static void test_inflate_and_deflate(void **state)
{
    struct fixture *f = *state;
    uint32_t pfns[3] = { 0x200, 0x201, 0xfffff };
    uint32_t id, len;

    submit(f, VBALLOON_Q_INFLATE, pfns, 3);
    assert_int_equal(f->ngave, 3);
    assert_int_equal(f->gave[0], 0x200000);
    assert_int_equal(f->gave[1], 0x201000);
    assert_int_equal(f->gave[2], 0xfffff000ull);
    assert_int_equal(f->ntook, 0);
    assert_int_equal(f->b.stats.given, 3);
    assert_int_equal(fv_used_idx(&f->t, VBALLOON_Q_INFLATE), 1);
    fv_used_elem(&f->t, VBALLOON_Q_INFLATE, 0, &id, &len);
    assert_int_equal(len, 0);
    assert_int_equal(f->t.used_calls, 1);

    submit(f, VBALLOON_Q_DEFLATE, pfns + 1, 1);
    assert_int_equal(f->ntook, 1);
    assert_int_equal(f->took[0], 0x201000);
    assert_int_equal(f->b.stats.taken, 1);
    assert_int_equal(f->b.stats.refused + f->b.stats.dropped + f->b.stats.bad_requests, 0);
}

static void test_pfn_is_not_truncated(void **state)
{
    struct fixture *f = *state;
    uint32_t pfn = 0xffffffffu;

    submit(f, VBALLOON_Q_INFLATE, &pfn, 1);
    assert_int_equal(f->gave[0], 0xffffffffull << 12);
}

static void test_refusals_are_counted_not_fatal(void **state)
{
    struct fixture *f = *state;
    uint32_t pfns[6] = { 1, 2, 3, 4, 4, 4 };

    f->refuse_odd = true;
    submit(f, VBALLOON_Q_INFLATE, pfns, 6);
    assert_int_equal(f->b.stats.given, 4);      /* repeats reach the callback, which judges */
    assert_int_equal(f->b.stats.refused, 2);
    submit(f, VBALLOON_Q_DEFLATE, pfns, 6);
    assert_int_equal(f->b.stats.taken, 4);
    assert_int_equal(f->b.stats.refused, 4);
    assert_int_equal(f->t.device_errors, 0);
    assert_int_equal(fv_used_idx(&f->t, 0) + fv_used_idx(&f->t, 1), 2);
}

static void test_huge_array_is_bounded(void **state)
{
    struct fixture *f = *state;
    static uint32_t pfns[3000];

    for (unsigned i = 0; i < 3000; i++)
        pfns[i] = i;
    submit(f, VBALLOON_Q_INFLATE, pfns, 3000);
    assert_int_equal(f->calls, VBALLOON_PFNS_PER_REQ);
    assert_int_equal(f->b.stats.given, VBALLOON_PFNS_PER_REQ);
    assert_int_equal(f->b.stats.dropped, 3000 - VBALLOON_PFNS_PER_REQ);
    assert_int_equal(fv_used_idx(&f->t, 0), 1);
}

static void test_bad_shapes(void **state)
{
    struct fixture *f = *state;
    uint64_t g = fv_alloc(&f->t, 16), w = fv_alloc(&f->t, 8);
    uint8_t *p = fv_ptr(&f->t, g);

    p[0] = 5;                           /* PFN 5, then 2 stray bytes */
    struct fv_buf partial = { g, 6, false };
    fv_add(&f->t, 0, &partial, 1);
    fv_kick(&f->t, 0);
    assert_int_equal(f->b.stats.given, 1);
    assert_int_equal(f->gave[0], 0x5000);
    assert_int_equal(f->b.stats.bad_requests, 1);
    struct fv_buf with_write[2] = { { g, 4, false }, { w, 8, true } };
    fv_add(&f->t, 0, with_write, 2);
    fv_kick(&f->t, 0);
    assert_int_equal(f->b.stats.given, 2);
    assert_int_equal(f->b.stats.bad_requests, 2);
    struct fv_buf empty = { w, 8, true };
    fv_add(&f->t, 1, &empty, 1);
    fv_kick(&f->t, 1);
    assert_int_equal(f->calls, 2);
    assert_int_equal(f->b.stats.bad_requests, 3);
    assert_int_equal(fv_used_idx(&f->t, 1), 1);
}

static void test_unreadable_pfns_dropped(void **state)
{
    struct fixture *f = *state;
    static uint32_t pfns[200];

    for (unsigned i = 0; i < 200; i++)
        pfns[i] = 1000 + i;
    uint64_t next = f->t.next_alloc;
    f->t.hole_lo = next + 4 * 100;      /* PFNs 100.. of the array sit in a hole */
    f->t.hole_hi = next + 4 * 101;
    submit(f, VBALLOON_Q_INFLATE, pfns, 200);
    assert_true(f->b.stats.given >= 64 && f->b.stats.given <= 100);
    assert_int_equal(f->b.stats.given + f->b.stats.dropped, 200);
    for (unsigned i = 0; i < f->ngave; i++)
        assert_int_equal(f->gave[i], (1000ull + i) << 12);
}

static void test_malformed_ring(void **state)
{
    struct fixture *f = *state;

    fv_make_avail(&f->t, 1, 999);
    fv_kick(&f->t, 1);
    assert_int_equal(f->t.device_errors, 1);
    assert_true(f->t.vq[1].broken);
    assert_int_equal(f->calls, 0);
    /* The other queue still works. */
    uint32_t pfn = 7;
    submit(f, 0, &pfn, 1);
    assert_int_equal(f->b.stats.given, 1);
}

static void test_driver_ok_reset_and_stray_queue(void **state)
{
    struct fixture *f = *state;
    const struct virtio_dev_ops *ops = &vballoon_ops;

    vballoon_set_target(&f->b, 50);
    ops->driver_ok(&f->b, &f->t, VIRTIO_BALLOON_F_MUST_TELL_HOST | VIRTIO_F_VERSION_1);
    assert_true(f->b.must_tell);
    ops->config_write(&f->b, VBALLOON_CFG_ACTUAL, 4, 20);
    ops->notify(&f->b, &f->t, 2);       /* no such queue */
    ops->notify(&f->b, &f->t, 0xffffffffu);
    ops->reset(&f->b);
    assert_false(f->b.must_tell);
    assert_int_equal(f->b.actual, 0);
    assert_int_equal(f->b.num_pages, 50);
    ops->driver_ok(&f->b, &f->t, VIRTIO_F_VERSION_1);
    assert_false(f->b.must_tell);
}

static void test_no_transport_yet(void **state)
{
    (void)state;
    struct vballoon b;
    struct vballoon_cb cb = { give, take, NULL };
    vballoon_init(&b, &cb, NULL);
    vballoon_set_target(&b, 9);         /* nobody to tell: no crash */
    assert_int_equal(vballoon_ops.config_read(&b, 0, 4), 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_actual_written_by_guest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inflate_and_deflate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pfn_is_not_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_are_counted_not_fatal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_array_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_pfns_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_driver_ok_reset_and_stray_queue, setup, teardown),
        cmocka_unit_test(test_no_transport_yet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
