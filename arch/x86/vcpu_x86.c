/* x86 exit handling shared by the SVM and VMX backends: the CPUID a guest sees (the host's,
 * less what the vCPU does not give: VMX/SVM, the PMU, debug store,
 * thermal and power management, TSX and MPX, XSAVES, RDTSCP/RDPID (TSC_AUX),
 * speculation-control MSRs, SME/SEV, LA57, MONITOR; plus MTRR, PAT, TSC_ADJUST, the
 * local APIC with x2APIC and the TSC-deadline timer, which are emulated, the TSC and
 * APIC timer frequencies,
 * the guest's own CR4.OSXSAVE, and Kestrel's hypervisor leaves), the guest CPU model the
 * MSR emulation (arch/x86/vmsr.c) follows, RDMSR/WRMSR on it, XSETBV, and IN/OUT. Each
 * handler finishes its exit, as Jailhouse's vcpu.c does: registers written, then RIP moved
 * past the instruction through the backend (arch_vcpu_skip_insn) or an exception raised. */
#include "core/domain.h"
#include "arch/cpu.h"
#include "arch/processor.h"
#include "arch/vcpu_x86.h"
#include "arch/virt_backend.h"
#include "arch/time.h"
#include "console/log.h"
#include "public/kestrel.h"

/* Bytes of the XSAVE area for the components in xcr0, as CPUID 0xD reports them for the
 * XCR0 in force, which is the guest's, not the host's: the legacy region and the header,
 * then each enabled component. Standard format (0xD.0 EBX): each at its fixed offset
 * (0xD.i EBX). Compacted format (XSAVEC; XSAVES with IA32_XSS = 0, which is all a guest can
 * have; 0xD.1 EBX): packed in order, 64-byte aligned where 0xD.i ECX bit 1 asks. Computed
 * rather than passed through, since the host's answer is for the host's XCR0 (and Bochs
 * gives the standard-format size for the compacted one). */
static uint32_t xsave_area_size(uint64_t xcr0, bool compacted)
{
    uint32_t size = 576;
    for (unsigned i = 2; i < 63; i++) {
        if (!(xcr0 & (1ULL << i)))
            continue;
        struct cpuid_regs c = cpuid(0xd, i);
        if (!compacted) {
            if (c.ebx + c.eax > size)
                size = c.ebx + c.eax;
            continue;
        }
        if (c.ecx & 2)
            size = (size + 63) & ~63u;
        size += c.eax;
    }
    return size;
}

/* The fraction num/den closest to x/y with num <= max_num and den <= max_den (the
 * continued-fraction convergents and their best semiconvergent), x, y > 0. */
static void best_ratio(uint64_t x, uint64_t y, uint64_t max_num, uint64_t max_den,
                       uint32_t *num, uint32_t *den)
{
    uint64_t p0 = 0, q0 = 1, p1 = 1, q1 = 0;        /* convergents h(n-2)/k(n-2), h(n-1)/k(n-1) */
    while (y) {
        uint64_t a = x / y, r = x % y;
        uint64_t p2 = a * p1 + p0, q2 = a * q1 + q0;
        if (p2 > max_num || q2 > max_den) {
            /* The largest semiconvergent that fits, if it beats the last convergent. */
            uint64_t t = q1 ? (max_den - q0) / q1 : a, u = p1 ? (max_num - p0) / p1 : a;
            if (u < t)
                t = u;
            if (2 * t >= a && t) {
                p1 = t * p1 + p0;
                q1 = t * q1 + q0;
            }
            break;
        }
        p0 = p1; q0 = q1; p1 = p2; q1 = q2;
        x = y;
        y = r;
    }
    *num = (uint32_t)p1;
    *den = (uint32_t)(q1 ? q1 : 1);
}

/* The TSC and frequency leaves, from the TSC rate Kestrel measured at boot (the guest's
 * TSC runs at the host's): 0x15 gives TSC = crystal * EBX / EAX with the crystal being the
 * APIC timer's clock, which is how Linux on Intel learns both without calibrating against
 * an emulated PIT; 0x16 the base and bus MHz. Linux computes crystal_kHz * EBX in 32 bits,
 * so EBX is bounded by 2^32 / crystal_kHz and the ratio is the closest fraction under that
 * bound (for a 1 GHz crystal, within a fraction of a ppm). out[0..3] = EAX..EDX, zero on
 * entry; other leaves are left alone. */
static void cpuid_timing(uint32_t leaf, uint32_t out[4])
{
    uint64_t tsc_khz = tsc_hz() / 1000, crystal_khz = VCPU_APIC_BUS_HZ / 1000;
    if (leaf == 0x15 && tsc_khz) {
        best_ratio(tsc_khz, crystal_khz, 0xFFFFFFFFu / crystal_khz, 0xFFFFFFFFu,
                   &out[1], &out[0]);
        out[2] = VCPU_APIC_BUS_HZ;
    } else if (leaf == 0x16) {
        out[0] = out[1] = (uint32_t)(tsc_khz / 1000);
        out[2] = VCPU_APIC_BUS_HZ / 1000000;
    }
}

