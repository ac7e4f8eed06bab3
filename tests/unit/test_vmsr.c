/* Unit tests for the guest MSR model (arch/x86/vmsr.c): what a guest reads after RESET,
 * which writes a real CPU accepts (and that they stick), which it refuses with #GP (and
 * that a refused write changes nothing), the TSC and TSC_ADJUST moving together, the
 * vendor split (Intel's MISC_ENABLE and FEATURE_CONTROL, AMD's HWCR, SYSCFG, VM_CR), the
 * MSRs never offered (PMU, TSC_AUX, VM_HSAVE_PA, x2APIC, hypervisor ranges), and EFER's
 * write rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "arch/vmsr.h"

static struct vmsr_state m;

static int setup_intel(void **state)
{
    (void)state;
    vmsr_cpu = (struct vmsr_cpu){ .amd = false, .phys_bits = 39, .nx = true };
    vmsr_reset(&m);
    return 0;
}

static int setup_amd(void **state)
{
    (void)state;
    vmsr_cpu = (struct vmsr_cpu){ .amd = true, .phys_bits = 48, .nx = true };
    vmsr_reset(&m);
    return 0;
}

static uint64_t rd(uint32_t msr)
{
    uint64_t v = 0xdeadbeef;
    assert_int_equal(vmsr_read(&m, msr, 1000, &v), 0);
    return v;
}

/* A write the CPU refuses: #GP, and the whole state is as before. */
static void refused(uint32_t msr, uint64_t val)
{
    struct vmsr_state before = m;
    assert_int_equal(vmsr_write(&m, msr, val, 1000), -1);
    assert_memory_equal(&before, &m, sizeof(m));
}

static void accepted(uint32_t msr, uint64_t val)
{
    assert_int_equal(vmsr_write(&m, msr, val, 1000), 0);
}

static void test_reset_values(void **state)
{
    (void)state;
    assert_int_equal(rd(0x1b), 0xFEE00100);                 /* APIC base, BSP */
    assert_int_equal(rd(0x277), 0x0007040600070406ULL);     /* PAT */
    assert_int_equal(rd(0xfe), 8 | (1 << 8) | (1 << 10));   /* MTRRCAP */
    assert_int_equal(rd(0x2ff), 0x806);                     /* MTRRs on, default WB */
    assert_int_equal(rd(0x179), 0);                         /* no MCA banks */
    assert_int_equal(rd(0x1d9), 0);
    assert_int_equal(rd(0x10), 1000);                       /* the host's TSC */
    assert_int_equal(rd(0x3b), 0);
}

static void test_pat_takes_only_memory_types(void **state)
{
    (void)state;
    accepted(0x277, 0x0706050407060504ULL);
    assert_int_equal(rd(0x277), 0x0706050407060504ULL);
    refused(0x277, ~0ULL);                                  /* the all ones */
    refused(0x277, 0x0007040600070402ULL);                  /* type 2 is reserved */
    refused(0x277, 0x0807040600070406ULL);                  /* type 8 too */
    assert_int_equal(rd(0x277), 0x0706050407060504ULL);
}

static void test_mtrrs(void **state)
{
    (void)state;
    accepted(0x2ff, 0xc06);                                 /* E, FE, WB default */
    refused(0x2ff, 0x1c06);                                 /* reserved bit 12 */
    refused(0x2ff, 0xc07);                                  /* UC- is PAT-only */
    refused(0x2ff, 0x8c06);
    accepted(0x200, 0x80000006ULL);                         /* PHYSBASE0: WB at 2 GiB */
    refused(0x200, 0x80000106ULL);                          /* bit 8 reserved */
    refused(0x200, 0x80000002ULL);                          /* type 2 */
    refused(0x200, 1ULL << 39);                             /* above MAXPHYADDR 39 */
    accepted(0x201, 0x7f80000800ULL);                       /* PHYSMASK0, valid */
    refused(0x201, 0x7f80000801ULL);                        /* bits 0-10 reserved */
    accepted(0x20f, 0);                                     /* the 8th pair exists */
    refused(0x210, 0);                                      /* a 9th does not */
    assert_int_equal(vmsr_read(&m, 0x210, 0, &(uint64_t){0}), -1);
    accepted(0x250, 0x0606060606060606ULL);
    accepted(0x26f, 0x0000000000000000ULL);
    refused(0x258, 0x0606060606060607ULL);                  /* UC- in a fixed range */
    refused(0x251, 0);                                      /* not a fixed-range MTRR */
    refused(0xfe, 0);                                       /* MTRRCAP is read-only */
    assert_int_equal(rd(0x200), 0x80000006ULL);
    assert_int_equal(rd(0x250), 0x0606060606060606ULL);
}

