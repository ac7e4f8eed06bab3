/* Unit tests for the page-table builder shared by the host map and the nested page tables
 * (arch/x86/paging.c: pt_map, pt_lookup, pt_unmap_4k, pt_walk_leaves, pt_free_tables).
 * Table frames come from aligned host pages, so "physical" addresses are host pointers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "arch/paging.h"

static void *pages[4096];
static unsigned npages, fail_after = ~0u;

static uint64_t alloc_table(void)
{
    if (npages >= 4096 || npages >= fail_after)
        return 0;
    void *p = aligned_alloc(4096, 4096);
    memset(p, 0, 4096);
    pages[npages++] = p;
    return (uint64_t)(uintptr_t)p;
}

static unsigned freed;
static void free_table(uint64_t pa)
{
    for (unsigned i = 0; i < npages; i++)
        if ((uint64_t)(uintptr_t)pages[i] == pa) {
            free(pages[i]);
            pages[i] = NULL;
            freed++;
            return;
        }
    fail_msg("freed a table that was never allocated: %#llx", (unsigned long long)pa);
}

static int setup(void **state)
{
    (void)state;
    npages = 0;
    freed = 0;
    fail_after = ~0u;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned i = 0; i < npages; i++)
        free(pages[i]);
    return 0;
}

#define NPT_FLAGS (PTE_W | PTE_U)

static void test_map_4k_and_lookup(void **state)
{
    (void)state;
    uint64_t root = alloc_table();
    assert_int_equal(pt_map(root, 0x1000, 0x55000, 3 * PAGE_SIZE, NPT_FLAGS, false, alloc_table), 0);
    uint64_t pa, size, flags;
    assert_true(pt_lookup(root, 0x1234, &pa, &size, &flags));
    assert_int_equal(pa, 0x55234);
    assert_int_equal(size, PAGE_SIZE);
    assert_true(flags & PTE_U);
    assert_true(flags & PTE_W);
    assert_true(pt_lookup(root, 0x3fff, &pa, NULL, NULL));
    assert_int_equal(pa, 0x57fff);
    assert_false(pt_lookup(root, 0x0, &pa, NULL, NULL));
    assert_false(pt_lookup(root, 0x4000, &pa, NULL, NULL));
    assert_int_equal(pt_count_tables(root), 4);     /* PML4, PDPT, PD, PT */
}

static void test_map_2m_pages(void **state)
{
    (void)state;
    uint64_t root = alloc_table();
    /* 5 MiB at 0 from a 2 MiB-aligned base: two large pages and 256 small ones. */
    assert_int_equal(pt_map(root, 0, 0x40000000, 5 << 20, NPT_FLAGS, true, alloc_table), 0);
    uint64_t pa, size;
    assert_true(pt_lookup(root, 0x1fffff, &pa, &size, NULL));
    assert_int_equal(size, PAGE_2M);
    assert_int_equal(pa, 0x401fffff);
    assert_true(pt_lookup(root, 0x400000, &pa, &size, NULL));
    assert_int_equal(size, PAGE_SIZE);
    assert_int_equal(pa, 0x40400000);
    assert_false(pt_lookup(root, 5 << 20, &pa, NULL, NULL));
    /* Misaligned physical base: no large pages even though asked. */
    uint64_t root2 = alloc_table();
    assert_int_equal(pt_map(root2, 0, 0x40001000, PAGE_2M, NPT_FLAGS, true, alloc_table), 0);
    assert_true(pt_lookup(root2, 0, &pa, &size, NULL));
    assert_int_equal(size, PAGE_SIZE);
}

/* Collects leaves to check the walk. */
struct leaves { uint64_t va[1024], pa[1024], size[1024]; unsigned n; };
static void collect(void *ctx, uint64_t va, uint64_t pa, uint64_t size)
{
    struct leaves *l = ctx;
    assert_true(l->n < 1024);
    l->va[l->n] = va;
    l->pa[l->n] = pa;
    l->size[l->n] = size;
    l->n++;
}

static void test_unmap_splits_large_page(void **state)
{
    (void)state;
    uint64_t root = alloc_table();
    assert_int_equal(pt_map(root, 0, 0x80000000, 4 << 20, NPT_FLAGS, true, alloc_table), 0);
    assert_int_equal(pt_unmap_4k(root, 0x3000, alloc_table), 0x80003000);
    uint64_t pa, size;
    assert_false(pt_lookup(root, 0x3000, &pa, NULL, NULL));
    assert_true(pt_lookup(root, 0x2000, &pa, &size, NULL));
    assert_int_equal(pa, 0x80002000);
    assert_int_equal(size, PAGE_SIZE);
    assert_true(pt_lookup(root, 0x200000, &pa, &size, NULL));   /* the other 2 MiB page */
    assert_int_equal(size, PAGE_2M);
    /* Unmapping twice gives 0: nothing was there. */
    assert_int_equal(pt_unmap_4k(root, 0x3000, alloc_table), 0);
    assert_int_equal(pt_unmap_4k(root, 0x10000000, alloc_table), 0);
    /* The walk sees 511 small pages and one large one, in address order. */
    struct leaves l = { .n = 0 };
    pt_walk_leaves(root, collect, &l);
    assert_int_equal(l.n, 512);
    uint64_t total = 0;
    for (unsigned i = 0; i < l.n; i++) {
        total += l.size[i];
        if (i)
            assert_true(l.va[i] > l.va[i - 1]);
        assert_int_equal(l.pa[i] - 0x80000000, l.va[i]);
    }
    assert_int_equal(total, (4 << 20) - PAGE_SIZE);
}

