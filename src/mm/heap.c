/* Small kernel heap: first-fit blocks in 4 KiB pages, large runs apart.
 *
 * Each heap page starts with a page header and is carved into blocks, each
 * with a 16-byte header (canary + size).  The blocks of a page tile it
 * exactly, so the block list of a page is implicit: walking it from the
 * first block by size visits every block.  kmalloc takes the first free
 * block that fits (skipping pages whose free total is too small) and splits
 * it; kfree first proves the pointer is a live block by finding its page and
 * walking to it, then merges it with free neighbours.  That walk costs a few
 * hundred steps at most, and buys the guarantee that a bad pointer or a
 * double free is refused without writing anything.  Requests above
 * HEAP_SMALL_MAX get their own run of frames with a page header in front.
 *
 * The debug build (core/debug.h) keeps every free block's payload filled with HEAP_POISON
 * (a fresh page's, a freed block's, and the headers merges swallow) and asserts the poison
 * is intact when a free block is taken, so a write after kfree is caught at the next
 * kmalloc that reuses the memory; a corrupted header or a bad kfree is an assertion too. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/heap.h"
#include "mm/frame.h"
#include "core/debug.h"
#include "core/perfc.h"
#include "lib/string.h"

#define PAGE_MAGIC  0x4b48504bu     /* "KPHK" */
#define BLOCK_USED  0xa110c8edu
#define BLOCK_FREE  0xf4eeb10cu
#define SIZE_CHECK  0x5a5aa5a5u     /* size_check = size ^ SIZE_CHECK */

enum page_kind { PAGE_SMALL = 1, PAGE_LARGE = 2 };

struct heap_page {                  /* 32 bytes, keeps payloads 16-aligned */
    uint32_t magic;
    uint32_t kind;
    uint32_t npages;                /* frames in this page or run */
    uint32_t free_bytes;            /* PAGE_SMALL: sum of free block sizes */
    uint64_t pa;
    struct heap_page *next;
};

struct block {                      /* 16 bytes */
    uint32_t magic;                 /* BLOCK_USED or BLOCK_FREE */
    uint32_t size;                  /* whole block, header included */
    uint32_t size_check;
    uint32_t pad;
};

#define PAGE_HDR   sizeof(struct heap_page)
#define BLOCK_HDR  sizeof(struct block)
#define BLOCKS_SPAN ((uint32_t)(FRAME_SIZE - PAGE_HDR))   /* bytes of blocks per page */
#define MIN_BLOCK  (BLOCK_HDR + HEAP_ALIGN)

_Static_assert(PAGE_HDR % HEAP_ALIGN == 0, "page header keeps alignment");
_Static_assert(BLOCK_HDR % HEAP_ALIGN == 0, "block header keeps alignment");
_Static_assert(HEAP_SMALL_MAX + BLOCK_HDR <= FRAME_SIZE - PAGE_HDR, "small fits a page");

static struct {
    struct heap_page *pages;
    struct heap_stats st;
} heap;

void heap_init(void)
{
    memset(&heap, 0, sizeof(heap));
}

static void set_block(struct block *b, uint32_t magic, uint32_t size)
{
    b->magic = magic;
    b->size = size;
    b->size_check = size ^ SIZE_CHECK;
    b->pad = 0;
}

/* Is the header at offset off (from the first block) of a page sane? */
static bool block_ok(const struct block *b, uint32_t off)
{
    return (b->magic == BLOCK_USED || b->magic == BLOCK_FREE) &&
           b->size_check == (b->size ^ SIZE_CHECK) && b->size >= MIN_BLOCK &&
           b->size % HEAP_ALIGN == 0 && b->size <= BLOCKS_SPAN - off;
}

static struct block *first_block(struct heap_page *pg)
{
    return (struct block *)((char *)pg + PAGE_HDR);
}

/* Debug build: fill n bytes at p with HEAP_POISON (free memory). */
static void poison(void *p, size_t n)
{
    if (DEBUG_BUILD)
        memset(p, HEAP_POISON, n);
}

/* Do the n bytes at p all hold HEAP_POISON? */
static bool poison_intact(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != HEAP_POISON)
            return false;
    return true;
}