static void test_apic_base(void **state)
{
    (void)state;
    accepted(0x1b, 0xFEC00900ULL);                          /* moved and enabled */
    assert_int_equal(rd(0x1b), 0xFEC00900ULL);
    refused(0x1b, 0xFEE00500ULL);                           /* x2APIC: not offered */
    refused(0x1b, 0xFEE00101ULL);                           /* bits 0-7 reserved */
    refused(0x1b, 0xFEE00300ULL);                           /* bit 9 reserved */
    refused(0x1b, 1ULL << 39 | 0xFEE00100ULL);              /* above MAXPHYADDR */
}

static void test_tsc_and_tsc_adjust_move_together(void **state)
{
    (void)state;
    assert_int_equal(vmsr_write(&m, 0x10, 5000, 1000), 0);  /* TSC := 5000 at host 1000 */
    assert_int_equal(m.tsc_offset, 4000);
    assert_int_equal(rd(0x3b), 4000);                       /* TSC_ADJUST moved by as much */
    uint64_t v;
    assert_int_equal(vmsr_read(&m, 0x10, 2000, &v), 0);
    assert_int_equal(v, 6000);
    accepted(0x3b, 0);                                      /* TSC_ADJUST back to 0 ... */
    assert_int_equal(m.tsc_offset, 0);                      /* ... the TSC follows */
    assert_int_equal(vmsr_read(&m, 0x10, 2000, &v), 0);
    assert_int_equal(v, 2000);
}

static void test_machine_check_and_debugctl(void **state)
{
    (void)state;
    refused(0x179, 0);                                      /* MCG_CAP read-only */
    accepted(0x17a, 5);
    assert_int_equal(rd(0x17a), 5);
    refused(0x17a, 8);                                      /* LMCE_S: no LMCE */
    refused(0x17b, 0);                                      /* no MCG_CTL */
    refused(0x400, 0);                                      /* no banks */
    assert_int_equal(vmsr_read(&m, 0x401, 0, &(uint64_t){0}), -1);
    accepted(0x1d9, 0);
    refused(0x1d9, 1);                                      /* LBR */
    refused(0x1d9, 2);                                      /* BTF */
}

static void test_intel_configuration_msrs(void **state)
{
    (void)state;
    uint64_t misc = rd(0x1a0);
    assert_int_equal(misc, 1 | (1 << 11) | (1 << 12));
    accepted(0x1a0, misc);                                  /* writing back what it reads */
    refused(0x1a0, ~0ULL);                                  /* the all ones */
    refused(0x1a0, misc | (1ULL << 22));                    /* limit CPUID maxval */
    refused(0x1a0, 0);
    assert_int_equal(rd(0x3a), 1);                          /* locked, no VMX */
    refused(0x3a, 5);
    refused(0x3a, 1);
    assert_int_equal(rd(0x17), 0);
    refused(0x17, 0);
    accepted(0x8b, 0);                                      /* BIOS_SIGN_ID: clear it */
    assert_int_equal(rd(0x8b), 0);
    /* AMD's do not exist on Intel. */
    assert_int_equal(vmsr_read(&m, 0xc0010015, 0, &(uint64_t){0}), -1);
    refused(0xc0010015, 0);
    refused(0xc0010010, 0);
    refused(0xc0010114, 0);
}

static void test_amd_configuration_msrs(void **state)
{
    (void)state;
    assert_int_equal(rd(0xc0010015), 0);                    /* HWCR */
    accepted(0xc0010015, 1ULL << 18);                       /* McStatusWrEn */
    assert_int_equal(rd(0xc0010015), 1ULL << 18);
    accepted(0xc0010015, (1ULL << 18) | (1ULL << 3));       /* TLB cache disable: dropped */
    assert_int_equal(rd(0xc0010015), 1ULL << 18);
    refused(0xc0010015, ~0ULL);
    refused(0xc0010015, 1ULL << 0);                         /* SMM lock */
    assert_int_equal(rd(0xc0010010), 0);                    /* SYSCFG */
    accepted(0xc0010010, 0);
    refused(0xc0010010, 1ULL << 23);                        /* memory encryption */
    assert_int_equal(rd(0xc0010114), 0x18);                 /* VM_CR: SVM locked off */
    assert_int_equal(rd(0xc0010055), 0);                    /* IntPend: no C1E (erratum 400) */
    assert_int_equal(rd(0xc0011029), 2);                    /* DE_CFG: LFENCE serializing */
    accepted(0xc0011029, 2);
    refused(0xc0011029, 0);
    refused(0xc0010055, 0);                                 /* writes: #GP, as before */
    refused(0xc0010114, 0);
    refused(0x8b, 0);                                       /* PATCH_LEVEL read-only */
    /* Intel's do not exist on AMD. */
    assert_int_equal(vmsr_read(&m, 0x1a0, 0, &(uint64_t){0}), -1);
    refused(0x1a0, 1);
    refused(0x3a, 1);
}