/* The filtered CPUID leaf: out = EAX, EBX, ECX, EDX. */
static void cpuid_for_guest(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    if (pvclock_cpuid(leaf, out))
        return;
    if (leaf >= 0x40000000 && leaf <= 0x4fffffff) {  /* hypervisor leaves: only ours */
        out[0] = out[1] = out[2] = out[3] = 0;
        if (leaf == KESTREL_CPUID_BASE) {
            out[0] = KESTREL_CPUID_TIMING;
            out[1] = KESTREL_CPUID_SIGNATURE_EBX;
            out[2] = KESTREL_CPUID_SIGNATURE_ECX;
            out[3] = KESTREL_CPUID_SIGNATURE_EDX;
        } else if (leaf == KESTREL_CPUID_INFO) {
            uint32_t vendor_ebx = cpuid(0, 0).ebx;
            out[0] = KESTREL_ABI_VERSION;
            out[1] = vendor_ebx == 0x68747541 ? KESTREL_HC_INSN_VMMCALL : KESTREL_HC_INSN_VMCALL;
            out[2] = (uint32_t)v->dom->id;
        } else if (leaf == KESTREL_CPUID_TIMING) {
            out[0] = (uint32_t)(tsc_hz() / 1000);
            out[1] = VCPU_APIC_BUS_HZ / 1000;
        }
        return;
    }
    uint32_t host_max = cpuid(0, 0).eax;
    if (leaf <= 0x16 && leaf > host_max) {  /* leaves Kestrel adds above the host's */
        out[0] = out[1] = out[2] = out[3] = 0;
        cpuid_timing(leaf, out);
        return;
    }
    struct cpuid_regs r = cpuid(leaf, subleaf);
    switch (leaf) {
    case 0:
        if (r.eax < 0x16)
            r.eax = 0x16;               /* the TSC and frequency leaves below */
        break;
    case 0x15:
    case 0x16: {
        uint32_t t[4] = { 0, 0, 0, 0 };
        cpuid_timing(leaf, t);
        r = (struct cpuid_regs){ .eax = t[0], .ebx = t[1], .ecx = t[2], .edx = t[3] };
        break;
    }
    case 1:
        r.ecx &= ~(1u << 5);            /* VMX */
        r.ecx &= ~(1u << 3);            /* MONITOR/MWAIT: intercepted, a guest idles in HLT */
        r.ecx |= 1u << 31;              /* running under a hypervisor */
        r.ecx |= (1u << 21) | (1u << 24);  /* x2APIC, TSC-deadline timer: emulated */
        r.ecx &= ~((1u << 2) | (1u << 4) | (1u << 15));  /* DTES64, DS-CPL, PDCM */
        r.edx |= 1u << 9;               /* APIC: emulated (core/irq.h) ... */
        if (!vlapic_hw_enabled(vcpu_lapic(v)))
            r.edx &= ~(1u << 9);        /* ... but this bit follows IA32_APIC_BASE.EN */
        r.edx &= ~((1u << 21) | (1u << 22) | (1u << 29)); /* DS, thermal ACPI, TM */
        r.edx |= (1u << 12) | (1u << 16);                 /* MTRR, PAT: emulated */
        r.ebx &= 0x0000ffffu;           /* one logical CPU per package ... */
        r.ebx |= (uint32_t)v->id << 24; /* ... whose initial APIC ID is the vCPU's id */
        r.edx &= ~(1u << 28);           /* HTT: no siblings in a package */
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
            r.ecx &= ~(1u << 4);        /* OSPKE: the guest's own CR4.PKE, not the host's */
            if (r.ecx & (1u << 3)) {
                struct vcpu_sregs sr;
                arch_vcpu_get_sregs(v, &sr);
                r.ecx |= (uint32_t)((sr.cr4 >> 22) & 1) << 4;
            }
            r.ebx |= 1u << 1;           /* TSC_ADJUST: emulated */
            r.ebx &= ~((1u << 4) | (1u << 11) | (1u << 14));  /* HLE, RTM, MPX */
            /* Instructions VMX lets a guest run only with their secondary controls, which
             * Kestrel leaves off (and SVM's guests do without): INVPCID, SGX, WAITPKG's
             * UMWAIT/TPAUSE, PCONFIG. */
            r.ebx &= ~((1u << 10) | (1u << 2));
            r.ecx &= ~(1u << 5);
            r.edx &= ~(1u << 18);
            r.ecx &= ~(1u << 22);       /* RDPID: TSC_AUX is not the guest's */
            r.ecx &= ~(1u << 16);       /* LA57: the vCPU walks 4-level tables only */
            r.edx &= ~0xfc000000u;      /* IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES,
                                           CORE_CAPABILITIES, SSBD: MSRs not offered */
        }
        break;
    case 0xd:
        if (subleaf == 0)
            r.ebx = xsave_area_size(fpu_guest_xcr0(&vcpu_x86(v)->fpu), false);
        if (subleaf == 1) {
            r.eax &= ~(1u << 3);        /* XSAVES: IA32_XSS is not virtualized */
            r.ebx = xsave_area_size(fpu_guest_xcr0(&vcpu_x86(v)->fpu), true);
        }
        break;
    case 0x80000001:
        r.ecx &= ~(1u << 2);            /* SVM */
        r.ecx &= ~((1u << 9) | (1u << 10) | (1u << 15) | (1u << 17));  /* OSVW IBS LWP TCE */
        r.ecx &= ~((1u << 23) | (1u << 24) | (1u << 28));  /* PMU counter extensions */
        r.edx &= ~((1u << 25) | (1u << 27));                /* FFXSR, RDTSCP */
        break;
    case 0x80000007:                    /* advanced power management */
        /* Invariant TSC: every vCPU of a domain reads the host's TSC plus one offset, and
         * Kestrel's own clock already counts on that TSC running at one rate (it calibrates
         * it once). Without the bit an AMD guest with several vCPUs marks its TSC unstable
         * ("TSCs unsynchronized") even though nothing can make them drift apart. */
        r.edx = (r.edx & (1u << 8)) | (1u << 8);
        r.eax = r.ebx = r.ecx = 0;
        break;
    case 0x80000008:
        r.ebx &= 0x5u;                  /* CLZERO, XSAVEERPTR; no IRPERF or speculation MSRs */
        break;
    case 0xb:                           /* x2APIC topology: the vCPU's own ID */
    case 0x1f:
        r.edx = (uint32_t)v->id;
        break;
    case 0x8000001e:                    /* AMD extended APIC ID */
        r.eax = (uint32_t)v->id;
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

/* The MSRs of the vCPU's local APIC (IA32_APIC_BASE, IA32_TSC_DEADLINE, the x2APIC
 * registers): 0, -1 for #GP, or 1 when msr is not one of them. */
static int lapic_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    struct vlapic *a = vcpu_lapic(v);
    if (msr == VLAPIC_MSR_APIC_BASE) {
        if (write)
            return vlapic_set_base(a, *val);
        *val = vlapic_base(a);
        return 0;
    }
    if (msr == VLAPIC_MSR_TSC_DEADLINE) {
        if (write)
            vlapic_tsc_deadline_write(a, *val);
        else
            *val = vlapic_tsc_deadline_read(a);
        return 0;
    }
    if (msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST)
        return write ? vlapic_msr_write(a, msr, *val) : vlapic_msr_read(a, msr, val);
    return 1;
}

