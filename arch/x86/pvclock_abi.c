/* The pure half of the paravirtual clock (contract in arch/pvclock.h): its CPUID leaves and
 * the TSC-to-nanoseconds scale, kept apart from the MSR side so the host tests can build it
 * alone (tests/unit/test_pvclock.c). */
#include "arch/pvclock.h"

#define NS_PER_S             1000000000ull
#define FEATURE_CLOCKSOURCE2 (1u << 3)
#define FEATURE_STABLE_BIT   (1u << 24)

void pvclock_scale(uint64_t tsc_hz, int8_t *shift, uint32_t *mul)
{
    int s = 0;
    uint64_t hz = tsc_hz ? tsc_hz : 1;
    while (hz < NS_PER_S) {                 /* a tick longer than 1 ns: shift left */
        hz <<= 1;
        s++;
    }
    while (hz >= 2 * NS_PER_S) {            /* shorter than half a ns: shift right */
        hz >>= 1;
        s--;
    }
    /* mul = 2^32 * 1e9 / (tsc_hz * 2^s), from the exact rate rather than the shifted one,
     * by long division (no 128-bit arithmetic in a freestanding image). */
    uint64_t den = (tsc_hz ? tsc_hz : 1) << (s > 0 ? s : 0);
    unsigned bits = 32 + (s < 0 ? -s : 0);
    uint64_t q = NS_PER_S / den, r = NS_PER_S % den;
    for (unsigned i = 0; i < bits; i++) {
        q = 2 * q + (2 * r >= den);
        r = 2 * r >= den ? 2 * r - den : 2 * r;
    }
    *mul = q > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)q;
    *shift = (int8_t)s;
}

bool pvclock_cpuid(uint32_t leaf, uint32_t out[4])
{
    if (leaf == PVCLOCK_CPUID_BASE) {
        out[0] = PVCLOCK_CPUID_FEATURES;
        out[1] = 0x4b4d564b;                /* "KVMK" */
        out[2] = 0x564b4d56;                /* "VMKV" */
        out[3] = 0x0000004d;                /* "M\0\0\0" */
        return true;
    }
    if (leaf == PVCLOCK_CPUID_FEATURES) {
        out[0] = FEATURE_CLOCKSOURCE2 | FEATURE_STABLE_BIT;
        out[1] = out[2] = out[3] = 0;       /* no hints */
        return true;
    }
    return false;
}