/* The MSRs never offered: #GP to read and to write, on both vendors. */
static void never_offered(void)
{
    static const uint32_t none[] = {
        0xc0010117,                 /* VM_HSAVE_PA */
        0xc0000103,                 /* TSC_AUX */
        0xc0010140, 0xc0010141,     /* OSVW */
        0xc0010000, 0xc0010004, 0xc0010200, 0x0c1, 0x186, 0x38f, 0x345, /* PMU */
        0x802, 0x808, 0x80b, 0x830, /* x2APIC */
        0x48, 0x49, 0x10a,          /* SPEC_CTRL, PRED_CMD, ARCH_CAPABILITIES */
        0x480, 0x48d,               /* VMX capabilities */
        0xda0,                      /* XSS */
        0x40000000, 0x40000001, 0x4b564d00, 0x4b564d01, 0x4b564d02, 0x4b564d04,
        0x174, 0xc0000082, 0xc0000100,    /* passthrough ones never reach the model */
        0xffffffff, 0x2000, 0xc0002000,
    };
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
        uint64_t v;
        assert_int_equal(vmsr_read(&m, none[i], 0, &v), -1);
        refused(none[i], 0);
        refused(none[i], ~0ULL);
    }
}

static void test_never_offered_intel(void **state) { (void)state; never_offered(); }
static void test_never_offered_amd(void **state) { (void)state; never_offered(); }

static void test_efer_rules(void **state)
{
    (void)state;
    assert_true(vmsr_efer_check(0, EFER_SCE | EFER_LME | EFER_NXE, false));
    assert_false(vmsr_efer_check(0, 1ULL << 12, false));        /* SVME: hidden */
    assert_false(vmsr_efer_check(0, 1ULL << 13, false));        /* LMSLE */
    assert_false(vmsr_efer_check(0, 1ULL << 14, false));        /* FFXSR */
    assert_false(vmsr_efer_check(0, 1ULL << 15, false));        /* TCE */
    assert_false(vmsr_efer_check(0, ~0ULL, false));
    /* LME cannot change while paging is on; the rest can. */
    assert_false(vmsr_efer_check(0, EFER_LME, true));
    assert_false(vmsr_efer_check(EFER_LME | EFER_LMA, EFER_LMA, true));
    assert_true(vmsr_efer_check(EFER_LME | EFER_LMA,
                                EFER_LME | EFER_LMA | EFER_NXE, true));
    vmsr_cpu.nx = false;
    assert_false(vmsr_efer_check(0, EFER_NXE, false));
}

/* The passthrough list is exactly what the hardware switches: nothing that configures the
 * host may be on it. */
static void test_passthrough_list(void **state)
{
    (void)state;
    assert_int_equal(vmsr_passthrough_count, 10);
    for (size_t i = 0; i < vmsr_passthrough_count; i++) {
        uint32_t x = vmsr_passthrough[i];
        assert_true((x >= 0x174 && x <= 0x176) || (x >= 0xc0000081 && x <= 0xc0000084) ||
                    (x >= 0xc0000100 && x <= 0xc0000102));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup_intel),
        cmocka_unit_test_setup(test_pat_takes_only_memory_types, setup_intel),
        cmocka_unit_test_setup(test_mtrrs, setup_intel),
        cmocka_unit_test_setup(test_apic_base, setup_intel),
        cmocka_unit_test_setup(test_tsc_and_tsc_adjust_move_together, setup_amd),
        cmocka_unit_test_setup(test_machine_check_and_debugctl, setup_amd),
        cmocka_unit_test_setup(test_intel_configuration_msrs, setup_intel),
        cmocka_unit_test_setup(test_amd_configuration_msrs, setup_amd),
        cmocka_unit_test_setup(test_never_offered_intel, setup_intel),
        cmocka_unit_test_setup(test_never_offered_amd, setup_amd),
        cmocka_unit_test_setup(test_efer_rules, setup_intel),
        cmocka_unit_test(test_passthrough_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
