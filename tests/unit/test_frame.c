/* Unit tests for the frame allocator (src/mm/frame.c) on a simulated
 * QEMU-like physical memory: a 128 MiB arena with p2v = arena + pa. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/frame.h"

#define ARENA_SIZE 0x8000000ull     /* 128 MiB: covers the whole QEMU map's RAM */
#define MiB 0x100000ull

static unsigned char *arena;
static uint64_t arena_limit = ARENA_SIZE;  /* p2v maps [0, arena_limit) */

/* p2v for the tests: the arena, NULL beyond what is "mapped". */
static void *test_p2v(uint64_t pa)
{
    return pa < arena_limit ? arena + pa : NULL;
}

static const struct mem_region qemu_map[] = {
    { 0x0, 0x9fc00, MEM_USABLE },
    { 0x9fc00, 0x400, MEM_RESERVED },
    { 0xf0000, 0x10000, MEM_RESERVED },
    { 0x100000, 0x7fe0000 - 0x100000, MEM_USABLE },
    { 0xfffc0000, 0x40000, MEM_RESERVED },
};
#define QEMU_N (sizeof(qemu_map) / sizeof(qemu_map[0]))

static const struct phys_range qemu_res[] = {
    { 0x100000, 0x400000, "hypervisor" },
    { 0x500000, 0x580123, "module dom0" },      /* unaligned end */
    { 0x9000, 0x9800, "multiboot info" },
};
#define RES_N (sizeof(qemu_res) / sizeof(qemu_res[0]))

/* Usable frames of qemu_map: [0, 0x9f) and [0x100, 0x7fe0). */
#define QEMU_TOTAL (0x9full + (0x7fe0ull - 0x100ull))

static int setup(void **state)
{
    (void)state;
    arena_limit = ARENA_SIZE;
    frame_reset();
    return 0;
}

static void check_stats_consistent(void)
{
    struct frame_stats s;
    frame_stats(&s);
    assert_int_equal(s.total, s.free + s.used + s.reserved);
}

/* Is [pa, pa + 4K) clear of everything that must never be handed out? */
static void check_frame_ok(uint64_t pa, uint64_t limit)
{
    assert_int_equal(pa % FRAME_SIZE, 0);
    assert_true(pa >= FRAME_LOW_LIMIT);
    assert_true(pa + FRAME_SIZE <= 0x7fe0000);
    assert_true(pa + FRAME_SIZE <= limit);
    for (size_t i = 0; i < frame_reserved_count(); i++) {
        const struct phys_range *r = frame_reserved(i);
        assert_false(pa < r->end && r->start < pa + FRAME_SIZE);
    }
    for (size_t i = 0; i < QEMU_N; i++) {
        const struct mem_region *m = &qemu_map[i];
        if (m->type != MEM_USABLE)
            assert_false(pa < m->base + m->len && m->base < pa + FRAME_SIZE);
    }
}

/* Allocate every frame, checking each (and that none repeats); scribble
 * over each so that an overlap with the bitmap would show up. */
static uint64_t drain(uint64_t **out, uint64_t limit)
{
    uint64_t cap = ARENA_SIZE / FRAME_SIZE, n = 0, pa;
    uint64_t *list = malloc(cap * sizeof(*list));
    unsigned char *seen = calloc(cap, 1);
    assert_non_null(list);
    assert_non_null(seen);
    while ((pa = frame_alloc()) != 0) {
        check_frame_ok(pa, limit);
        assert_int_equal(seen[pa / FRAME_SIZE], 0);
        seen[pa / FRAME_SIZE] = 1;
        memset(arena + pa, 0xa5, FRAME_SIZE);
        assert_true(n < cap);
        list[n++] = pa;
    }
    free(seen);
    *out = list;
    return n;
}

