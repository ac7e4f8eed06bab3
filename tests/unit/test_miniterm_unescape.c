/*
 * test_miniterm_unescape.c - unit tests for the --send C-escape
 * decoder and the printable quoting (tools/miniterm/unescape.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/miniterm/unescape.h"

/* Decodes s, asserting success; returns the length. */
static size_t ok(const char *s, unsigned char *out)
{
	size_t len = 12345, pos = 0;
	const char *why = NULL;
	assert_int_equal(unescape(s, out, &len, &pos, &why), 0);
	assert_true(len <= strlen(s));
	return len;
}

/* Decodes s, asserting failure at offset want_pos. */
static void bad(const char *s, size_t want_pos)
{
	unsigned char out[64];
	size_t len, pos = 999;
	const char *why = NULL;
	assert_int_equal(unescape(s, out, &len, &pos, &why), -1);
	assert_int_equal(pos, want_pos);
	assert_non_null(why);
}

/* Text without backslashes is copied as is. */
static void test_plain_text(void **state)
{
	unsigned char out[32];
	(void)state;
	assert_int_equal(ok("help", out), 4);
	assert_memory_equal(out, "help", 4);
	assert_int_equal(ok("", out), 0);
}

/* The single-letter C escapes decode to their bytes. */
static void test_simple_escapes(void **state)
{
	unsigned char out[32];
	(void)state;
	size_t n = ok("a\\r\\n\\t\\\\\\e\\a\\b\\f\\v\\'\\\"\\?", out);
	assert_int_equal(n, 13);
	assert_memory_equal(out, "a\r\n\t\\\033\a\b\f\v'\"?", 13);
}

/* \xH and \xHH decode, NUL included. */
static void test_hex_escapes(void **state)
{
	unsigned char out[32];
	(void)state;
	size_t n = ok("\\x01\\x01\\x01", out);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\x01\x01\x01", 3);
	/* one digit, upper case, and a third hex digit is literal */
	n = ok("\\x7\\xFFf\\x1dq", out);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "\x07\xff" "f\x1dq", 5);
	/* NUL bytes are data */
	n = ok("a\\x00b", out);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "a\0b", 3);
}

/* \N, \NN and \NNN decode up to \377. */
static void test_octal_escapes(void **state)
{
	unsigned char out[32];
	(void)state;
	size_t n = ok("\\0\\33\\1778\\377", out);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "\0\033\177" "8\377", 5);
}

/* Bad escapes fail at the offset of their backslash. */
static void test_errors(void **state)
{
	(void)state;
	bad("abc\\", 3);	/* trailing backslash */
	bad("\\xg", 0);		/* \x without a digit */
	bad("ok\\x", 2);
	bad("\\q", 0);		/* unknown escape */
	bad("12\\400", 2);	/* octal above 255 */
	bad("\\\\\\z", 2);
}

/* Received bytes are quoted readably and truncated safely. */
static void test_escape_printable(void **state)
{
	char out[64];
	(void)state;
	size_t n = escape_printable((const unsigned char *)"(XEN) \r\n\x01\"\\",
				    11, out, sizeof out);
	assert_string_equal(out, "(XEN) \\r\\n\\x01\\\"\\\\");
	assert_int_equal(n, strlen(out));
	/* too long: ends in "..." and never overflows */
	char small[10];
	escape_printable((const unsigned char *)"abcdefghijklmnop", 16,
			 small, sizeof small);
	assert_true(strlen(small) < sizeof small);
	assert_string_equal(small + strlen(small) - 3, "...");
	escape_printable((const unsigned char *)"x", 1, small, 0);
}

/* Rewrites pattern s, asserting success, into a static buffer. */
static const char *re_ok(const char *s)
{
	static char out[128];
	size_t pos;
	const char *why;
	assert_int_equal(unescape_regex(s, out, &pos, &why), 0);
	assert_true(strlen(out) <= strlen(s));
	return out;
}

/* --expect patterns get C escapes but keep regex escapes. */
static void test_regex_escapes(void **state)
{
	size_t pos = 99;
	const char *why = NULL;
	char out[32];
	(void)state;

	assert_string_equal(re_ok("abc"), "abc");
	assert_string_equal(re_ok("a\\r\\n\\t\\e"), "a\r\n\t\033");
	/* regex escapes and escaped backslashes stay as they are */
	assert_string_equal(re_ok("\\(XEN\\) \\.\\\\r"),
			    "\\(XEN\\) \\.\\\\r");
	/* \xHH gives the byte, escaped when it is a regex operator */
	assert_string_equal(re_ok("\\x41\\x2e\\x5c\\x7"), "A\\.\\\\\x07");
	/* a lone \x or a trailing backslash is left to regcomp */
	assert_string_equal(re_ok("\\xg\\"), "\\xg\\");
	assert_int_equal(unescape_regex("ab\\x00", out, &pos, &why), -1);
	assert_int_equal(pos, 2);
	assert_non_null(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_simple_escapes),
		cmocka_unit_test(test_hex_escapes),
		cmocka_unit_test(test_octal_escapes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_escape_printable),
		cmocka_unit_test(test_regex_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
