/* The guest's MSRs (see arch/vmsr.h): one emulation for both backends, on per-vCPU state,
 * with the checks a real CPU makes. The guest CPU offers the TSC (with TSC_ADJUST), an APIC
 * base, PAT, MTRRs (8 variable ranges, the fixed ranges, write-combining), machine-check
 * globals with no banks, and the vendor's read-mostly configuration MSRs; it offers no
 * PMU, no debug-store or branch tracing, no SVM/VMX, no TSC_AUX, no speculation controls
 * (the CPUID the guest sees hides each of these, arch/x86/vcpu_x86.c). */
#include "arch/vmsr.h"

struct vmsr_cpu vmsr_cpu = { .amd = false, .phys_bits = 36, .nx = true };

const uint32_t vmsr_passthrough[] = {
    0x00000174, 0x00000175, 0x00000176,                 /* SYSENTER_CS/ESP/EIP */
    0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084,     /* STAR LSTAR CSTAR SFMASK */
    0xC0000100, 0xC0000101, 0xC0000102,                 /* FS/GS/KERNEL_GS base */
};
const size_t vmsr_passthrough_count = sizeof(vmsr_passthrough) / sizeof(vmsr_passthrough[0]);

enum {
    MSR_TSC = 0x010, MSR_PLATFORM_ID = 0x017, MSR_APIC_BASE = 0x01b,
    MSR_FEATURE_CONTROL = 0x03a, MSR_TSC_ADJUST = 0x03b, MSR_BIOS_SIGN_ID = 0x08b,
    MSR_MTRRCAP = 0x0fe, MSR_MCG_CAP = 0x179, MSR_MCG_STATUS = 0x17a,
    MSR_MISC_ENABLE = 0x1a0, MSR_DEBUGCTL = 0x1d9, MSR_MTRR_VAR_FIRST = 0x200,
    MSR_MTRR_VAR_LAST = 0x200 + 2 * VMSR_MTRR_VAR - 1, MSR_PAT = 0x277,
    MSR_MTRR_DEF_TYPE = 0x2ff,
    MSR_AMD_SYSCFG = 0xc0010010, MSR_AMD_HWCR = 0xc0010015, MSR_AMD_INT_PENDING = 0xc0010055,
    MSR_AMD_DE_CFG = 0xc0011029,
    MSR_AMD_VM_CR = 0xc0010114,
};

#define APIC_BASE_RESET   0xFEE00100ULL         /* 0xFEE00000, BSP; global enable off */
#define APIC_BASE_RSVD    0x6ffULL              /* bits 0-7, 9, 10 (no x2APIC) */
#define PAT_RESET         0x0007040600070406ULL
/* MTRRs enabled, default type write-back, fixed ranges off: the state a BIOS leaves on a
 * machine whose RAM is all write-back (the guest's is: its memory types come from NPT/EPT
 * and its PAT, never from these MTRRs), so a kernel keeps PAT rather than giving up on an
 * "MTRRs disabled" machine. */
#define MTRR_DEF_TYPE_BIOS 0x806ULL
#define MTRRCAP_VALUE     (VMSR_MTRR_VAR | (1ULL << 8) | (1ULL << 10))  /* VCNT, FIX, WC */
#define MCG_STATUS_RSVD   (~7ULL)               /* RIPV, EIPV, MCIP; no LMCE */
#define MISC_ENABLE_VALUE ((1ULL << 0) | (1ULL << 11) | (1ULL << 12))  /* fast strings;
                                                   BTS and PEBS unavailable */
#define FEATURE_CONTROL_VALUE 1ULL              /* locked, VMX off */
#define HWCR_IGNORED      ((1ULL << 3) | (1ULL << 6) | (1ULL << 8))    /* as KVM drops */
#define HWCR_WRITABLE     (1ULL << 18)          /* McStatusWrEn */
#define DE_CFG_LFENCE_SERIALIZE (1ULL << 1)
#define VM_CR_VALUE       ((1ULL << 3) | (1ULL << 4))                  /* LOCK, SVMDIS */

/* The fixed-range MTRRs, in the order of vmsr_state.mtrr_fixed. */
static const uint32_t mtrr_fixed_msr[VMSR_MTRR_FIXED] = {
    0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};

