/*
 * test_miniterm_options.c - unit tests for miniterm's command line,
 * baud table, framing, flow, escape key and device address parsing
 * (tools/miniterm/options.c, tools/miniterm/params.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/miniterm/options.h"

#define ARGV(...) ((char *[]){ "miniterm", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "miniterm", __VA_ARGS__ }) / \
			 sizeof(char *)))
#define PARSE(o, err, ...) \
	options_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (err), \
		      sizeof(err))

/* The baud table knows the standard rates and nothing else. */
static void test_baud_table(void **state)
{
	speed_t code;
	unsigned rate;
	char list[512];
	(void)state;

	assert_int_equal(baud_lookup(115200, &code), 0);
	assert_int_equal(code, B115200);
	assert_int_equal(baud_lookup(9600, &code), 0);
	assert_int_equal(code, B9600);
	assert_int_equal(baud_lookup(12345, &code), -1);
	assert_int_equal(parse_baud("4000000", &rate, &code), 0);
	assert_int_equal(rate, 4000000);
	assert_int_equal(code, B4000000);
	assert_int_equal(parse_baud("115200x", &rate, &code), -1);
	assert_int_equal(parse_baud("-9600", &rate, &code), -1);
	assert_int_equal(parse_baud("", &rate, &code), -1);
	assert_int_equal(parse_baud("99999999999999999999", &rate, &code), -1);
	assert_int_equal(parse_baud("0", &rate, &code), -1);
	size_t need = baud_list(list, sizeof list);
	assert_int_equal(need, strlen(list));
	assert_non_null(strstr(list, " 9600 "));
	assert_non_null(strstr(list, " 115200 "));
	assert_int_equal(strncmp(list, "50 ", 3), 0);
	/* a short buffer stays terminated */
	char tiny[8];
	assert_true(baud_list(tiny, sizeof tiny) > sizeof tiny);
	assert_true(strlen(tiny) < sizeof tiny);
}

/* Framing like 8n1/7E2 and the flow-control names parse; others fail. */
static void test_framing_and_flow(void **state)
{
	struct framing f;
	enum flow fl;
	(void)state;

	assert_int_equal(parse_framing("8n1", &f), 0);
	assert_int_equal(f.data_bits, 8);
	assert_int_equal(f.parity, 'n');
	assert_int_equal(f.stop_bits, 1);
	assert_int_equal(parse_framing("7E2", &f), 0);
	assert_int_equal(f.data_bits, 7);
	assert_int_equal(f.parity, 'e');
	assert_int_equal(f.stop_bits, 2);
	assert_int_equal(parse_framing("5s1", &f), 0);
	assert_int_equal(parse_framing("9n1", &f), -1);
	assert_int_equal(parse_framing("8x1", &f), -1);
	assert_int_equal(parse_framing("8n3", &f), -1);
	assert_int_equal(parse_framing("8n", &f), -1);
	assert_int_equal(parse_framing("8n11", &f), -1);
	assert_int_equal(parse_flow("none", &fl), 0);
	assert_int_equal(fl, FLOW_NONE);
	assert_int_equal(parse_flow("RTSCTS", &fl), 0);
	assert_int_equal(fl, FLOW_RTSCTS);
	assert_int_equal(parse_flow("xonxoff", &fl), 0);
	assert_int_equal(fl, FLOW_XONXOFF);
	assert_int_equal(parse_flow("maybe", &fl), -1);
}

/* -e takes one key naming CTRL-key and refuses CTRL-A, Enter, ESC. */
static void test_escape_key(void **state)
{
	unsigned char key;
	const char *why;
	char name[16];
	(void)state;

	assert_int_equal(parse_escape_key("x", &key, &why), 0);
	assert_int_equal(key, 0x18);
	assert_int_equal(parse_escape_key("X", &key, &why), 0);
	assert_int_equal(key, 0x18);
	assert_int_equal(parse_escape_key("]", &key, &why), 0);
	assert_int_equal(key, 0x1d);
	assert_int_equal(parse_escape_key("a", &key, &why), -1);
	assert_non_null(strstr(why, "CTRL-A"));
	assert_int_equal(parse_escape_key("m", &key, &why), -1);
	assert_int_equal(parse_escape_key("[", &key, &why), -1);
	assert_int_equal(parse_escape_key("xy", &key, &why), -1);
	assert_int_equal(parse_escape_key("", &key, &why), -1);
	assert_int_equal(parse_escape_key("1", &key, &why), -1);
	escape_key_name(0x1d, name, sizeof name);
	assert_string_equal(name, "CTRL-]");
	escape_key_name(0x18, name, sizeof name);
	assert_string_equal(name, "CTRL-X");
}

