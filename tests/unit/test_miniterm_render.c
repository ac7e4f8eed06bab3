/*
 * test_miniterm_render.c - unit tests for miniterm's output formatting:
 * timestamps at line starts, hex view, the growable buffer
 * (tools/miniterm/render.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/miniterm/render.h"

/* Renders s through r into a fresh buffer; returns it NUL-terminated. */
static char *run(struct render *r, struct obuf *b, const char *s,
		 const char *stamp)
{
	obuf_clear(b);
	assert_int_equal(render_bytes(r, (const unsigned char *)s, strlen(s),
				      stamp, b), 0);
	assert_int_equal(obuf_put(b, "", 1), 0);
	return b->p;
}

/* Without hex or timestamps, bytes are copied unchanged. */
static void test_plain_copy(void **state)
{
	struct render r;
	struct obuf b = { 0 };
	(void)state;

	render_init(&r, "\r\n");
	assert_string_equal(run(&r, &b, "(XEN) hi\r\n(XEN) ", "[T] "),
			    "(XEN) hi\r\n(XEN) ");
	assert_false(r.at_line_start);
	obuf_free(&b);
}

/* A stamp goes before the first byte of each line, never mid-line. */
static void test_timestamps_at_line_starts(void **state)
{
	struct render r;
	struct obuf b = { 0 };
	(void)state;

	render_init(&r, "\n");
	r.stamps = true;
	assert_string_equal(run(&r, &b, "one\ntwo\nthr", "[T] "),
			    "[T] one\n[T] two\n[T] thr");
	/* the line continues in the next chunk: no stamp mid-line */
	assert_string_equal(run(&r, &b, "ee\n", "[U] "), "ee\n");
	assert_true(r.at_line_start);
	assert_string_equal(run(&r, &b, "\n\n", "[V] "), "[V] \n[V] \n");
	obuf_free(&b);
}

/* Hex view prints pairs, breaks lines, and toggling ends half lines. */
static void test_hex_view(void **state)
{
	struct render r;
	struct obuf b = { 0 };
	(void)state;

	render_init(&r, "\r\n");
	r.hex = true;
	assert_string_equal(run(&r, &b, "A\x01\n", NULL), "41 01 0a \r\n");
	assert_string_equal(run(&r, &b, "0123456789abcdefZ", NULL),
			    "30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 "
			    "\r\n5a ");
	/* switching back ends the half line */
	obuf_clear(&b);
	assert_int_equal(render_set_hex(&r, false, &b), 0);
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.p, "\r\n", 2);
	assert_false(r.hex);
	assert_true(r.at_line_start);
	/* switching on in mid-line also starts a fresh line */
	assert_string_equal(run(&r, &b, "abc", NULL), "abc");
	obuf_clear(&b);
	assert_int_equal(render_set_hex(&r, true, &b), 0);
	assert_int_equal(b.len, 2);
	/* no line break when nothing is pending */
	obuf_clear(&b);
	assert_int_equal(render_set_hex(&r, false, &b), 0);
	assert_int_equal(b.len, 0);
	obuf_free(&b);
}

/* The buffer grows as needed and refuses absurd sizes unchanged. */
static void test_obuf_growth(void **state)
{
	struct obuf b = { 0 };
	char chunk[1000];
	(void)state;

	memset(chunk, 'k', sizeof chunk);
	for (int i = 0; i < 100; i++)
		assert_int_equal(obuf_put(&b, chunk, sizeof chunk), 0);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap >= b.len);
	assert_int_equal(b.p[99999], 'k');
	assert_int_equal(obuf_reserve(&b, (size_t)-1), -1);
	assert_int_equal(b.len, 100000);
	obuf_free(&b);
	assert_null(b.p);
}

/* Stamps have the documented fixed-width shapes. */
static void test_stamp_format(void **state)
{
	char s[48];
	(void)state;

	stamp_now(s, sizeof s, false);
	assert_int_equal(strlen(s), strlen("[12:34:56.789] "));
	assert_int_equal(s[0], '[');
	assert_int_equal(s[3], ':');
	stamp_now(s, sizeof s, true);
	assert_int_equal(strlen(s), strlen("[2026-01-02 12:34:56.789] "));
	assert_int_equal(s[5], '-');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_copy),
		cmocka_unit_test(test_timestamps_at_line_starts),
		cmocka_unit_test(test_hex_view),
		cmocka_unit_test(test_obuf_growth),
		cmocka_unit_test(test_stamp_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
