/* Physical frame allocator: two bitmaps over [0, top of usable RAM).
 *
 * `used` has a 1 for every frame that is allocated or may never be
 * allocated, so a search only looks for 0 bits, a word at a time.
 * `avail` has a 1 for every frame that may be allocated at all, so
 * frame_free can refuse a frame that was never ours without walking the
 * memory map.  Both live in one block of free usable RAM that frame_init
 * picks itself and reserves.  The debug build (core/debug.h) keeps a third,
 * `poisoned`: a frame_free fills the frame with FRAME_POISON and sets its
 * bit, and handing the frame out again asserts the poison is all still
 * there, so a write through a stale pointer is caught at the next use. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/frame.h"
#include "core/debug.h"
#include "core/perfc.h"
#include "lib/string.h"

#define WORD_BITS 64u
#define NONE UINT64_MAX

static struct {
    bool ready;
    phys_to_virt_fn p2v;
    uint64_t *used;             /* 1 = allocated or never allocatable */
    uint64_t *avail;            /* 1 = allocatable */
    uint64_t *poisoned;         /* debug build: 1 = freed and poisoned; else NULL */
    uint64_t nframes, nwords;   /* frames covered, 64-bit words per bitmap */
    uint64_t hint;              /* word where the next single-frame search starts */
    uint64_t total, reserved, used_count, bad_frees, bitmap_bytes;
    struct phys_range res[FRAME_MAX_RESERVED];
    size_t nres;
} fa;

/* Number of 1 bits (no __builtin_popcount: without -mpopcnt it becomes a
 * libgcc call, which the freestanding build does not link). */
static unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* First frame number at or after address a (a rounded up), saturating. */
static uint64_t frame_up(uint64_t a)
{
    return (a >> FRAME_SHIFT) + ((a & (FRAME_SIZE - 1)) != 0);
}

/* End address of [base, base + len), saturating instead of wrapping. */
static uint64_t region_end(uint64_t base, uint64_t len)
{
    return base + len < base ? UINT64_MAX : base + len;
}

/* Set (val true) or clear frames [s, e) of bitmap bm, clipped to nframes;
 * whole words at once in the middle, since ranges are often large. */
static void bits_assign(uint64_t *bm, uint64_t s, uint64_t e, bool val)
{
    if (e > fa.nframes)
        e = fa.nframes;
    while (s < e) {
        uint64_t w = s / WORD_BITS, b = s % WORD_BITS;
        uint64_t n = WORD_BITS - b < e - s ? WORD_BITS - b : e - s;
        uint64_t mask = n == WORD_BITS ? ~0ull : ((1ull << n) - 1) << b;
        bm[w] = val ? bm[w] | mask : bm[w] & ~mask;
        s += n;
    }
}

static bool bit_get(const uint64_t *bm, uint64_t i)
{
    return (bm[i / WORD_BITS] >> (i % WORD_BITS)) & 1;
}

/* Debug build: fill freed frame i with FRAME_POISON and mark it poisoned. */
static void poison_frame(uint64_t i)
{
    if (!DEBUG_BUILD || fa.poisoned == NULL)
        return;
    uint64_t *p = fa.p2v(i << FRAME_SHIFT);
    if (p == NULL)
        return;
    memset(p, FRAME_POISON, FRAME_SIZE);
    fa.poisoned[i / WORD_BITS] |= 1ull << (i % WORD_BITS);
}

/* Does the frame at p still hold FRAME_POISON in every byte? */
static bool poison_intact(const uint64_t *p)
{
    const uint64_t pattern = 0x0101010101010101ull * FRAME_POISON;
    for (size_t k = 0; k < FRAME_SIZE / sizeof(uint64_t); k++)
        if (p[k] != pattern)
            return false;
    return true;
}

/* Debug build: frames [s, s + count) are being handed out; each one poisoned when it was
 * freed must still hold its poison (else something wrote to it after the free). */