static int fixed_index(uint32_t msr)
{
    for (int i = 0; i < VMSR_MTRR_FIXED; i++)
        if (mtrr_fixed_msr[i] == msr)
            return i;
    return -1;
}

/* Bits at and above MAXPHYADDR, reserved in every physical-address field. */
static uint64_t above_phys(void)
{
    return vmsr_cpu.phys_bits >= 64 ? 0 : ~0ULL << vmsr_cpu.phys_bits;
}

/* A memory type MTRRs take: UC, WC, WT, WP, WB. */
static bool mtrr_type_ok(uint64_t t)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

/* Every byte of v is a memory type MTRRs (pat: PAT, which adds UC-) take. */
static bool types_ok(uint64_t v, bool pat)
{
    for (int i = 0; i < 8; i++) {
        uint64_t t = (v >> (8 * i)) & 0xff;
        if (!mtrr_type_ok(t) && !(pat && t == 7))
            return false;
    }
    return true;
}

void vmsr_reset(struct vmsr_state *m)
{
    *m = (struct vmsr_state){ .apic_base = APIC_BASE_RESET, .pat = PAT_RESET,
                              .mtrr_def_type = MTRR_DEF_TYPE_BIOS };
}

/* The MTRRs and PAT (common to both vendors). 1 when msr is not one of them. */
static int read_cache_ctl(const struct vmsr_state *m, uint32_t msr, uint64_t *val)
{
    int fi = fixed_index(msr);
    if (fi >= 0)
        *val = m->mtrr_fixed[fi];
    else if (msr >= MSR_MTRR_VAR_FIRST && msr <= MSR_MTRR_VAR_LAST)
        *val = m->mtrr_var[msr - MSR_MTRR_VAR_FIRST];
    else if (msr == MSR_MTRRCAP)
        *val = MTRRCAP_VALUE;
    else if (msr == MSR_MTRR_DEF_TYPE)
        *val = m->mtrr_def_type;
    else if (msr == MSR_PAT)
        *val = m->pat;
    else
        return 1;
    return 0;
}

/* The vendor's own MSRs. 1 when msr is not one of them. */
static int read_vendor(uint32_t msr, uint64_t *val)
{
    if (vmsr_cpu.amd) {
        switch (msr) {
        case MSR_AMD_SYSCFG: *val = 0; return 0;
        case MSR_AMD_VM_CR: *val = VM_CR_VALUE; return 0;
        /* Family 0Fh-10h's interrupt-pending message register, read by Linux's erratum
         * 400 check: 0 = C1E not enabled, which holds for a vCPU that idles in HLT. */
        case MSR_AMD_INT_PENDING: *val = 0; return 0;
        /* Decode configuration: only LFENCE_SERIALIZE (bit 1), set, as on Zen parts and as
         * Linux sets it (a serializing LFENCE orders RDTSC). */
        case MSR_AMD_DE_CFG: *val = DE_CFG_LFENCE_SERIALIZE; return 0;
        default: return 1;
        }
    }
    switch (msr) {
    case MSR_PLATFORM_ID: *val = 0; return 0;
    case MSR_FEATURE_CONTROL: *val = FEATURE_CONTROL_VALUE; return 0;
    case MSR_MISC_ENABLE: *val = MISC_ENABLE_VALUE; return 0;
    default: return 1;
    }
}

int vmsr_read(const struct vmsr_state *m, uint32_t msr, uint64_t host_tsc, uint64_t *val)
{
    switch (msr) {
    case MSR_TSC: *val = host_tsc + m->tsc_offset; return 0;
    case MSR_TSC_ADJUST: *val = m->tsc_adjust; return 0;
    case MSR_APIC_BASE: *val = m->apic_base; return 0;
    case MSR_BIOS_SIGN_ID: *val = 0; return 0;      /* no microcode revision */
    case MSR_MCG_CAP: *val = 0; return 0;           /* no banks, no MCG_CTL */
    case MSR_MCG_STATUS: *val = m->mcg_status; return 0;
    case MSR_DEBUGCTL: *val = 0; return 0;
    case MSR_AMD_HWCR:
        if (!vmsr_cpu.amd)
            return -1;
        *val = m->hwcr;
        return 0;
    default:
        break;
    }
    if (read_cache_ctl(m, msr, val) == 0 || read_vendor(msr, val) == 0)
        return 0;
    return -1;
}

