/* Unit tests for xl's CPU list syntax (src/core/cpulist.c): every item form, exclusions,
 * blanks, the errors (one line each) and the shortest text back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/cpulist.h"

static char err[120];

/* Parse text from an exact-size heap copy (a read past n is caught by ASan). */
static int parse(const char *text, uint64_t *mask)
{
    size_t n = strlen(text);
    char *copy = test_malloc(n ? n : 1);
    memcpy(copy, text, n);
    memset(err, 0, sizeof(err));
    int rc = cpulist_parse(copy, n, mask, err, sizeof(err));
    test_free(copy);
    return rc;
}

static uint64_t ok(const char *text)
{
    uint64_t m = 0x5a5a;
    if (parse(text, &m) != 0)
        fail_msg("refused '%s': %s", text, err);
    return m;
}

static void bad(const char *text, const char *piece)
{
    uint64_t m = 0x5a5a;
    if (parse(text, &m) == 0)
        fail_msg("accepted '%s'", text);
    assert_true(m == 0x5a5a);
    assert_null(strchr(err, '\n'));
    if (!strstr(err, piece))
        fail_msg("for '%s' got '%s', wanted '%s'", text, err, piece);
}

static void test_items(void **state)
{
    (void)state;
    assert_true(ok("all") == ~0ULL);
    assert_true(ok("0") == 1);
    assert_true(ok("63") == 1ULL << 63);
    assert_true(ok("1-3") == 0xe);
    assert_true(ok("0-63") == ~0ULL);
    assert_true(ok("5-5") == 0x20);
    assert_true(ok("0,2") == 0x5);
    assert_true(ok(" 0 , 2-3 ") == 0xd);
    assert_true(ok("007") == 0x80);
}

static void test_exclusions(void **state)
{
    (void)state;
    assert_true(ok("^1") == ~0x2ULL);               /* a leading ^ starts from all */
    assert_true(ok("^0-62") == 1ULL << 63);
    assert_true(ok("0-3,^2") == 0xb);
    assert_true(ok("all,^0") == ~1ULL);
    assert_true(ok("0-3,^1-2,2") == 0xd);           /* items apply in order */
}

static void test_errors(void **state)
{
    (void)state;
    bad("", "empty item");
    bad(" ", "empty item");
    bad("1,", "empty item");
    bad(",1", "empty item");
    bad("1,,2", "empty item");
    bad("^", "empty item");
    bad("64", "'64': expected all, a CPU (0-63)");
    bad("1000", "expected all");
    bad("-1", "expected all");
    bad("1-", "expected all");
    bad("a", "expected all");
    bad("1-2-3", "expected all");
    bad("0x1", "expected all");
    bad("3-1", "'3-1': the range ends before it starts");
    bad("nodes:0", "NUMA");
    bad("^all", "leaves no CPU");
    bad("0,^0", "leaves no CPU");
    bad("^0-63", "leaves no CPU");
}

static void test_err_may_be_null(void **state)
{
    uint64_t m = 7;
    (void)state;
    assert_int_equal(cpulist_parse("x", 1, &m, NULL, 0), -1);
    assert_int_equal(cpulist_parse("1", 1, &m, NULL, 0), 0);
    assert_true(m == 2);
    assert_int_equal(cpulist_parse("12345", 1, &m, NULL, 0), 0);   /* only n bytes */
    assert_true(m == 2);
}

static void test_format(void **state)
{
    char buf[300];
    (void)state;
    assert_int_equal(cpulist_format(~0ULL, buf, sizeof(buf)), 3);
    assert_string_equal(buf, "all");
    cpulist_format(0, buf, sizeof(buf));
    assert_string_equal(buf, "none");
    cpulist_format(0xe, buf, sizeof(buf));
    assert_string_equal(buf, "1-3");
    cpulist_format(0x2d, buf, sizeof(buf));
    assert_string_equal(buf, "0,2-3,5");
    cpulist_format(~1ULL, buf, sizeof(buf));
    assert_string_equal(buf, "1-63");
    cpulist_format(0x5555555555555555ULL, buf, sizeof(buf));
    assert_int_equal(strlen(buf), 5 + 27 * 2 + 31);     /* "0,2,...,62": 5 + 27 numbers */
    assert_int_equal(cpulist_format(0x2d, buf, 4), 7);         /* truncated, length kept */
    assert_string_equal(buf, "0,2");
    for (uint64_t m = 1; m < (1u << 12); m++) {                /* text and back agree */
        uint64_t back;
        cpulist_format(m, buf, sizeof(buf));
        assert_int_equal(cpulist_parse(buf, strlen(buf), &back, NULL, 0), 0);
        assert_true(back == m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_exclusions),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_err_may_be_null),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
