/*
 * unescape.h - turns a --send argument written with C escapes
 * (\r \n \t \\ \xHH \NNN ...) into the bytes to put on the line.
 */
#ifndef MINITERM_UNESCAPE_H
#define MINITERM_UNESCAPE_H

#include <stddef.h>

/* Decodes the NUL-terminated string s into out, which must hold at
 * least strlen(s) bytes (the result is never longer). Understood:
 * \a \b \e \f \n \r \t \v \\ \' \" \? \xH[H] (one or two hex digits)
 * and \N[N[N]] (octal, at most \377). Returns 0 and sets *out_len, or
 * -1 with *err_pos set to the offset of the offending backslash and
 * *why to a short reason. */
int unescape(const char *s, unsigned char *out, size_t *out_len,
	     size_t *err_pos, const char **why);

/* Rewrites an --expect pattern so that the C escapes \r \n \t \e and
 * \xHH stand for those bytes, as in --send; every other backslash pair
 * (\( \. \\ ...) is left for the regex compiler. A byte from \xHH
 * that is special in a regex is written escaped. out must hold
 * strlen(s) + 1 bytes. Returns 0, or -1 with *err_pos and *why set
 * (\x00 cannot be matched by a C-string regex). */
int unescape_regex(const char *s, char *out, size_t *err_pos,
		   const char **why);

/* Writes bytes in[0..n) into out (capacity cap, NUL-terminated when
 * cap > 0) as a printable, C-escaped string; stops early, ending with
 * "...", if it does not fit. Returns the length written. */
size_t escape_printable(const unsigned char *in, size_t n, char *out,
			size_t cap);

#endif
