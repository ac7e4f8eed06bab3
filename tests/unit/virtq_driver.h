/* The guest side of the virtqueue unit tests (tests/unit/virtq_driver.c): a fake guest
 * memory (a host buffer at RAM_BASE, plus a large "phantom" range at HUGE_BASE that reads
 * zeros and drops writes, for lengths near 4 GiB) and a driver that builds split rings as
 * Linux's virtio_ring does: a free list of descriptors, chains linked by NEXT, indirect
 * tables, the available index published last. */
#ifndef KESTREL_TESTS_VIRTQ_DRIVER_H
#define KESTREL_TESTS_VIRTQ_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vdev/virtq.h"

#define RAM_BASE    0x100000ull
#define RAM_SIZE    0x100000ull
#define HUGE_BASE   0x100000000ull
#define HUGE_SIZE   0x400000000ull

/* Where the driver puts things. */
#define DESC_GPA    (RAM_BASE)
#define AVAIL_GPA   (RAM_BASE + 0x4000)
#define USED_GPA    (RAM_BASE + 0x5000)
#define IND_GPA     (RAM_BASE + 0x8000)         /* indirect tables, allocated upwards */
#define DATA_GPA    (RAM_BASE + 0x20000)        /* buffers, allocated upwards */

extern uint8_t ram[RAM_SIZE];
extern unsigned mem_reads, mem_writes;          /* calls of mem.read / mem.write */
extern const struct virtq_mem mem;              /* the device's view of the fake memory */

/* Little-endian accessors of RAM (gpa in [RAM_BASE, RAM_BASE + RAM_SIZE)). */
uint8_t *at(uint64_t gpa);
void w16(uint64_t gpa, uint16_t v);
void w32(uint64_t gpa, uint32_t v);
void w64(uint64_t gpa, uint64_t v);
uint16_t r16(uint64_t gpa);
uint32_t r32(uint64_t gpa);

/* The driver's state, with the device's queue it set up. */
struct drv {
    struct virtq q;
    uint16_t num, avail_idx, last_used, free_head, num_free;
    uint16_t free_next[VIRTQ_MAX_NUM];
    uint64_t ind_next, data_next;
};
extern struct drv d;
extern struct virtq_req req;                    /* scratch request for the tests */

struct buf { uint64_t gpa; uint32_t len; };

/* Write entry i of the descriptor table at gpa table. */
void set_desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
              uint16_t next);
/* Clear guest memory and set up a ready queue of num entries, whose indices start at idx
 * (drv_init: at 0). */
void drv_init_at(uint16_t num, bool event_idx, uint16_t idx);
void drv_init(uint16_t num, bool event_idx);
/* A data buffer of len bytes filled with seed, seed + 1, ... */
struct buf drv_data(uint32_t len, uint8_t seed);
/* Make head available: the avail ring entry, then the index. */
void drv_publish(uint16_t head);
/* Add n_out device-readable then n_in device-writable buffers (virtqueue_add_split): direct
 * descriptors from the free list, or one descriptor naming an indirect table; returns the
 * head. */
uint16_t drv_add(const struct buf *b, unsigned n_out, unsigned n_in, bool indirect);
/* Take one used element (detach_buf_split): its id and *len, or -1 if none; its
 * descriptors go back on the free list. */
int drv_get_used(uint32_t *len);

#endif
