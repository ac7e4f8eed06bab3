/* Random bytes from RDSEED or RDRAND (contract in arch/random.h). Each instruction may
 * fail (CF clear) when the generator is momentarily drained; Intel's guidance is to retry a
 * few times, after which the caller gets a short fill rather than a stall. */
#include <stdbool.h>
#include <stdint.h>
#include "arch/random.h"
#include "arch/cpu.h"
#include "lib/string.h"

#define RETRIES 10

static int have = -1;           /* 2 RDSEED, 1 RDRAND, 0 neither; -1 not yet asked */

static int which(void)
{
    if (have < 0) {
        bool rdseed = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx >> 18) & 1;
        bool rdrand = (cpuid(1, 0).ecx >> 30) & 1;
        have = rdseed ? 2 : rdrand ? 1 : 0;
    }
    return have;
}

/* One 64-bit value; false when the generator gave none in RETRIES tries. */
static bool one(uint64_t *v)
{
    for (int i = 0; i < RETRIES; i++) {
        unsigned char ok;
        if (which() == 2)
            __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) :: "cc");
        else
            __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) :: "cc");
        if (ok)
            return true;
    }
    return false;
}

size_t arch_random_bytes(void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t done = 0;
    if (!which())
        return 0;
    while (done < len) {
        uint64_t v;
        if (!one(&v))
            break;
        size_t n = len - done < sizeof(v) ? len - done : sizeof(v);
        memcpy(p + done, &v, n);
        done += n;
    }
    return done;
}
