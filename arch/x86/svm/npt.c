/* Nested page tables for SVM: the same 4-level format as the host's tables, with every
 * entry user-accessible (the CPU walks them as user accesses) and 2 MiB pages where the
 * guest's memory came in 2 MiB runs. */
#include "core/vcpu.h"
#include "arch/paging.h"
#include "mm/frame.h"
#include "core/debug.h"
#include "lib/string.h"
#include "npt.h"
#include "arch/cpu.h"

/* A zeroed frame for a table. */
static uint64_t npt_table_alloc(void)
{
    return frame_alloc_zeroed(1);
}

uint64_t npt_create(void)
{
    return npt_table_alloc();
}

int npt_map(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool large)
{
    ASSERT(root != 0 && ((gpa | hpa | size) & (PAGE_SIZE - 1)) == 0);
    return pt_map(root, gpa, hpa, size, PTE_W | PTE_U, large, npt_table_alloc);
}

int npt_map_lazy(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size)
{
    ASSERT(root != 0 && ((gpa | hpa | size) & (PAGE_2M - 1)) == 0);
    return pt_map_lazy(root, gpa, hpa, size, PTE_W | PTE_U, true, npt_table_alloc);
}

/* Clear a lazily mapped range before the guest first sees it. */
static void clear_frames(uint64_t pa, uint64_t size)
{
    cpu_zero_qwords((void *)(uintptr_t)pa, size);
}

bool npt_fault_in(uint64_t root, uint64_t gpa, bool small)
{
    return pt_fault_in(root, gpa, clear_frames, small ? npt_table_alloc : NULL);
}

uint64_t npt_unmap_4k(uint64_t root, uint64_t gpa)
{
    return pt_unmap_4k(root, gpa, npt_table_alloc);
}

struct leaf_free_ctx {
    void (*free_leaf)(uint64_t hpa, uint64_t size);
};

static void free_one_leaf(void *ctx, uint64_t va, uint64_t pa, uint64_t size)
{
    (void)va;
    ((struct leaf_free_ctx *)ctx)->free_leaf(pa, size);
}

void npt_destroy(uint64_t root, void (*free_leaf)(uint64_t hpa, uint64_t size))
{
    if (!root)
        return;
    if (free_leaf) {
        struct leaf_free_ctx ctx = { free_leaf };
        pt_walk_leaves(root, free_one_leaf, &ctx);
    }
    pt_free_tables(root, frame_free);
}

uint64_t npt_table_pages(uint64_t root)
{
    return root ? pt_count_tables(root) : 0;
}