/* frame_alloc_zeroed: one frame or a run, cleared however it was left; 0 when none. */
static void test_alloc_zeroed(void **state)
{
    (void)state;
    assert_int_equal(frame_alloc_zeroed(1), 0);            /* before frame_init */
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 0, test_p2v), 0);
    uint64_t one = frame_alloc();
    memset(arena + one, 0xa5, FRAME_SIZE);
    frame_free(one);
    uint64_t z = frame_alloc_zeroed(1);
    assert_int_not_equal(z, 0);
    check_frame_ok(z, UINT64_MAX);
    for (size_t i = 0; i < FRAME_SIZE; i++)
        assert_int_equal(arena[z + i], 0);
    uint64_t run = frame_alloc_contig(3, 1);
    memset(arena + run, 0x5a, 3 * FRAME_SIZE);
    frame_free_contig(run, 3);
    uint64_t z3 = frame_alloc_zeroed(3);
    assert_int_not_equal(z3, 0);
    for (size_t i = 0; i < 3 * FRAME_SIZE; i++)
        assert_int_equal(arena[z3 + i], 0);
    check_stats_consistent();
}

static void test_qemu_map_stats(void **state)
{
    struct frame_stats s;
    (void)state;
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 0, test_p2v), 0);
    frame_stats(&s);
    assert_int_equal(s.total, QEMU_TOTAL);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.bad_frees, 0);
    /* Low memory, image (768 frames), module (129 frames) and the bitmap. */
    uint64_t bitmap_frames = (s.bitmap_bytes + FRAME_SIZE - 1) / FRAME_SIZE;
    assert_int_equal(s.reserved, 0x9f + 0x300 + 0x81 + bitmap_frames);
    check_stats_consistent();
    /* The reserved list: the given ranges, then the bitmap. */
    assert_int_equal(frame_reserved_count(), RES_N + 1);
    assert_string_equal(frame_reserved(0)->what, "hypervisor");
    assert_string_equal(frame_reserved(RES_N)->what, "frame bitmap");
    assert_null(frame_reserved(RES_N + 1));
}

static void test_bitmap_placement(void **state)
{
    (void)state;
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 0, test_p2v), 0);
    const struct phys_range *bm = frame_reserved(frame_reserved_count() - 1);
    assert_true(bm->start >= FRAME_LOW_LIMIT);
    assert_int_equal(bm->start % FRAME_SIZE, 0);
    assert_true(bm->end <= 0x7fe0000);
    for (size_t i = 0; i < RES_N; i++)
        assert_false(bm->start < qemu_res[i].end && qemu_res[i].start < bm->end);
    /* 32736 frames, two bitmaps of 512 words. */
    struct frame_stats s;
    frame_stats(&s);
    assert_int_equal(s.bitmap_bytes, 2 * 512 * 8);

    /* Reserve most of low RAM and unmap the top: the bitmap must go into the
     * one gap left that is both free and mapped. */
    const struct phys_range res[] = {
        { 0x100000, 0x2000000, "big image" },
        { 0x2003000, 0x7fe0000, "everything else" },
    };
    assert_int_equal(frame_init(qemu_map, QEMU_N, res, 2, 0, test_p2v), 0);
    bm = frame_reserved(2);
    assert_int_equal(bm->start, 0x2000000);
    frame_stats(&s);
    assert_int_equal(s.free, 1);      /* 3 free frames, the 8 KiB bitmap takes 2 */
    check_stats_consistent();

    /* No room at all: init fails, and the allocator stays empty. */
    const struct phys_range all[] = { { 0x100000, 0x7fe0000, "all" } };
    assert_int_equal(frame_init(qemu_map, QEMU_N, all, 1, 0, test_p2v), -1);
    assert_int_equal(frame_alloc(), 0);

    /* Only the first 8 MiB mapped: the bitmap lands there. */
    arena_limit = 8 * MiB;
    const struct phys_range img[] = { { 0x100000, 0x7fe000, "image" } };
    assert_int_equal(frame_init(qemu_map, QEMU_N, img, 1, 0, test_p2v), 0);
    bm = frame_reserved(1);
    assert_true(bm->start >= 0x7fe000 && bm->end <= 8 * MiB);
}