static void check_poison(uint64_t s, uint64_t count)
{
    if (!DEBUG_BUILD || fa.poisoned == NULL)
        return;
    for (uint64_t i = s; i < s + count; i++) {
        if (!bit_get(fa.poisoned, i))
            continue;
        const uint64_t *p = fa.p2v(i << FRAME_SHIFT);
        ASSERT(p == NULL || poison_intact(p));
        fa.poisoned[i / WORD_BITS] &= ~(1ull << (i % WORD_BITS));
    }
}

/* First frame >= from whose `used` bit is 0, or NONE. */
static uint64_t find_free(uint64_t from)
{
    for (uint64_t w = from / WORD_BITS; from < fa.nframes && w < fa.nwords; w++) {
        uint64_t bits = ~fa.used[w];
        if (w == from / WORD_BITS)
            bits &= ~0ull << (from % WORD_BITS);
        if (bits != 0) {
            uint64_t i = w * WORD_BITS + (uint64_t)__builtin_ctzll(bits);
            return i < fa.nframes ? i : NONE;
        }
    }
    return NONE;
}

/* First frame in [s, e) whose `used` bit is 1, or e (e <= nframes). */
static uint64_t find_used(uint64_t s, uint64_t e)
{
    while (s < e) {
        uint64_t w = s / WORD_BITS;
        uint64_t bits = fa.used[w] & (~0ull << (s % WORD_BITS));
        if (bits != 0) {
            uint64_t i = w * WORD_BITS + (uint64_t)__builtin_ctzll(bits);
            return i < e ? i : e;
        }
        s = (w + 1) * WORD_BITS;
    }
    return e;
}

/* Does [s, e) (byte addresses) overlap a non-usable map entry, rounded out
 * to whole frames (a frame partly reserved is not RAM)? */
static bool touches_nonusable(const struct mem_region *map, size_t n, uint64_t s, uint64_t e)
{
    for (size_t i = 0; i < n; i++) {
        if (map[i].type == MEM_USABLE || map[i].len == 0)
            continue;
        uint64_t rs = map[i].base & ~(FRAME_SIZE - 1);
        uint64_t re = region_end(map[i].base, map[i].len);
        if (rs < e && s < re)
            return true;
    }
    return false;
}

/* Does [s, e) overlap one of the reserved ranges (rounded out to frames)? */
static bool touches_reserved(const struct phys_range *res, size_t n, uint64_t s, uint64_t e)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t rs = res[i].start & ~(FRAME_SIZE - 1);
        if (res[i].end > res[i].start && rs < e && s < res[i].end)
            return true;
    }
    return false;
}

/* Is [s, e) inside one usable entry? */
static bool inside_usable(const struct mem_region *map, size_t n, uint64_t s, uint64_t e)
{
    for (size_t i = 0; i < n; i++)
        if (map[i].type == MEM_USABLE && map[i].base <= s &&
            e <= region_end(map[i].base, map[i].len))
            return true;
    return false;
}

/* Find a frame-aligned home for `size` bytes of bitmap: in usable RAM at or
 * above 1 MiB and below top, clear of every reserved range and non-usable
 * entry, and mapped by p2v.  Candidates are the places a free gap can start:
 * the start of a usable entry or the end of something in the way.  Returns
 * the address or NONE. */
static uint64_t place_bitmap(const struct mem_region *map, size_t n,
                             const struct phys_range *res, size_t nres,
                             uint64_t top, uint64_t size, phys_to_virt_fn p2v)
{
    uint64_t best = NONE;

    for (size_t i = 0; i < n + n + nres; i++) {
        uint64_t c;
        if (i < n)
            c = map[i].base;
        else if (i < n + n)
            c = region_end(map[i - n].base, map[i - n].len);
        else
            c = res[i - n - n].end;
        if (c < FRAME_LOW_LIMIT)
            c = FRAME_LOW_LIMIT;
        c = frame_up(c) << FRAME_SHIFT;
        if (c == 0 || c >= best || c > top || top - c < size)
            continue;
        if (!inside_usable(map, n, c, c + size) || touches_nonusable(map, n, c, c + size) ||
            touches_reserved(res, nres, c, c + size) || phys_map(p2v, c, size) == NULL)
            continue;
        best = c;
    }
    return best;
}

