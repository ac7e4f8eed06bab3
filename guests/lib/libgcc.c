/* The 64-bit division helpers gcc calls on i386 (no 32-bit libgcc is installed here):
 * __udivdi3, __umoddi3, __udivmoddi4, __divdi3, __moddi3, by shift and subtract. */
#include <stdint.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

/* n / d and n % d for unsigned 64-bit values (d != 0; d == 0 gives all ones). */
static uint64_t udivmod(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;
    if (d == 0) {
        *rem = n;
        return ~0ull;
    }
    if ((d >> 32) == 0 && (n >> 32) == 0) {
        *rem = (uint32_t)n % (uint32_t)d;
        return (uint32_t)n / (uint32_t)d;
    }
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= 1ull << i;
        }
    }
    *rem = r;
    return q;
}

/* Unsigned quotient. */
uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    return udivmod(n, d, &r);
}

/* Unsigned remainder. */
uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    udivmod(n, d, &r);
    return r;
}

/* Unsigned quotient, and the remainder through rem when it is not NULL. */
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t r, q = udivmod(n, d, &r);
    if (rem)
        *rem = r;
    return q;
}

/* Signed quotient, truncating toward zero. */
int64_t __divdi3(int64_t n, int64_t d)
{
    uint64_t r, un = n < 0 ? -(uint64_t)n : (uint64_t)n, ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
    uint64_t q = udivmod(un, ud, &r);
    return (n < 0) != (d < 0) ? -(int64_t)q : (int64_t)q;
}

/* Signed remainder, with the sign of the dividend. */
int64_t __moddi3(int64_t n, int64_t d)
{
    uint64_t r, un = n < 0 ? -(uint64_t)n : (uint64_t)n, ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
    udivmod(un, ud, &r);
    return n < 0 ? -(int64_t)r : (int64_t)r;
}
