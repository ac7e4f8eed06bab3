/* Extended page tables (Intel EPT) for the VMX backend: the guest-physical -> host-physical
 * map in EPT's own 4-level format (R/W/X permission bits instead of P/W/U, a memory type in
 * each leaf), write-back memory, 4 KiB pages and 2 MiB pages where the guest's memory came
 * in 2 MiB runs. After a mapping is taken away, INVEPT drops the cached translation. */
#include "core/vcpu.h"
#include "core/debug.h"
#include "mm/frame.h"
#include "lib/string.h"
#include "vmcs.h"
#include "ept.h"

#define EPT_R       0x1ULL
#define EPT_W       0x2ULL
#define EPT_X       0x4ULL
#define EPT_RWX     (EPT_R | EPT_W | EPT_X)
#define EPT_WB      (6ULL << 3)             /* leaf memory type: write-back */
#define EPT_LARGE   0x80ULL
#define EPT_ADDR    0x000FFFFFFFFFF000ULL
#define EPT_LEAF    (EPT_RWX | EPT_WB)
#define SZ_4K       0x1000ULL
#define SZ_2M       0x200000ULL

static uint64_t invept_type = 2;

void ept_set_invept_type(uint64_t type)
{
    invept_type = type;
}

uint64_t ept_pointer(uint64_t root)
{
    return root | (3ULL << 3) | 6ULL;       /* walk length 4 - 1, WB paging structures */
}

void ept_flush(uint64_t root)
{
    invept(invept_type, ept_pointer(root));
}

static inline uint64_t *table_at(uint64_t pa) { return (uint64_t *)(uintptr_t)pa; }

/* Entry index of gpa at level (3 = PML4 .. 0 = PT). */
static inline unsigned idx(uint64_t gpa, int level)
{
    return (unsigned)((gpa >> (12 + 9 * level)) & 511);
}

/* A zeroed frame for a table, or 0. */
static uint64_t table_alloc(void)
{
    return frame_alloc_zeroed(1);
}

/* The table below *e, made when missing; NULL when out of memory or a large page is there. */
static uint64_t *next_table(uint64_t *e)
{
    if (*e & EPT_RWX) {
        if (*e & EPT_LARGE)
            return NULL;
        return table_at(*e & EPT_ADDR);
    }
    uint64_t pa = table_alloc();
    if (!pa)
        return NULL;
    *e = pa | EPT_RWX;
    return table_at(pa);
}

uint64_t ept_create(void)
{
    return table_alloc();
}

int ept_map(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool large)
{
    ASSERT(root != 0 && ((gpa | hpa | size) & (SZ_4K - 1)) == 0);
    uint64_t end = gpa + size;
    while (gpa < end) {
        uint64_t *pdpt = next_table(&table_at(root)[idx(gpa, 3)]);
        uint64_t *pd = pdpt ? next_table(&pdpt[idx(gpa, 2)]) : NULL;
        if (!pd)
            return -1;
        uint64_t *pde = &pd[idx(gpa, 1)];
        if (large && !(gpa & (SZ_2M - 1)) && !(hpa & (SZ_2M - 1)) && end - gpa >= SZ_2M &&
            !(*pde & EPT_RWX)) {
            *pde = hpa | EPT_LEAF | EPT_LARGE;
            gpa += SZ_2M;
            hpa += SZ_2M;
            continue;
        }
        uint64_t *pt = next_table(pde);
        if (!pt)
            return -1;
        pt[idx(gpa, 0)] = hpa | EPT_LEAF;
        gpa += SZ_4K;
        hpa += SZ_4K;
    }
    return 0;
}

uint64_t ept_unmap_4k(uint64_t root, uint64_t gpa)
{
    uint64_t *table = table_at(root);
    for (int level = 3; level >= 1; level--) {
        uint64_t *e = &table[idx(gpa, level)];
        if (!(*e & EPT_RWX))
            return 0;
        if (*e & EPT_LARGE) {
            if (level != 1)
                return 0;               /* 1 GiB pages are never made here */
            /* Split the 2 MiB page into 512 small ones of the same type. */
            uint64_t pt_pa = table_alloc();
            if (!pt_pa)
                return 0;
            uint64_t base = *e & EPT_ADDR & ~(SZ_2M - 1);
            for (unsigned i = 0; i < 512; i++)
                table_at(pt_pa)[i] = (base + i * SZ_4K) | EPT_LEAF;
            *e = pt_pa | EPT_RWX;
        }
        table = table_at(*e & EPT_ADDR);
    }
    uint64_t *pte = &table[idx(gpa, 0)];
    if (!(*pte & EPT_RWX))
        return 0;
    uint64_t hpa = *pte & EPT_ADDR;
    *pte = 0;
    ept_flush(root);
    return hpa;
}

void *ept_gpa_to_hva(uint64_t root, uint64_t gpa)
{
    if (gpa >> 48)
        return NULL;
    uint64_t *table = table_at(root);
    for (int level = 3; level >= 0; level--) {
        uint64_t e = table[idx(gpa, level)];
        if (!(e & EPT_RWX))
            return NULL;
        uint64_t span = 1ULL << (12 + 9 * level);
        if (level == 0 || (e & EPT_LARGE))
            return (void *)(uintptr_t)((e & EPT_ADDR & ~(span - 1)) | (gpa & (span - 1)));
        table = table_at(e & EPT_ADDR);
    }
    return NULL;
}

/* Give every leaf under one table at level to free_leaf, then free (or only count) the
 * tables below it; returns the number of tables below. */
static uint64_t walk_free(uint64_t *table, int level, void (*free_leaf)(uint64_t, uint64_t),
                          bool free_tables)
{
    uint64_t n = 0, span = 1ULL << (12 + 9 * level);
    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = table[i];
        if (!(e & EPT_RWX))
            continue;
        if (level == 0 || (e & EPT_LARGE)) {
            if (free_leaf)
                free_leaf(e & EPT_ADDR & ~(span - 1), span);
            continue;
        }
        n += 1 + walk_free(table_at(e & EPT_ADDR), level - 1, free_leaf, free_tables);
        if (free_tables)
            frame_free(e & EPT_ADDR);
    }
    return n;
}

void ept_destroy(uint64_t root, void (*free_leaf)(uint64_t hpa, uint64_t size))
{
    if (!root)
        return;
    ept_flush(root);        /* a later domain may get the same root, hence the same EPTP */
    walk_free(table_at(root), 3, free_leaf, true);
    frame_free(root);
}

uint64_t ept_table_pages(uint64_t root)
{
    return root ? 1 + walk_free(table_at(root), 3, NULL, false) : 0;
}
