/* Physical memory access hook shared by the memory and boot-info modules.
 *
 * Nothing in src/mm or src/core/multiboot.c dereferences a physical address
 * directly: it asks a phys_to_virt_fn.  In the hypervisor that is the
 * identity map (plus whatever the integrator maps on demand); in host tests
 * and fuzzers it is an offset into a malloc'd arena, so the same sources run
 * unchanged in both places. */
#ifndef KESTREL_MM_PHYS_H
#define KESTREL_MM_PHYS_H

#include <stddef.h>
#include <stdint.h>

/* Return a pointer through which physical byte `pa` can be read and written,
 * or NULL if it is not accessible.  A page-aligned `pa` must map to a
 * 16-byte-aligned pointer (the heap relies on it for alignment). */
typedef void *(*phys_to_virt_fn)(uint64_t pa);

/* A physical address range [start, end) with a short static label for
 * `meminfo` ("hypervisor", "module dom0", "multiboot info", "frame bitmap"). */
struct phys_range {
    uint64_t start, end;
    const char *what;
};

/* One memory map entry, [base, base + len).  type uses the E820 numbers. */
#define MEM_USABLE   1u
#define MEM_RESERVED 2u
#define MEM_ACPI     3u
#define MEM_NVS      4u
#define MEM_BAD      5u
struct mem_region {
    uint64_t base, len;
    uint32_t type;
};

/* Map the `len` bytes at `pa` as one virtually contiguous block, or return
 * NULL.  Checks that the range does not wrap, that its first and last bytes
 * are both mapped, and that they are `len - 1` bytes apart virtually.  A
 * caller that needs more than a page at once should rely on that only when
 * the mapping is linear between the two ends (identity map, test arena);
 * the fuzz p2v is page-granular and contiguous, so the check is exact there. */
static inline void *phys_map(phys_to_virt_fn p2v, uint64_t pa, uint64_t len)
{
    if (p2v == NULL || len == 0 || pa + (len - 1) < pa)
        return NULL;
    unsigned char *first = p2v(pa);
    unsigned char *last = p2v(pa + (len - 1));
    if (first == NULL || last == NULL)
        return NULL;
    if ((uintptr_t)last < (uintptr_t)first ||
        (uint64_t)((uintptr_t)last - (uintptr_t)first) != len - 1)
        return NULL;
    return first;
}

#endif
