/*
 * render.h - how received bytes are shown: as they are, with a
 * timestamp at each line start, or as hex. Works on a growable output
 * buffer so the caller does one write per chunk.
 */
#ifndef MINITERM_RENDER_H
#define MINITERM_RENDER_H

#include <stdbool.h>
#include <stddef.h>

/* A growable byte buffer. Zero-initialise before first use. */
struct obuf {
	char *p;
	size_t len, cap;
};

/* Formatting state for one output stream. */
struct render {
	bool hex;		/* show bytes as hex pairs */
	bool stamps;		/* prefix each line with a timestamp */
	bool at_line_start;	/* next byte starts a line */
	unsigned col;		/* hex bytes on the current line */
	const char *eol;	/* line end to emit in hex view */
};

#define HEX_PER_LINE 16

/* Makes room for extra more bytes. Returns 0, or -1 if out of memory
 * (the buffer is left as it was). */
int obuf_reserve(struct obuf *b, size_t extra);

/* Appends n bytes; returns 0 or -1 on out of memory. */
int obuf_put(struct obuf *b, const void *data, size_t n);

/* Empties the buffer, keeping its memory. */
void obuf_clear(struct obuf *b);

/* Frees the buffer's memory and zeroes it. */
void obuf_free(struct obuf *b);

/* Starts a renderer at a line start with the given line end. */
void render_init(struct render *r, const char *eol);

/* Appends in[0..n) to out as r says: a copy, with stamp inserted
 * before the first byte of each line (lines end at '\n'), and/or as
 * "hh " pairs broken after '\n' or HEX_PER_LINE bytes. Returns 0, or
 * -1 if out of memory. */
int render_bytes(struct render *r, const unsigned char *in, size_t n,
		 const char *stamp, struct obuf *out);

/* Turns hex view on or off; if that changes the view in mid-line,
 * ends the line first so the two views never share one. */
int render_set_hex(struct render *r, bool on, struct obuf *out);

/* Formats the current local time into buf: "[HH:MM:SS.mmm] ", or
 * with with_date "[YYYY-MM-DD HH:MM:SS.mmm] ". */
void stamp_now(char *buf, size_t cap, bool with_date);

#endif
