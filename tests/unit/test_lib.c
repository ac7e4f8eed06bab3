/* Unit tests for src/lib/string.c and src/lib/format.c, compiled in with -fno-builtin and
 * renamed k_* (see lib.mk) so that each can be checked against glibc's own function. */
#define _POSIX_C_SOURCE 200809L  /* strnlen */
#include "lib/string.h"     /* declares k_memcpy... through lib.mk's -D renames */
#include "lib/format.h"
#include "lib/gprs.h"

/* From here on the names mean glibc's functions again. */
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#undef strspn
#undef strcspn
#undef strtoul
#undef strtoull
#undef strtol
#undef snprintf
#undef vsnprintf

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* ---- snprintf against glibc ------------------------------------------------------------ */

static unsigned checks;

/* Format with both, at several buffer sizes, and compare text and return value. */
static void check_fmt(const char *fmt, ...)
{
    static const size_t sizes[] = { 512, 0, 1, 2, 5, 17 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char want[512], got[512];
        va_list a, b;
        memset(want, 'W', sizeof(want));
        memset(got, 'W', sizeof(got));
        va_start(a, fmt);
        int wn = vsnprintf(want, sizes[i], fmt, a);
        va_end(a);
        va_start(b, fmt);
        int gn = k_vsnprintf(got, sizes[i], fmt, b);
        va_end(b);
        if (wn != gn || memcmp(want, got, sizeof(want)) != 0) {
            print_error("format \"%s\" size %zu: glibc %d \"%.*s\", ours %d \"%.*s\"\n", fmt,
                        sizes[i], wn, (int)sizes[i], want, gn, (int)sizes[i], got);
            fail();
        }
        checks++;
    }
}

static void test_snprintf_integers(void **state)
{
    (void)state;
    static const char *const int_fmts[] = {
        "%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%8.3d", "%-8.3d|", "%.0d",
        "%+.0d", "%08.3d", "%+05d", "%- 6d|", "%x", "%X", "%#x", "%#X", "%08x", "%#08x", "%o",
        "%#o", "%u", "%10u", "%-10u|", "%.10u", "%#.0x", "%#.0o", "%hd", "%hhd", "%hu", "%hhx",
    };
    static const int ints[] = { 0, 1, -1, 7, 42, -42, 255, 256, 32767, -32768, 65535, 99999,
                                INT_MAX, INT_MIN, 0x7f, -0x80 };
    for (size_t f = 0; f < sizeof(int_fmts) / sizeof(int_fmts[0]); f++)
        for (size_t v = 0; v < sizeof(ints) / sizeof(ints[0]); v++)
            check_fmt(int_fmts[f], ints[v]);

    static const char *const ll_fmts[] = { "%lld", "%llu", "%llx", "%#llx", "%016llx",
                                           "%20lld", "%-20lld|", "%+lld", "%lli", "%llo" };
    static const long long lls[] = { 0, 1, -1, LLONG_MAX, LLONG_MIN, 0x123456789abcdefLL,
                                     -1000000000000LL, 4294967296LL };
    for (size_t f = 0; f < sizeof(ll_fmts) / sizeof(ll_fmts[0]); f++)
        for (size_t v = 0; v < sizeof(lls) / sizeof(lls[0]); v++)
            check_fmt(ll_fmts[f], lls[v]);

    static const long ls[] = { 0, -5, LONG_MAX, LONG_MIN };
    for (size_t v = 0; v < 4; v++) {
        check_fmt("%ld %lu %lx %8ld|%-8lx|", ls[v], (unsigned long)ls[v],
                  (unsigned long)ls[v], ls[v], (unsigned long)ls[v]);
        check_fmt("%zu %zx %zd", (size_t)ls[v], (size_t)ls[v], (ptrdiff_t)ls[v]);
        check_fmt("%jd %ju", (intmax_t)ls[v], (uintmax_t)ls[v]);
        check_fmt("%td", (ptrdiff_t)ls[v]);
    }
    assert_true(checks > 1000);
}

