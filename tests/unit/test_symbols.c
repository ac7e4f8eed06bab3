/* Unit tests for symbol_table_lookup (src/core/symbols.c) on hand-built tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/symbols.h"

/* symbols.c's symbol_lookup reads the linker-made table; give it an empty one. */
const uint64_t ksyms_count = 0;
const uint64_t ksyms_end = 0;
const uint64_t ksyms_addrs[1] = { 0 };
const uint32_t ksyms_name_offsets[1] = { 0 };
const char ksyms_names[1] = "";

/* Three functions: start 0x1000 (0x20 long), 0x1020 (0x100), 0x1120 (to end 0x1200). */
static const uint64_t addrs[] = { 0x1000, 0x1020, 0x1120 };
static const char names[] = "start\0kmain\0idle_loop";
static const uint32_t offs[] = { 0, 6, 12 };
static const struct symbol_table table = { 3, 0x1200, addrs, offs, names };

static void expect(const struct symbol_table *t, uint64_t addr, const char *name,
                   uint64_t off, uint64_t size)
{
    uint64_t o = ~0ULL, s = ~0ULL;
    const char *n = symbol_table_lookup(t, addr, &o, &s);
    assert_non_null(n);
    assert_string_equal(n, name);
    assert_int_equal(o, off);
    assert_int_equal(s, size);
}

static void test_exact_starts(void **state)
{
    (void)state;
    expect(&table, 0x1000, "start", 0, 0x20);
    expect(&table, 0x1020, "kmain", 0, 0x100);
    expect(&table, 0x1120, "idle_loop", 0, 0xe0);
}

static void test_inside_and_last_byte(void **state)
{
    (void)state;
    expect(&table, 0x101f, "start", 0x1f, 0x20);
    expect(&table, 0x1021, "kmain", 1, 0x100);
    expect(&table, 0x111f, "kmain", 0xff, 0x100);
    expect(&table, 0x11ff, "idle_loop", 0xdf, 0xe0);   /* last byte before end */
}

static void test_outside(void **state)
{
    (void)state;
    uint64_t o = 7, s = 9;
    assert_null(symbol_table_lookup(&table, 0, &o, &s));
    assert_null(symbol_table_lookup(&table, 0xfff, &o, &s));
    assert_null(symbol_table_lookup(&table, 0x1200, &o, &s));    /* end is exclusive */
    assert_null(symbol_table_lookup(&table, ~0ULL, &o, &s));
    assert_int_equal(o, 7);                                      /* untouched on a miss */
    assert_int_equal(s, 9);
}

static void test_empty_and_single(void **state)
{
    (void)state;
    const struct symbol_table empty = { 0, 0x2000, addrs, offs, names };
    assert_null(symbol_table_lookup(&empty, 0x1000, NULL, NULL));
    const struct symbol_table one = { 1, 0x1010, addrs, offs, names };
    expect(&one, 0x100f, "start", 0xf, 0x10);
    assert_null(symbol_table_lookup(&one, 0x1010, NULL, NULL));
    /* The linked image's own (empty) table finds nothing. */
    assert_null(symbol_lookup(0x1000, NULL, NULL));
}

static void test_null_outputs_allowed(void **state)
{
    (void)state;
    assert_string_equal(symbol_table_lookup(&table, 0x1050, NULL, NULL), "kmain");
}

/* A big table: every address of every function maps back to it (binary search edges). */
static void test_many_symbols(void **state)
{
    (void)state;
    enum { N = 1000 };
    static uint64_t a[N];
    static uint32_t off[N];
    static char blob[N * 8];
    size_t pos = 0;
    for (unsigned i = 0; i < N; i++) {
        a[i] = 0x100000 + (uint64_t)i * 16 + (i % 3) * 4;    /* uneven sizes */
        off[i] = (uint32_t)pos;
        pos += (size_t)sprintf(blob + pos, "f%u", i) + 1;
    }
    const struct symbol_table t = { N, a[N - 1] + 32, a, off, blob };
    for (unsigned i = 0; i < N; i++) {
        uint64_t end = i + 1 < N ? a[i + 1] : t.end;
        char want[16];
        sprintf(want, "f%u", i);
        for (uint64_t x = a[i]; x < end; x++)
            expect(&t, x, want, x - a[i], end - a[i]);
    }
    assert_null(symbol_table_lookup(&t, a[0] - 1, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_starts),
        cmocka_unit_test(test_inside_and_last_byte),
        cmocka_unit_test(test_outside),
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_null_outputs_allowed),
        cmocka_unit_test(test_many_symbols),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
