/* Unit tests for the console ring (console/conring.c): storing lines with levels,
 * wrap-around, dropping whole oldest lines and counting them, clear, truncation of long
 * lines, copying out with short buffers, and iterators overtaken by writers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "console/conring.h"
#include "console/loglevel.h"

static void put(struct conring *r, int level, const char *s)
{
    conring_put(r, level, s, strlen(s));
}

static void test_empty_and_basic(void **state)
{
    char buf[256], out[64];
    struct conring r;
    int lvl = -1;

    (void)state;
    conring_init(&r, buf, sizeof(buf));
    assert_int_equal(conring_lines(&r), 0);
    assert_int_equal(conring_dropped(&r), 0);
    assert_int_equal(conring_get(&r, 0, &lvl, out, sizeof(out)), -1);
    put(&r, LOG_INFO, "hello");
    put(&r, LOG_ERR, "world!");
    conring_put(&r, LOG_DEBUG, "", 0);       /* empty lines are lines too */
    assert_int_equal(conring_lines(&r), 3);
    assert_int_equal(conring_get(&r, 0, &lvl, out, sizeof(out)), 5);
    assert_string_equal(out, "hello");
    assert_int_equal(lvl, LOG_INFO);
    assert_int_equal(conring_get(&r, 1, &lvl, out, sizeof(out)), 6);
    assert_string_equal(out, "world!");
    assert_int_equal(lvl, LOG_ERR);
    assert_int_equal(conring_get(&r, 2, &lvl, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_int_equal(lvl, LOG_DEBUG);
    assert_int_equal(conring_get(&r, 3, &lvl, out, sizeof(out)), -1);
    /* text need not be NUL-terminated: only n bytes are taken */
    conring_put(&r, LOG_WARNING, "abcdef", 3);
    assert_int_equal(conring_get(&r, 3, NULL, out, sizeof(out)), 3);
    assert_string_equal(out, "abc");
}

static void test_short_out_buffer(void **state)
{
    char buf[128], out[4];
    struct conring r;

    (void)state;
    conring_init(&r, buf, sizeof(buf));
    put(&r, LOG_INFO, "abcdefgh");
    assert_int_equal(conring_get(&r, 0, NULL, out, sizeof(out)), 8);
    assert_string_equal(out, "abc");
    assert_int_equal(conring_get(&r, 0, NULL, NULL, 0), 8);    /* length only */
    assert_int_equal(conring_get(&r, 0, NULL, out, 1), 8);
    assert_string_equal(out, "");
}

static void test_drop_oldest_whole_lines(void **state)
{
    /* 64 bytes: each "lineNN" record is 4 + 6 = 10 bytes, so 6 fit */
    char buf[64], out[32], want[16];
    struct conring r;

    (void)state;
    conring_init(&r, buf, sizeof(buf));
    for (int i = 0; i < 6; i++) {
        snprintf(want, sizeof(want), "line%02d", i);
        put(&r, i % 5, want);
    }
    assert_int_equal(conring_lines(&r), 6);
    assert_int_equal(conring_dropped(&r), 0);
    put(&r, LOG_INFO, "line06");
    assert_int_equal(conring_lines(&r), 6);
    assert_int_equal(conring_dropped(&r), 1);
    conring_get(&r, 0, NULL, out, sizeof(out));
    assert_string_equal(out, "line01");
    /* a longer line pushes out as many whole lines as it needs */
    put(&r, LOG_ERR, "0123456789012345678901");      /* 26 bytes: drops 3 */
    assert_int_equal(conring_dropped(&r), 4);
    assert_int_equal(conring_lines(&r), 4);
    conring_get(&r, 0, NULL, out, sizeof(out));
    assert_string_equal(out, "line04");
    conring_get(&r, 3, NULL, out, sizeof(out));
    assert_string_equal(out, "0123456789012345678901");
}

static void test_wrap_around_many(void **state)
{
    /* odd sizes make records straddle the end of the buffer in every position */
    char buf[97], out[64], want[64];
    struct conring r;
    int lvl;

    (void)state;
    conring_init(&r, buf, sizeof(buf));
    for (int i = 0; i < 1000; i++) {
        snprintf(want, sizeof(want), "msg %d %.*s", i, i % 17, "xxxxxxxxxxxxxxxxx");
        put(&r, i % 6, want);
        /* the newest line always reads back intact, the oldest is always whole */
        size_t n = conring_lines(&r);
        assert_true(n >= 1);
        assert_int_equal(conring_get(&r, n - 1, &lvl, out, sizeof(out)), (int)strlen(want));
        assert_string_equal(out, want);
        assert_int_equal(lvl, i % 6);
        assert_int_equal(conring_dropped(&r) + n, (uint64_t)i + 1);
        conring_get(&r, 0, NULL, out, sizeof(out));
        assert_memory_equal(out, "msg ", 4);
    }
}

static void test_levels_kept(void **state)
{
    char buf[256];
    struct conring r;
    int lvl;

    (void)state;
    conring_init(&r, buf, sizeof(buf));
    for (int l = LOG_NONE; l <= LOG_ALL; l++)
        put(&r, l, "x");
    for (int l = LOG_NONE; l <= LOG_ALL; l++) {
        conring_get(&r, (size_t)l, &lvl, NULL, 0);
        assert_int_equal(lvl, l);
    }
}

static void test_clear(void **state)
{
    char buf[64], out[16];
    struct conring r;

    (void)state;
    conring_init(&r, buf, sizeof(buf));
    for (int i = 0; i < 10; i++)
        put(&r, LOG_INFO, "abcdef");
    uint64_t dropped = conring_dropped(&r);
    assert_true(dropped > 0);
    conring_clear(&r);
    assert_int_equal(conring_lines(&r), 0);
    assert_int_equal(conring_dropped(&r), dropped);    /* clearing is not dropping */
    assert_int_equal(conring_get(&r, 0, NULL, out, sizeof(out)), -1);
    put(&r, LOG_ERR, "after");
    assert_int_equal(conring_lines(&r), 1);
    conring_get(&r, 0, NULL, out, sizeof(out));
    assert_string_equal(out, "after");
}

static void test_truncation(void **state)
{
    char buf[64], out[64], line[200];
    struct conring r;

    (void)state;
    memset(line, 'L', sizeof(line));
    conring_init(&r, buf, sizeof(buf));
    put(&r, LOG_INFO, "keep");
    conring_put(&r, LOG_WARNING, line, sizeof(line));
    /* cut to size/2 (32) minus the header: 28 bytes ending in the marker */
    assert_int_equal(conring_lines(&r), 2);
    assert_int_equal(conring_get(&r, 1, NULL, out, sizeof(out)), 28);
    assert_int_equal(strlen(out), 28);
    assert_string_equal(out + 28 - strlen(CONRING_TRUNC_MARKER), CONRING_TRUNC_MARKER);
    assert_int_equal(out[0], 'L');
    conring_get(&r, 0, NULL, out, sizeof(out));
    assert_string_equal(out, "keep");                   /* a long line does not wipe history */
    /* exactly the limit is not cut */
    conring_put(&r, LOG_INFO, line, 28);
    assert_int_equal(conring_get(&r, conring_lines(&r) - 1, NULL, out, sizeof(out)), 28);
    assert_null(strstr(out, CONRING_TRUNC_MARKER));
}

static void test_tiny_and_null(void **state)
{
    char buf[10], out[8];
    struct conring r;

    (void)state;
    conring_init(&r, buf, 8);              /* size/2 == header: holds nothing */
    put(&r, LOG_INFO, "x");
    assert_int_equal(conring_lines(&r), 0);
    conring_init(&r, NULL, 100);
    put(&r, LOG_INFO, "x");
    assert_int_equal(conring_lines(&r), 0);
    conring_init(&r, buf, 10);              /* max text 1 byte: cut without room for the marker */
    put(&r, LOG_INFO, "xyz");
    assert_int_equal(conring_get(&r, 0, NULL, out, sizeof(out)), 1);
    conring_put(&r, LOG_INFO, NULL, 5);     /* NULL text stores an empty line */
    assert_int_equal(conring_get(&r, conring_lines(&r) - 1, NULL, out, sizeof(out)), 0);
}

static void test_iterator(void **state)
{
    char buf[64], out[16], want[16];
    struct conring r;
    struct conring_iter it;
    uint64_t missed = 0;
    int lvl, n = 0;

    (void)state;
    conring_init(&r, buf, sizeof(buf));
    for (int i = 0; i < 4; i++) {
        snprintf(want, sizeof(want), "line%02d", i);
        put(&r, LOG_INFO, want);
    }
    conring_iter_start(&r, &it);
    while (conring_iter_next(&r, &it, &lvl, out, sizeof(out), &missed) >= 0) {
        snprintf(want, sizeof(want), "line%02d", n++);
        assert_string_equal(out, want);
    }
    assert_int_equal(n, 4);
    assert_int_equal(missed, 0);
    /* overtaken: the reader jumps to the oldest held line and learns how many it lost */
    conring_iter_start(&r, &it);
    conring_iter_next(&r, &it, NULL, out, sizeof(out), &missed);   /* line00 */
    for (int i = 4; i < 10; i++) {
        snprintf(want, sizeof(want), "line%02d", i);
        put(&r, LOG_INFO, want);
    }
    /* held now: line04..line09; the reader wanted line01 */
    assert_true(conring_iter_next(&r, &it, NULL, out, sizeof(out), &missed) >= 0);
    assert_string_equal(out, "line04");
    assert_int_equal(missed, 3);
    /* lines put while reading are seen */
    put(&r, LOG_INFO, "line10");
    n = 0;
    while (conring_iter_next(&r, &it, NULL, out, sizeof(out), NULL) >= 0)
        n++;
    assert_int_equal(n, 6);                 /* line05..line10: only line04, already read, went */
    assert_string_equal(out, "line10");
    /* a reader waiting at the end across a clear reads the next line put, not garbage */
    conring_clear(&r);
    put(&r, LOG_ERR, "fresh");
    assert_int_equal(conring_iter_next(&r, &it, &lvl, out, sizeof(out), NULL), 5);
    assert_string_equal(out, "fresh");
    /* cleared under the reader: counted as missed, then the end */
    conring_clear(&r);
    missed = 0;
    put(&r, LOG_INFO, "new");
    conring_iter_start(&r, &it);
    assert_int_equal(conring_iter_next(&r, &it, NULL, out, sizeof(out), &missed), 3);
    assert_int_equal(conring_iter_next(&r, &it, NULL, out, sizeof(out), &missed), -1);
    assert_int_equal(missed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_basic),
        cmocka_unit_test(test_short_out_buffer),
        cmocka_unit_test(test_drop_oldest_whole_lines),
        cmocka_unit_test(test_wrap_around_many),
        cmocka_unit_test(test_levels_kept),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_tiny_and_null),
        cmocka_unit_test(test_iterator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
