/* Unit tests for the split virtqueue walker (src/vdev/virtq.c). A fake guest memory (a host
 * buffer at a base gpa, plus a large "phantom" range that reads zeros, for lengths near
 * 4 GiB) and a driver side that builds rings as Linux's virtio_ring does (a free list of
 * descriptors, chains linked by NEXT, indirect tables, the available index published last)
 * drive the device side: well-formed requests in and out, then each way a guest can get a
 * ring wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/virtq.h"

/* ---- fake guest memory --------------------------------------------------------------- */

#define RAM_BASE    0x100000ull
#define RAM_SIZE    0x100000ull
#define HUGE_BASE   0x100000000ull   /* phantom RAM: reads zeros, writes are dropped */
#define HUGE_SIZE   0x400000000ull

static uint8_t ram[RAM_SIZE];
static unsigned mem_reads, mem_writes;

static int in_range(uint64_t gpa, size_t len, uint64_t base, uint64_t size)
{
    return gpa >= base && gpa - base <= size && len <= size - (gpa - base);
}

static int fake_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    (void)ctx;
    mem_reads++;
    if (in_range(gpa, len, RAM_BASE, RAM_SIZE)) {
        memcpy(dst, ram + (gpa - RAM_BASE), len);
        return 0;
    }
    if (in_range(gpa, len, HUGE_BASE, HUGE_SIZE)) {
        memset(dst, 0, len);
        return 0;
    }
    return -1;
}

static int fake_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    (void)ctx;
    mem_writes++;
    if (in_range(gpa, len, RAM_BASE, RAM_SIZE)) {
        memcpy(ram + (gpa - RAM_BASE), src, len);
        return 0;
    }
    return in_range(gpa, len, HUGE_BASE, HUGE_SIZE) ? 0 : -1;
}

static const struct virtq_mem mem = { fake_read, fake_write, NULL };

static uint8_t *at(uint64_t gpa) { return ram + (gpa - RAM_BASE); }
static void w16(uint64_t gpa, uint16_t v) { memcpy(at(gpa), &v, 2); }
static void w32(uint64_t gpa, uint32_t v) { memcpy(at(gpa), &v, 4); }
static void w64(uint64_t gpa, uint64_t v) { memcpy(at(gpa), &v, 8); }
static uint16_t r16(uint64_t gpa) { uint16_t v; memcpy(&v, at(gpa), 2); return v; }
static uint32_t r32(uint64_t gpa) { uint32_t v; memcpy(&v, at(gpa), 4); return v; }

/* ---- the driver side ------------------------------------------------------------------- */

#define DESC_GPA    (RAM_BASE)
#define AVAIL_GPA   (RAM_BASE + 0x4000)
#define USED_GPA    (RAM_BASE + 0x5000)
#define IND_GPA     (RAM_BASE + 0x8000)
#define DATA_GPA    (RAM_BASE + 0x20000)

struct drv {
    struct virtq q;
    uint16_t num, avail_idx, last_used, free_head, num_free;
    uint16_t free_next[VIRTQ_MAX_NUM];
    uint64_t ind_next, data_next;
};

static struct drv d;
static struct virtq_req req;

struct buf { uint64_t gpa; uint32_t len; };

static void set_desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint64_t e = table + 16ull * i;
    w64(e, addr);
    w32(e + 8, len);
    w16(e + 12, flags);
    w16(e + 14, next);
}

/* Reset guest memory and set up a ready queue of num entries whose indices start at idx. */
static void drv_init_at(uint16_t num, bool event_idx, uint16_t idx)
{
    memset(ram, 0, sizeof(ram));
    memset(&d, 0, sizeof(d));
    virtq_reset(&d.q);
    d.num = num;
    d.q.num = num;
    d.q.desc = DESC_GPA;
    d.q.avail = AVAIL_GPA;
    d.q.used = USED_GPA;
    d.q.event_idx = event_idx;
    d.q.ready = true;
    d.q.last_avail = d.q.used_idx = idx;
    d.avail_idx = d.last_used = idx;
    w16(AVAIL_GPA + 2, idx);
    w16(USED_GPA + 2, idx);
    for (unsigned i = 0; i < num; i++)
        d.free_next[i] = (uint16_t)(i + 1);
    d.num_free = num;
    d.ind_next = IND_GPA;
    d.data_next = DATA_GPA;
}

static void drv_init(uint16_t num, bool event_idx) { drv_init_at(num, event_idx, 0); }

/* A data buffer of len bytes filled with a pattern from seed. */
static struct buf drv_data(uint32_t len, uint8_t seed)
{
    struct buf b = { d.data_next, len };
    for (uint32_t i = 0; i < len; i++)
        at(b.gpa)[i] = (uint8_t)(seed + i);
    d.data_next += (len + 15) & ~15u;
    return b;
}

/* Make head available (avail ring entry, then the index, as the driver publishes). */
static void drv_publish(uint16_t head)
{
    w16(AVAIL_GPA + 4 + 2u * (d.avail_idx & (d.num - 1)), head);
    d.avail_idx++;
    w16(AVAIL_GPA + 2, d.avail_idx);
}

/* Add n_out device-readable then n_in device-writable buffers (virtqueue_add_split):
 * direct descriptors from the free list, or one descriptor naming an indirect table. */
static uint16_t drv_add(const struct buf *b, unsigned n_out, unsigned n_in, bool indirect)
{
    unsigned n = n_out + n_in;
    uint16_t head = d.free_head;

    if (indirect) {
        uint64_t table = d.ind_next;
        d.ind_next += 16ull * n;
        for (unsigned i = 0; i < n; i++)
            set_desc(table, (uint16_t)i, b[i].gpa, b[i].len,
                     (uint16_t)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
                                (i >= n_out ? VIRTQ_DESC_F_WRITE : 0)),
                     (uint16_t)(i + 1 < n ? i + 1 : 0));
        set_desc(DESC_GPA, head, table, 16u * n, VIRTQ_DESC_F_INDIRECT, 0);
        d.free_head = d.free_next[head];
        d.num_free--;
    } else {
        uint16_t i = head;
        for (unsigned k = 0; k < n; k++) {
            uint16_t nx = d.free_next[i];
            set_desc(DESC_GPA, i, b[k].gpa, b[k].len,
                     (uint16_t)((k + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
                                (k >= n_out ? VIRTQ_DESC_F_WRITE : 0)), nx);
            i = nx;
        }
        d.free_head = i;
        d.num_free = (uint16_t)(d.num_free - n);
    }
    drv_publish(head);
    return head;
}

/* Take one used element (detach_buf_split): its id and *len, or -1 if none. Its
 * descriptors go back on the free list. */
static int drv_get_used(uint32_t *len)
{
    if (r16(USED_GPA + 2) == d.last_used)
        return -1;
    uint64_t e = USED_GPA + 4 + 8u * (d.last_used & (d.num - 1));
    uint16_t id = (uint16_t)r32(e), i = id;
    *len = r32(e + 4);
    d.last_used++;
    while (r16(DESC_GPA + 16u * i + 12) & VIRTQ_DESC_F_NEXT) {
        d.num_free++;
        i = r16(DESC_GPA + 16u * i + 14);
    }
    d.num_free++;
    d.free_next[i] = d.free_head;
    d.free_head = id;
    return id;
}

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