/* Map a run of `npages` frames at pa as one block of memory, or NULL. */
static void *map_run(uint64_t pa, uint64_t npages)
{
    char *first = frame_virt(pa);
    char *last = frame_virt(pa + npages * FRAME_SIZE - 1);
    if (first == NULL || last != first + npages * FRAME_SIZE - 1)
        return NULL;
    return first;
}

/* Get a fresh small page holding one free block; NULL when out of frames. */
static struct heap_page *new_small_page(void)
{
    uint64_t pa = frame_alloc();
    if (pa == 0)
        return NULL;
    struct heap_page *pg = map_run(pa, 1);
    if (pg == NULL) {
        frame_free(pa);
        return NULL;
    }
    *pg = (struct heap_page){ PAGE_MAGIC, PAGE_SMALL, 1, BLOCKS_SPAN, pa, heap.pages };
    set_block(first_block(pg), BLOCK_FREE, BLOCKS_SPAN);
    poison((char *)first_block(pg) + BLOCK_HDR, BLOCKS_SPAN - BLOCK_HDR);
    heap.pages = pg;
    heap.st.pages++;
    heap.st.bytes_free += BLOCKS_SPAN - BLOCK_HDR;
    return pg;
}

/* Take `need` bytes (header included) from the first fitting free block of
 * pg, splitting off the rest when it can hold a block; NULL if none fits. */
static void *take_from_page(struct heap_page *pg, uint32_t need)
{
    uint32_t off = 0;

    while (off < BLOCKS_SPAN) {
        struct block *b = (struct block *)((char *)first_block(pg) + off);
        ASSERT(block_ok(b, off));
        if (!block_ok(b, off))
            return NULL;                        /* corrupted page: leave it alone */
        if (b->magic == BLOCK_FREE && b->size >= need) {
            uint32_t size = b->size;
            ASSERT(poison_intact((unsigned char *)b + BLOCK_HDR, size - BLOCK_HDR));
            if (size - need >= MIN_BLOCK) {
                set_block((struct block *)((char *)b + need), BLOCK_FREE, size - need);
                heap.st.bytes_free -= BLOCK_HDR;    /* one more header */
            } else {
                need = size;
            }
            set_block(b, BLOCK_USED, need);
            pg->free_bytes -= need;
            heap.st.bytes_free -= need - BLOCK_HDR;
            heap.st.bytes_in_use += need - BLOCK_HDR;
            heap.st.allocs++;
            PERFC_INC(heap_allocs);
            return (char *)b + BLOCK_HDR;
        }
        off += b->size;
    }
    return NULL;
}

/* Allocate a large block as its own run of frames. */
static void *kmalloc_large(size_t n)
{
    if (n > (size_t)UINT32_MAX * FRAME_SIZE - PAGE_HDR)
        return NULL;
    uint64_t npages = ((uint64_t)n + PAGE_HDR + FRAME_SIZE - 1) / FRAME_SIZE;
    uint64_t pa = frame_alloc_contig((size_t)npages, 1);
    if (pa == 0)
        return NULL;
    struct heap_page *pg = map_run(pa, npages);
    if (pg == NULL) {
        frame_free_contig(pa, (size_t)npages);
        return NULL;
    }
    *pg = (struct heap_page){ PAGE_MAGIC, PAGE_LARGE, (uint32_t)npages, 0, pa, heap.pages };
    heap.pages = pg;
    heap.st.pages += npages;
    heap.st.bytes_in_use += npages * FRAME_SIZE - PAGE_HDR;
    heap.st.allocs++;
    PERFC_INC(heap_allocs);
    return (char *)pg + PAGE_HDR;
}

void *kmalloc(size_t n)
{
    if (n > HEAP_SMALL_MAX)
        return kmalloc_large(n);
    uint32_t need = (uint32_t)((n + HEAP_ALIGN - 1) / HEAP_ALIGN * HEAP_ALIGN + BLOCK_HDR);
    if (need < MIN_BLOCK)
        need = MIN_BLOCK;                       /* kmalloc(0) still gets a block */
    for (struct heap_page *pg = heap.pages; pg != NULL; pg = pg->next) {
        if (pg->kind != PAGE_SMALL || pg->free_bytes < need)
            continue;
        void *p = take_from_page(pg, need);
        if (p != NULL)
            return p;
    }
    struct heap_page *pg = new_small_page();
    return pg != NULL ? take_from_page(pg, need) : NULL;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p != NULL)
        memset(p, 0, n);
    return p;
}