void frame_reset(void)
{
    memset(&fa, 0, sizeof(fa));
}

int frame_init(const struct mem_region *map, size_t n,
               const struct phys_range *reserved, size_t nres,
               uint64_t limit, phys_to_virt_fn p2v)
{
    uint64_t lim = limit ? limit & ~(FRAME_SIZE - 1) : NONE & ~(FRAME_SIZE - 1);
    uint64_t top = 0, base, bytes;

    frame_reset();
    if (map == NULL || p2v == NULL || (reserved == NULL && nres != 0))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (map[i].type != MEM_USABLE)
            continue;
        uint64_t e = region_end(map[i].base, map[i].len) & ~(FRAME_SIZE - 1);
        if (e > lim)
            e = lim;
        if (e > top)
            top = e;
    }
    if (top <= FRAME_LOW_LIMIT)
        return -1;

    fa.nframes = top >> FRAME_SHIFT;
    fa.nwords = (fa.nframes + WORD_BITS - 1) / WORD_BITS;
    bytes = fa.nwords * sizeof(uint64_t);
    fa.bitmap_bytes = (DEBUG_BUILD ? 3 : 2) * bytes;
    base = place_bitmap(map, n, reserved, nres, top,
                        frame_up(fa.bitmap_bytes) << FRAME_SHIFT, p2v);
    if (base == NONE) {
        frame_reset();
        return -1;
    }
    fa.used = phys_map(p2v, base, fa.bitmap_bytes);
    fa.avail = fa.used + fa.nwords;
    fa.p2v = p2v;
    if (DEBUG_BUILD) {
        fa.poisoned = fa.avail + fa.nwords;
        memset(fa.poisoned, 0, bytes);
    }

    /* avail: whole frames of usable entries, minus any frame that a
     * non-usable entry touches; what is left below the limit is RAM. */
    memset(fa.avail, 0, bytes);
    for (size_t i = 0; i < n; i++)
        if (map[i].type == MEM_USABLE)
            bits_assign(fa.avail, frame_up(map[i].base),
                        region_end(map[i].base, map[i].len) >> FRAME_SHIFT, true);
    for (size_t i = 0; i < n; i++)
        if (map[i].type != MEM_USABLE && map[i].len != 0)
            bits_assign(fa.avail, map[i].base >> FRAME_SHIFT,
                        frame_up(region_end(map[i].base, map[i].len)), false);
    for (uint64_t w = 0; w < fa.nwords; w++)
        fa.total += popcount64(fa.avail[w]);

    /* Withhold low memory, the given ranges and the bitmaps themselves. */
    bits_assign(fa.avail, 0, FRAME_LOW_LIMIT >> FRAME_SHIFT, false);
    for (size_t i = 0; i < nres; i++)
        if (reserved[i].end > reserved[i].start)
            bits_assign(fa.avail, reserved[i].start >> FRAME_SHIFT,
                        frame_up(reserved[i].end), false);
    bits_assign(fa.avail, base >> FRAME_SHIFT, frame_up(base + fa.bitmap_bytes), false);
    fa.reserved = fa.total;
    for (uint64_t w = 0; w < fa.nwords; w++) {
        fa.used[w] = ~fa.avail[w];  /* also marks the tail bits past nframes */
        fa.reserved -= popcount64(fa.avail[w]);
    }

    for (size_t i = 0; i < nres && fa.nres < FRAME_MAX_RESERVED - 1; i++)
        fa.res[fa.nres++] = reserved[i];
    fa.res[fa.nres++] = (struct phys_range){ base, base + fa.bitmap_bytes, "frame bitmap" };
    fa.ready = true;
    return 0;
}

