/* x86 exit handling shared by the SVM and VMX backends: the CPUID a guest sees (the host's,
 * less what the vCPU does not give: VMX/SVM, the APIC and x2APIC, the PMU, debug store,
 * thermal and power management, TSX and MPX, XSAVES, RDTSCP/RDPID (TSC_AUX),
 * speculation-control MSRs, SME/SEV; plus MTRR, PAT and TSC_ADJUST, which are emulated,
 * the guest's own CR4.OSXSAVE, and Kestrel's hypervisor leaves), the guest CPU model the
 * MSR emulation (arch/x86/vmsr.c) follows, RDMSR/WRMSR on it, XSETBV, and IN/OUT. Each
 * handler finishes its exit, as Jailhouse's vcpu.c does: registers written, then RIP moved
 * past the instruction through the backend (arch_vcpu_skip_insn) or an exception raised. */
#include "core/domain.h"
#include "arch/cpu.h"
#include "arch/processor.h"
#include "arch/vcpu_x86.h"
#include "arch/virt_backend.h"
#include "public/kestrel.h"

/* The filtered CPUID leaf: out = EAX, EBX, ECX, EDX. */
static void cpuid_for_guest(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
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
        r.ecx &= ~(1u << 3);            /* MONITOR/MWAIT: intercepted, a guest idles in HLT */
        r.ecx |= 1u << 31;              /* running under a hypervisor */
        r.ecx &= ~(1u << 21);           /* x2APIC: no LAPIC is emulated */
        r.ecx &= ~((1u << 2) | (1u << 4) | (1u << 15));  /* DTES64, DS-CPL, PDCM */
        r.edx &= ~(1u << 9);            /* APIC */
        r.edx &= ~((1u << 21) | (1u << 22) | (1u << 29)); /* DS, thermal ACPI, TM */
        r.edx |= (1u << 12) | (1u << 16);                 /* MTRR, PAT: emulated */
        r.ebx &= 0x0000ffffu;           /* one logical CPU, APIC id 0 */
        r.ecx &= ~(1u << 27);           /* OSXSAVE: the guest's own CR4 bit, not the host's */
        if (r.ecx & (1u << 26)) {
            struct vcpu_sregs sr;
            arch_vcpu_get_sregs(v, &sr);
            r.ecx |= (uint32_t)((sr.cr4 >> 18) & 1) << 27;
        }
        break;
    case 6:                             /* thermal and power management: none */
    case 0xa:                           /* architectural performance monitoring: none */
        r.eax = r.ebx = r.ecx = r.edx = 0;
        break;
    case 7:
        if (subleaf == 0) {
            r.ebx |= 1u << 1;           /* TSC_ADJUST: emulated */
            r.ebx &= ~((1u << 4) | (1u << 11) | (1u << 14));  /* HLE, RTM, MPX */
            r.ecx &= ~(1u << 22);       /* RDPID: TSC_AUX is not the guest's */
            r.ecx &= ~(1u << 16);       /* LA57: the vCPU walks 4-level tables only */
            r.edx &= ~0xfc000000u;      /* IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES,
                                           CORE_CAPABILITIES, SSBD: MSRs not offered */
        }
        break;
    case 0xd:
        if (subleaf == 1)
            r.eax &= ~(1u << 3);        /* XSAVES: IA32_XSS is not virtualized */
        break;
    case 0x80000001:
        r.ecx &= ~(1u << 2);            /* SVM */
        r.ecx &= ~((1u << 9) | (1u << 10) | (1u << 15) | (1u << 17));  /* OSVW IBS LWP TCE */
        r.ecx &= ~((1u << 23) | (1u << 24) | (1u << 28));  /* PMU counter extensions */
        r.edx &= ~((1u << 25) | (1u << 27));                /* FFXSR, RDTSCP */
        break;
    case 0x80000008:
        r.ebx &= 0x5u;                  /* CLZERO, XSAVEERPTR; no IRPERF or speculation MSRs */
        break;
    case 0x8000000a:                    /* SVM features: none */
    case 0x8000001f:                    /* SME/SEV: none */
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

void vcpu_handle_cpuid(struct vcpu *v)
{
    uint32_t out[4];
    cpuid_for_guest(v, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, out);
    v->regs.rax = out[0];
    v->regs.rbx = out[1];
    v->regs.rcx = out[2];
    v->regs.rdx = out[3];
    arch_vcpu_skip_insn(v);
}

void vcpu_handle_msr(struct vcpu *v, bool write)
{
    struct vmsr_state *m = &vcpu_x86(v)->msrs;
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    uint64_t tsc_offset = m->tsc_offset;
    int rc;
    if (msr == MSR_EFER)
        rc = virt_backend()->vcpu_efer(v, write, &val);
    else if (write)
        rc = vmsr_write(m, msr, val, rdtsc());
    else
        rc = vmsr_read(m, msr, rdtsc(), &val);
    if (rc) {
        arch_vcpu_inject_exception(v, X86_EXC_GP, true, 0);
        return;
    }
    if (!write) {
        v->regs.rax = (uint32_t)val;
        v->regs.rdx = val >> 32;
    }
    if (m->tsc_offset != tsc_offset)        /* a TSC or TSC_ADJUST write */
        virt_backend()->vcpu_set_tsc_offset(v, m->tsc_offset);
    arch_vcpu_skip_insn(v);
}

void vcpu_handle_xsetbv(struct vcpu *v)
{
    struct vcpu_sregs sr;
    arch_vcpu_get_sregs(v, &sr);
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    int vec = fpu_xsetbv(&vcpu_x86(v)->fpu, sr.cr4, (uint32_t)v->regs.rcx, val);
    if (vec)
        arch_vcpu_inject_exception(v, (uint8_t)vec, vec == X86_EXC_GP, 0);
    else
        arch_vcpu_skip_insn(v);
}

void vcpu_model_init(void)
{
    uint32_t max_ext = cpuid(0x80000000, 0).eax;
    vmsr_cpu.amd = cpuid(0, 0).ebx == 0x68747541;          /* "Auth"enticAMD */
    vmsr_cpu.phys_bits = max_ext >= 0x80000008 ? (cpuid(0x80000008, 0).eax & 0xff) : 36;
    vmsr_cpu.nx = max_ext >= 0x80000001 && ((cpuid(0x80000001, 0).edx >> 20) & 1);
}

void vcpu_handle_pio(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
    uint32_t val = (uint32_t)v->regs.rax;
    vcpu_handle_io(v, port, size, in, &val);
    if (in && size == 4) {
        v->regs.rax = val;                  /* a 32-bit result zero-extends into RAX */
    } else if (in) {
        uint64_t mask = size == 2 ? 0xFFFFULL : 0xFFULL;
        v->regs.rax = (v->regs.rax & ~mask) | (val & mask);
    }
    arch_vcpu_skip_insn(v);
}