/* DEVICE splits into tty path, unix:PATH or tcp:HOST:PORT. */
static void test_device_addresses(void **state)
{
	struct dev_addr a;
	const char *why;
	(void)state;

	assert_int_equal(parse_device("/dev/ttyUSB0", &a, &why), 0);
	assert_int_equal(a.kind, DEV_TTY);
	assert_string_equal(a.path, "/dev/ttyUSB0");
	assert_int_equal(parse_device("unix:/tmp/k.sock", &a, &why), 0);
	assert_int_equal(a.kind, DEV_UNIX);
	assert_string_equal(a.path, "/tmp/k.sock");
	assert_string_equal(a.name, "unix:/tmp/k.sock");
	assert_int_equal(parse_device("tcp:localhost:4555", &a, &why), 0);
	assert_int_equal(a.kind, DEV_TCP);
	assert_string_equal(a.host, "localhost");
	assert_string_equal(a.port, "4555");
	assert_int_equal(parse_device("tcp:[::1]:23", &a, &why), 0);
	assert_string_equal(a.host, "::1");
	assert_string_equal(a.port, "23");
	assert_int_equal(parse_device("tcp:host", &a, &why), -1);
	assert_int_equal(parse_device("tcp::80", &a, &why), -1);
	assert_int_equal(parse_device("tcp:host:", &a, &why), -1);
	assert_int_equal(parse_device("tcp:::1:23", &a, &why), -1);
	assert_int_equal(parse_device("tcp:[::1:23", &a, &why), -1);
	assert_int_equal(parse_device("unix:", &a, &why), -1);
	assert_int_equal(parse_device("", &a, &why), -1);
}

/* With no options: /dev/ttyS0, 115200 8N1, no flow control, CTRL-]. */
static void test_defaults(void **state)
{
	struct options o;
	char err[256];
	char *argv[] = { "miniterm", NULL };
	(void)state;

	assert_int_equal(options_parse(1, argv, &o, err, sizeof err), 0);
	assert_int_equal(o.action, ACT_RUN);
	assert_string_equal(o.addr.path, "/dev/ttyS0");
	assert_int_equal(o.serial.baud, 115200);
	assert_int_equal(o.serial.framing.data_bits, 8);
	assert_int_equal(o.serial.framing.parity, 'n');
	assert_int_equal(o.serial.framing.stop_bits, 1);
	assert_int_equal(o.serial.flow, FLOW_NONE);
	assert_int_equal(o.esc_key, 0x1d);
	assert_null(o.log_path);
	assert_int_equal(o.nsteps, 0);
	options_free(&o);
}

/* Xen's -b/-d work, plus short, bundled and long forms. */
static void test_xen_compatible_options(void **state)
{
	struct options o;
	char err[256];
	(void)state;

	assert_int_equal(PARSE(&o, err, "-b", "9600", "-d", "/dev/ttyUSB1"), 0);
	assert_int_equal(o.serial.baud, 9600);
	assert_string_equal(o.addr.path, "/dev/ttyUSB1");
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "-b38400", "-p", "7e2", "-f",
			       "rtscts", "-e", "x", "-l", "out.log", "-tx"), 0);
	assert_int_equal(o.serial.baud, 38400);
	assert_int_equal(o.serial.framing.parity, 'e');
	assert_int_equal(o.serial.flow, FLOW_RTSCTS);
	assert_int_equal(o.esc_key, 0x18);
	assert_string_equal(o.log_path, "out.log");
	assert_true(o.timestamps);
	assert_true(o.hex);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--baud=57600", "--device",
			       "tcp:h:1"), 0);
	assert_int_equal(o.serial.baud, 57600);
	assert_int_equal(o.addr.kind, DEV_TCP);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "-h"), 0);
	assert_int_equal(o.action, ACT_HELP);
	options_free(&o);
	assert_int_equal(PARSE(&o, err, "--version"), 0);
	assert_int_equal(o.action, ACT_VERSION);
	options_free(&o);
}

/* Steps keep command-line order; --timeout covers the later ones. */
static void test_steps_in_order(void **state)
{
	struct options o;
	char err[256];
	(void)state;

	assert_int_equal(PARSE(&o, err, "--send", "\\x01\\x01\\x01",
			       "--expect", "Serial input to", "--timeout",
			       "2.5", "--send", "help\\r", "--expect",
			       "^\\(XEN\\) $"), 0);
	assert_int_equal(o.nsteps, 4);
	assert_int_equal(o.steps[0].kind, STEP_SEND);
	assert_int_equal(o.steps[0].len, 3);
	assert_memory_equal(o.steps[0].data, "\x01\x01\x01", 3);
	assert_int_equal(o.steps[1].kind, STEP_EXPECT);
	assert_string_equal(o.steps[1].pattern, "Serial input to");
	assert_true(o.steps[1].timeout == 10.0);
	assert_int_equal(o.steps[2].kind, STEP_SEND);
	assert_true(o.steps[2].timeout == 2.5);
	assert_memory_equal(o.steps[2].data, "help\r", 5);
	assert_true(o.steps[3].timeout == 2.5);
	regmatch_t m[1];
	assert_int_equal(regexec(&o.steps[3].re, "x\n(XEN) ", 1, m, 0), 0);
	assert_int_equal(m[0].rm_so, 2);
	options_free(&o);
	/* \r in a pattern is a carriage return, as in --send */
	assert_int_equal(PARSE(&o, err, "--expect", "ok\\r$"), 0);
	assert_int_equal(regexec(&o.steps[0].re, "ok\r\n", 0, NULL, 0), 0);
	assert_int_equal(regexec(&o.steps[0].re, "okr\n", 0, NULL, 0),
			 REG_NOMATCH);
	options_free(&o);
}