/* Unlink pg from the page list (it must be on it). */
static void unlink_page(struct heap_page *pg)
{
    struct heap_page **pp = &heap.pages;
    while (*pp != pg)
        pp = &(*pp)->next;
    *pp = pg->next;
}

/* Free the block whose payload is p in small page pg: walk to it (proving
 * it is a live block), mark it free, merge with free neighbours, and give
 * the page back when it is entirely free.  Returns false if refused. */
static bool free_small(struct heap_page *pg, char *p)
{
    struct block *prev = NULL;
    uint32_t off = 0;

    while (off < BLOCKS_SPAN) {
        struct block *b = (struct block *)((char *)first_block(pg) + off);
        ASSERT(block_ok(b, off));
        if (!block_ok(b, off) || (char *)b + BLOCK_HDR > p)
            return false;                       /* corrupt, or p is not a block */
        if ((char *)b + BLOCK_HDR < p) {
            prev = b;
            off += b->size;
            continue;
        }
        if (b->magic != BLOCK_USED)
            return false;                       /* double free */
        uint32_t size = b->size;
        heap.st.bytes_in_use -= size - BLOCK_HDR;
        heap.st.bytes_free += size - BLOCK_HDR;
        pg->free_bytes += size;
        set_block(b, BLOCK_FREE, size);
        poison((char *)b + BLOCK_HDR, size - BLOCK_HDR);
        struct block *next = (struct block *)((char *)b + size);
        if (off + size < BLOCKS_SPAN && block_ok(next, off + size) &&
            next->magic == BLOCK_FREE) {
            set_block(b, BLOCK_FREE, size + next->size);
            next->magic = 0;                    /* stale headers must not look live */
            poison(next, BLOCK_HDR);
            heap.st.bytes_free += BLOCK_HDR;
        }
        if (prev != NULL && prev->magic == BLOCK_FREE) {
            set_block(prev, BLOCK_FREE, prev->size + b->size);
            b->magic = 0;
            poison(b, BLOCK_HDR);
            heap.st.bytes_free += BLOCK_HDR;
        }
        ASSERT(pg->free_bytes <= BLOCKS_SPAN);
        if (pg->free_bytes == BLOCKS_SPAN) {    /* all free: one block again */
            unlink_page(pg);
            heap.st.bytes_free -= BLOCKS_SPAN - BLOCK_HDR;
            heap.st.pages--;
            pg->magic = 0;
            frame_free(pg->pa);
        }
        return true;
    }
    return false;
}

void kfree(void *ptr)
{
    char *p = ptr;

    if (p == NULL)
        return;
    for (struct heap_page *pg = heap.pages; pg != NULL; pg = pg->next) {
        uintptr_t lo = (uintptr_t)pg, hi = lo + (uintptr_t)pg->npages * FRAME_SIZE;
        if ((uintptr_t)p < lo || (uintptr_t)p >= hi)
            continue;
        bool ok = false;
        if (pg->magic == PAGE_MAGIC && pg->kind == PAGE_SMALL) {
            ok = free_small(pg, p);
        } else if (pg->magic == PAGE_MAGIC && pg->kind == PAGE_LARGE &&
                   p == (char *)pg + PAGE_HDR) {
            unlink_page(pg);
            heap.st.pages -= pg->npages;
            heap.st.bytes_in_use -= (size_t)pg->npages * FRAME_SIZE - PAGE_HDR;
            pg->magic = 0;
            frame_free_contig(pg->pa, pg->npages);
            ok = true;
        }
        if (ok) {
            heap.st.frees++;
            PERFC_INC(heap_frees);
        } else {
            heap.st.bad_frees++;
        }
        ASSERT(heap.st.bad_frees == 0);         /* debug: a double or wild kfree is a bug */
        return;
    }
    heap.st.bad_frees++;                        /* not in any heap page */
    ASSERT(heap.st.bad_frees == 0);
}

struct heap_stats heap_stats(void)
{
    return heap.st;
}
