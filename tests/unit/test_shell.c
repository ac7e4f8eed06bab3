/* Unit tests for console/shell.c: registration through SHELL_COMMAND in this file, dispatch by
 * name and debug key, argv splitting and quotes, the exact texts of errors and of help/'h',
 * completion candidates, and shell_parse_u64's edge cases. Output is captured byte-exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "console/shell.h"

/* Everything the shell printed since the last reset. */
static char out[8192];
static size_t out_len;

static void capture(const char *s, size_t n)
{
    assert_true(out_len + n < sizeof(out));
    memcpy(out + out_len, s, n);
    out_len += n;
    out[out_len] = '\0';
}

/* What the last handler saw. */
static int seen_argc;
static char seen_argv[17][64];
static int calls;

static int record(int argc, char **argv)
{
    calls++;
    seen_argc = argc;
    for (int i = 0; i < argc && i < 17; i++)
        snprintf(seen_argv[i], sizeof(seen_argv[i]), "%s", argv[i]);
    assert_null(argv[argc]);
    return 7;
}

static int cmd_meminfo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("total %d\nfree %d\n", 100, 42);
    return 0;
}

static int cmd_xd(int argc, char **argv)
{
    uint64_t addr;

    if (argc < 2 || shell_parse_u64(argv[1], &addr) != 0) {
        shell_usage(shell_find("xd"));
        return SHELL_EUSAGE;
    }
    shell_printf("addr=%llx", (unsigned long long)addr); /* left unfinished on purpose */
    return 0;
}

static const char *domains[] = { "dom0", "guest1", "guest2", NULL };

static const char *complete_domain(const char *line, unsigned word, unsigned i)
{
    (void)line;
    if (word != 1)
        return NULL;
    return i < 3 ? domains[i] : NULL;
}

SHELL_COMMAND(t_meminfo, "meminfo", 'm', "", "memory info", cmd_meminfo);
SHELL_COMMAND(t_xd, "xd", 0, "<addr> [len]", "hex dump", cmd_xd);
SHELL_COMMAND(t_record, "record", 'r', "[args...]", "record arguments", record);
SHELL_COMMAND_COMPLETE(t_destroy, "destroy", 0, "<domain>", "destroy a domain", record,
                       complete_domain);
SHELL_COMMAND(t_abc, "abc", 'A', "", "first by name", record);

static int setup(void **state)
{
    (void)state;
    shell_init(capture);
    out_len = 0;
    out[0] = '\0';
    calls = 0;
    seen_argc = -1;
    return 0;
}

/* Run a command given as a string literal (copied: shell_execute tokenizes in place). */
static int run(const char *s)
{
    char line[512];

    snprintf(line, sizeof(line), "%s", s);
    out_len = 0;
    out[0] = '\0';
    return shell_execute(line);
}

static void test_empty_line(void **state)
{
    (void)state;
    assert_int_equal(run(""), 0);
    assert_int_equal(run("   \t  "), 0);
    assert_int_equal(calls, 0);
    assert_string_equal(out, "");
}

static void test_unknown(void **state)
{
    (void)state;
    assert_int_equal(run("foo bar"), SHELL_ENOCMD);
    assert_string_equal(out, "(XEN) unknown command 'foo' (try 'help')\r\n");
    /* A one-letter word that is no key is unknown too. */
    assert_int_equal(run("z"), SHELL_ENOCMD);
    assert_string_equal(out, "(XEN) unknown command 'z' (try 'help')\r\n");
    /* Names are exact: no prefix matching. */
    assert_int_equal(run("mem"), SHELL_ENOCMD);
}

static void test_dispatch_name_and_key(void **state)
{
    (void)state;
    assert_int_equal(run("meminfo"), 0);
    assert_string_equal(out, "(XEN) total 100\r\n(XEN) free 42\r\n");
    assert_int_equal(run("m"), 0);
    assert_string_equal(out, "(XEN) total 100\r\n(XEN) free 42\r\n");
    assert_int_equal(run("r"), 7);
    assert_int_equal(seen_argc, 1);
    assert_string_equal(seen_argv[0], "r");
    assert_int_equal(run("  record  "), 7);
    assert_string_equal(seen_argv[0], "record");
    /* Keys are case sensitive. */
    assert_int_equal(run("A"), 7);
    assert_int_equal(run("a"), SHELL_ENOCMD);
    assert_int_equal(run("M"), SHELL_ENOCMD);
}