static void test_allocate_everything(void **state)
{
    struct frame_stats before, s;
    uint64_t *list;
    (void)state;
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 0, test_p2v), 0);
    frame_stats(&before);
    uint64_t n = drain(&list, UINT64_MAX);
    assert_int_equal(n, before.free);
    frame_stats(&s);
    assert_int_equal(s.free, 0);
    assert_int_equal(s.used, n);
    check_stats_consistent();
    assert_int_equal(frame_alloc(), 0);             /* exhausted */
    assert_int_equal(frame_alloc_contig(1, 1), 0);

    /* Scribbling over every frame left the allocator intact. */
    for (uint64_t i = 0; i < n; i++)
        frame_free(list[i]);
    frame_stats(&s);
    assert_int_equal(s.free, before.free);
    assert_int_equal(s.used, 0);
    assert_int_equal(s.bad_frees, 0);
    free(list);

    /* And everything can be allocated again. */
    n = drain(&list, UINT64_MAX);
    assert_int_equal(n, before.free);
    free(list);
}

static void test_free_and_realloc(void **state)
{
    struct frame_stats s;
    (void)state;
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 0, test_p2v), 0);
    uint64_t a = frame_alloc(), b = frame_alloc();
    assert_true(a != 0 && b != 0 && a != b);
    frame_free(a);
    frame_stats(&s);
    assert_int_equal(s.used, 1);
    /* With one frame left, it must be the freed one. */
    uint64_t *list;
    uint64_t n = drain(&list, UINT64_MAX);
    int found = 0;
    for (uint64_t i = 0; i < n; i++)
        found += list[i] == a;
    assert_int_equal(found, 1);
    frame_free(b);
    assert_int_equal(frame_alloc(), b);
    free(list);
}

static void test_contiguous(void **state)
{
    (void)state;
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 0, test_p2v), 0);
    uint64_t big = frame_alloc_contig(512, 512);
    assert_int_not_equal(big, 0);
    assert_int_equal(big % (2 * MiB), 0);
    for (uint64_t pa = big; pa < big + 2 * MiB; pa += FRAME_SIZE)
        check_frame_ok(pa, UINT64_MAX);
    uint64_t odd = frame_alloc_contig(3, 0);
    assert_int_not_equal(odd, 0);
    assert_false(odd < big + 2 * MiB && big < odd + 3 * FRAME_SIZE);

    /* Nothing else hands out a frame of those runs. */
    uint64_t *list;
    uint64_t n = drain(&list, UINT64_MAX);
    for (uint64_t i = 0; i < n; i++) {
        assert_false(list[i] >= big && list[i] < big + 2 * MiB);
        assert_false(list[i] >= odd && list[i] < odd + 3 * FRAME_SIZE);
    }
    /* Fragment: free every other frame; no run of 2 exists, runs of 1 do. */
    for (uint64_t i = 0; i < n; i += 2)
        frame_free(list[i]);
    assert_int_equal(frame_alloc_contig(2, 1), 0);
    assert_int_not_equal(frame_alloc_contig(1, 1), 0);

    /* Free the big run and get an aligned run again. */
    frame_free_contig(big, 512);
    assert_int_equal(frame_alloc_contig(512, 512), big);
    assert_int_equal(frame_alloc_contig(0, 1), 0);
    assert_int_equal(frame_alloc_contig(1, (size_t)1 << 40), 0);
    assert_int_equal(frame_alloc_contig((size_t)1 << 40, 1), 0);
    struct frame_stats s;
    frame_stats(&s);
    assert_int_equal(s.bad_frees, 0);
    check_stats_consistent();
    free(list);
}