static void test_snprintf_strings_chars(void **state)
{
    (void)state;
    static const char *const s_fmts[] = { "%s", "%10s|", "%-10s|", "%.3s", "%10.3s|",
                                          "%-10.3s|", "%.0s|", "%.30s", "[%s]" };
    static const char *const strs[] = { "", "a", "hello", "hello, world", "tab\there",
                                        "0123456789abcdefghij" };
    for (size_t f = 0; f < sizeof(s_fmts) / sizeof(s_fmts[0]); f++)
        for (size_t v = 0; v < sizeof(strs) / sizeof(strs[0]); v++)
            check_fmt(s_fmts[f], strs[v]);
    check_fmt("%c", 'x');
    check_fmt("%3c|%-3c|", 'a', 'b');
    check_fmt("%c%c%c", 'a', 0x7f, ' ');
    check_fmt("100%%");
    check_fmt("%%d %d %%", 5);
    check_fmt("%*d|%-*d|", 6, 42, 6, 42);
    check_fmt("%*d|", -6, 42);                 /* negative width: left-justify */
    check_fmt("%.*d|%.*s|", 4, 7, 2, "abcdef");
    check_fmt("%.*s|", -1, "abcdef");          /* negative precision: none */
    check_fmt("%*.*s|", 8, 3, "abcdef");
    check_fmt("no conversions at all");
    check_fmt("");
    check_fmt("%s=%d (%s) %#x", "key", -3, "x", 255u);
    check_fmt("%p", (void *)0x1234);
    check_fmt("%p", (void *)0xffff800000001000ULL);
    check_fmt("%20p|%-20p|", (void *)0xabc, (void *)0xabc);
}

static void test_snprintf_truncation_and_null(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(k_snprintf(buf, 4, "%s", "abcdef"), 6);
    assert_string_equal(buf, "abc");
    assert_int_equal(buf[4], 'Z');                         /* nothing past the size */
    assert_int_equal(k_snprintf(NULL, 0, "%d", 12345), 5);  /* size 0: count only */
    assert_int_equal(k_snprintf(buf, sizeof(buf), "%s", (char *)NULL), 6);
    assert_string_equal(buf, "(null)");
    /* Our documented behaviour where C leaves things undefined. */
    assert_int_equal(k_snprintf(buf, sizeof(buf), "a%"), 1);
    assert_string_equal(buf, "a");
    assert_int_equal(k_snprintf(buf, sizeof(buf), "%q"), 2);
    assert_string_equal(buf, "%q");
}

/* ---- strtoul / strtoull / strtol against glibc ----------------------------------------- */

static const char *const numbers[] = {
    "0", "1", "42", "  42", "\t\n 42", "+42", "-42", "42abc", "0x1f", "0X1F", "0x", "0xg",
    "-0x10", "010", "08", "0", "00", "0b101", "z", "Z", "", " ", "+", "-", "+-1", "--1",
    "18446744073709551615", "18446744073709551616", "99999999999999999999999",
    "-18446744073709551615", "-18446744073709551616", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "0xffffffffffffffff", "0x10000000000000000", "7fffffffffffffff", "ffffffff", "1e3",
    "   -0", "123 456", "0x0", "0x00000000000000000000001", "- 5", "+ 5", "-+5", "-\t1",
};
static const int bases[] = { 0, 2, 8, 10, 16, 36 };

static void test_strtoul_matches_glibc(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
        for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
            const char *s = numbers[i];
            char *we, *ge;
            unsigned long w = strtoul(s, &we, bases[b]);
            unsigned long g = k_strtoul(s, &ge, bases[b]);
            if (w != g || we != ge) {
                print_error("strtoul(\"%s\", %d): glibc %lu end+%td, ours %lu end+%td\n", s,
                            bases[b], w, we - s, g, ge - s);
                fail();
            }
            unsigned long long wl = strtoull(s, &we, bases[b]);
            unsigned long long gl = k_strtoull(s, &ge, bases[b]);
            assert_true(wl == gl && we == ge);
        }
}

