/* See fake_p2m.h: the frame allocator and the arch_p2m_* / arch_gpa_to_hva half of the
 * backend, for host unit tests of src/core/guestmem.c and src/core/hypercall.c. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fake_p2m.h"
#include "core/vcpu.h"
#include "mm/frame.h"

#define MAX_ROOTS 4
#define PAGE 4096u

struct entry {
    uint8_t *hva;
    bool lazy;
};

static uint8_t *arena;                      /* 2 MiB aligned */
static bool used[FAKE_ARENA_PAGES];
static struct entry map[MAX_ROOTS + 1][FAKE_GPA_PAGES];
static unsigned roots;

bool fake_contig_ok, fake_lazy_ok;
uint64_t fake_frames_left;
unsigned fake_frames_used, fake_flush_tlb_calls, fake_fault_in_calls, fake_bad_frees;

static void protect(unsigned page, size_t n, int prot)
{
    if (mprotect(arena + (size_t)page * PAGE, n * PAGE, prot) != 0)
        abort();
}

void fake_p2m_reset(void)
{
    if (!arena) {
        size_t size = (size_t)FAKE_ARENA_PAGES * PAGE + (2u << 20);
        uint8_t *raw = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            abort();
        arena = (uint8_t *)(((uintptr_t)raw + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
    }
    protect(0, FAKE_ARENA_PAGES, PROT_NONE);
    memset(used, 0, sizeof(used));
    memset(map, 0, sizeof(map));
    roots = 0;
    fake_contig_ok = fake_lazy_ok = true;
    fake_frames_left = UINT64_MAX;
    fake_frames_used = fake_flush_tlb_calls = fake_fault_in_calls = fake_bad_frees = 0;
}

uint64_t fake_p2m_new(void)
{
    if (roots == MAX_ROOTS)
        abort();
    return ++roots;
}

static struct entry *entry(uint64_t root, uint64_t gpa)
{
    if (root == 0 || root > roots || gpa >= (uint64_t)FAKE_GPA_PAGES * PAGE)
        return NULL;
    return &map[root][gpa / PAGE];
}

uint8_t *fake_p2m_peek(uint64_t root, uint64_t gpa)
{
    struct entry *e = entry(root, gpa);
    return e && e->hva ? e->hva + (gpa & (PAGE - 1)) : NULL;
}

bool fake_p2m_is_lazy(uint64_t root, uint64_t gpa)
{
    struct entry *e = entry(root, gpa);
    return e && e->hva && e->lazy;
}

void fake_p2m_seal(uint64_t root, bool sealed)
{
    for (unsigned i = 0; i < FAKE_GPA_PAGES; i++)
        if (map[root][i].hva)
            protect((unsigned)((map[root][i].hva - arena) / PAGE), 1,
                    sealed ? PROT_NONE : PROT_READ | PROT_WRITE);
}

/* ---- the frame allocator (mm/frame.h) ---------------------------------------------- */

static uint64_t take(unsigned first, size_t n)
{
    for (size_t i = 0; i < n; i++)
        used[first + i] = true;
    protect(first, n, PROT_READ | PROT_WRITE);
    memset(arena + (size_t)first * PAGE, 0xA5, n * PAGE);   /* old contents: never zero */
    fake_frames_used += (unsigned)n;
    fake_frames_left -= n;
    return (uint64_t)(uintptr_t)(arena + (size_t)first * PAGE);
}

/* Are pages [p, p + n) free, with a free (PROT_NONE) page on either side? */
static bool guarded_free(size_t p, size_t n)
{
    if (p == 0 || p + n >= FAKE_ARENA_PAGES)
        return false;
    for (size_t i = p - 1; i <= p + n; i++)
        if (used[i])
            return false;
    return true;
}

uint64_t frame_alloc(void)
{
    if (fake_frames_left == 0)
        return 0;
    for (unsigned p = FAKE_ARENA_PAGES; p-- > 0;)
        if (guarded_free(p, 1))
            return take(p, 1);
    return 0;
}

uint64_t frame_alloc_contig(size_t count, size_t align_frames)
{
    if (!fake_contig_ok || fake_frames_left < count)
        return 0;
    if (align_frames < 1)
        align_frames = 1;
    for (size_t p = (FAKE_ARENA_PAGES - count) / align_frames * align_frames;;
         p -= align_frames) {
        if (guarded_free(p, count))
            return take((unsigned)p, count);
        if (p < align_frames)
            return 0;
    }
}

void frame_free(uint64_t pa)
{
    uint8_t *h = (uint8_t *)(uintptr_t)pa;
    if (h < arena || h >= arena + (size_t)FAKE_ARENA_PAGES * PAGE || (pa & (PAGE - 1)) ||
        !used[(h - arena) / PAGE]) {
        fake_bad_frees++;
        return;
    }
    unsigned p = (unsigned)((h - arena) / PAGE);
    used[p] = false;
    protect(p, 1, PROT_NONE);
    fake_frames_used--;
    fake_frames_left++;
}

void frame_free_contig(uint64_t pa, size_t count)
{
    for (size_t i = 0; i < count; i++)
        frame_free(pa + i * PAGE);
}

/* ---- the p2m half of the backend (core/vcpu.h) ------------------------------------- */

static int map_range(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool lazy)
{
    if ((gpa | hpa | size) & (PAGE - 1))
        abort();                        /* guestmem.c never asks for that */
    for (uint64_t off = 0; off < size; off += PAGE) {
        struct entry *e = entry(root, gpa + off);
        if (!e)
            return -1;
        e->hva = (uint8_t *)(uintptr_t)(hpa + off);
        e->lazy = lazy;
    }
    return 0;
}

int arch_p2m_map(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool large)
{
    (void)large;
    return map_range(root, gpa, hpa, size, false);
}

int arch_p2m_map_lazy(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size)
{
    return fake_lazy_ok ? map_range(root, gpa, hpa, size, true) : -1;
}

uint64_t arch_p2m_unmap_4k(uint64_t root, uint64_t gpa)
{
    struct entry *e = entry(root, gpa);
    if (!e || !e->hva)
        return 0;
    uint64_t hpa = (uint64_t)(uintptr_t)e->hva;
    e->hva = NULL;
    e->lazy = false;
    return hpa;
}

/* As the real tables: a lazy page is not present until faulted in. */
void *arch_gpa_to_hva(uint64_t root, uint64_t gpa)
{
    struct entry *e = entry(root, gpa);
    return e && e->hva && !e->lazy ? e->hva + (gpa & (PAGE - 1)) : NULL;
}

bool arch_p2m_fault_in(uint64_t root, uint64_t gpa)
{
    fake_fault_in_calls++;
    struct entry *e = entry(root, gpa);
    if (!e || !e->hva || !e->lazy)
        return false;
    memset(e->hva, 0, PAGE);
    e->lazy = false;
    return true;
}

void arch_p2m_destroy(uint64_t root, void (*free_leaf)(uint64_t hpa, uint64_t size))
{
    for (unsigned i = 0; i < FAKE_GPA_PAGES; i++) {
        struct entry *e = &map[root][i];
        if (e->hva && free_leaf)
            free_leaf((uint64_t)(uintptr_t)e->hva, PAGE);
        e->hva = NULL;
        e->lazy = false;
    }
}

void arch_vcpu_flush_tlb(struct vcpu *v)
{
    (void)v;
    fake_flush_tlb_calls++;
}
