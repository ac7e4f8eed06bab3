/* State shared by the files of the VMX backend (vmx.c: setup and the vCPU interface,
 * vmx_exit.c: the run loop and exit dispatcher); private to arch/x86/vmx. */
#ifndef KESTREL_ARCH_VMX_VMX_H
#define KESTREL_ARCH_VMX_VMX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/vcpu_x86.h"
#include "core/vcpu.h"

/* One entry of the VM-entry MSR-load / VM-exit MSR-store area. */
struct vmx_msr_entry {
    uint32_t index, reserved;
    uint64_t value;
};

/* MSRs the VMCS does not switch itself but the guest may use freely: the guest's loaded on
 * each entry and stored on each exit through one per-vCPU area, the host's loaded back on
 * each exit from one shared area (vmx.c). */
#define VMX_SWAPPED_MSRS 5
static const uint32_t vmx_swapped_msrs[VMX_SWAPPED_MSRS] = {
    0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, 0xC0000102,  /* STAR LSTAR CSTAR SFMASK,
                                                                    KERNEL_GS_BASE */
};

struct vmx_vcpu {
    struct vcpu_x86 x86;            /* first: the shared x86 state, switched at entry (only
                                       DR7 is in the VMCS) */
    uint64_t vmcs_pa;
    uint64_t msr_area_pa;           /* VMX_SWAPPED_MSRS struct vmx_msr_entry */
    uint64_t p2m_root;
    uint64_t cr2;                   /* not in the VMCS: switched by hand */
    uint16_t vpid;
    bool launched;                  /* VMRESUME from now on */
    bool in_use;
};
_Static_assert(offsetof(struct vmx_vcpu, x86) == 0, "vcpu_x86() reads v->arch as its x86 state");

/* Capabilities found by vmx_init, fixed afterwards. */
struct vmx_caps {
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint32_t pin, proc, proc2, exit, entry;     /* the controls every VMCS gets */
    uint64_t invvpid_type;                      /* 1 single context, 2 all, 0 none */
    uint32_t preempt_ticks;                     /* VMX-preemption timer per entry, 0 = none */
};
extern struct vmx_caps vmx_caps;

/* Make s's VMCS the current one (VMPTRLD when another was). */
void vmx_load(struct vmx_vcpu *s);
/* Guest-visible CR0/CR4 bits that the guest may not change without an exit. */
uint64_t vmx_cr0_mask(void);
uint64_t vmx_cr4_mask(void);
/* The value written to the real guest CR0/CR4 for a guest-visible value. */
uint64_t vmx_cr0_real(uint64_t guest);
uint64_t vmx_cr4_real(uint64_t guest);

/* vmx_entry.S: VMLAUNCH (launched 0) or VMRESUME, the guest's registers in and out of regs;
 * nonzero when the instruction failed (no entry). */
int vmx_world_switch(struct vcpu_regs *regs, int launched);
/* Chosen at link time: vmx_fastpath.c (none) or vmx_fastpath_floor.c (the bench-only floor
 * that resumes the guest at once after VMCALL and CPUID). Called right after a VM exit of
 * the current VMCS; true when the exit was finished and the guest may be re-entered. */
bool vmx_fastpath(struct vcpu_regs *regs);

/* vmx_exit.c */
void vmx_vcpu_run_once(struct vcpu *v);
void vmx_inject_exception(uint8_t vector, bool has_err, uint32_t err);
/* The backend operations the shared handlers finish their exits with (virt_backend.h). */
void vmx_vcpu_skip_insn(struct vcpu *v);
void vmx_vcpu_advance(struct vcpu *v, unsigned len);
void vmx_vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err);
int vmx_vcpu_efer(struct vcpu *v, bool write, uint64_t *val);
void vmx_vcpu_set_tsc_offset(struct vcpu *v, uint64_t offset);

#endif
