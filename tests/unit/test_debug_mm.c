/* Unit tests for the debug build's memory checks (make DEBUG=1): the frame allocator and the
 * heap compiled with -DKESTREL_DEBUG over a simulated 16 MiB of RAM. A freed frame or heap
 * block is filled with its poison byte; writing to it after the free makes the next
 * allocation that hands it out again fail an ASSERT; double and wild frees fail one too;
 * untouched poison passes. ASSERTs reach cmocka through tests/unit/assert_mock.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/debug.h"
#include "mm/frame.h"
#include "mm/heap.h"

#define ARENA_SIZE (16u << 20)

static unsigned char *arena;

static void *test_p2v(uint64_t pa)
{
    return pa < ARENA_SIZE ? arena + pa : NULL;
}

static int setup(void **state)
{
    (void)state;
    const struct mem_region map[] = {
        { 0, 0x9fc00, MEM_USABLE },
        { 0x100000, ARENA_SIZE - 0x100000, MEM_USABLE },
    };
    const struct phys_range res[] = { { 0x100000, 0x200000, "hypervisor" } };
    frame_reset();
    assert_int_equal(frame_init(map, 2, res, 1, 0, test_p2v), 0);
    heap_init();
    return 0;
}

static bool all_bytes(const void *p, int byte, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != byte)
            return false;
    return true;
}

static void test_this_is_a_debug_build(void **state)
{
    (void)state;
    assert_int_equal(DEBUG_BUILD, 1);
    expect_assert_failure(ASSERT(1 + 1 == 3));
    ASSERT(1 + 1 == 2);                 /* a true one passes */
}

static void test_freed_frame_is_poisoned(void **state)
{
    (void)state;
    uint64_t pa = frame_alloc();
    assert_true(pa != 0);
    memset(arena + pa, 0x11, FRAME_SIZE);
    frame_free(pa);
    assert_true(all_bytes(arena + pa, FRAME_POISON, FRAME_SIZE));
}

static void test_intact_poison_is_handed_out_again(void **state)
{
    (void)state;
    uint64_t pa = frame_alloc();
    frame_free(pa);
    /* Next fit starts at the same word: the poisoned frame comes back, and passes. */
    assert_int_equal(frame_alloc(), pa);
    frame_free(pa);
    uint64_t run = frame_alloc_contig(4, 1);
    assert_true(run != 0);
    frame_free_contig(run, 4);
    assert_int_equal(frame_alloc_contig(4, 1), run);
}

static void test_write_after_frame_free_asserts(void **state)
{
    (void)state;
    uint64_t pa = frame_alloc();
    frame_free(pa);
    arena[pa + 100] = 0;                /* a stale pointer writes */
    expect_assert_failure(frame_alloc());
}

static void test_write_after_free_in_a_run_asserts(void **state)
{
    (void)state;
    uint64_t run = frame_alloc_contig(8, 1);
    frame_free_contig(run, 8);
    arena[run + 5 * FRAME_SIZE + FRAME_SIZE - 1] = 1;     /* last byte of the sixth */
    expect_assert_failure(frame_alloc_contig(8, 1));
}

static void test_frame_double_free_asserts(void **state)
{
    (void)state;
    uint64_t pa = frame_alloc();
    frame_free(pa);
    expect_assert_failure(frame_free(pa));
}

static void test_never_allocated_frame_free_asserts(void **state)
{
    (void)state;
    expect_assert_failure(frame_free(0x150000));   /* inside the reserved "image" */
}

static void test_freed_heap_block_is_poisoned(void **state)
{
    (void)state;
    char *a = kmalloc(100), *b = kmalloc(100);
    assert_non_null(a);
    assert_non_null(b);
    memset(a, 0x22, 100);
    kfree(a);
    assert_true(all_bytes(a, HEAP_POISON, 100));
    kfree(b);
}

static void test_heap_reuse_of_intact_block(void **state)
{
    (void)state;
    char *keep = kmalloc(32);
    char *a = kmalloc(200);
    kfree(a);
    char *again = kmalloc(200);
    assert_ptr_equal(again, a);
    kfree(again);
    kfree(keep);
}

static void test_write_after_kfree_asserts(void **state)
{
    (void)state;
    char *keep = kmalloc(32);           /* keeps the page from going back to the frames */
    char *a = kmalloc(200);
    kfree(a);
    a[150] = 'x';
    expect_assert_failure(kmalloc(200));
    (void)keep;
}

static void test_write_into_merged_header_asserts(void **state)
{
    (void)state;
    char *keep = kmalloc(32);
    char *a = kmalloc(64), *b = kmalloc(64);
    char *c = kmalloc(64);              /* c keeps a+b from merging into the page's tail */
    kfree(a);
    kfree(b);                           /* merges into a: b's header is now free memory */
    b[-8] = 0;                          /* inside the swallowed header */
    expect_assert_failure(kmalloc(100));
    (void)keep;
    (void)c;
}

static void test_heap_double_kfree_asserts(void **state)
{
    (void)state;
    char *keep = kmalloc(32);
    char *a = kmalloc(48);
    kfree(a);
    expect_assert_failure(kfree(a));
    (void)keep;
}

static void test_heap_wild_kfree_asserts(void **state)
{
    (void)state;
    static char not_heap[64];
    expect_assert_failure(kfree(not_heap));
}

int main(void)
{
    arena = aligned_alloc(4096, ARENA_SIZE);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_this_is_a_debug_build, setup),
        cmocka_unit_test_setup(test_freed_frame_is_poisoned, setup),
        cmocka_unit_test_setup(test_intact_poison_is_handed_out_again, setup),
        cmocka_unit_test_setup(test_write_after_frame_free_asserts, setup),
        cmocka_unit_test_setup(test_write_after_free_in_a_run_asserts, setup),
        cmocka_unit_test_setup(test_frame_double_free_asserts, setup),
        cmocka_unit_test_setup(test_never_allocated_frame_free_asserts, setup),
        cmocka_unit_test_setup(test_freed_heap_block_is_poisoned, setup),
        cmocka_unit_test_setup(test_heap_reuse_of_intact_block, setup),
        cmocka_unit_test_setup(test_write_after_kfree_asserts, setup),
        cmocka_unit_test_setup(test_write_into_merged_header_asserts, setup),
        cmocka_unit_test_setup(test_heap_double_kfree_asserts, setup),
        cmocka_unit_test_setup(test_heap_wild_kfree_asserts, setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(arena);
    return rc;
}
