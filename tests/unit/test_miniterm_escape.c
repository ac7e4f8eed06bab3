/*
 * test_miniterm_escape.c - unit tests for miniterm's escape-key state
 * machine (tools/miniterm/escape.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/miniterm/escape.h"

/* Feeds len bytes in one call; returns consumed, fills out/act. */
static size_t feed(struct esc_state *s, const char *in, size_t len,
		   unsigned char *out, size_t *out_len, enum esc_action *act)
{
	*out_len = 0;
	return esc_feed(s, (const unsigned char *)in, len, out, out_len, act);
}

/* Ordinary bytes, CTRL-A three times included, pass through as is. */
static void test_passthrough_ctrl_a(void **state)
{
	struct esc_state s;
	unsigned char out[16];
	size_t n;
	enum esc_action act;
	(void)state;

	esc_init(&s, ESC_DEFAULT_KEY);
	assert_int_equal(feed(&s, "\x01\x01\x01help\r", 8, out, &n, &act), 8);
	assert_int_equal(act, ESC_NONE);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "\x01\x01\x01help\r", 8);
	assert_false(s.armed);
}

/* CTRL-] q quits and nothing reaches the device. */
static void test_escape_q_quits(void **state)
{
	struct esc_state s;
	unsigned char out[16];
	size_t n;
	enum esc_action act;
	(void)state;

	esc_init(&s, ESC_DEFAULT_KEY);
	assert_int_equal(feed(&s, "ab\x1dq", 4, out, &n, &act), 4);
	assert_int_equal(act, ESC_QUIT);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "ab", 2);
}

/* The machine stops right after a command; the rest is fed later. */
static void test_stops_after_command(void **state)
{
	struct esc_state s;
	unsigned char out[16];
	size_t n;
	enum esc_action act;
	(void)state;

	esc_init(&s, ESC_DEFAULT_KEY);
	size_t used = feed(&s, "\x1dtxy", 4, out, &n, &act);
	assert_int_equal(used, 2);
	assert_int_equal(act, ESC_TIMESTAMPS);
	assert_int_equal(n, 0);
	used = feed(&s, "xy", 2, out, &n, &act);
	assert_int_equal(used, 2);
	assert_int_equal(act, ESC_NONE);
	assert_memory_equal(out, "xy", 2);
}

/* The escape key twice sends one escape byte. */
static void test_double_escape_sends_it(void **state)
{
	struct esc_state s;
	unsigned char out[16];
	size_t n;
	enum esc_action act;
	(void)state;

	esc_init(&s, ESC_DEFAULT_KEY);
	assert_int_equal(feed(&s, "\x1d\x1d\x1d\x1d", 4, out, &n, &act), 4);
	assert_int_equal(act, ESC_NONE);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\x1d\x1d", 2);
	assert_false(s.armed);
}

/* An escape at the end of one read arms the next read. */
static void test_escape_split_across_reads(void **state)
{
	struct esc_state s;
	unsigned char out[16];
	size_t n;
	enum esc_action act;
	(void)state;

	esc_init(&s, ESC_DEFAULT_KEY);
	assert_int_equal(feed(&s, "z\x1d", 2, out, &n, &act), 2);
	assert_int_equal(act, ESC_NONE);
	assert_int_equal(n, 1);
	assert_true(s.armed);
	assert_int_equal(feed(&s, "b", 1, out, &n, &act), 1);
	assert_int_equal(act, ESC_BREAK);
	assert_int_equal(n, 0);
	assert_false(s.armed);
}

/* Every command answers to its letter, upper case and CTRL-letter. */
static void test_command_table(void **state)
{
	static const struct {
		char key;
		enum esc_action act;
	} want[] = {
		{ 'q', ESC_QUIT }, { 'b', ESC_BREAK }, { 'l', ESC_LOG },
		{ 't', ESC_TIMESTAMPS }, { 'x', ESC_HEX }, { 'h', ESC_HELP },
	};
	unsigned char out[4];
	size_t n;
	enum esc_action act;
	(void)state;

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char forms[3] = { want[i].key, (char)(want[i].key - 32),
				  (char)(want[i].key & 0x1f) };
		for (int f = 0; f < 3; f++) {
			struct esc_state s;
			char in[2] = { ESC_DEFAULT_KEY, forms[f] };
			esc_init(&s, ESC_DEFAULT_KEY);
			assert_int_equal(feed(&s, in, 2, out, &n, &act), 2);
			assert_int_equal(act, want[i].act);
			assert_int_equal(n, 0);
		}
	}
	size_t count;
	const struct esc_command *c = esc_commands(&count);
	assert_true(count >= 6);
	assert_int_equal(c[0].key, 'q');
	assert_non_null(c[0].help);
}

/* A key with no command is reported, remembered and not sent. */
static void test_unknown_command(void **state)
{
	struct esc_state s;
	unsigned char out[4];
	size_t n;
	enum esc_action act;
	(void)state;

	esc_init(&s, ESC_DEFAULT_KEY);
	assert_int_equal(feed(&s, "\x1dz1", 3, out, &n, &act), 2);
	assert_int_equal(act, ESC_UNKNOWN);
	assert_int_equal(s.last, 'z');
	assert_int_equal(n, 0);
	assert_false(s.armed);
}

/* With -e x the escape is CTRL-X and CTRL-] is an ordinary byte. */
static void test_custom_key(void **state)
{
	struct esc_state s;
	unsigned char out[8];
	size_t n;
	enum esc_action act;
	(void)state;

	esc_init(&s, 0x18);
	assert_int_equal(feed(&s, "\x1dq", 2, out, &n, &act), 2);
	assert_int_equal(act, ESC_NONE);
	assert_memory_equal(out, "\x1dq", 2);
	assert_int_equal(feed(&s, "\x18\x18", 2, out, &n, &act), 2);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0x18);
	assert_int_equal(feed(&s, "\x18x", 2, out, &n, &act), 2);
	assert_int_equal(act, ESC_HEX);
}

/* Empty input does nothing. */
static void test_empty_input(void **state)
{
	struct esc_state s;
	unsigned char out[1];
	size_t n;
	enum esc_action act;
	(void)state;

	esc_init(&s, ESC_DEFAULT_KEY);
	assert_int_equal(feed(&s, "", 0, out, &n, &act), 0);
	assert_int_equal(act, ESC_NONE);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passthrough_ctrl_a),
		cmocka_unit_test(test_escape_q_quits),
		cmocka_unit_test(test_stops_after_command),
		cmocka_unit_test(test_double_escape_sends_it),
		cmocka_unit_test(test_escape_split_across_reads),
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_custom_key),
		cmocka_unit_test(test_empty_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