/* Each bad command line fails with a message naming the problem. */
static void test_errors(void **state)
{
	static const struct {
		const char *args[4];
		const char *want;
	} cases[] = {
		{ { "-b", "12345" }, "115200" },
		{ { "-b", "fast" }, "invalid baud rate" },
		{ { "-p", "8z1" }, "8n1" },
		{ { "-f", "cts" }, "rtscts" },
		{ { "-e", "a" }, "CTRL-A" },
		{ { "-d", "tcp:nohost" }, "HOST:PORT" },
		{ { "-d", "" }, "empty" },
		{ { "-l", "" }, "empty" },
		{ { "--send", "\\" }, "trailing backslash" },
		{ { "--expect", "(" }, "--expect '('" },
		{ { "--timeout", "-1", "--expect", "x" }, "--timeout -1" },
		{ { "--timeout", "nan", "--expect", "x" }, "--timeout nan" },
		{ { "--timeout", "5" }, "none follows" },
		{ { "--expect", "x", "--timeout", "5" }, "none follows" },
		{ { "-z" }, "unknown option -z" },
		{ { "--frobnicate" }, "unknown option --frobnicate" },
		{ { "-b" }, "needs an argument" },
		{ { "--send" }, "--send needs an argument" },
		{ { "stray" }, "unexpected argument 'stray'" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[6] = { "miniterm" };
		int argc = 1;
		struct options o;
		char err[1024] = "";
		for (int k = 0; k < 4 && cases[i].args[k]; k++)
			argv[argc++] = (char *)cases[i].args[k];
		assert_int_equal(options_parse(argc, argv, &o, err,
					       sizeof err), -1);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
				 cases[i].want);
		assert_null(strchr(err, '\n'));
		options_free(&o);
	}
}

/* A tiny error buffer truncates instead of overflowing. */
static void test_small_error_buffer(void **state)
{
	struct options o;
	char err[8];
	(void)state;

	assert_int_equal(PARSE(&o, err, "-b", "7"), -1);
	assert_int_equal(strlen(err), sizeof err - 1);
	options_free(&o);
}

/* The string every match must contain, used to pick lines. */
static void test_required_literal(void **state)
{
	static const struct {
		const char *pattern, *want;
	} cases[] = {
		{ "Serial input to", "Serial input to" },
		{ "^\\(XEN\\) \\*\\*\\* Serial", "(XEN) *** Serial" },
		{ "ab.*cdef", "cdef" },
		{ "abc?d", "ab" },
		{ "abcd*e", "abc" },
		{ "ab+cd", "ab" },
		{ "x{2,3}yz", "yz" },
		{ "(optional text)?ok", "ok" },
		{ "[[:digit:]]+ ms elapsed", " ms elapsed" },
		{ "[]abc]de", "de" },
		{ "\\bword\\b", "word" },
		{ "a|b", "" },
		{ "(x|y)zz", "" },
		{ ".*", "" },
		{ "", "" },
	};
	char out[64];
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = regex_required_literal(cases[i].pattern, out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("'%s': got '%s', want '%s'",
				 cases[i].pattern, out, cases[i].want);
		assert_int_equal(n, strlen(out));
	}
}

/* Patterns that can match a newline are never treated as one-line. */
static void test_line_local(void **state)
{
	(void)state;
	assert_true(regex_line_local("^\\(XEN\\) $"));
	assert_true(regex_line_local("a.*b[^x]c"));
	assert_true(regex_line_local("ok\r$"));
	assert_false(regex_line_local("a\nb"));
	assert_false(regex_line_local("a[\t-z]b"));
	assert_false(regex_line_local("a[[:space:]]+b"));
	assert_false(regex_line_local("a\\sb"));
	assert_false(regex_line_local("a\\Wb"));
}

/* Each --expect gets the fastest search that is still exact. */
static void test_search_plan(void **state)
{
	struct options o;
	char err[256];
	(void)state;

	assert_int_equal(PARSE(&o, err, "--expect", "login:", "--expect",
			       "\\(XEN\\) .*help", "--expect", "a|b",
			       "--expect", "x[[:space:]]y"), 0);
	assert_string_equal(o.steps[0].literal, "login:");
	assert_int_equal(o.steps[0].literal_len, 6);
	assert_null(o.steps[1].literal);
	assert_string_equal(o.steps[1].needle, "(XEN) ");
	assert_true(o.steps[1].line_local);
	assert_null(o.steps[2].literal);
	assert_null(o.steps[2].needle);
	assert_false(o.steps[3].line_local);
	assert_null(o.steps[3].needle);
	options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baud_table),
		cmocka_unit_test(test_framing_and_flow),
		cmocka_unit_test(test_escape_key),
		cmocka_unit_test(test_device_addresses),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_xen_compatible_options),
		cmocka_unit_test(test_steps_in_order),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_required_literal),
		cmocka_unit_test(test_line_local),
		cmocka_unit_test(test_search_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