static void test_split_needs_a_table(void **state)
{
    (void)state;
    uint64_t root = alloc_table();
    assert_int_equal(pt_map(root, 0, 0x80000000, PAGE_2M, NPT_FLAGS, true, alloc_table), 0);
    fail_after = npages;        /* no more tables */
    assert_int_equal(pt_unmap_4k(root, 0x5000, alloc_table), 0);
    uint64_t pa, size;
    assert_true(pt_lookup(root, 0x5000, &pa, &size, NULL));       /* left intact */
    assert_int_equal(size, PAGE_2M);
    /* Mapping into a fresh region fails cleanly too. */
    assert_int_equal(pt_map(root, 1ULL << 39, 0x1000, PAGE_SIZE, NPT_FLAGS, false, alloc_table), -1);
}

static void test_free_tables(void **state)
{
    (void)state;
    uint64_t root = alloc_table();
    assert_int_equal(pt_map(root, 0, 0x100000, 8 << 20, NPT_FLAGS, false, alloc_table), 0);
    assert_int_equal(pt_map(root, 1ULL << 30, 0x200000, PAGE_2M, NPT_FLAGS, true, alloc_table), 0);
    uint64_t tables = pt_count_tables(root);
    assert_int_equal(tables, npages);
    pt_free_tables(root, free_table);
    assert_int_equal(freed, tables);
    for (unsigned i = 0; i < npages; i++)
        assert_null(pages[i]);
}

static void test_non_canonical_lookup(void **state)
{
    (void)state;
    uint64_t root = alloc_table();
    assert_false(pt_lookup(root, 0x0000800000000000ULL, NULL, NULL, NULL));
    assert_false(pt_lookup(root, 0x7fffffffffffULL, NULL, NULL, NULL));
}

static uint64_t cleared_pa[16], cleared_size[16];
static unsigned ncleared;
static void record_clear(uint64_t pa, uint64_t size)
{
    assert_true(ncleared < 16);
    cleared_pa[ncleared] = pa;
    cleared_size[ncleared++] = size;
}

static void test_lazy_mapping_faults_in_once(void **state)
{
    (void)state;
    ncleared = 0;
    uint64_t root = alloc_table();
    assert_int_equal(pt_map_lazy(root, 0, 0x40000000, 4 << 20, NPT_FLAGS, true, alloc_table), 0);
    uint64_t pa;
    assert_false(pt_lookup(root, 0x1000, &pa, NULL, NULL));        /* not usable yet */
    assert_true(pt_fault_in(root, 0x201234, record_clear, NULL));         /* second 2 MiB page */
    assert_int_equal(ncleared, 1);
    assert_int_equal(cleared_pa[0], 0x40200000);
    assert_int_equal(cleared_size[0], PAGE_2M);
    assert_true(pt_lookup(root, 0x201234, &pa, NULL, NULL));
    assert_int_equal(pa, 0x40201234);
    assert_false(pt_fault_in(root, 0x201234, record_clear, NULL));        /* present: nothing to do */
    assert_false(pt_fault_in(root, 4 << 20, record_clear, NULL));         /* outside: nothing there */
    assert_int_equal(ncleared, 1);
    /* The walk sees both pages, lazy or not: a destroyed domain gives back every frame. */
    struct leaves l = { .n = 0 };
    pt_walk_leaves(root, collect, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.pa[0], 0x40000000);
    assert_int_equal(l.pa[1], 0x40200000);
}

static void test_unmapping_a_lazy_page_returns_its_frame(void **state)
{
    (void)state;
    ncleared = 0;
    uint64_t root = alloc_table();
    assert_int_equal(pt_map_lazy(root, 0, 0x40000000, PAGE_2M, NPT_FLAGS, true, alloc_table), 0);
    assert_int_equal(pt_unmap_4k(root, 0x5000, alloc_table), 0x40005000);
    assert_false(pt_fault_in(root, 0x5000, record_clear, NULL));          /* released */
    assert_true(pt_fault_in(root, 0x6000, record_clear, NULL));           /* a lazy 4 KiB neighbour */
    assert_int_equal(cleared_pa[0], 0x40006000);
    assert_int_equal(cleared_size[0], PAGE_SIZE);
    struct leaves l = { .n = 0 };
    pt_walk_leaves(root, collect, &l);
    assert_int_equal(l.n, 511);
}

static void test_small_fault_in_clears_one_page(void **state)
{
    (void)state;
    ncleared = 0;
    uint64_t root = alloc_table();
    assert_int_equal(pt_map_lazy(root, 0, 0x40000000, PAGE_2M, NPT_FLAGS, true, alloc_table), 0);
    assert_true(pt_fault_in(root, 0x3456, record_clear, alloc_table));
    assert_int_equal(ncleared, 1);
    assert_int_equal(cleared_pa[0], 0x40003000);
    assert_int_equal(cleared_size[0], PAGE_SIZE);
    uint64_t pa, size;
    assert_true(pt_lookup(root, 0x3456, &pa, &size, NULL));
    assert_int_equal(size, PAGE_SIZE);
    assert_false(pt_lookup(root, 0x4000, &pa, NULL, NULL));        /* neighbours still lazy */
    assert_true(pt_fault_in(root, 0x4000, record_clear, NULL));
    assert_int_equal(cleared_size[1], PAGE_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_map_4k_and_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_2m_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap_splits_large_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_needs_a_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_canonical_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lazy_mapping_faults_in_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmapping_a_lazy_page_returns_its_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_fault_in_clears_one_page, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
