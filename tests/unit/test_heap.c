/* Unit tests for the kernel heap (src/mm/heap.c) over the real frame
 * allocator, on a simulated 16 MiB physical memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/frame.h"
#include "mm/heap.h"

#define ARENA_SIZE (16u << 20)

static unsigned char *arena;

static void *test_p2v(uint64_t pa)
{
    return pa < ARENA_SIZE ? arena + pa : NULL;
}

/* Fresh frame allocator over [1 MiB, top) minus a 1 MiB "image", and an
 * empty heap. */
static void start(uint64_t top)
{
    const struct mem_region map[] = {
        { 0, 0x9fc00, MEM_USABLE },
        { 0x100000, top - 0x100000, MEM_USABLE },
    };
    const struct phys_range res[] = { { 0x100000, 0x200000, "hypervisor" } };
    frame_reset();
    assert_int_equal(frame_init(map, 2, res, 1, 0, test_p2v), 0);
    heap_init();
}

static int setup(void **state)
{
    (void)state;
    start(ARENA_SIZE);
    return 0;
}

static uint64_t frames_used(void)
{
    struct frame_stats s;
    frame_stats(&s);
    return s.used;
}

static void test_alignment_and_sizes(void **state)
{
    void *p[64];
    (void)state;
    for (size_t i = 0; i < 64; i++) {
        size_t n = i * 77;              /* 0 .. 4851: small and large */
        p[i] = kmalloc(n);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % HEAP_ALIGN, 0);
        memset(p[i], (int)i, n);
    }
    /* No two blocks overlap: every pattern survived. */
    for (size_t i = 0; i < 64; i++)
        for (size_t k = 0; k < i * 77; k++)
            assert_int_equal(((unsigned char *)p[i])[k], i);
    for (size_t i = 0; i < 64; i++)
        kfree(p[i]);
    struct heap_stats s = heap_stats();
    assert_int_equal(s.allocs, 64);
    assert_int_equal(s.frees, 64);
    assert_int_equal(s.bad_frees, 0);
    assert_int_equal(s.bytes_in_use, 0);
    assert_int_equal(s.pages, 0);
    assert_int_equal(frames_used(), 0);        /* every page went back */
}

