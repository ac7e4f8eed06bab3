/*
 * unescape.c - C-escape decoding for --send and the reverse, used to
 * show received bytes readably in error messages (see unescape.h).
 */
#include "unescape.h"

#include <stdio.h>
#include <string.h>

/* Returns the value of hex digit c, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Maps the single-letter escapes; returns the byte or -1. */
static int simple_escape(char c)
{
	static const char from[] = "abefnrtv\\'\"?";
	static const char to[] = "\a\b\033\f\n\r\t\v\\'\"?";
	const char *p = c ? strchr(from, c) : NULL;
	return p ? (unsigned char)to[p - from] : -1;
}

/* See unescape.h. */
int unescape(const char *s, unsigned char *out, size_t *out_len,
	     size_t *err_pos, const char **why)
{
	size_t i = 0, o = 0;

	while (s[i] != '\0') {
		if (s[i] != '\\') {
			out[o++] = (unsigned char)s[i++];
			continue;
		}
		size_t at = i++;
		char c = s[i];
		int v = simple_escape(c);
		if (v >= 0) {
			out[o++] = (unsigned char)v;
			i++;
		} else if (c == 'x') {
			int h1 = hexval(s[i + 1]);
			if (h1 < 0) {
				*err_pos = at;
				*why = "\\x needs a hex digit";
				return -1;
			}
			i += 2;
			int h2 = hexval(s[i]);
			if (h2 >= 0) {
				h1 = h1 * 16 + h2;
				i++;
			}
			out[o++] = (unsigned char)h1;
		} else if (c >= '0' && c <= '7') {
			unsigned val = 0;
			int digits = 0;
			while (digits < 3 && s[i] >= '0' && s[i] <= '7') {
				val = val * 8 + (unsigned)(s[i] - '0');
				i++;
				digits++;
			}
			if (val > 0xff) {
				*err_pos = at;
				*why = "octal escape above \\377";
				return -1;
			}
			out[o++] = (unsigned char)val;
		} else if (c == '\0') {
			*err_pos = at;
			*why = "trailing backslash";
			return -1;
		} else {
			*err_pos = at;
			*why = "unknown escape (use \\\\ for a backslash)";
			return -1;
		}
	}
	*out_len = o;
	return 0;
}

/* See unescape.h. */
int unescape_regex(const char *s, char *out, size_t *err_pos,
		   const char **why)
{
	static const char special[] = ".[]()*+?{}|^$\\";
	size_t i = 0, o = 0;

	while (s[i] != '\0') {
		if (s[i] != '\\' || s[i + 1] == '\0') {
			out[o++] = s[i++];
			continue;
		}
		char c = s[i + 1];
		int v = -1;
		size_t used = 2;
		if (c == 'r' || c == 'n' || c == 't' || c == 'e') {
			v = simple_escape(c);
		} else if (c == 'x' && hexval(s[i + 2]) >= 0) {
			v = hexval(s[i + 2]);
			used = 3;
			if (hexval(s[i + 3]) >= 0) {
				v = v * 16 + hexval(s[i + 3]);
				used = 4;
			}
		}
		if (v < 0) {		/* a regex escape: keep both */
			out[o++] = s[i++];
			out[o++] = s[i++];
			continue;
		}
		if (v == 0) {
			*err_pos = i;
			*why = "\\x00 cannot be matched";
			return -1;
		}
		if (strchr(special, v) != NULL)
			out[o++] = '\\';
		out[o++] = (char)v;
		i += used;
	}
	out[o] = '\0';
	return 0;
}

/* Appends the printable form of byte c to buf; returns its length. */
static int escape_one(unsigned char c, char buf[8])
{
	switch (c) {
	case '\r': return snprintf(buf, 8, "\\r");
	case '\n': return snprintf(buf, 8, "\\n");
	case '\t': return snprintf(buf, 8, "\\t");
	case '\\': return snprintf(buf, 8, "\\\\");
	case '"':  return snprintf(buf, 8, "\\\"");
	default:
		if (c < 0x20 || c >= 0x7f)
			return snprintf(buf, 8, "\\x%02x", c);
		buf[0] = (char)c;
		buf[1] = '\0';
		return 1;
	}
}

/* See unescape.h. */
size_t escape_printable(const unsigned char *in, size_t n, char *out,
			size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char one[8];
		size_t len = (size_t)escape_one(in[i], one);
		/* keep room for "..." and the NUL */
		if (o + len + 4 > cap) {
			if (o + 4 <= cap) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, one, len);
		o += len;
	}
	out[o] = '\0';
	return o;
}
