/* x86-64 4-level page tables: the host's identity map and helpers that build or walk any
 * table in the same format (the host's, and later the nested page tables, which share it). */
#ifndef KESTREL_ARCH_PAGING_H
#define KESTREL_ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P    0x001ULL
#define PTE_W    0x002ULL
#define PTE_U    0x004ULL
#define PTE_PWT  0x008ULL
#define PTE_PCD  0x010ULL
#define PTE_A    0x020ULL
#define PTE_D    0x040ULL
#define PTE_PS   0x080ULL
#define PTE_LAZY 0x200ULL        /* software bit (AVL): not present yet, frame assigned */
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ULL

#define PAGE_SIZE   0x1000ULL
#define PAGE_2M     0x200000ULL
#define PAGE_1G     0x40000000ULL

/* Returns the physical address of a zeroed 4 KiB frame for a table, or 0 when out of memory. */
typedef uint64_t (*pt_alloc_fn)(void);

/* Map [va, va+size) to [pa, ...) in the table rooted at root_pa (reached through the
 * identity map) with flags; uses 2 MiB pages where alignment allows and `large` is set.
 * Returns 0, or -1 when a table frame could not be had. */
int pt_map(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
           bool large, pt_alloc_fn alloc);

/* As pt_map, but the entries stay not-present and marked PTE_LAZY: the frames are assigned
 * yet untouched; pt_fault_in clears and enables them on first use. */
int pt_map_lazy(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
                bool large, pt_alloc_fn alloc);

/* If va falls in a lazy mapping, clear its frames through `clear` and make it present;
 * returns true then, false when va is mapped already or not at all. With split_alloc, a
 * lazy 2 MiB page is first split so that only va's 4 KiB page is cleared (for the
 * hypervisor's own small accesses, e.g. loading a kernel). */
bool pt_fault_in(uint64_t root_pa, uint64_t va, void (*clear)(uint64_t pa, uint64_t size),
                 pt_alloc_fn split_alloc);

/* Translate va; returns false when it is not mapped (lazy counts as not mapped).
 * page_size and flags may be NULL. */
bool pt_lookup(uint64_t root_pa, uint64_t va, uint64_t *pa, uint64_t *page_size,
               uint64_t *flags);

/* Host map after boot: MMIO above 3 GiB uncached, RAM above 4 GiB (up to top) mapped. */
void paging_init(uint64_t top_of_ram, pt_alloc_fn alloc);

/* True when every byte of [va, va+len) is mapped in the host's tables. */
bool paging_range_mapped(uint64_t va, uint64_t len);



/* Unmap one 4 KiB page at va, splitting a 2 MiB mapping first when needed. Returns the
 * physical address that was mapped there, or 0 when nothing was (or a table could not be
 * had for the split). */
uint64_t pt_unmap_4k(uint64_t root_pa, uint64_t va, pt_alloc_fn alloc);

/* Call fn for every leaf mapping (va, pa, size) under root, lowest va first; lazy ones too. */
typedef void (*pt_leaf_fn)(void *ctx, uint64_t va, uint64_t pa, uint64_t size);
void pt_walk_leaves(uint64_t root_pa, pt_leaf_fn fn, void *ctx);

/* Free every table frame under root, and root itself, through free_fn (leaves untouched). */
void pt_free_tables(uint64_t root_pa, void (*free_fn)(uint64_t pa));

/* Count the table frames under root, root included (the hypervisor's cost of a domain). */
uint64_t pt_count_tables(uint64_t root_pa);

#endif
