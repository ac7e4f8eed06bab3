/* Words of a boot command line in Xen's forms, shared by the option table (bootopts.c)
 * and the comN= settings (uart_config.c): numbers, sizes, booleans, exact words, and the
 * one-line reason a value is refused. Each reads s[0..n) only. */
#include <stdarg.h>
#include "core/cmdline_words.h"
#include "lib/ctype.h"
#include "lib/format.h"
#include "lib/string.h"

/* Unsigned number in s[0..n): base 10, or 16 (optional 0x), or 0 (0x means hex, else
 * decimal). At least one digit, no sign, no spaces, no overflow of max. *used gets how many
 * bytes were digits (and prefix) so callers can read a suffix; pass NULL to want all. */
bool cmdline_uint(const char *s, size_t n, int base, uint64_t max, uint64_t *out,
                  size_t *used)
{
    size_t i = 0, start;
    uint64_t v = 0;

    if ((base == 0 || base == 16) && n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (base == 0) {
        base = 10;
    }
    start = i;
    for (; i < n; i++) {
        int c = (unsigned char)s[i], d;

        if (k_isdigit(c))
            d = c - '0';
        else if (base == 16 && k_isxdigit(c))
            d = k_tolower(c) - 'a' + 10;
        else
            break;
        if (v > (max - (uint64_t)d) / (uint64_t)base)
            return false;                /* would pass max */
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (i == start || (!used && i != n))
        return false;
    if (used)
        *used = i;
    *out = v;
    return true;
}

/* Xen's <size>: number then optional K/M/G/T/B (any case); no suffix means KiB. */
bool cmdline_size(const char *s, size_t n, uint64_t *out)
{
    uint64_t v;
    size_t used;
    unsigned int shift = 10;

    if (!cmdline_uint(s, n, 0, UINT64_MAX, &v, &used))
        return false;
    if (used < n) {
        if (used + 1 != n)
            return false;
        switch (k_tolower((unsigned char)s[used])) {
        case 'b': shift = 0; break;
        case 'k': shift = 10; break;
        case 'm': shift = 20; break;
        case 'g': shift = 30; break;
        case 't': shift = 40; break;
        default: return false;
        }
    }
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* True if s[0..n) equals the NUL-terminated word. */
bool cmdline_word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncmp(s, word, n) == 0;
}

/* Xen's boolean words: 1 true, 0 false, -1 not a boolean. */
int cmdline_bool(const char *s, size_t n)
{
    static const char *const words[] = { "0", "no", "false", "off", "disable",
                                         "1", "yes", "true", "on", "enable" };

    for (int i = 0; i < 10; i++)
        if (cmdline_word_is(s, n, words[i]))
            return i >= 5;
    return -1;
}

/* Contract in the header. */
bool cmdline_why(char *why, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, CMDLINE_WHY_MAX, fmt, ap);
    va_end(ap);
    return false;
}
