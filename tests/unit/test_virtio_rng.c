/* Unit tests for virtio-rng (src/vdev/virtio_rng.c): requests built by a Linux-like driver
 * side in real split rings (fake_virtio.c) filled from a scripted entropy source; the
 * per-request bound, short and lying sources, stray readable buffers, a malformed ring. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_virtio.h"
#include "vdev/virtio_rng.h"

struct fixture {
    struct virtio_transport t;
    struct vrng r;
    uint8_t next;                       /* the source's next byte: a counter */
    size_t budget;                      /* bytes the source still has */
    bool overstate;                     /* claims len + 100 */
    size_t asked_max;                   /* the largest len asked for */
};

static size_t entropy(void *ctx, void *buf, size_t len)
{
    struct fixture *f = ctx;
    size_t n = len < f->budget ? len : f->budget;

    if (len > f->asked_max)
        f->asked_max = len;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)buf)[i] = f->next++;
    f->budget -= n;
    return f->overstate ? len + 100 : n;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->next = 1;
    f->budget = SIZE_MAX;
    vrng_init(&f->r, entropy, f);
    fv_init(&f->t, &vrng_ops, &f->r);
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

/* Submit one request of n buffers, kick, return the used length. */
static uint32_t submit(struct fixture *f, const struct fv_buf *bufs, unsigned n)
{
    uint16_t before = fv_used_idx(&f->t, 0);
    uint32_t id, len;
    uint16_t head = fv_add(&f->t, 0, bufs, n);

    fv_kick(&f->t, 0);
    assert_int_equal(fv_used_idx(&f->t, 0), (uint16_t)(before + 1));
    fv_used_elem(&f->t, 0, before, &id, &len);
    assert_int_equal(id, head);
    return len;
}

/* Are the n bytes at p the counter run from first? */
static void assert_run(const uint8_t *p, size_t n, uint8_t first)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i], (uint8_t)(first + i));
}

static void test_ops(void **state)
{
    (void)state;
    assert_int_equal(vrng_ops.device_id, VIRTIO_ID_RNG);
    assert_int_equal(vrng_ops.num_queues, 1);
    assert_int_equal(vrng_ops.features, 0);
    assert_int_equal(vrng_ops.config_read(NULL, 0, 4), 0);
}

static void test_fill_one_and_split(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 64), b = fv_alloc(&f->t, 10), c = fv_alloc(&f->t, 30);
    struct fv_buf one = { a, 64, true };
    struct fv_buf two[2] = { { b, 10, true }, { c, 30, true } };

    assert_int_equal(submit(f, &one, 1), 64);
    assert_run(fv_ptr(&f->t, a), 64, 1);
    assert_int_equal(submit(f, two, 2), 40);
    assert_run(fv_ptr(&f->t, b), 10, 65);
    assert_run(fv_ptr(&f->t, c), 30, 75);
    assert_int_equal(f->r.stats.requests, 2);
    assert_int_equal(f->r.stats.bytes, 104);
    assert_int_equal(f->r.stats.short_fills, 0);
    assert_int_equal(f->t.used_calls, 2);
}

static void test_bounded_per_request(void **state)
{
    struct fixture *f = *state;
    uint64_t big = fv_alloc(&f->t, 1u << 20);
    struct fv_buf buf = { big, 1u << 20, true };
    const uint8_t *p = fv_ptr(&f->t, big);

    assert_int_equal(submit(f, &buf, 1), VRNG_REQ_MAX);
    assert_int_equal(p[VRNG_REQ_MAX - 1], (uint8_t)VRNG_REQ_MAX);
    for (size_t i = VRNG_REQ_MAX; i < (1u << 20); i++)
        assert_int_equal(p[i], 0);
    assert_true(f->asked_max <= VRNG_REQ_MAX);
}

static void test_short_source(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 200);
    struct fv_buf buf = { a, 200, true };

    f->budget = 70;
    assert_int_equal(submit(f, &buf, 1), 70);
    assert_run(fv_ptr(&f->t, a), 70, 1);
    assert_int_equal(((uint8_t *)fv_ptr(&f->t, a))[70], 0);
    assert_int_equal(f->r.stats.short_fills, 1);
    assert_int_equal(submit(f, &buf, 1), 0);   /* empty: returned with nothing */
    assert_int_equal(f->r.stats.short_fills, 2);
    assert_int_equal(f->r.stats.bytes, 70);
}

static void test_overstating_source(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 100);
    struct fv_buf buf = { a, 100, true };

    f->overstate = true;
    assert_int_equal(submit(f, &buf, 1), 100);
    assert_int_equal(f->r.stats.bytes, 100);
}

static void test_readable_and_empty(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 16), b = fv_alloc(&f->t, 16);
    struct fv_buf mixed[2] = { { a, 16, false }, { b, 16, true } };
    struct fv_buf ro = { a, 16, false };
    struct fv_buf zero = { b, 0, true };

    assert_int_equal(submit(f, mixed, 2), 16);
    assert_run(fv_ptr(&f->t, b), 16, 1);
    assert_int_equal(submit(f, &ro, 1), 0);
    assert_int_equal(submit(f, &zero, 1), 0);
    assert_int_equal(f->r.stats.bad_requests, 2);
    assert_int_equal(f->r.stats.short_fills, 0);
    assert_int_equal(((uint8_t *)fv_ptr(&f->t, a))[0], 0);  /* readable: untouched */
}

static void test_buffer_in_hole(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 256);
    struct fv_buf buf = { a, 256, true };

    f->t.hole_lo = a + 100;
    f->t.hole_hi = a + 101;
    uint32_t len = submit(f, &buf, 1);
    assert_true(len <= 100);
    assert_int_equal(f->r.stats.short_fills, 1);
}

static void test_batch_and_malformed_ring(void **state)
{
    struct fixture *f = *state;
    uint64_t a = fv_alloc(&f->t, 8);
    struct fv_buf buf = { a, 8, true };

    fv_add(&f->t, 0, &buf, 1);
    fv_add(&f->t, 0, &buf, 1);
    fv_add(&f->t, 0, &buf, 1);
    fv_kick(&f->t, 0);
    assert_int_equal(fv_used_idx(&f->t, 0), 3);
    assert_int_equal(f->t.used_calls, 1);
    fv_make_avail(&f->t, 0, 0xffff);
    fv_kick(&f->t, 0);
    assert_int_equal(f->t.device_errors, 1);
    assert_true(f->t.vq[0].broken);
    vrng_ops.notify(&f->r, &f->t, 1);   /* no such queue */
    vrng_ops.reset(&f->r);
    assert_int_equal(f->r.stats.requests, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops),
        cmocka_unit_test_setup_teardown(test_fill_one_and_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded_per_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overstating_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readable_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffer_in_hole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_and_malformed_ring, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