uint64_t frame_alloc(void)
{
    if (!fa.ready)
        return 0;
    /* Next fit: start at the hint word and wrap around once. */
    for (uint64_t k = 0; k < fa.nwords; k++) {
        uint64_t w = fa.hint + k < fa.nwords ? fa.hint + k : fa.hint + k - fa.nwords;
        if (fa.used[w] != ~0ull) {
            uint64_t bit = (uint64_t)__builtin_ctzll(~fa.used[w]);
            fa.used[w] |= 1ull << bit;
            fa.used_count++;
            fa.hint = w;
            ASSERT(bit_get(fa.avail, w * WORD_BITS + bit));
            ASSERT(fa.used_count <= fa.total - fa.reserved);
            check_poison(w * WORD_BITS + bit, 1);
            PERFC_INC(frames_allocated);
            return (w * WORD_BITS + bit) << FRAME_SHIFT;
        }
    }
    return 0;
}

uint64_t frame_alloc_contig(size_t count, size_t align_frames)
{
    uint64_t align = align_frames ? align_frames : 1, from = 0;

    if (!fa.ready || count == 0 || count > fa.nframes || align > fa.nframes)
        return 0;
    for (;;) {
        uint64_t s = find_free(from);
        if (s == NONE)
            return 0;
        s = (s + align - 1) / align * align;
        if (s < from || s > fa.nframes || fa.nframes - s < count)
            return 0;
        uint64_t u = find_used(s, s + count);
        if (u == s + count) {
            bits_assign(fa.used, s, s + count, true);
            fa.used_count += count;
            ASSERT(fa.used_count <= fa.total - fa.reserved);
            check_poison(s, count);
            PERFC_ADD(frames_allocated, count);
            return s << FRAME_SHIFT;
        }
        from = u + 1;       /* no run can start before the used frame */
    }
}

uint64_t frame_alloc_zeroed(size_t count)
{
    uint64_t pa = count == 1 ? frame_alloc() : frame_alloc_contig(count, 1);
    if (pa)
        memset(fa.p2v(pa), 0, count << FRAME_SHIFT);
    return pa;
}

void frame_free(uint64_t pa)
{
    uint64_t i = pa >> FRAME_SHIFT;

    if (!fa.ready || (pa & (FRAME_SIZE - 1)) != 0 || i >= fa.nframes ||
        !bit_get(fa.avail, i) || !bit_get(fa.used, i)) {
        /* Refused, whatever the build; in a debug build a hypervisor bug besides: a
         * double free or a frame that was never the allocator's. */
        fa.bad_frees++;
        ASSERT(fa.bad_frees == 0);
        return;
    }
    ASSERT(fa.used_count > 0);
    fa.used[i / WORD_BITS] &= ~(1ull << (i % WORD_BITS));
    fa.used_count--;
    poison_frame(i);
    PERFC_INC(frames_freed);
}

void frame_free_contig(uint64_t pa, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        if (!fa.ready || (pa >> FRAME_SHIFT) + k >= fa.nframes) {
            fa.bad_frees += count - k;  /* beyond the bitmap: all refused */
            ASSERT(fa.bad_frees == 0);
            return;
        }
        frame_free(pa + ((uint64_t)k << FRAME_SHIFT));
    }
}

void frame_stats(struct frame_stats *s)
{
    s->total = fa.total;
    s->reserved = fa.reserved;
    s->used = fa.used_count;
    s->free = fa.total - fa.reserved - fa.used_count;
    s->bitmap_bytes = fa.bitmap_bytes;
    s->bad_frees = fa.bad_frees;
}

size_t frame_reserved_count(void)
{
    return fa.nres;
}

const struct phys_range *frame_reserved(size_t i)
{
    return i < fa.nres ? &fa.res[i] : NULL;
}

void *frame_virt(uint64_t pa)
{
    return fa.p2v ? fa.p2v(pa) : NULL;
}