static void test_zero_size_and_kzalloc(void **state)
{
    (void)state;
    void *a = kmalloc(0), *b = kmalloc(0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    unsigned char *d = kmalloc(200);
    memset(d, 0xff, 200);
    kfree(d);
    unsigned char *z = kzalloc(200);
    assert_ptr_equal(z, d);                    /* first fit reuses the spot */
    for (size_t i = 0; i < 200; i++)
        assert_int_equal(z[i], 0);
    unsigned char *big = kzalloc(9000);
    assert_non_null(big);
    for (size_t i = 0; i < 9000; i++)
        assert_int_equal(big[i], 0);
    kfree(a);
    kfree(b);
    kfree(z);
    kfree(big);
    kfree(NULL);                               /* ignored, not counted */
    assert_int_equal(heap_stats().bad_frees, 0);
    assert_int_equal(heap_stats().pages, 0);
}

static void test_coalescing(void **state)
{
    (void)state;
    char *keep = kmalloc(16);                  /* keeps the page alive */
    char *a = kmalloc(1000), *b = kmalloc(1000), *c = kmalloc(1000);
    assert_true(a < b && b < c);               /* first fit, one page */
    assert_int_equal(heap_stats().pages, 1);
    size_t free0 = heap_stats().bytes_free;

    /* Freed neighbours merge: a 2000-byte block fits where a and b were. */
    kfree(a);
    kfree(b);
    assert_int_equal(heap_stats().bytes_free, free0 + 2 * 1008 + 16);
    char *ab = kmalloc(2000);
    assert_ptr_equal(ab, a);
    assert_int_equal(heap_stats().pages, 1);

    /* Merging with the following block too (c with the tail of the page),
     * and a free between two free blocks joins all three. */
    kfree(ab);
    kfree(c);
    assert_int_equal(heap_stats().bytes_free, 4064 - 32 - 16);
    char *all = kmalloc(2048);
    assert_ptr_equal(all, a);
    char *rest = kmalloc(1900);
    assert_true(rest > all);
    assert_int_equal(heap_stats().pages, 1);
    kfree(all);
    kfree(rest);
    kfree(keep);
    assert_int_equal(heap_stats().pages, 0);
    assert_int_equal(heap_stats().bytes_free, 0);
}

static void test_bad_frees(void **state)
{
    int on_stack[8];
    (void)state;
    char *p = kmalloc(100), *q = kmalloc(100), *big = kmalloc(5000);
    memset(p, 0x11, 100);
    struct heap_stats before = heap_stats();
    kfree(on_stack);                           /* foreign */
    kfree(p + 16);                             /* interior, 16-aligned */
    kfree(p + 3);                              /* interior, misaligned */
    kfree(big + 16);                           /* inside a large run */
    kfree(q);
    kfree(q);                                  /* double free */
    kfree(big);
    kfree(big);                                /* double free of a large run */
    struct heap_stats s = heap_stats();
    assert_int_equal(s.bad_frees, before.bad_frees + 6);
    assert_int_equal(s.frees, before.frees + 2);
    for (size_t i = 0; i < 100; i++)           /* p untouched */
        assert_int_equal((unsigned char)p[i], 0x11);

    /* A header overwritten by a buggy user is refused, not trusted. */
    char *r = kmalloc(100);
    memset(r - 16, 0x77, 16);
    kfree(r);
    assert_int_equal(heap_stats().bad_frees, before.bad_frees + 7);
    kfree(p);
    assert_int_equal(heap_stats().bad_frees, before.bad_frees + 7);
}

static void test_random_pattern(void **state)
{
    enum { SLOTS = 256, ROUNDS = 20000 };
    static unsigned char *slot[SLOTS];
    static size_t len[SLOTS];
    (void)state;
    srand(12345);
    for (int r = 0; r < ROUNDS; r++) {
        int i = rand() % SLOTS;
        if (slot[i] != NULL) {
            for (size_t k = 0; k < len[i]; k++)
                assert_int_equal(slot[i][k], (unsigned char)(i + len[i]));
            kfree(slot[i]);
            slot[i] = NULL;
        } else {
            len[i] = rand() % 8 == 0 ? (size_t)(rand() % 12000) : (size_t)(rand() % 600);
            slot[i] = kmalloc(len[i]);
            assert_non_null(slot[i]);
            assert_int_equal((uintptr_t)slot[i] % HEAP_ALIGN, 0);
            memset(slot[i], (unsigned char)(i + len[i]), len[i]);
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        kfree(slot[i]);
        slot[i] = NULL;
    }
    struct heap_stats s = heap_stats();
    assert_int_equal(s.bad_frees, 0);
    assert_int_equal(s.bytes_in_use, 0);
    assert_int_equal(s.pages, 0);
    assert_int_equal(s.allocs, s.frees);
    assert_int_equal(frames_used(), 0);
}

static void test_exhaustion(void **state)
{
    enum { MAX = 4096 };
    static void *p[MAX];
    size_t n = 0;
    (void)state;
    start(0x200000 + 64 * FRAME_SIZE);         /* 64 frames, minus the bitmap */
    while (n < MAX && (p[n] = kmalloc(1000)) != NULL)
        n++;
    assert_true(n > 100 && n < MAX);
    assert_null(kmalloc(5000));
    for (size_t i = 0; i < n; i++)
        kfree(p[i]);
    assert_int_equal(frames_used(), 0);
    assert_non_null(p[0] = kmalloc(5000));
    kfree(p[0]);
    assert_int_equal(heap_stats().bad_frees, 0);
    assert_null(kmalloc(SIZE_MAX));
    assert_null(kmalloc(SIZE_MAX - 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_alignment_and_sizes, setup),
        cmocka_unit_test_setup(test_zero_size_and_kzalloc, setup),
        cmocka_unit_test_setup(test_coalescing, setup),
        cmocka_unit_test_setup(test_bad_frees, setup),
        cmocka_unit_test_setup(test_random_pattern, setup),
        cmocka_unit_test_setup(test_exhaustion, setup),
    };
    arena = aligned_alloc(FRAME_SIZE, ARENA_SIZE);
    if (arena == NULL)
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(arena);
    return rc;
}
