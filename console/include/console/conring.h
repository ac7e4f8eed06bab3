/* The console ring ("conring", as in Xen): every log line of the hypervisor is kept here with
 * its level, whatever the console log level, so `dmesg` can show it later.
 * The caller owns the byte buffer (its size comes from conring_size=). Whole lines are stored;
 * when a new line does not fit, the OLDEST whole lines are dropped and counted.
 * Not locked: the caller serialises access (the logger holds its console lock). */
#ifndef KESTREL_CONSOLE_CONRING_H
#define KESTREL_CONSOLE_CONRING_H

#include <stddef.h>
#include <stdint.h>

/* Each stored line costs CONRING_HDR bytes of header (level and length) plus its text. */
#define CONRING_HDR 4u
/* Appended (within the limit) to a line that was cut because it was longer than size/2. */
#define CONRING_TRUNC_MARKER "[...]"

struct conring {
    char *buf;          /* caller's buffer */
    size_t size;        /* its size in bytes */
    size_t head;        /* byte offset of the oldest held line's header */
    size_t used;        /* bytes in use (headers + text), from head onwards, wrapping */
    size_t lines;       /* lines held now */
    uint64_t first_seq; /* sequence number of the oldest held line */
    uint64_t dropped;   /* lines overwritten since init (conring_clear does not count) */
};

/* A reading position that survives later conring_put() calls (it notices lost lines). */
struct conring_iter {
    uint64_t seq;       /* sequence number of the next line to read */
    size_t pos;         /* byte offset of that line's header, valid while seq is held */
};

/* Start an empty ring on buf[0..size). size may be anything; sizes below 2*CONRING_HDR+2
 * hold nothing useful (every put is dropped). Power-of-two sizes are what boot options give. */
void conring_init(struct conring *r, char *buf, size_t size);

/* Store one line (text[0..n), no newline, need not be NUL-terminated) at level.
 * A line longer than size/2 (header included) is cut and ends in CONRING_TRUNC_MARKER.
 * Oldest whole lines are dropped to make room. level is stored as given (0..255 kept). */
void conring_put(struct conring *r, int level, const char *text, size_t n);

/* Lines held now. */
size_t conring_lines(const struct conring *r);

/* Lines dropped to make room since init. */
uint64_t conring_dropped(const struct conring *r);

/* Copy line idx (0 = oldest held) into out, NUL-terminated and cut to outsz-1 bytes; set
 * *level (if level is not NULL). Returns the line's full stored length, or -1 if idx is not
 * held. out may be NULL when outsz is 0 (to ask for the length). Walks from the oldest
 * line, so O(lines): use an iterator to read them all. */
int conring_get(const struct conring *r, size_t idx, int *level, char *out, size_t outsz);

/* Drop every held line (not counted as dropped). */
void conring_clear(struct conring *r);

/* Point it at the oldest held line. */
void conring_iter_start(const struct conring *r, struct conring_iter *it);

/* Read the line at it and move on; same copying rules and return value as conring_get, -1
 * at the end. If lines were dropped under the iterator it jumps to the oldest held line and
 * adds how many it missed to *missed (if missed is not NULL). */
int conring_iter_next(const struct conring *r, struct conring_iter *it, int *level,
                      char *out, size_t outsz, uint64_t *missed);

#endif
