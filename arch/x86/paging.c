/* Page-table building and walking in the x86-64 long-mode format. The host runs on an
 * identity map made in boot/head.S (4 GiB of 2 MiB pages); this adds RAM above 4 GiB, makes
 * the MMIO hole uncached, and lets the shell check an address before touching it. */
#include "arch/paging.h"
#include "arch/cpu.h"

static inline uint64_t *table_at(uint64_t pa) { return (uint64_t *)(uintptr_t)pa; }

/* Entry index of va at level (3 = PML4 .. 0 = PT). */
static inline unsigned pt_index(uint64_t va, int level)
{
    return (unsigned)((va >> (12 + 9 * level)) & 511);
}

/* The next-level table of *pte, allocated when missing; NULL when out of memory or when
 * a large page is in the way. */
static uint64_t *next_table(uint64_t *pte, pt_alloc_fn alloc)
{
    if (*pte & PTE_P) {
        if (*pte & PTE_PS)
            return 0;
        return table_at(*pte & PTE_ADDR);
    }
    uint64_t pa = alloc ? alloc() : 0;
    if (!pa)
        return 0;
    *pte = pa | PTE_P | PTE_W | PTE_U;
    return table_at(pa);
}

/* Map [va, va+size) to pa with flags; `present` is PTE_P for a usable mapping, or PTE_LAZY
 * for one that pt_fault_in makes usable on first touch. */
static int map_range(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
                     bool large, pt_alloc_fn alloc, uint64_t present)
{
    uint64_t end = va + size;
    while (va < end) {
        uint64_t *pml4e = &table_at(root_pa)[pt_index(va, 3)];
        uint64_t *pdpt = next_table(pml4e, alloc);
        if (!pdpt)
            return -1;
        uint64_t *pd = next_table(&pdpt[pt_index(va, 2)], alloc);
        if (!pd)
            return -1;
        uint64_t *pde = &pd[pt_index(va, 1)];
        if (large && !(va & (PAGE_2M - 1)) && !(pa & (PAGE_2M - 1)) && end - va >= PAGE_2M &&
            !(*pde & (PTE_P | PTE_LAZY))) {
            *pde = pa | flags | PTE_PS | present;
            va += PAGE_2M;
            pa += PAGE_2M;
            continue;
        }
        uint64_t *pt = next_table(pde, alloc);
        if (!pt)
            return -1;
        pt[pt_index(va, 0)] = pa | flags | present;
        va += PAGE_SIZE;
        pa += PAGE_SIZE;
    }
    return 0;
}

int pt_map(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
           bool large, pt_alloc_fn alloc)
{
    return map_range(root_pa, va, pa, size, flags, large, alloc, PTE_P);
}

int pt_map_lazy(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
                bool large, pt_alloc_fn alloc)
{
    return map_range(root_pa, va, pa, size, flags, large, alloc, PTE_LAZY);
}

static bool split_large(uint64_t *pde, pt_alloc_fn alloc);

bool pt_fault_in(uint64_t root_pa, uint64_t va, void (*clear)(uint64_t pa, uint64_t size),
                 pt_alloc_fn split_alloc)
{
    uint64_t *table = table_at(root_pa);
    for (int level = 3; level >= 0; level--) {
        uint64_t *e = &table[pt_index(va, level)];
        bool leaf = level == 0 || (*e & PTE_PS);
        if (!(*e & PTE_P)) {
            if (!(*e & PTE_LAZY) || !leaf)
                return false;
            if (level == 1 && split_alloc) {
                /* Touch one small page only: split, then fault in below. */
                if (!split_large(e, split_alloc))
                    return false;
                table = table_at(*e & PTE_ADDR);
                continue;
            }
            uint64_t span = 1ULL << (12 + 9 * level);
            clear(*e & PTE_ADDR & ~(span - 1), span);
            *e = (*e & ~PTE_LAZY) | PTE_P;
            return true;
        }
        if (leaf)
            return false;       /* already present */
        table = table_at(*e & PTE_ADDR);
    }
    return false;
}

bool pt_lookup(uint64_t root_pa, uint64_t va, uint64_t *pa, uint64_t *page_size,
               uint64_t *flags)
{
    if ((int64_t)va >> 47 != 0 && (int64_t)va >> 47 != -1)
        return false;   /* non-canonical */
    uint64_t *table = table_at(root_pa);
    for (int level = 3; level >= 0; level--) {
        uint64_t e = table[pt_index(va, level)];
        if (!(e & PTE_P))
            return false;
        uint64_t span = 1ULL << (12 + 9 * level);
        if (level == 0 || ((e & PTE_PS) && level <= 2)) {
            if (pa)
                *pa = (e & PTE_ADDR & ~(span - 1)) | (va & (span - 1));
            if (page_size)
                *page_size = span;
            if (flags)
                *flags = e & ~PTE_ADDR;
            return true;
        }
        table = table_at(e & PTE_ADDR);
    }
    return false;
}

/* Take page 0 out of the boot map (splitting its 2 MiB page), so that a NULL pointer
 * dereference in the hypervisor faults and panics instead of silently reading or
 * overwriting the real-mode IVT, and `xd 0` is refused like any unmapped address. */
