/* The x86 half of the vCPU that both backends share (arch/x86/vcpu_x86.c): the per-vCPU
 * state neither SVM nor VMX switches (extended FPU state and XCR0, the emulated MSRs, the
 * debug registers), and the exit handlers for the instructions whose emulation is the same
 * on both. Each handler finishes its exit: registers written, and RIP moved past the
 * instruction through arch_vcpu_skip_insn or an exception raised through
 * arch_vcpu_inject_exception (core/vcpu.h). Private to arch/x86. */
#ifndef KESTREL_ARCH_VCPU_X86_H
#define KESTREL_ARCH_VCPU_X86_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vcpu.h"
#include "arch/fpu.h"
#include "arch/vmsr.h"
#include "arch/debugregs.h"
#include "arch/pvclock.h"
#include "vdev/lapic.h"

/* The local APIC timer's input clock (vdev/lapic.h: 1 GHz), which CPUID 0x15 reports as
 * the core crystal, as on Intel parts, and 0x40000010 as the APIC bus. */
#define VCPU_APIC_BUS_HZ ((uint32_t)VLAPIC_BUS_HZ)

/* The first member of each backend's per-vCPU structure (struct svm_vcpu, struct vmx_vcpu),
 * so the shared handlers reach it from v->arch without asking the backend. */
struct vcpu_x86 {
    struct fpu_state fpu;       /* x87/SSE/AVX registers and XCR0 */
    struct vmsr_state msrs;     /* every MSR the guest has that the VMCB/VMCS does not hold */
    struct dr_state dr;         /* DR0-DR3 (and DR6 on VMX) */
    struct pvclock_state pv;    /* the paravirtual clock's MSRs (arch/pvclock.h) */
};

static inline struct vcpu_x86 *vcpu_x86(struct vcpu *v)
{
    return (struct vcpu_x86 *)v->arch;
}

/* The guest CPU model of the MSR emulation (arch/vmsr.h) from the host's CPUID: vendor,
 * physical address width, NX. Once at boot, before any vCPU runs. */
void vcpu_model_init(void);
/* CPUID (leaf in EAX, subleaf in ECX) with Kestrel's filtering: virtualization hidden,
 * hypervisor leaves added; the result in EAX..EDX. */
void vcpu_handle_cpuid(struct vcpu *v);
/* RDMSR/WRMSR (MSR in ECX, value in EDX:EAX) that exited: EFER through the backend's
 * vcpu_efer, the rest on the vCPU's own MSR state; #GP where a CPU would give it. */
void vcpu_handle_msr(struct vcpu *v, bool write);
/* XSETBV (XCR in ECX, value in EDX:EAX): the vCPU's own XCR0, #UD or #GP as the CPU does. */
void vcpu_handle_xsetbv(struct vcpu *v);
/* A guest access to guest-physical memory that is not its RAM (arch/x86/mmio_exit.c): an
 * MMIO device's register, emulated and stepped over, or a crash of the domain. */
void vcpu_handle_npf(struct vcpu *v, uint64_t gpa, bool write);
/* IN/OUT with the value in RAX: the device access (core's vcpu_handle_io), and an IN's
 * result merged into AL/AX/EAX as the instruction would. */
void vcpu_handle_pio(struct vcpu *v, uint16_t port, unsigned size, bool in);

#endif