static void test_find(void **state)
{
    (void)state;
    assert_ptr_equal(shell_find("meminfo"), &t_meminfo);
    assert_ptr_equal(shell_find("m"), &t_meminfo);
    assert_ptr_equal(shell_find("xd"), &t_xd);
    assert_ptr_equal(shell_find("h"), shell_find("help"));
    assert_non_null(shell_find("help"));
    assert_null(shell_find(""));
    assert_null(shell_find("x"));
    assert_null(shell_find("meminfo2"));
}

static void test_argv_splitting(void **state)
{
    (void)state;
    assert_int_equal(run("record a\tb   c "), 7);
    assert_int_equal(seen_argc, 4);
    assert_string_equal(seen_argv[1], "a");
    assert_string_equal(seen_argv[2], "b");
    assert_string_equal(seen_argv[3], "c");

    assert_int_equal(run("record \"hello world\" x\"y z\"w \"\" end"), 7);
    assert_int_equal(seen_argc, 5);
    assert_string_equal(seen_argv[1], "hello world");
    assert_string_equal(seen_argv[2], "xy zw");
    assert_string_equal(seen_argv[3], "");
    assert_string_equal(seen_argv[4], "end");

    /* A quoted command name works too. */
    assert_int_equal(run("\"record\" 1"), 7);
    assert_int_equal(seen_argc, 2);
}

static void test_argv_limits(void **state)
{
    (void)state;
    /* 16 words (name + 15) is the maximum. */
    assert_int_equal(run("record 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"), 7);
    assert_int_equal(seen_argc, 16);
    assert_string_equal(seen_argv[15], "15");
    calls = 0;
    assert_int_equal(run("record 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"), SHELL_ESYNTAX);
    assert_int_equal(calls, 0);
    assert_string_equal(out, "(XEN) too many arguments (max 15)\r\n");
    assert_int_equal(run("record \"open"), SHELL_ESYNTAX);
    assert_int_equal(calls, 0);
    assert_string_equal(out, "(XEN) unmatched '\"'\r\n");
}

static void test_handler_result_and_unfinished_line(void **state)
{
    (void)state;
    assert_int_equal(run("xd"), SHELL_EUSAGE);
    assert_string_equal(out, "(XEN) usage: xd <addr> [len]\r\n");
    assert_int_equal(run("xd 0x1F"), 0);
    /* The shell closes the line the handler left open. */
    assert_string_equal(out, "(XEN) addr=1f\r\n");
    assert_int_equal(run("xd junk"), SHELL_EUSAGE);
}

static void test_printf_prefix(void **state)
{
    (void)state;
    out_len = 0;
    shell_printf("a");
    shell_printf("b\nc");
    shell_printf("\n\n");
    assert_string_equal(out, "(XEN) ab\r\n(XEN) c\r\n(XEN) \r\n");
    /* No output callback: nothing happens, nothing crashes. */
    shell_init(NULL);
    shell_printf("lost\n");
    shell_init(capture);
    out_len = 0;
    shell_printf("x\n");
    assert_string_equal(out, "(XEN) x\r\n");
}

static void test_usage(void **state)
{
    (void)state;
    out_len = 0;
    shell_usage(&t_meminfo);
    shell_usage(&t_xd);
    assert_string_equal(out, "(XEN) usage: meminfo\r\n(XEN) usage: xd <addr> [len]\r\n");
}

static void test_help_list(void **state)
{
    (void)state;
    assert_int_equal(run("help"), 0);
    assert_string_equal(out,
        "(XEN)  abc        [A]  first by name\r\n"
        "(XEN)  destroy         destroy a domain\r\n"
        "(XEN)  help       [h]  show this message\r\n"
        "(XEN)  meminfo    [m]  memory info\r\n"
        "(XEN)  record     [r]  record arguments\r\n"
        "(XEN)  xd              hex dump\r\n");
}

static void test_help_key(void **state)
{
    (void)state;
    assert_int_equal(run("h"), 0);
    assert_string_equal(out,
        "(XEN) 'h' pressed -> showing installed handlers\r\n"
        "(XEN)  key 'A' (ascii '41') => first by name\r\n"
        "(XEN)  key 'h' (ascii '68') => show this message\r\n"
        "(XEN)  key 'm' (ascii '6d') => memory info\r\n"
        "(XEN)  key 'r' (ascii '72') => record arguments\r\n"
        "(XEN)  destroy         destroy a domain\r\n"
        "(XEN)  xd              hex dump\r\n");
}

static void test_help_cmd(void **state)
{
    (void)state;
    assert_int_equal(run("help xd"), 0);
    assert_string_equal(out, "(XEN) usage: xd <addr> [len]\r\n"
                             "(XEN)  xd              hex dump\r\n");
    assert_int_equal(run("help m"), 0);
    assert_string_equal(out, "(XEN) usage: meminfo\r\n"
                             "(XEN)  meminfo    [m]  memory info\r\n");
    assert_int_equal(run("help nosuch"), SHELL_ENOCMD);
    assert_string_equal(out, "(XEN) help: no command 'nosuch'\r\n");
    assert_int_equal(run("help a b"), SHELL_EUSAGE);
    assert_string_equal(out, "(XEN) usage: help [command]\r\n");
}

