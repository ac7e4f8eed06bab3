/* The guest side of the virtqueue unit tests (tests/unit/virtq_driver.h): a fake guest
 * memory and a driver that builds split rings as Linux's virtio_ring does. */
#include <string.h>

#include "virtq_driver.h"

/* ---- fake guest memory --------------------------------------------------------------- */

uint8_t ram[RAM_SIZE];
unsigned mem_reads, mem_writes;

static int in_range(uint64_t gpa, size_t len, uint64_t base, uint64_t size)
{
    return gpa >= base && gpa - base <= size && len <= size - (gpa - base);
}

static int fake_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    (void)ctx;
    mem_reads++;
    if (in_range(gpa, len, RAM_BASE, RAM_SIZE)) {
        memcpy(dst, ram + (gpa - RAM_BASE), len);
        return 0;
    }
    if (in_range(gpa, len, HUGE_BASE, HUGE_SIZE)) {
        memset(dst, 0, len);
        return 0;
    }
    return -1;
}

static int fake_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    (void)ctx;
    mem_writes++;
    if (in_range(gpa, len, RAM_BASE, RAM_SIZE)) {
        memcpy(ram + (gpa - RAM_BASE), src, len);
        return 0;
    }
    return in_range(gpa, len, HUGE_BASE, HUGE_SIZE) ? 0 : -1;
}

const struct virtq_mem mem = { fake_read, fake_write, NULL };

uint8_t *at(uint64_t gpa) { return ram + (gpa - RAM_BASE); }
void w16(uint64_t gpa, uint16_t v) { memcpy(at(gpa), &v, 2); }
void w32(uint64_t gpa, uint32_t v) { memcpy(at(gpa), &v, 4); }
void w64(uint64_t gpa, uint64_t v) { memcpy(at(gpa), &v, 8); }
uint16_t r16(uint64_t gpa) { uint16_t v; memcpy(&v, at(gpa), 2); return v; }
uint32_t r32(uint64_t gpa) { uint32_t v; memcpy(&v, at(gpa), 4); return v; }

/* ---- the driver side ------------------------------------------------------------------- */

struct drv d;
struct virtq_req req;

void set_desc(uint64_t table, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
              uint16_t next)
{
    uint64_t e = table + 16ull * i;
    w64(e, addr);
    w32(e + 8, len);
    w16(e + 12, flags);
    w16(e + 14, next);
}

/* Reset guest memory and set up a ready queue of num entries whose indices start at idx. */
void drv_init_at(uint16_t num, bool event_idx, uint16_t idx)
{
    memset(ram, 0, sizeof(ram));
    memset(&d, 0, sizeof(d));
    virtq_reset(&d.q);
    d.num = num;
    d.q.num = num;
    d.q.desc = DESC_GPA;
    d.q.avail = AVAIL_GPA;
    d.q.used = USED_GPA;
    d.q.event_idx = event_idx;
    d.q.ready = true;
    d.q.last_avail = d.q.used_idx = idx;
    d.avail_idx = d.last_used = idx;
    w16(AVAIL_GPA + 2, idx);
    w16(USED_GPA + 2, idx);
    for (unsigned i = 0; i < num; i++)
        d.free_next[i] = (uint16_t)(i + 1);
    d.num_free = num;
    d.ind_next = IND_GPA;
    d.data_next = DATA_GPA;
}

void drv_init(uint16_t num, bool event_idx) { drv_init_at(num, event_idx, 0); }

/* A data buffer of len bytes filled with a pattern from seed. */
struct buf drv_data(uint32_t len, uint8_t seed)
{
    struct buf b = { d.data_next, len };
    for (uint32_t i = 0; i < len; i++)
        at(b.gpa)[i] = (uint8_t)(seed + i);
    d.data_next += (len + 15) & ~15u;
    return b;
}

/* Make head available (avail ring entry, then the index, as the driver publishes). */
void drv_publish(uint16_t head)
{
    w16(AVAIL_GPA + 4 + 2u * (d.avail_idx & (d.num - 1)), head);
    d.avail_idx++;
    w16(AVAIL_GPA + 2, d.avail_idx);
}

/* Add n_out device-readable then n_in device-writable buffers (virtqueue_add_split):
 * direct descriptors from the free list, or one descriptor naming an indirect table. */
uint16_t drv_add(const struct buf *b, unsigned n_out, unsigned n_in, bool indirect)
{
    unsigned n = n_out + n_in;
    uint16_t head = d.free_head;

    if (indirect) {
        uint64_t table = d.ind_next;
        d.ind_next += 16ull * n;
        for (unsigned i = 0; i < n; i++)
            set_desc(table, (uint16_t)i, b[i].gpa, b[i].len,
                     (uint16_t)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
                                (i >= n_out ? VIRTQ_DESC_F_WRITE : 0)),
                     (uint16_t)(i + 1 < n ? i + 1 : 0));
        set_desc(DESC_GPA, head, table, 16u * n, VIRTQ_DESC_F_INDIRECT, 0);
        d.free_head = d.free_next[head];
        d.num_free--;
    } else {
        uint16_t i = head;
        for (unsigned k = 0; k < n; k++) {
            uint16_t nx = d.free_next[i];
            set_desc(DESC_GPA, i, b[k].gpa, b[k].len,
                     (uint16_t)((k + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
                                (k >= n_out ? VIRTQ_DESC_F_WRITE : 0)), nx);
            i = nx;
        }
        d.free_head = i;
        d.num_free = (uint16_t)(d.num_free - n);
    }
    drv_publish(head);
    return head;
}

/* Take one used element (detach_buf_split): its id and *len, or -1 if none. Its
 * descriptors go back on the free list. */
int drv_get_used(uint32_t *len)
{
    if (r16(USED_GPA + 2) == d.last_used)
        return -1;
    uint64_t e = USED_GPA + 4 + 8u * (d.last_used & (d.num - 1));
    uint16_t id = (uint16_t)r32(e), i = id;
    *len = r32(e + 4);
    d.last_used++;
    while (r16(DESC_GPA + 16u * i + 12) & VIRTQ_DESC_F_NEXT) {
        d.num_free++;
        i = r16(DESC_GPA + 16u * i + 14);
    }
    d.num_free++;
    d.free_next[i] = d.free_head;
    d.free_head = id;
    return id;
}