uint64_t arch_vcpu_tsc(struct vcpu *v)
{
    return rdtsc() + vcpu_x86(v)->msrs.tsc_offset;
}

/* Say once per MSR (for the first few distinct ones of a domain) that an access gave #GP,
 * at the guest log level: what an operator needs to see why a guest misbehaves, without a
 * fuzzing guest flooding the log. */
static void note_gp_msr(struct vcpu *v, uint32_t msr, bool write)
{
    struct domain *d = v->dom;
    enum seen_once_result r = seen_once_note(&d->gp_msrs, msr);
    if (r != SEEN_BEFORE)
        gprintk(LOG_INFO, "d%d: %s of MSR %#x: #GP (not offered, or a value a CPU refuses)",
                d->id, write ? "wrmsr" : "rdmsr", msr);
    if (r == SEEN_NEW_LAST)
        gprintk(LOG_INFO, "d%d: further MSRs giving #GP are not logged", d->id);
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
    else if ((rc = lapic_msr(v, msr, write, &val)) != 1)
        ;
    else if ((rc = pvclock_msr(v, msr, write, &val)) != 1)
        ;
    else if (write)
        rc = vmsr_write(m, msr, val, rdtsc());
    else
        rc = vmsr_read(m, msr, rdtsc(), &val);
    if (rc) {
        note_gp_msr(v, msr, write);
        arch_vcpu_inject_exception(v, X86_EXC_GP, true, 0);
        return;
    }
    if (!write) {
        v->regs.rax = (uint32_t)val;
        v->regs.rdx = val >> 32;
    }
    if (m->tsc_offset != tsc_offset) {      /* a TSC or TSC_ADJUST write */
        virt_backend()->vcpu_set_tsc_offset(v, m->tsc_offset);
        pvclock_update(v);
    }
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
