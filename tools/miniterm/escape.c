/*
 * escape.c - the escape-key state machine (see escape.h). Adding a
 * command means adding a row to the table below.
 */
#include "escape.h"

#include <string.h>

static const struct esc_command commands[] = {
	{ 'q', ESC_QUIT, "quit (the terminal is restored)" },
	{ 'b', ESC_BREAK, "send a BREAK (tty devices only)" },
	{ 'l', ESC_LOG, "toggle logging of received bytes" },
	{ 't', ESC_TIMESTAMPS, "toggle timestamps at line starts" },
	{ 'x', ESC_HEX, "toggle hex view of received bytes" },
	{ 'h', ESC_HELP, "show this help" },
	{ '?', ESC_HELP, NULL },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* See escape.h. */
void esc_init(struct esc_state *s, unsigned char key)
{
	s->key = key;
	s->armed = false;
	s->last = 0;
}

/* See escape.h. */
const struct esc_command *esc_commands(size_t *n)
{
	*n = NCOMMANDS;
	return commands;
}

/* Finds the command for byte c: the letter in either case or its
 * control code. */
static enum esc_action lookup(unsigned char c)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		unsigned char k = (unsigned char)commands[i].key;
		bool letter = k >= 'a' && k <= 'z';
		if (c == k || (letter && (c == k - 32 || c == (k & 0x1f))))
			return commands[i].action;
	}
	return ESC_UNKNOWN;
}

/* See escape.h. */
size_t esc_feed(struct esc_state *s, const unsigned char *in, size_t len,
		unsigned char *out, size_t *out_len, enum esc_action *act)
{
	size_t i = 0;

	*act = ESC_NONE;
	while (i < len) {
		if (!s->armed) {
			/* fast path: copy the run up to the next escape */
			const unsigned char *hit = memchr(in + i, s->key, len - i);
			size_t run = hit ? (size_t)(hit - (in + i)) : len - i;
			memcpy(out + *out_len, in + i, run);
			*out_len += run;
			i += run;
			if (hit) {
				s->armed = true;
				i++;
			}
			continue;
		}
		unsigned char c = in[i++];
		s->armed = false;
		if (c == s->key) {
			out[(*out_len)++] = c;
			continue;
		}
		*act = lookup(c);
		if (*act == ESC_UNKNOWN)
			s->last = c;
		return i;
	}
	return i;
}
