/* Small kernel heap on top of the frame allocator.
 *
 * Requests up to HEAP_SMALL_MAX bytes are carved first-fit out of 4 KiB heap
 * pages, with coalescing on free; larger ones get their own run of
 * contiguous frames.  Every block carries a canary, and kfree checks that the
 * pointer is a live block it handed out, so a bad pointer or a double free is
 * refused and counted instead of corrupting the heap. */
#ifndef KESTREL_MM_HEAP_H
#define KESTREL_MM_HEAP_H

#include <stddef.h>

#define HEAP_ALIGN 16
#define HEAP_SMALL_MAX 2048

/* Start with an empty heap.  Call once after frame_init (tests call it again
 * after frame_reset; pages of an earlier heap are simply forgotten). */
void heap_init(void);

/* Allocate n bytes, 16-byte aligned; NULL when out of memory.  kmalloc(0)
 * returns a distinct minimal block, so NULL always means failure. */
void *kmalloc(size_t n);

/* As kmalloc, with the bytes cleared. */
void *kzalloc(size_t n);

/* Free a block from kmalloc/kzalloc.  NULL is ignored; anything that is not a
 * live block (interior pointer, foreign pointer, double free) is refused and
 * counted in heap_stats().bad_frees. */
void kfree(void *p);

/* bytes_in_use / bytes_free: payload bytes of live / free blocks (large
 * blocks count their whole run); pages: frames held by the heap. */
struct heap_stats {
    size_t bytes_in_use, bytes_free, pages, allocs, frees, bad_frees;
};
struct heap_stats heap_stats(void);

#endif
