/* Unit tests for the split virtqueue walker (src/vdev/virtq.c). A fake guest memory and a
 * driver side that builds rings as Linux's virtio_ring does (virtq_driver.h) drive the
 * device side: well-formed requests in and out, then each way a guest can get a ring
 * wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "virtq_driver.h"

/* The queue is broken, and a broken queue takes and gives back nothing more (without
 * looking at guest memory). */
static void assert_stays_broken(void)
{
    assert_true(d.q.broken);
    unsigned before = mem_reads + mem_writes;
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);
    assert_int_equal(virtq_push(&d.q, &mem, 0, 0), -1);
    assert_int_equal(mem_reads + mem_writes, before);
}

/* Pop finds the ring malformed and breaks the queue. */
static void assert_pop_fails(void)
{
    assert_int_equal(virtq_pop(&d.q, &mem, &req), -1);
    assert_stays_broken();
}

/* As assert_pop_fails, and the walk gave up within max_reads reads of guest memory (a loop
 * is caught by the queue's or table's size, not only by VIRTQ_MAX_SEGS). */
static void assert_pop_fails_within(unsigned max_reads)
{
    unsigned before = mem_reads;
    assert_int_equal(virtq_pop(&d.q, &mem, &req), -1);
    assert_in_range(mem_reads - before, 1, max_reads);
    assert_stays_broken();
}

/* ---- well-formed requests ---------------------------------------------------------------- */

static void test_simple_chain_in_and_out(void **state)
{
    (void)state;
    drv_init(8, false);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);        /* nothing yet */
    struct buf b[3] = { drv_data(16, 1), drv_data(5, 50), drv_data(32, 0) };
    uint16_t head = drv_add(b, 2, 1, false);

    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(req.head, head);
    assert_int_equal(req.nseg, 3);
    assert_int_equal(req.out_len, 21);
    assert_int_equal(req.in_len, 32);
    assert_int_equal(req.seg[0].gpa, b[0].gpa);
    assert_int_equal(req.seg[1].len, 5);
    assert_false(req.seg[1].write);
    assert_true(req.seg[2].write);
    assert_int_equal(d.q.last_avail, 1);

    /* Gather runs across the readable buffers only, from any offset. */
    uint8_t buf[32];
    assert_int_equal(virtq_gather(&req, &mem, 14, buf, sizeof(buf)), 7);
    assert_int_equal(buf[0], 15);
    assert_int_equal(buf[1], 16);
    assert_int_equal(buf[2], 50);
    assert_int_equal(buf[6], 54);
    assert_int_equal(virtq_gather(&req, &mem, 21, buf, sizeof(buf)), 0);
    assert_int_equal(virtq_gather(&req, &mem, ~0ull, buf, sizeof(buf)), 0);

    /* Scatter fills the writable one only, short at its end. */
    memset(buf, 0xab, sizeof(buf));
    assert_int_equal(virtq_scatter(&req, &mem, 30, buf, sizeof(buf)), 2);
    assert_int_equal(at(b[2].gpa)[29], 29);
    assert_int_equal(at(b[2].gpa)[30], 0xab);
    assert_int_equal(at(b[2].gpa)[31], 0xab);
    assert_int_equal(at(b[1].gpa)[0], 50);                    /* readable untouched */

    /* Push writes the used element, then the index; the driver takes it back. */
    assert_int_equal(virtq_push(&d.q, &mem, req.head, 2), 0);
    assert_int_equal(r32(USED_GPA + 4), head);
    assert_int_equal(r32(USED_GPA + 8), 2);
    assert_int_equal(r16(USED_GPA + 2), 1);
    uint32_t len;
    assert_int_equal(drv_get_used(&len), head);
    assert_int_equal(len, 2);
    assert_int_equal(d.num_free, 8);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);
    assert_false(d.q.broken);
}

static void test_not_ready_takes_nothing(void **state)
{
    (void)state;
    drv_init(8, false);
    struct buf b = drv_data(8, 0);
    drv_add(&b, 1, 0, false);
    d.q.ready = false;
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);
    assert_int_equal(virtq_push(&d.q, &mem, 0, 0), -1);
    d.q.ready = true;
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    virtq_reset(&d.q);
    assert_int_equal(d.q.num, 0);
    assert_false(d.q.ready);
    assert_int_equal(d.q.last_avail, 0);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);
}

