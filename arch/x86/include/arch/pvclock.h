/* The paravirtual clock a guest reads without exits (arch/x86/pvclock.c): KVM's kvmclock
 * ABI (Linux's Documentation/virt/kvm/x86/msr.rst), which Linux, the BSDs and Windows'
 * drivers know. Kestrel answers it at CPUID 0x40000100 beside its own leaves at
 * 0x40000000, as Xen offers Hyper-V's interface beside its own: the guest learns the TSC
 * frequency from it instead of calibrating against an emulated PIT (whose every read is an
 * exit, far too slow for Linux's calibration under an emulator), and a clock that stays
 * true while its vCPU is descheduled. Only the clock: no other KVM feature is offered.
 * Private to arch/x86. */
#ifndef KESTREL_ARCH_PVCLOCK_H
#define KESTREL_ARCH_PVCLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

#define PVCLOCK_CPUID_BASE     0x40000100u   /* "KVMKVMKVM\0\0\0" */
#define PVCLOCK_CPUID_FEATURES 0x40000101u
#define PVCLOCK_MSR_WALL_CLOCK  0x4b564d00u  /* MSR_KVM_WALL_CLOCK_NEW */
#define PVCLOCK_MSR_SYSTEM_TIME 0x4b564d01u  /* MSR_KVM_SYSTEM_TIME_NEW */

/* The per-vCPU state: what the guest last wrote to the two MSRs. */
struct pvclock_state {
    uint64_t wall_clock_msr;
    uint64_t system_time_msr;       /* bit 0: enabled; the rest the structure's address */
};

/* The parameters of the time structure for a TSC of tsc_hz: ns = (delta shifted by shift)
 * * mul / 2^32, shift negative for a right shift, mul in [2^31, 2^32). Pure. */
void pvclock_scale(uint64_t tsc_hz, int8_t *shift, uint32_t *mul);

/* CPUID leaves PVCLOCK_CPUID_BASE and _FEATURES into out[0..3] (EAX..EDX); false for
 * other leaves. */
bool pvclock_cpuid(uint32_t leaf, uint32_t out[4]);

/* RDMSR/WRMSR of the two MSRs: 0; 1 when msr is not one of them. A write publishes the
 * structure at the address written (a write the guest's memory cannot take leaves the
 * clock disabled). */
int pvclock_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

/* Publish the time structure again (the guest's TSC offset changed). */
void pvclock_update(struct vcpu *v);

#endif