static void test_complete_names(void **state)
{
    static const char *sorted[] = { "abc", "destroy", "help", "meminfo", "record", "xd" };
    unsigned i;

    (void)state;
    for (i = 0; i < 6; i++)
        assert_string_equal(shell_complete_candidate(NULL, "", 0, i), sorted[i]);
    assert_null(shell_complete_candidate(NULL, "", 0, 6));
    assert_null(shell_complete_candidate(NULL, "me", 0, 100));
}

static void test_complete_args(void **state)
{
    (void)state;
    assert_string_equal(shell_complete_candidate(NULL, "destroy g", 1, 0), "dom0");
    assert_string_equal(shell_complete_candidate(NULL, "  destroy ", 1, 2), "guest2");
    assert_null(shell_complete_candidate(NULL, "destroy ", 1, 3));
    assert_null(shell_complete_candidate(NULL, "destroy x ", 2, 0));
    /* No completer, unknown command, or a key instead of a name: nothing. */
    assert_null(shell_complete_candidate(NULL, "xd ", 1, 0));
    assert_null(shell_complete_candidate(NULL, "nosuch ", 1, 0));
    assert_null(shell_complete_candidate(NULL, "h ", 1, 0));
    /* help completes command names. */
    assert_string_equal(shell_complete_candidate(NULL, "help ", 1, 0), "abc");
    assert_string_equal(shell_complete_candidate(NULL, "help ", 1, 5), "xd");
    assert_null(shell_complete_candidate(NULL, "help ", 1, 6));
    assert_null(shell_complete_candidate(NULL, "help x ", 2, 0));
}

static void test_parse_u64(void **state)
{
    uint64_t v = 12345;

    (void)state;
    assert_int_equal(shell_parse_u64("0", &v), 0);
    assert_true(v == 0);
    assert_int_equal(shell_parse_u64("010", &v), 0);
    assert_true(v == 10); /* decimal, not octal */
    assert_int_equal(shell_parse_u64("0x0", &v), 0);
    assert_true(v == 0);
    assert_int_equal(shell_parse_u64("0XdeadBEEF", &v), 0);
    assert_true(v == 0xdeadbeefULL);
    assert_int_equal(shell_parse_u64("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(shell_parse_u64("0xffffffffffffffff", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(shell_parse_u64("0x00000000000000000001", &v), 0);
    assert_true(v == 1);

    v = 77;
    assert_int_equal(shell_parse_u64("18446744073709551616", &v), -1);
    assert_int_equal(shell_parse_u64("99999999999999999999", &v), -1);
    assert_int_equal(shell_parse_u64("0x10000000000000000", &v), -1);
    assert_int_equal(shell_parse_u64("", &v), -1);
    assert_int_equal(shell_parse_u64("0x", &v), -1);
    assert_int_equal(shell_parse_u64("12a", &v), -1);
    assert_int_equal(shell_parse_u64("0xg", &v), -1);
    assert_int_equal(shell_parse_u64("-1", &v), -1);
    assert_int_equal(shell_parse_u64("+1", &v), -1);
    assert_int_equal(shell_parse_u64(" 1", &v), -1);
    assert_int_equal(shell_parse_u64("1 ", &v), -1);
    assert_int_equal(shell_parse_u64("4K", &v), -1);
    assert_int_equal(shell_parse_u64("ff", &v), -1);
    assert_true(v == 77); /* untouched on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty_line, setup),
        cmocka_unit_test_setup(test_unknown, setup),
        cmocka_unit_test_setup(test_dispatch_name_and_key, setup),
        cmocka_unit_test_setup(test_find, setup),
        cmocka_unit_test_setup(test_argv_splitting, setup),
        cmocka_unit_test_setup(test_argv_limits, setup),
        cmocka_unit_test_setup(test_handler_result_and_unfinished_line, setup),
        cmocka_unit_test_setup(test_printf_prefix, setup),
        cmocka_unit_test_setup(test_usage, setup),
        cmocka_unit_test_setup(test_help_list, setup),
        cmocka_unit_test_setup(test_help_key, setup),
        cmocka_unit_test_setup(test_help_cmd, setup),
        cmocka_unit_test_setup(test_complete_names, setup),
        cmocka_unit_test_setup(test_complete_args, setup),
        cmocka_unit_test_setup(test_parse_u64, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