static void test_bad_frees(void **state)
{
    struct frame_stats before, s;
    (void)state;
    frame_free(0x200000);                    /* before init */
    frame_stats(&s);
    assert_int_equal(s.bad_frees, 1);
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 0, test_p2v), 0);
    uint64_t a = frame_alloc();
    frame_stats(&before);
    frame_free(a);
    frame_free(a);                           /* double free */
    frame_free(0);                           /* frame 0 */
    frame_free(0x9000);                      /* low memory, multiboot info */
    frame_free(0x200000);                    /* hypervisor image */
    frame_free(0x580000);                    /* partly the module */
    frame_free(0x9fc00 & ~0xfffull);         /* partly reserved by the map */
    frame_free(a + 8);                       /* misaligned */
    frame_free(0x7fe0000);                   /* past the top */
    frame_free(0xfffc0000);                  /* far past the top */
    frame_free(UINT64_MAX & ~0xfffull);
    frame_free_contig(0x7fdf000, 4);         /* one never allocated, three past top */
    frame_stats(&s);
    assert_int_equal(s.bad_frees, 10 + 4);
    assert_int_equal(s.used, before.used - 1);
    check_stats_consistent();
}

static void test_mem_limit(void **state)
{
    struct frame_stats s;
    uint64_t *list;
    (void)state;
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 64 * MiB + 0x800, test_p2v), 0);
    frame_stats(&s);
    assert_int_equal(s.total, 0x9f + (0x4000 - 0x100));
    uint64_t n = drain(&list, 64 * MiB);
    assert_int_equal(n, s.free);
    const struct phys_range *bm = frame_reserved(frame_reserved_count() - 1);
    assert_true(bm->end <= 64 * MiB);
    free(list);

    /* A limit below 1 MiB leaves nothing to allocate. */
    assert_int_equal(frame_init(qemu_map, QEMU_N, qemu_res, RES_N, 0x80000, test_p2v), -1);
}

static void test_messy_maps(void **state)
{
    uint64_t *list;
    (void)state;
    /* Unsorted, overlapping, unaligned: reserved wins over usable, partial
     * frames are not RAM. */
    const struct mem_region messy[] = {
        { 0x1000000 + 0x123, 0x100, MEM_ACPI },   /* inside usable */
        { 0x100000, 0x1f00000, MEM_USABLE },
        { 0x800, 0x9f000, MEM_USABLE },
        { 0x1800000, 0x1000000, MEM_USABLE },     /* overlaps the first usable */
        { 0x1fff000, 0x2000, MEM_BAD },
        { 0x3000000, 0, MEM_USABLE },             /* empty */
        { 0x2800000 + 0x10, 0x3000, MEM_USABLE }, /* unaligned */
    };
    assert_int_equal(frame_init(messy, 7, NULL, 0, 0, test_p2v), 0);
    uint64_t n = drain(&list, UINT64_MAX);
    for (uint64_t i = 0; i < n; i++) {
        assert_true(list[i] >= 0x100000);
        assert_false(list[i] == 0x1000000);
        assert_false(list[i] >= 0x1fff000 && list[i] < 0x2001000);
        assert_true(list[i] < 0x2800000 || (list[i] >= 0x2801000 && list[i] < 0x2803000));
    }
    check_stats_consistent();
    free(list);

    const struct mem_region none[] = { { 0, 0x9fc00, MEM_USABLE }, { 0x100000, 0x1000, MEM_RESERVED } };
    assert_int_equal(frame_init(none, 2, NULL, 0, 0, test_p2v), -1);
    assert_int_equal(frame_init(none, 0, NULL, 0, 0, test_p2v), -1);
    assert_int_equal(frame_init(qemu_map, QEMU_N, NULL, 0, 0, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_qemu_map_stats, setup),
        cmocka_unit_test_setup(test_bitmap_placement, setup),
        cmocka_unit_test_setup(test_allocate_everything, setup),
        cmocka_unit_test_setup(test_free_and_realloc, setup),
        cmocka_unit_test_setup(test_contiguous, setup),
        cmocka_unit_test_setup(test_bad_frees, setup),
        cmocka_unit_test_setup(test_alloc_zeroed, setup),
        cmocka_unit_test_setup(test_mem_limit, setup),
        cmocka_unit_test_setup(test_messy_maps, setup),
    };
    arena = aligned_alloc(FRAME_SIZE, ARENA_SIZE);
    if (arena == NULL)
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(arena);
    return rc;
}
