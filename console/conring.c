/* The console ring: the hypervisor's log lines with their levels, kept whatever the console
 * log level so `dmesg` can show them later (Xen's "conring", but line-based so the oldest
 * entries go away whole instead of leaving a torn first line).
 *
 * Layout: records back to back in the caller's buffer, wrapping at the end. A record is a
 * CONRING_HDR-byte header (level, then the text length in 24 bits little-endian) followed by
 * the text, no NUL. head is the oldest record; the free space starts at head + used.
 * Records never move once written, so a reader's byte offset stays good while its line is
 * held; sequence numbers tell a reader whether that is still so. */
#include "console/conring.h"
#include "lib/string.h"
#include "core/debug.h"

#define LEN_MAX 0xffffffu    /* what 24 bits of length can say */

/* Copy n bytes out of the ring starting at pos, wrapping at the end. */
static void ring_read(const struct conring *r, size_t pos, char *dst, size_t n)
{
    size_t first = r->size - pos;

    if (first > n)
        first = n;
    memcpy(dst, r->buf + pos, first);
    memcpy(dst + first, r->buf, n - first);
}

/* Copy n bytes into the ring starting at pos, wrapping at the end. */
static void ring_write(struct conring *r, size_t pos, const char *src, size_t n)
{
    size_t first = r->size - pos;

    if (first > n)
        first = n;
    memcpy(r->buf + pos, src, first);
    memcpy(r->buf, src + first, n - first);
}

/* Offset pos moved on by n bytes, wrapped. n <= size always holds here. */
static size_t ring_advance(const struct conring *r, size_t pos, size_t n)
{
    pos += n;
    return pos >= r->size ? pos - r->size : pos;
}

/* Decode the header at pos. */
static void read_header(const struct conring *r, size_t pos, int *level, size_t *len)
{
    unsigned char h[CONRING_HDR];

    ring_read(r, pos, (char *)h, CONRING_HDR);
    *level = h[0];
    *len = (size_t)h[1] | ((size_t)h[2] << 8) | ((size_t)h[3] << 16);
}

/* Empty ring over buf. */
void conring_init(struct conring *r, char *buf, size_t size)
{
    r->buf = buf;
    r->size = buf ? size : 0;
    r->head = 0;
    r->used = 0;
    r->lines = 0;
    r->first_seq = 0;
    r->dropped = 0;
}

/* Forget the oldest record; the caller knows one is held. */
static void drop_oldest(struct conring *r)
{
    int level;
    size_t len;

    read_header(r, r->head, &level, &len);
    ASSERT(r->lines > 0 && r->used >= CONRING_HDR + len);
    r->head = ring_advance(r, r->head, CONRING_HDR + len);
    r->used -= CONRING_HDR + len;
    r->lines--;
    r->first_seq++;
    r->dropped++;
}

/* Append one line, cutting it to half the ring so one runaway line cannot wipe the history,
 * and dropping the oldest whole lines to make room. */
void conring_put(struct conring *r, int level, const char *text, size_t n)
{
    static const char marker[] = CONRING_TRUNC_MARKER;
    const size_t mlen = sizeof(marker) - 1;
    size_t max_text, len, keep, pos;
    unsigned char h[CONRING_HDR];

    if (r->size / 2 <= CONRING_HDR)
        return;                          /* too small to hold any line */
    if (!text)
        n = 0;
    max_text = r->size / 2 - CONRING_HDR;
    if (max_text > LEN_MAX)
        max_text = LEN_MAX;

    len = n;
    keep = n;
    if (n > max_text) {
        len = max_text;
        keep = max_text > mlen ? max_text - mlen : max_text;
    }

    while (r->size - r->used < CONRING_HDR + len)
        drop_oldest(r);

    pos = ring_advance(r, r->head, r->used);
    h[0] = (unsigned char)level;
    h[1] = (unsigned char)(len & 0xff);
    h[2] = (unsigned char)((len >> 8) & 0xff);
    h[3] = (unsigned char)((len >> 16) & 0xff);
    ring_write(r, pos, (const char *)h, CONRING_HDR);
    pos = ring_advance(r, pos, CONRING_HDR);
    if (keep)
        ring_write(r, pos, text, keep);
    if (len > keep) {
        pos = ring_advance(r, pos, keep);
        ring_write(r, pos, marker, len - keep);
    }
    r->used += CONRING_HDR + len;
    r->lines++;
    ASSERT(r->used <= r->size && r->head < r->size);
}

/* Lines held now. */
size_t conring_lines(const struct conring *r)
{
    return r->lines;
}

/* Lines lost to wrap-around since init. */
uint64_t conring_dropped(const struct conring *r)
{
    return r->dropped;
}

/* Copy the record at pos out (see conring_get) and return its length. */
static int copy_record(const struct conring *r, size_t pos, int *level, char *out,
                       size_t outsz, size_t *len_out)
{
    int lvl;
    size_t len, n;

    read_header(r, pos, &lvl, &len);
    if (level)
        *level = lvl;
    if (out && outsz) {
        n = len < outsz - 1 ? len : outsz - 1;
        ring_read(r, ring_advance(r, pos, CONRING_HDR), out, n);
        out[n] = '\0';
    }
    *len_out = len;
    return (int)len;
}

/* Line idx counted from the oldest held one. */
int conring_get(const struct conring *r, size_t idx, int *level, char *out, size_t outsz)
{
    size_t pos = r->head, len;
    int lvl;

    if (idx >= r->lines)
        return -1;
    for (size_t i = 0; i < idx; i++) {
        read_header(r, pos, &lvl, &len);
        pos = ring_advance(r, pos, CONRING_HDR + len);
    }
    return copy_record(r, pos, level, out, outsz, &len);
}

/* Empty the ring. Sequence numbers go on, so iterators see the cleared lines as missed; the
 * next line goes where it would have gone anyway, so an iterator waiting at the end stays
 * right. */
void conring_clear(struct conring *r)
{
    r->head = ring_advance(r, r->head, r->used);
    r->used = 0;
    r->first_seq += r->lines;
    r->lines = 0;
}

/* Iterator at the oldest held line. */
void conring_iter_start(const struct conring *r, struct conring_iter *it)
{
    it->seq = r->first_seq;
    it->pos = r->head;
}

/* Next line for a reader that may be overtaken by writers. */
int conring_iter_next(const struct conring *r, struct conring_iter *it, int *level,
                      char *out, size_t outsz, uint64_t *missed)
{
    size_t len;
    int ret;

    if (it->seq < r->first_seq) {
        if (missed)
            *missed += r->first_seq - it->seq;
        conring_iter_start(r, it);
    }
    if (it->seq >= r->first_seq + r->lines)
        return -1;
    ret = copy_record(r, it->pos, level, out, outsz, &len);
    it->pos = ring_advance(r, it->pos, CONRING_HDR + len);
    it->seq++;
    return ret;
}