static void test_strtol_matches_glibc(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
        for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
            const char *s = numbers[i];
            char *we, *ge;
            long w = strtol(s, &we, bases[b]);
            long g = k_strtol(s, &ge, bases[b]);
            if (w != g || we != ge) {
                print_error("strtol(\"%s\", %d): glibc %ld end+%td, ours %ld end+%td\n", s,
                            bases[b], w, we - s, g, ge - s);
                fail();
            }
        }
    assert_int_equal(k_strtol("-5", NULL, 10), -5);       /* end may be NULL */
    assert_int_equal(k_strtoul("ff", NULL, 16), 255);
}

/* ---- string.c -------------------------------------------------------------------------- */

/* memcpy over every length 0..300 and every source/destination offset within a word (its
 * 64-byte, 8-byte and byte paths, aligned and not): exactly n bytes land, none around. */
static void test_memcpy_lengths_and_alignments(void **state)
{
    static unsigned char src[400], dst[400], want[400];
    (void)state;
    for (int i = 0; i < 400; i++)
        src[i] = (unsigned char)(i * 13 + 5);
    for (size_t so = 0; so < 8; so++)
        for (size_t dof = 0; dof < 8; dof++)
            for (size_t n = 0; n <= 300; n++) {
                memset(dst, 0xEE, sizeof(dst));
                memset(want, 0xEE, sizeof(want));
                memcpy(want + 16 + dof, src + so, n);
                assert_ptr_equal(k_memcpy(dst + 16 + dof, src + so, n), dst + 16 + dof);
                assert_memory_equal(dst, want, sizeof(dst));
            }
}

static void test_mem_functions(void **state)
{
    (void)state;
    unsigned char a[64], b[64];
    for (int i = 0; i < 64; i++)
        a[i] = (unsigned char)(i * 7);
    assert_ptr_equal(k_memcpy(b, a, 64), b);
    assert_memory_equal(a, b, 64);
    assert_ptr_equal(k_memset(b, 0xAB, 10), b);
    for (int i = 0; i < 10; i++)
        assert_int_equal(b[i], 0xAB);
    assert_int_equal(b[10], a[10]);
    assert_ptr_equal(k_memset(b, 0x1FF, 1), b);           /* converted to unsigned char */
    assert_int_equal(b[0], 0xFF);
    /* memmove both ways, overlapping */
    char s[] = "abcdefghij";
    k_memmove(s + 2, s, 5);
    assert_string_equal(s, "ababcdehij");
    char t[] = "abcdefghij";
    k_memmove(t, t + 3, 5);
    assert_string_equal(t, "defghfghij");
    assert_ptr_equal(k_memmove(t, t, 3), t);
    /* memcmp compares as unsigned char */
    unsigned char x[] = { 1, 2, 0x80 }, y[] = { 1, 2, 0x01 };
    assert_true(k_memcmp(x, y, 3) > 0);
    assert_true(k_memcmp(y, x, 3) < 0);
    assert_int_equal(k_memcmp(x, y, 2), 0);
    assert_int_equal(k_memcmp(x, y, 0), 0);
    assert_ptr_equal(k_memchr(s, 'd', 10), memchr(s, 'd', 10));
    assert_null(k_memchr(s, 'z', 10));
    assert_null(k_memchr(s, 'j', 9));
    assert_ptr_equal(k_memchr(x, 0x180, 3), &x[2]);       /* c converted to unsigned char */
}