static void test_indirect(void **state)
{
    (void)state;
    drv_init(4, false);
    struct buf b[4] = { drv_data(10, 0), drv_data(20, 0), drv_data(30, 0), drv_data(40, 0) };
    uint16_t head = drv_add(b, 1, 3, true);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(req.head, head);
    assert_int_equal(req.nseg, 4);
    assert_int_equal(req.out_len, 10);
    assert_int_equal(req.in_len, 90);
    assert_int_equal(req.seg[3].gpa, b[3].gpa);
    assert_true(req.seg[1].write);

    /* A direct descriptor, then one naming a table, ends the chain with the table's. */
    set_desc(IND_GPA + 0x100, 0, b[2].gpa, 30, VIRTQ_DESC_F_WRITE, 0);
    set_desc(DESC_GPA, 2, b[0].gpa, 10, VIRTQ_DESC_F_NEXT, 3);
    set_desc(DESC_GPA, 3, IND_GPA + 0x100, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
    drv_publish(2);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(req.nseg, 2);
    assert_false(req.seg[0].write);
    assert_true(req.seg[1].write);
    assert_int_equal(req.in_len, 30);
}

/* Sets up entry 0 as a descriptor naming an indirect table of len bytes at IND_GPA. */
static void publish_indirect(uint32_t len, uint16_t extra_flags)
{
    set_desc(DESC_GPA, 0, IND_GPA, len, (uint16_t)(VIRTQ_DESC_F_INDIRECT | extra_flags), 1);
    drv_publish(0);
}

static void test_bad_indirect_tables(void **state)
{
    (void)state;
    uint64_t data = DATA_GPA;
    drv_init(4, false);
    publish_indirect(24, 0);                                  /* not a multiple of 16 */
    assert_pop_fails();
    drv_init(4, false);
    publish_indirect(0, 0);
    assert_pop_fails();
    drv_init(4, false);
    set_desc(IND_GPA, 0, data, 8, 0, 0);
    publish_indirect(16, VIRTQ_DESC_F_NEXT);                  /* INDIRECT with NEXT */
    assert_pop_fails();
    drv_init(4, false);
    set_desc(IND_GPA, 0, IND_GPA + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
    set_desc(IND_GPA + 0x100, 0, data, 8, 0, 0);
    publish_indirect(16, 0);                                  /* nested */
    assert_pop_fails();
    drv_init(4, false);
    for (uint16_t i = 0; i < 5; i++)
        set_desc(IND_GPA, i, data, 8, i < 4 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
    publish_indirect(5 * 16, 0);                              /* more entries than num */
    assert_pop_fails();
    drv_init(4, false);
    set_desc(IND_GPA, 0, data, 8, VIRTQ_DESC_F_NEXT, 2);      /* next past the table */
    set_desc(IND_GPA, 1, data, 8, 0, 0);
    publish_indirect(32, 0);
    assert_pop_fails();
    drv_init(4, false);
    set_desc(IND_GPA, 0, data, 8, VIRTQ_DESC_F_NEXT, 1);      /* loop 0 -> 1 -> 0 */
    set_desc(IND_GPA, 1, data, 8, VIRTQ_DESC_F_NEXT, 0);
    publish_indirect(32, 0);
    assert_pop_fails_within(30);
    drv_init(4, false);
    set_desc(IND_GPA, 0, data, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    set_desc(IND_GPA, 1, data, 8, 0, 0);                      /* readable after writable */
    publish_indirect(32, 0);
    assert_pop_fails();
    drv_init(4, false);
    set_desc(DESC_GPA, 0, RAM_BASE + RAM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
    drv_publish(0);                                           /* table runs out of RAM */
    assert_pop_fails();
}

/* ---- indices ----------------------------------------------------------------------------- */

static void test_indices_wrap(void **state)
{
    (void)state;
    drv_init_at(4, false, 65530);
    for (unsigned n = 0; n < 20; n++) {
        struct buf b[2] = { drv_data(4, (uint8_t)n), drv_data(4, 0) };
        uint16_t head = drv_add(b, 1, 1, n % 2);
        assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
        assert_int_equal(req.head, head);
        uint8_t v;
        assert_int_equal(virtq_gather(&req, &mem, 0, &v, 1), 1);
        assert_int_equal(v, (uint8_t)n);
        assert_int_equal(virtq_push(&d.q, &mem, req.head, 4), 0);
        uint32_t len;
        assert_int_equal(drv_get_used(&len), head);
        assert_int_equal(len, 4);
        assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);
    }
    assert_int_equal(d.q.last_avail, (uint16_t)(65530 + 20));
    assert_int_equal(d.q.used_idx, 14);
    assert_int_equal(r16(USED_GPA + 2), 14);
    assert_false(d.q.broken);
}

static void test_full_ring_then_too_far(void **state)
{
    (void)state;
    drv_init_at(4, false, 65534);
    struct buf b = drv_data(4, 0);
    for (int i = 0; i < 4; i++)
        drv_add(&b, 1, 0, false);                             /* exactly num ahead: fine */
    for (int i = 0; i < 4; i++)
        assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);

    drv_init_at(4, false, 65534);
    w16(AVAIL_GPA + 2, (uint16_t)(65534 + 5));                /* num + 1 ahead */
    assert_pop_fails();
    drv_init(4, false);
    w16(AVAIL_GPA + 2, 0xffff);                               /* "behind" is far ahead */
    assert_pop_fails();
}

static void test_descriptor_index_out_of_range(void **state)
{
    (void)state;
    drv_init(4, false);
    drv_publish(4);                                           /* head == num */
    assert_pop_fails();
    drv_init(4, false);
    drv_publish(0xffff);
    assert_pop_fails();
    drv_init(4, false);
    set_desc(DESC_GPA, 1, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 4); /* next == num */
    drv_publish(1);
    assert_pop_fails();
}

/* ---- chains ------------------------------------------------------------------------------ */

static void test_loops_and_chain_length(void **state)
{
    (void)state;
    drv_init(4, false);
    set_desc(DESC_GPA, 2, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 2); /* itself */
    drv_publish(2);
    assert_pop_fails_within(30);
    drv_init(4, false);
    set_desc(DESC_GPA, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
    set_desc(DESC_GPA, 1, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 3);
    set_desc(DESC_GPA, 3, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 0);
    drv_publish(0);
    assert_pop_fails_within(30);

    /* A chain using all num descriptors is fine. */
    drv_init(4, false);
    struct buf b[4] = { drv_data(1, 0), drv_data(1, 0), drv_data(1, 0), drv_data(1, 0) };
    drv_add(b, 2, 2, false);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(req.nseg, 4);

    /* VIRTQ_MAX_SEGS buffers are fine, one more is not (direct and indirect). */
    static struct buf many[VIRTQ_MAX_SEGS + 1];
    for (unsigned i = 0; i <= VIRTQ_MAX_SEGS; i++)
        many[i] = (struct buf){ DATA_GPA, 1 };
    drv_init(256, false);
    drv_add(many, VIRTQ_MAX_SEGS, 0, false);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(req.nseg, VIRTQ_MAX_SEGS);
    assert_int_equal(virtq_push(&d.q, &mem, req.head, 0), 0);
    uint32_t len;
    assert_int_equal(drv_get_used(&len), req.head);
    drv_add(many, VIRTQ_MAX_SEGS, 1, false);
    assert_pop_fails();
    drv_init(256, false);
    drv_add(many, 1, VIRTQ_MAX_SEGS, true);
    assert_pop_fails();
}

static void test_readable_after_writable(void **state)
{
    (void)state;
    drv_init(8, false);
    set_desc(DESC_GPA, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
    set_desc(DESC_GPA, 1, DATA_GPA, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
    set_desc(DESC_GPA, 2, DATA_GPA, 8, 0, 0);
    drv_publish(0);
    assert_pop_fails();
    /* Writable only is fine (a receive queue). */
    drv_init(8, false);
    struct buf b[2] = { drv_data(8, 0), drv_data(8, 0) };
    drv_add(b, 0, 2, false);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(req.out_len, 0);
    assert_int_equal(req.in_len, 16);
}

/* ---- addresses and lengths --------------------------------------------------------------- */

static void test_areas_outside_ram(void **state)
{
    struct { uint64_t *field; uint64_t gpa; } cases[] = {
        { &d.q.desc, RAM_BASE - 0x1000 },                    /* below RAM */
        { &d.q.desc, RAM_BASE + RAM_SIZE - 32 },              /* 64-byte table runs off */
        { &d.q.avail, RAM_BASE + RAM_SIZE - 8 },              /* 14 bytes: runs off */
        { &d.q.used, RAM_BASE + RAM_SIZE - 36 },              /* 38 bytes: runs off */
        { &d.q.used, ~0ull - 3 },                             /* wraps */
        { &d.q.desc, DESC_GPA + 8 },                          /* misaligned */
        { &d.q.avail, AVAIL_GPA + 1 },
        { &d.q.used, USED_GPA + 2 },
    };
    (void)state;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        drv_init(4, false);
        struct buf b = drv_data(8, 0);
        drv_add(&b, 1, 0, false);
        *cases[i].field = cases[i].gpa;
        assert_pop_fails();
    }
    /* At the very end of RAM is fine. */
    drv_init(4, false);
    d.q.used = RAM_BASE + RAM_SIZE - 40;
    struct buf b = drv_data(8, 0);
    drv_add(&b, 1, 0, false);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(virtq_push(&d.q, &mem, req.head, 0), 0);
}

static void test_bad_queue_size(void **state)
{
    const uint16_t sizes[] = { 0, 3, 6, 2048, 0x8000 };
    (void)state;
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        drv_init(4, false);
        struct buf b = drv_data(8, 0);
        drv_add(&b, 1, 0, false);
        d.q.num = sizes[i];
        assert_pop_fails();
    }
    drv_init(1024, false);
    struct buf b = drv_data(8, 0);
    drv_add(&b, 1, 0, false);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
}

static void test_buffers_outside_ram(void **state)
{
    const struct buf bad[] = {
        { RAM_BASE - 4, 8 },                                  /* starts below */
        { RAM_BASE + RAM_SIZE - 4, 8 },                       /* ends past */
        { RAM_BASE + RAM_SIZE, 1 },
        { 0xfffffffffffff000ull, 0x2000 },                    /* wraps */
        { 0, 1 },
    };
    (void)state;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        drv_init(4, false);
        struct buf b[2] = { drv_data(8, 0), bad[i] };
        drv_add(b, 1, 1, false);
        assert_pop_fails();
    }
    /* A zero-length buffer names no memory, wherever it points. */
    drv_init(4, false);
    struct buf z = { 0, 0 };
    drv_add(&z, 1, 0, false);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(req.out_len, 0);
}

static void test_length_overflow(void **state)
{
    (void)state;
    drv_init(4, false);
    struct buf big[2] = { { HUGE_BASE, 0xffffffffu }, { HUGE_BASE, 1 } };
    drv_add(big, 0, 1, false);                                /* 4 GiB - 1: fits */
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    assert_int_equal(req.in_len, 0xffffffffull);
    drv_add(big, 1, 1, true);                                 /* one each way: fits */
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
    drv_add(big, 0, 2, true);                                 /* 4 GiB writable */
    assert_pop_fails();
    drv_init(4, false);
    drv_add(big, 2, 0, true);                                 /* 4 GiB readable */
    assert_pop_fails();
}

/* ---- used ring and notifications --------------------------------------------------------- */

static void push_n(unsigned n)
{
    struct buf b = drv_data(4, 0);
    for (unsigned i = 0; i < n; i++) {
        drv_add(&b, 1, 0, false);
        assert_int_equal(virtq_pop(&d.q, &mem, &req), 1);
        assert_int_equal(virtq_push(&d.q, &mem, req.head, 0), 0);
        uint32_t len;
        drv_get_used(&len);
    }
}

static void test_no_interrupt_flag(void **state)
{
    (void)state;
    drv_init(8, false);
    push_n(1);
    assert_true(virtq_should_notify(&d.q, &mem, 0));
    w16(AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);
    assert_false(virtq_should_notify(&d.q, &mem, 0));
    w16(AVAIL_GPA, 0);
    assert_false(virtq_should_notify(&d.q, &mem, d.q.used_idx));   /* nothing pushed */
}

static void test_event_idx(void **state)
{
    (void)state;
    drv_init(8, true);
    push_n(3);                                                /* used_idx 0 -> 3 */
    w16(AVAIL_GPA + 4 + 2 * 8, 0);                            /* used_event: after entry 0 */
    assert_true(virtq_should_notify(&d.q, &mem, 0));
    w16(AVAIL_GPA + 4 + 2 * 8, 2);
    assert_true(virtq_should_notify(&d.q, &mem, 0));
    assert_true(virtq_should_notify(&d.q, &mem, 2));
    assert_false(virtq_should_notify(&d.q, &mem, 3));         /* nothing new */
    w16(AVAIL_GPA + 4 + 2 * 8, 3);                            /* wants entry 3: not yet */
    assert_false(virtq_should_notify(&d.q, &mem, 0));
    w16(AVAIL_GPA + 4 + 2 * 8, 1);
    assert_false(virtq_should_notify(&d.q, &mem, 2));         /* already passed */
    w16(AVAIL_GPA, VIRTQ_AVAIL_F_NO_INTERRUPT);               /* ignored with EVENT_IDX */
    assert_true(virtq_should_notify(&d.q, &mem, 1));

    /* Across the wrap of the 16-bit index. */
    drv_init_at(8, true, 65534);
    push_n(4);                                                /* 65534 -> 2 */
    w16(AVAIL_GPA + 4 + 2 * 8, 65535);
    assert_true(virtq_should_notify(&d.q, &mem, 65534));
    assert_false(virtq_should_notify(&d.q, &mem, 0));
    w16(AVAIL_GPA + 4 + 2 * 8, 1);
    assert_true(virtq_should_notify(&d.q, &mem, 0));
}

static void test_avail_event_rearmed_when_empty(void **state)
{
    (void)state;
    drv_init(8, true);
    w16(USED_GPA + 4 + 8 * 8, 0x5555);
    push_n(2);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);
    assert_int_equal(r16(USED_GPA + 4 + 8 * 8), 2);           /* notify me at entry 2 */
    /* Without EVENT_IDX the field is left alone. */
    drv_init(8, false);
    w16(USED_GPA + 4 + 8 * 8, 0x5555);
    push_n(2);
    assert_int_equal(virtq_pop(&d.q, &mem, &req), 0);
    assert_int_equal(r16(USED_GPA + 4 + 8 * 8), 0x5555);
}

static void test_push_checks(void **state)
{
    (void)state;
    drv_init(8, false);
    assert_int_equal(virtq_push(&d.q, &mem, 8, 0), -1);       /* head >= num */
    assert_int_equal(r16(USED_GPA + 2), 0);
    assert_false(d.q.broken);
    d.q.used = RAM_BASE + RAM_SIZE + 0x1000;                  /* used ring gone */
    assert_int_equal(virtq_push(&d.q, &mem, 0, 0), -1);
    assert_true(d.q.broken);
    assert_int_equal(d.q.used_idx, 0);
    assert_false(virtq_should_notify(&d.q, &mem, 0));
}

static void test_gather_stops_at_bad_memory(void **state)
{
    (void)state;
    struct virtq_req r = { .nseg = 3 };
    r.seg[0] = (struct virtq_seg){ DATA_GPA, 4, false };
    r.seg[1] = (struct virtq_seg){ RAM_BASE + RAM_SIZE - 2, 4, false }; /* not all RAM */
    r.seg[2] = (struct virtq_seg){ DATA_GPA, 4, false };
    uint8_t buf[12];
    assert_int_equal(virtq_gather(&r, &mem, 0, buf, sizeof(buf)), 4);
    assert_int_equal(virtq_scatter(&r, &mem, 0, buf, sizeof(buf)), 0); /* none writable */
    r.nseg = 1000;                                                      /* bounded anyway */
    assert_int_equal(virtq_gather(&r, &mem, 0, buf, 4), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_chain_in_and_out),
        cmocka_unit_test(test_not_ready_takes_nothing),
        cmocka_unit_test(test_indirect),
        cmocka_unit_test(test_bad_indirect_tables),
        cmocka_unit_test(test_indices_wrap),
        cmocka_unit_test(test_full_ring_then_too_far),
        cmocka_unit_test(test_descriptor_index_out_of_range),
        cmocka_unit_test(test_loops_and_chain_length),
        cmocka_unit_test(test_readable_after_writable),
        cmocka_unit_test(test_areas_outside_ram),
        cmocka_unit_test(test_bad_queue_size),
        cmocka_unit_test(test_buffers_outside_ram),
        cmocka_unit_test(test_length_overflow),
        cmocka_unit_test(test_no_interrupt_flag),
        cmocka_unit_test(test_event_idx),
        cmocka_unit_test(test_avail_event_rearmed_when_empty),
        cmocka_unit_test(test_push_checks),
        cmocka_unit_test(test_gather_stops_at_bad_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
