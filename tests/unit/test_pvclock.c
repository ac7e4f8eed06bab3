/* Unit tests for the paravirtual clock's pure half (arch/x86/pvclock_abi.c): the scale
 * Linux's pvclock_scale_delta applies turns a second of TSC ticks into a second of
 * nanoseconds for every TSC rate, and the CPUID leaves carry KVM's signature and only the
 * clock features. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/pvclock.h"

/* What the guest computes (Linux's pvclock_scale_delta), in full precision. */
static uint64_t guest_ns(uint64_t delta, int8_t shift, uint32_t mul)
{
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

static void test_scale_one_second(void **state)
{
    const uint64_t rates[] = { 2300019000ull, 1000000000ull, 999999999ull, 1999999999ull,
                               2000000000ull, 4000000000ull, 100000000ull, 3579545ull,
                               5300000000ull, 1193182ull };
    (void)state;
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        int8_t shift;
        uint32_t mul;
        pvclock_scale(rates[i], &shift, &mul);
        assert_true(mul >= 0x80000000u);            /* full precision used */
        uint64_t ns = guest_ns(rates[i], shift, mul);
        /* within 2 ns per second (2 ppb) of the truth */
        assert_in_range(ns, 1000000000ull - 2, 1000000000ull);
        /* and a minute of ticks is a minute (the shifted delta cannot overflow) */
        uint64_t m = guest_ns(rates[i] * 60, shift, mul);
        assert_in_range(m, 60000000000ull - 120, 60000000000ull);
    }
}

static void test_cpuid_leaves(void **state)
{
    uint32_t out[4];
    (void)state;
    assert_true(pvclock_cpuid(PVCLOCK_CPUID_BASE, out));
    assert_int_equal(out[0], PVCLOCK_CPUID_FEATURES);
    assert_memory_equal(&out[1], "KVMKVMKVM\0\0\0", 12);
    assert_true(pvclock_cpuid(PVCLOCK_CPUID_FEATURES, out));
    assert_int_equal(out[0], (1u << 3) | (1u << 24));   /* CLOCKSOURCE2, STABLE_BIT only */
    assert_int_equal(out[3], 0);                        /* no hints */
    assert_false(pvclock_cpuid(0x40000000, out));
    assert_false(pvclock_cpuid(0x40000102, out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_one_second),
        cmocka_unit_test(test_cpuid_leaves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
