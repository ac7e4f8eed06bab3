/*
 * test_miniterm_match.c - unit tests for the --expect matcher of
 * miniterm's script mode (script_match in tools/miniterm/script.c):
 * its fast paths (memmem for plain strings, a needle to pick lines,
 * rescanning only the unfinished line) must find exactly what a plain
 * regexec over the whole buffer finds.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/miniterm/options.h"
#include "../../tools/miniterm/script.h"

/* Parses one --expect pattern into *o; its step is o->steps[0]. */
static void compile(struct options *o, const char *pattern)
{
	char err[256];
	char *argv[] = { "miniterm", "--expect", (char *)pattern, NULL };
	assert_int_equal(options_parse(3, argv, o, err, sizeof err), 0);
}

/* Reference: plain regexec over buf[0..len). */
static bool reference(const regex_t *re, const char *buf, size_t len,
		      size_t *end)
{
	regmatch_t m[1] = { { 0, (regoff_t)len } };
	if (regexec(re, buf, 1, m, REG_STARTEND) != 0)
		return false;
	*end = (size_t)m[0].rm_eo;
	return true;
}

/* Typical console patterns match where a reader would expect. */
static void test_examples(void **state)
{
	struct options o;
	const char *text = "(XEN) boot\r\n(XEN) *** Serial input to Xen\r\n"
			   "(XEN) ";
	size_t end = 0;
	(void)state;

	compile(&o, "Serial input to");
	assert_true(script_match(&o.steps[0], text, 0, strlen(text), &end));
	assert_int_equal(end, strstr(text, " Xen\r") - text);
	options_free(&o);
	compile(&o, "^\\(XEN\\) $");
	assert_true(script_match(&o.steps[0], text, 0, strlen(text), &end));
	assert_int_equal(end, strlen(text));
	assert_false(script_match(&o.steps[0], text, 0, strlen(text) - 1,
				  &end));
	options_free(&o);
	compile(&o, "input to [A-Z][a-z]+\\r$");
	assert_true(script_match(&o.steps[0], text, 0, strlen(text), &end));
	assert_int_equal(end, (size_t)(strstr(text, "Xen\r\n") - text) + 4);
	options_free(&o);
	/* NUL bytes do not end the data (though '.' never matches one) */
	compile(&o, "b+c");
	assert_true(script_match(&o.steps[0], "a\0\0bbc", 0, 6, &end));
	assert_int_equal(end, 6);
	options_free(&o);
	compile(&o, "done");
	assert_true(script_match(&o.steps[0], "\0\0done", 0, 6, &end));
	assert_int_equal(end, 6);
	options_free(&o);
}

/* Random console-like buffers, matched incrementally the way the
 * script mode does (growing buffer, rescan from the last line start),
 * agree with one regexec over everything. */
static void test_agrees_with_regexec(void **state)
{
	/* fixed: every match has the same length, so the leftmost one
	 * ends first and streaming finds the very same match */
	static const struct {
		const char *re;
		bool fixed;
	} patterns[] = {
		{ "ab", true }, { "^ab", true }, { "a.b", true },
		{ "c{2}", true }, { "[^a]b", true }, { "\\<ab", true },
		{ "a\\nb", true }, { "a[[:space:]]b", true },
		{ "ab$", false }, { "b\\r$", false }, { "a[bc]+d", false },
		{ "^\\(XEN\\) ", true }, { "\\(XEN\\) [a-c]+", false },
		{ "xa*b", false }, { "a|bc", false },
	};
	static const char alphabet[] = "abcdx(XEN) \r\n";
	char buf[400];
	(void)state;

	srand(1234);
	for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
		struct options o;
		compile(&o, patterns[p].re);
		const struct step *st = &o.steps[0];
		for (int round = 0; round < 300; round++) {
			size_t len = (size_t)(rand() % (int)sizeof buf);
			for (size_t i = 0; i < len; i++)
				buf[i] = alphabet[rand() %
						  (int)(sizeof alphabet - 1)];
			size_t want_end = 0, got_end = 0, from = 0;
			bool want = reference(&st->re, buf, len, &want_end);
			bool got = false;
			/* feed in random chunks, as reads would arrive */
			for (size_t have = 0; have < len && !got;) {
				have += 1 + (size_t)(rand() % 40);
				have = have > len ? len : have;
				got = script_match(st, buf, from, have,
						   &got_end);
				if (!got)
					from = script_rescan(st, buf, from,
							     have);
			}
			if (len == 0)
				got = script_match(st, buf, 0, 0, &got_end);
			/* streaming may see $ match at the end of what had
			 * arrived so far; otherwise it agrees exactly */
			if (want)
				assert_true(got);
			if (got && !want)
				assert_non_null(strchr(patterns[p].re, '$'));
			if (got && want && patterns[p].fixed)
				assert_int_equal(got_end, want_end);
		}
		options_free(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_agrees_with_regexec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
