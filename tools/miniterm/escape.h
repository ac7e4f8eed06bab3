/*
 * escape.h - the escape-key state machine. Keyboard bytes pass through
 * to the device untouched, except the escape key (CTRL-] by default):
 * the key after it is a command for miniterm, and the escape key
 * pressed twice sends one escape character to the device.
 */
#ifndef MINITERM_ESCAPE_H
#define MINITERM_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#define ESC_DEFAULT_KEY 0x1d /* CTRL-] */

enum esc_action {
	ESC_NONE,	/* nothing for miniterm to do */
	ESC_QUIT,
	ESC_BREAK,
	ESC_LOG,
	ESC_TIMESTAMPS,
	ESC_HEX,
	ESC_HELP,
	ESC_UNKNOWN,	/* escape followed by a key with no command */
};

/* One command: its key, what it does, and its line in the help. */
struct esc_command {
	char key;
	enum esc_action action;
	const char *help;
};

struct esc_state {
	unsigned char key;	/* the escape key's byte */
	bool armed;		/* the escape key was just pressed */
	unsigned char last;	/* the key that gave ESC_UNKNOWN */
};

/* Starts a state machine for escape byte key, not armed. */
void esc_init(struct esc_state *s, unsigned char key);

/* Feeds in[0..len). Bytes for the device are appended to out (which
 * must have room for len bytes) and counted in *out_len (which the
 * caller zeroes). Stops right after a byte that completes a command,
 * setting *act to it; otherwise consumes everything and sets *act to
 * ESC_NONE. Returns the number of bytes consumed. A command key may be
 * the letter in either case or CTRL-letter. */
size_t esc_feed(struct esc_state *s, const unsigned char *in, size_t len,
		unsigned char *out, size_t *out_len, enum esc_action *act);

/* The command table, for help output; *n gets its length. */
const struct esc_command *esc_commands(size_t *n);

#endif
