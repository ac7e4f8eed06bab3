/* Physical frame allocator: hands out 4 KiB frames of usable RAM.
 *
 * One global instance (the hypervisor has one pool of RAM).  State is two
 * bitmaps over [0, top of usable RAM below `limit`): "in use" and
 * "allocatable", placed by frame_init itself in free usable RAM and reached
 * through the p2v hook.  Frames below 1 MiB, non-usable map entries, the
 * reserved ranges given (image, modules, boot data) and the bitmaps are never
 * allocatable; frame_free refuses (and counts) anything else. */
#ifndef KESTREL_MM_FRAME_H
#define KESTREL_MM_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "mm/phys.h"

#define FRAME_SHIFT 12
#define FRAME_SIZE (1ull << FRAME_SHIFT)
/* Frames below this are never handed out (real-mode IVT, BDA, EBDA, VGA,
 * BIOS; also keeps 0 free to mean "no frame"). */
#define FRAME_LOW_LIMIT 0x100000ull
/* How many reserved ranges frame_reserved() can list (all given ranges are
 * honoured; only the record for `meminfo` is capped). */
#define FRAME_MAX_RESERVED 128

/* Build the allocator from a memory map (sorted or not, overlaps allowed:
 * any non-usable entry wins over usable), the ranges that must stay untouched
 * (copied, labels kept by pointer), and `limit`: ignore RAM at or above it
 * (mem=; 0 means no limit).  Returns 0, or -1 if there is no usable RAM or no
 * room for the bitmaps.  Any earlier state is forgotten. */
int frame_init(const struct mem_region *map, size_t n,
               const struct phys_range *reserved, size_t nres,
               uint64_t limit, phys_to_virt_fn p2v);

/* Forget all state (tests; also makes every call fail until frame_init). */
void frame_reset(void);

/* Allocate one frame; returns its physical address, 0 when none is left.
 * The contents are not cleared. */
uint64_t frame_alloc(void);

/* Allocate `count` physically contiguous frames whose first frame number is a
 * multiple of `align_frames` (0 or 1: no alignment; e.g. 512 and 512 for a
 * 2 MiB page).  Returns the physical address of the first, 0 when none. */
uint64_t frame_alloc_contig(size_t count, size_t align_frames);

/* Allocate `count` contiguous frames (one: as frame_alloc, more: as frame_alloc_contig
 * without alignment) and clear them, for page tables and hardware control areas.  Returns
 * the physical address of the first, 0 when none. */
uint64_t frame_alloc_zeroed(size_t count);

/* Give back one frame.  A misaligned address, a frame that is not allocated
 * (double free) or one that was never allocatable is refused and counted in
 * frame_stats().bad_frees; the state is never changed by a refused free. */
void frame_free(uint64_t pa);

/* Give back `count` frames from `pa`; each frame is checked as frame_free. */
void frame_free_contig(uint64_t pa, size_t count);

/* Frame counts.  total = usable RAM frames below the limit
 * = free + used + reserved; reserved = usable frames withheld (low memory,
 * reserved ranges, bitmaps); bitmap_bytes is in bytes. */
struct frame_stats {
    uint64_t total, free, reserved, used, bitmap_bytes, bad_frees;
};
void frame_stats(struct frame_stats *s);

/* The reserved ranges as recorded by frame_init (the given ones, then
 * "frame bitmap"), for `meminfo`.  frame_reserved returns NULL past the end. */
size_t frame_reserved_count(void);
const struct phys_range *frame_reserved(size_t i);

/* The p2v hook frame_init was given (NULL before), so the heap and others can
 * reach the frames they get. */
void *frame_virt(uint64_t pa);

#endif
