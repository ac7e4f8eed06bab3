/*
 * render.c - output formatting for received bytes (see render.h).
 */
#define _DEFAULT_SOURCE
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* See render.h. Grows geometrically from 4 KiB. */
int obuf_reserve(struct obuf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < extra) {
		if (cap > ((size_t)-1) / 2)
			return -1;
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (p == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* See render.h. */
int obuf_put(struct obuf *b, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	if (obuf_reserve(b, n) != 0)
		return -1;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

/* See render.h. */
void obuf_clear(struct obuf *b)
{
	b->len = 0;
}

/* See render.h. */
void obuf_free(struct obuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* See render.h. */
void render_init(struct render *r, const char *eol)
{
	r->hex = false;
	r->stamps = false;
	r->at_line_start = true;
	r->col = 0;
	r->eol = eol;
}

/* Appends one byte in hex form, breaking lines as render.h says. */
static int put_hex(struct render *r, unsigned char c, struct obuf *out)
{
	static const char digits[] = "0123456789abcdef";
	char pair[3] = { digits[c >> 4], digits[c & 15], ' ' };

	if (obuf_put(out, pair, 3) != 0)
		return -1;
	r->col++;
	if (c == '\n' || r->col >= HEX_PER_LINE) {
		if (obuf_put(out, r->eol, strlen(r->eol)) != 0)
			return -1;
		r->col = 0;
		r->at_line_start = true;
	}
	return 0;
}

/* See render.h. Plain runs between newlines are copied in one go. */
int render_bytes(struct render *r, const unsigned char *in, size_t n,
		 const char *stamp, struct obuf *out)
{
	size_t stamp_len = stamp ? strlen(stamp) : 0;
	size_t i = 0;

	while (i < n) {
		if (r->at_line_start) {
			r->at_line_start = false;
			if (r->stamps && stamp_len &&
			    obuf_put(out, stamp, stamp_len) != 0)
				return -1;
		}
		if (r->hex) {
			if (put_hex(r, in[i++], out) != 0)
				return -1;
			continue;
		}
		const unsigned char *nl = memchr(in + i, '\n', n - i);
		size_t run = nl ? (size_t)(nl - (in + i)) + 1 : n - i;
		if (obuf_put(out, in + i, run) != 0)
			return -1;
		i += run;
		if (nl)
			r->at_line_start = true;
	}
	return 0;
}

/* See render.h. */
int render_set_hex(struct render *r, bool on, struct obuf *out)
{
	bool mid_line = r->hex ? r->col > 0 : !r->at_line_start;
	if (r->hex != on && mid_line) {
		if (obuf_put(out, r->eol, strlen(r->eol)) != 0)
			return -1;
		r->col = 0;
		r->at_line_start = true;
	}
	r->hex = on;
	return 0;
}

/* See render.h. */
void stamp_now(char *buf, size_t cap, bool with_date)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, with_date ? "%Y-%m-%d %H:%M:%S" :
		 "%H:%M:%S", &tm);
	snprintf(buf, cap, "[%s.%03ld] ", when, ts.tv_nsec / 1000000);
}