static void test_str_functions(void **state)
{
    (void)state;
    static const char *const words[] = { "", "a", "ab", "abc", "abd", "b", "ABC", "\xff",
                                         "hello world", "hello" };
    size_t n = sizeof(words) / sizeof(words[0]);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(k_strlen(words[i]), strlen(words[i]));
        for (size_t m = 0; m < 6; m++)
            assert_int_equal(k_strnlen(words[i], m), strnlen(words[i], m));
        for (size_t j = 0; j < n; j++) {
            int w = strcmp(words[i], words[j]), g = k_strcmp(words[i], words[j]);
            assert_true((w < 0) == (g < 0) && (w > 0) == (g > 0));
            for (size_t m = 0; m < 5; m++) {
                w = strncmp(words[i], words[j], m);
                g = k_strncmp(words[i], words[j], m);
                assert_true((w < 0) == (g < 0) && (w > 0) == (g > 0));
            }
            assert_ptr_equal(k_strstr(words[i], words[j]), strstr(words[i], words[j]));
            assert_int_equal(k_strspn(words[i], words[j]), strspn(words[i], words[j]));
            assert_int_equal(k_strcspn(words[i], words[j]), strcspn(words[i], words[j]));
        }
        for (int c = 0; c < 256; c += 17) {
            assert_ptr_equal(k_strchr(words[i], c), strchr(words[i], c));
            assert_ptr_equal(k_strrchr(words[i], c), strrchr(words[i], c));
        }
        /* Searching for NUL finds the terminator. */
        assert_ptr_equal(k_strchr(words[i], '\0'), words[i] + strlen(words[i]));
        assert_ptr_equal(k_strrchr(words[i], '\0'), words[i] + strlen(words[i]));
    }
    assert_ptr_equal(k_strrchr("a/b/c", '/'), strrchr("a/b/c", '/'));
}

/* Lines emitted by gprs_format, collected for the test. */
static char gpr_lines[8][128];
static int ngpr_lines;
static void collect_line(void *ctx, const char *line)
{
    (void)ctx;
    assert_true(ngpr_lines < 8);
    strcpy(gpr_lines[ngpr_lines++], line);
}

static void test_gprs_format_is_xens_layout(void **state)
{
    (void)state;
    uint64_t gpr[GPR_COUNT];
    for (int i = 0; i < GPR_COUNT; i++)
        gpr[i] = 0x1111111111111111ULL * (uint64_t)(i % 15) + (uint64_t)i;
    ngpr_lines = 0;
    gprs_format(gpr, collect_line, NULL);
    assert_int_equal(ngpr_lines, 5);        /* r15 is the caller's */
    char want[128];
    snprintf(want, sizeof(want), "rax: %016llx   rbx: %016llx   rcx: %016llx",
             (unsigned long long)gpr[0], (unsigned long long)gpr[1], (unsigned long long)gpr[2]);
    assert_string_equal(gpr_lines[0], want);
    snprintf(want, sizeof(want), "rbp: %016llx   rsp: %016llx   r8:  %016llx",
             (unsigned long long)gpr[GPR_RBP], (unsigned long long)gpr[GPR_RSP],
             (unsigned long long)gpr[GPR_R8]);
    assert_string_equal(gpr_lines[2], want);
    snprintf(want, sizeof(want), "r12: %016llx   r13: %016llx   r14: %016llx",
             (unsigned long long)gpr[GPR_R12], (unsigned long long)gpr[GPR_R13],
             (unsigned long long)gpr[GPR_R14]);
    assert_string_equal(gpr_lines[4], want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snprintf_integers),
        cmocka_unit_test(test_gprs_format_is_xens_layout),
        cmocka_unit_test(test_snprintf_strings_chars),
        cmocka_unit_test(test_snprintf_truncation_and_null),
        cmocka_unit_test(test_strtoul_matches_glibc),
        cmocka_unit_test(test_strtol_matches_glibc),
        cmocka_unit_test(test_mem_functions),
        cmocka_unit_test(test_memcpy_lengths_and_alignments),
        cmocka_unit_test(test_str_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