/* WRMSR to an MTRR or PAT. 1 when msr is not one of them. */
static int write_cache_ctl(struct vmsr_state *m, uint32_t msr, uint64_t val)
{
    int fi = fixed_index(msr);
    if (fi >= 0) {
        if (!types_ok(val, false))
            return -1;
        m->mtrr_fixed[fi] = val;
        return 0;
    }
    if (msr >= MSR_MTRR_VAR_FIRST && msr <= MSR_MTRR_VAR_LAST) {
        bool mask = (msr - MSR_MTRR_VAR_FIRST) & 1;
        uint64_t rsvd = above_phys() | (mask ? 0x7ffULL : 0xf00ULL);
        if ((val & rsvd) || (!mask && !mtrr_type_ok(val & 0xff)))
            return -1;
        m->mtrr_var[msr - MSR_MTRR_VAR_FIRST] = val;
        return 0;
    }
    switch (msr) {
    case MSR_MTRRCAP:
        return -1;                                  /* read-only */
    case MSR_MTRR_DEF_TYPE:
        if ((val & ~0xcffULL) || !mtrr_type_ok(val & 0xff))
            return -1;
        m->mtrr_def_type = val;
        return 0;
    case MSR_PAT:
        if (!types_ok(val, true))
            return -1;
        m->pat = val;
        return 0;
    default:
        return 1;
    }
}

/* WRMSR to a vendor MSR: the configuration ones accept only the value they hold. 1 when
 * msr is not one of them. */
static int write_vendor(struct vmsr_state *m, uint32_t msr, uint64_t val)
{
    if (vmsr_cpu.amd) {
        switch (msr) {
        case MSR_AMD_HWCR:
            val &= ~HWCR_IGNORED;
            if (val & ~HWCR_WRITABLE)
                return -1;
            m->hwcr = val;
            return 0;
        case MSR_AMD_SYSCFG: return val == 0 ? 0 : -1;
        case MSR_AMD_DE_CFG: return val == DE_CFG_LFENCE_SERIALIZE ? 0 : -1;
        case MSR_AMD_VM_CR: return -1;              /* locked */
        case MSR_BIOS_SIGN_ID: return -1;           /* PATCH_LEVEL is read-only */
        default: return 1;
        }
    }
    switch (msr) {
    case MSR_PLATFORM_ID:
    case MSR_FEATURE_CONTROL:                       /* locked */
        return -1;
    case MSR_MISC_ENABLE:
        return val == MISC_ENABLE_VALUE ? 0 : -1;
    case MSR_BIOS_SIGN_ID:
        return 0;                                   /* "clear the signature": nothing to do */
    default:
        return 1;
    }
}

int vmsr_write(struct vmsr_state *m, uint32_t msr, uint64_t val, uint64_t host_tsc)
{
    switch (msr) {
    case MSR_TSC: {
        uint64_t delta = val - (host_tsc + m->tsc_offset);
        m->tsc_offset += delta;
        m->tsc_adjust += delta;                     /* as the CPU keeps TSC_ADJUST */
        return 0;
    }
    case MSR_TSC_ADJUST:
        m->tsc_offset += val - m->tsc_adjust;
        m->tsc_adjust = val;
        return 0;
    case MSR_APIC_BASE:
        if (val & (APIC_BASE_RSVD | above_phys()))
            return -1;
        m->apic_base = val;                         /* kept: no local APIC is emulated yet */
        return 0;
    case MSR_MCG_CAP:
        return -1;                                  /* read-only */
    case MSR_MCG_STATUS:
        if (val & MCG_STATUS_RSVD)
            return -1;
        m->mcg_status = val;
        return 0;
    case MSR_DEBUGCTL:
        return val == 0 ? 0 : -1;                   /* no LBR, BTF, or branch tracing */
    default:
        break;
    }
    int rc = write_cache_ctl(m, msr, val);
    if (rc <= 0)
        return rc;
    rc = write_vendor(m, msr, val);
    return rc <= 0 ? rc : -1;
}

bool vmsr_efer_check(uint64_t old, uint64_t val, bool paging)
{
    uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA |
                       (vmsr_cpu.nx ? EFER_NXE : 0);
    if (val & ~allowed)
        return false;
    return !(paging && ((old ^ val) & EFER_LME));
}
