/* x86 exit handling shared by the SVM backend and the coming VMX one: the CPUID a guest
 * sees (virtualization extensions hidden, Kestrel's hypervisor leaves added) and the MSRs a
 * 32/64-bit kernel touches; every other MSR raises #GP. */
#include "core/domain.h"
#include "arch/cpu.h"
#include "public/kestrel.h"

void vcpu_handle_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
        out[0] = out[1] = out[2] = out[3] = 0;
        if (leaf == KESTREL_CPUID_BASE) {
            out[0] = KESTREL_CPUID_INFO;
            out[1] = KESTREL_CPUID_SIGNATURE_EBX;
            out[2] = KESTREL_CPUID_SIGNATURE_ECX;
            out[3] = KESTREL_CPUID_SIGNATURE_EDX;
        } else if (leaf == KESTREL_CPUID_INFO) {
            uint32_t vendor_ebx = cpuid(0, 0).ebx;
            out[0] = KESTREL_ABI_VERSION;
            out[1] = vendor_ebx == 0x68747541 ? KESTREL_HC_INSN_VMMCALL : KESTREL_HC_INSN_VMCALL;
            out[2] = (uint32_t)v->dom->id;
        }
        return;
    }
    struct cpuid_regs r = cpuid(leaf, subleaf);
    switch (leaf) {
    case 1:
        r.ecx &= ~(1u << 5);            /* VMX */
        r.ecx |= 1u << 31;              /* running under a hypervisor */
        r.ecx &= ~(1u << 21);           /* x2APIC: no LAPIC is emulated */
        r.edx &= ~(1u << 9);            /* APIC */
        r.ebx &= 0x0000ffffu;           /* one logical CPU, APIC id 0 */
        r.ecx &= ~(1u << 27);           /* OSXSAVE: the guest's own CR4 bit, not the host's */
        if (r.ecx & (1u << 26)) {
            struct vcpu_sregs sr;
            arch_vcpu_get_sregs(v, &sr);
            r.ecx |= (uint32_t)((sr.cr4 >> 18) & 1) << 27;
        }
        break;
    case 0xd:
        if (subleaf == 1)
            r.eax &= ~(1u << 3);        /* XSAVES: IA32_XSS is not virtualized */
        break;
    case 0x80000001:
        r.ecx &= ~(1u << 2);            /* SVM */
        break;
    case 0x8000000a:                    /* SVM features: none */
        r.eax = r.ebx = r.ecx = r.edx = 0;
        break;
    default:
        break;
    }
    out[0] = r.eax;
    out[1] = r.ebx;
    out[2] = r.ecx;
    out[3] = r.edx;
}

/* MSR numbers the guest may use; values are kept per vCPU where they have state. */
#define MSR_TSC             0x010
#define MSR_PLATFORM_ID     0x017
#define MSR_MTRRCAP         0x0fe
#define MSR_MCG_CAP         0x179
#define MSR_MCG_STATUS      0x17a
#define MSR_MISC_ENABLE     0x1a0
#define MSR_PAT             0x277
#define MSR_MTRR_DEF_TYPE   0x2ff

int vcpu_handle_msr(struct vcpu *v, bool write, uint32_t msr, uint64_t *val)
{
    (void)v;
    switch (msr) {
    case MSR_TSC:
        if (!write)
            *val = rdtsc();
        return 0;                       /* writes ignored: the TSC is the host's */
    case MSR_APIC_BASE:
        if (!write)
            *val = 0xFEE00000ULL | (1ULL << 8);   /* BSP, APIC disabled: none emulated */
        return 0;
    case MSR_PLATFORM_ID:
    case MSR_MTRRCAP:
    case MSR_MCG_CAP:
    case MSR_MCG_STATUS:
    case MSR_MISC_ENABLE:
        if (!write)
            *val = 0;
        return 0;
    case MSR_PAT:
    case MSR_MTRR_DEF_TYPE:
        if (!write)
            *val = msr == MSR_PAT ? 0x0007040600070406ULL : 0;
        return 0;                       /* accepted; NPT memory is write-back regardless */
    default:
        if (msr >= 0x200 && msr <= 0x26f) {     /* variable and fixed MTRRs */
            if (!write)
                *val = 0;
            return 0;
        }
        return -1;
    }
}

void vcpu_handle_pio(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
    uint32_t val = (uint32_t)v->regs.rax;
    vcpu_handle_io(v, port, size, in, &val);
    if (!in)
        return;
    if (size == 4) {
        v->regs.rax = val;                  /* a 32-bit result zero-extends into RAX */
    } else {
        uint64_t mask = size == 2 ? 0xFFFFULL : 0xFFULL;
        v->regs.rax = (v->regs.rax & ~mask) | (val & mask);
    }
}
