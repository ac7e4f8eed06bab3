/* xl's CPU list syntax to a mask of host CPUs and back (see core/cpulist.h). Host-built and
 * unit-tested: the cfg reader and the shell both take lists written by an operator. */
#include <stdbool.h>
#include "core/cpulist.h"
#include "lib/format.h"
#include "lib/string.h"

/* Blanks around an item are not part of it. */
static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A CPU number: decimal digits only, all of s[0..n), below CPULIST_MAX. */
static bool cpu_number(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;

    if (n == 0 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v >= CPULIST_MAX)
        return false;
    *out = v;
    return true;
}

/* Bits lo..hi (inclusive, hi < 64). */
static uint64_t range_bits(unsigned lo, unsigned hi)
{
    uint64_t upto_hi = hi == 63 ? CPULIST_ALL : ((uint64_t)1 << (hi + 1)) - 1;
    return upto_hi & ~(((uint64_t)1 << lo) - 1);
}

/* One item s[0..n), blanks trimmed, without its '^': into *bits; 0 or -1 with err. */
static int parse_item(const char *s, size_t n, uint64_t *bits, char *err, size_t errsz)
{
    unsigned lo, hi;
    const char *dash = memchr(s, '-', n);

    if (n == 3 && memcmp(s, "all", 3) == 0) {
        *bits = CPULIST_ALL;
        return 0;
    }
    if (n >= 6 && memcmp(s, "nodes:", 6) == 0) {
        snprintf(err, errsz, "'%.*s': NUMA nodes: Kestrel has one node, name CPUs",
                 n > 40 ? 40 : (int)n, s);
        return -1;
    }
    if (!dash) {
        if (!cpu_number(s, n, &lo))
            goto bad;
        *bits = (uint64_t)1 << lo;
        return 0;
    }
    if (!cpu_number(s, (size_t)(dash - s), &lo) ||
        !cpu_number(dash + 1, n - (size_t)(dash - s) - 1, &hi))
        goto bad;
    if (hi < lo) {
        snprintf(err, errsz, "'%.*s': the range ends before it starts", (int)n, s);   /* n <= 7 */
        return -1;
    }
    *bits = range_bits(lo, hi);
    return 0;
bad:
    snprintf(err, errsz, "'%.*s': expected all, a CPU (0-%d) or a range N-M", n > 40 ? 40 : (int)n,
             s, CPULIST_MAX - 1);
    return -1;
}

/* Contract in the header. */
int cpulist_parse(const char *s, size_t n, uint64_t *mask, char *err, size_t errsz)
{
    uint64_t m = 0;
    size_t pos = 0;
    bool first = true;
    char dummy[1];

    if (!err || errsz == 0) {
        err = dummy;
        errsz = sizeof(dummy);
    }
    for (;;) {
        size_t start = pos, end;
        while (pos < n && s[pos] != ',')
            pos++;
        end = pos;
        while (start < end && is_blank(s[start]))
            start++;
        while (end > start && is_blank(s[end - 1]))
            end--;
        bool negate = start < end && s[start] == '^';
        if (negate)
            start++;
        if (start == end) {
            snprintf(err, errsz, "an empty item in the CPU list '%.*s'", n > 40 ? 40 : (int)n, s);
            return -1;
        }
        uint64_t bits;
        if (parse_item(s + start, end - start, &bits, err, errsz) != 0)
            return -1;
        if (negate)
            m = (first ? CPULIST_ALL : m) & ~bits;
        else
            m |= bits;
        first = false;
        if (pos >= n)
            break;
        pos++;                          /* past the ',' */
    }
    if (m == 0) {
        snprintf(err, errsz, "the CPU list '%.*s' leaves no CPU", n > 40 ? 40 : (int)n, s);
        return -1;
    }
    *mask = m;
    return 0;
}

/* Contract in the header. */
size_t cpulist_format(uint64_t mask, char *buf, size_t sz)
{
    char tmp[CPULIST_MAX * 4];
    size_t len = 0;

    if (mask == CPULIST_ALL)
        return (size_t)snprintf(buf, sz, "all");
    if (mask == 0)
        return (size_t)snprintf(buf, sz, "none");
    for (unsigned c = 0; c < CPULIST_MAX; c++) {
        if (!(mask >> c & 1))
            continue;
        unsigned last = c;
        while (last + 1 < CPULIST_MAX && (mask >> (last + 1) & 1))
            last++;
        if (last == c)
            len += (size_t)snprintf(tmp + len, sizeof(tmp) - len, "%s%u", len ? "," : "", c);
        else
            len += (size_t)snprintf(tmp + len, sizeof(tmp) - len, "%s%u-%u", len ? "," : "", c,
                                    last);
        c = last;
    }
    return (size_t)snprintf(buf, sz, "%s", tmp);
}