static void unmap_null_page(uint64_t root, pt_alloc_fn alloc)
{
    uint64_t pdpte = table_at(table_at(root)[0] & PTE_ADDR)[0];
    uint64_t *pd = table_at(pdpte & PTE_ADDR);
    if (!(pdpte & PTE_P) || (pdpte & PTE_PS) || !(pd[0] & PTE_P))
        return;
    if (pd[0] & PTE_PS) {
        uint64_t pt_pa = alloc ? alloc() : 0;
        if (!pt_pa)
            return;
        uint64_t *pt = table_at(pt_pa);
        uint64_t flags = pd[0] & (PTE_W | PTE_PWT | PTE_PCD | PTE_NX);
        for (uint64_t i = 0; i < 512; i++)
            pt[i] = (pd[0] & PTE_ADDR & ~(PAGE_2M - 1)) + i * PAGE_SIZE + (flags | PTE_P);
        pd[0] = pt_pa | PTE_P | PTE_W;
    }
    table_at(pd[0] & PTE_ADDR)[0] = 0;
}

void paging_init(uint64_t top_of_ram, pt_alloc_fn alloc)
{
    uint64_t root = read_cr3() & PTE_ADDR;
    unmap_null_page(root, alloc);
    /* The boot map's 2 MiB pages from 3 GiB up hold the LAPIC, IOAPIC, HPET and firmware. */
    for (uint64_t va = 0xC0000000ULL; va < 0x100000000ULL; va += PAGE_2M) {
        uint64_t *pd = table_at(table_at(table_at(root)[0] & PTE_ADDR)[3] & PTE_ADDR);
        pd[pt_index(va, 1)] |= PTE_PCD | PTE_PWT;
    }
    if (top_of_ram > 0x100000000ULL)
        pt_map(root, 0x100000000ULL, 0x100000000ULL, top_of_ram - 0x100000000ULL,
               PTE_W, true, alloc);
    write_cr3(read_cr3());
}

bool paging_range_mapped(uint64_t va, uint64_t len)
{
    uint64_t root = read_cr3() & PTE_ADDR;
    uint64_t end = va + len;
    if (end < va)
        return false;
    while (va < end) {
        uint64_t size;
        if (!pt_lookup(root, va, 0, &size, 0))
            return false;
        va = (va & ~(size - 1)) + size;
    }
    return true;
}

/* Split the 2 MiB entry *pde into a table of 512 small entries with the same flags (a lazy
 * one into 512 lazy ones). False when no table frame could be had. */
static bool split_large(uint64_t *pde, pt_alloc_fn alloc)
{
    uint64_t pt_pa = alloc ? alloc() : 0;
    if (!pt_pa)
        return false;
    uint64_t *pt = table_at(pt_pa);
    uint64_t base = *pde & PTE_ADDR & ~(PAGE_2M - 1);
    uint64_t flags = *pde & ~PTE_ADDR & ~PTE_PS;
    for (unsigned i = 0; i < 512; i++)
        pt[i] = (base + i * PAGE_SIZE) | flags;
    *pde = pt_pa | PTE_P | PTE_W | PTE_U;
    return true;
}

uint64_t pt_unmap_4k(uint64_t root_pa, uint64_t va, pt_alloc_fn alloc)
{
    uint64_t *table = table_at(root_pa);
    for (int level = 3; level >= 1; level--) {
        uint64_t *e = &table[pt_index(va, level)];
        bool lazy_large = level == 1 && (*e & PTE_PS) && (*e & PTE_LAZY);
        if (!(*e & PTE_P) && !lazy_large)
            return 0;
        if ((*e & PTE_PS) && level == 1) {
            if (!split_large(e, alloc))
                return 0;
        } else if (*e & PTE_PS) {
            return 0;   /* 1 GiB pages are never made here */
        }
        table = table_at(*e & PTE_ADDR);
    }
    uint64_t *pte = &table[pt_index(va, 0)];
    if (!(*pte & (PTE_P | PTE_LAZY)))
        return 0;
    uint64_t pa = *pte & PTE_ADDR;
    *pte = 0;
    return pa;
}

/* Visit the leaves of one table at level, whose first entry maps va_base. */
static void walk_level(uint64_t *table, int level, uint64_t va_base, pt_leaf_fn fn, void *ctx)
{
    uint64_t span = 1ULL << (12 + 9 * level);
    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = table[i];
        if (!(e & (PTE_P | PTE_LAZY)))     /* lazy leaves hold frames too */
            continue;
        uint64_t va = va_base + i * span;
        if (level == 0 || (e & PTE_PS))
            fn(ctx, va, e & PTE_ADDR & ~(span - 1), span);
        else if (level == 1)
            walk_level(table_at(e & PTE_ADDR), 0, va, fn, ctx);
        else if (level == 2)
            walk_level(table_at(e & PTE_ADDR), 1, va, fn, ctx);
        else
            walk_level(table_at(e & PTE_ADDR), 2, va, fn, ctx);
    }
}

void pt_walk_leaves(uint64_t root_pa, pt_leaf_fn fn, void *ctx)
{
    walk_level(table_at(root_pa), 3, 0, fn, ctx);
}

/* Free (or count) the tables below one table at level > 0. */
static uint64_t tables_below(uint64_t *table, int level, void (*free_fn)(uint64_t pa))
{
    uint64_t n = 0;
    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = table[i];
        if (!(e & PTE_P) || (e & PTE_PS))
            continue;
        if (level > 1)
            n += tables_below(table_at(e & PTE_ADDR), level - 1, free_fn);
        n++;
        if (free_fn)
            free_fn(e & PTE_ADDR);
    }
    return n;
}

void pt_free_tables(uint64_t root_pa, void (*free_fn)(uint64_t pa))
{
    tables_below(table_at(root_pa), 3, free_fn);
    free_fn(root_pa);
}

uint64_t pt_count_tables(uint64_t root_pa)
{
    return tables_below(table_at(root_pa), 3, 0) + 1;
}
