/* A vCPU's model-specific registers, as its guest sees them (both backends). Every MSR a
 * guest reads or writes exits, except the short allow-list the hardware itself switches
 * per guest on every world switch (vmsr_passthrough); each exiting access comes here and
 * is emulated on this per-vCPU state with a real CPU's checks: a reserved bit or an invalid
 * value is #GP, and nothing is ever written to a physical MSR on the guest's behalf.
 * EFER lives in the backend's guest-state area; its write rules are vmsr_efer_check's.
 * Pure model: no hardware access (the host TSC is passed in), so it builds and is tested
 * on the host (tests/unit/test_vmsr.c, tests/fuzz/fuzz_vmsr.c). docs/msrs.md lists every
 * MSR with what a guest reads and what a write does. */
#ifndef KESTREL_ARCH_VMSR_H
#define KESTREL_ARCH_VMSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/processor.h"

#define VMSR_MTRR_VAR   8       /* variable-range MTRR pairs offered (MTRRCAP.VCNT) */
#define VMSR_MTRR_FIXED 11      /* the fixed-range MTRRs */

/* What the guest's CPU is, for the vendor-specific MSRs and the address-width checks. */
struct vmsr_cpu {
    bool amd;                   /* AMD's MSRs (HWCR, SYSCFG, VM_CR...); else Intel's */
    unsigned phys_bits;         /* MAXPHYADDR: address bits above it are reserved */
    bool nx;                    /* EFER.NXE may be set */
};

struct vmsr_state {
    uint64_t tsc_offset;        /* guest TSC = host TSC + tsc_offset (the backend loads it) */
    uint64_t tsc_adjust;        /* IA32_TSC_ADJUST: moves with every TSC write */
    uint64_t apic_base;
    uint64_t pat;
    uint64_t mtrr_def_type;
    uint64_t mtrr_fixed[VMSR_MTRR_FIXED];
    uint64_t mtrr_var[2 * VMSR_MTRR_VAR];   /* PHYSBASEn, PHYSMASKn */
    uint64_t mcg_status;
    uint64_t hwcr;              /* AMD: McStatusWrEn is the one writable bit */
};

/* The guest CPU model every vCPU shares (set once at boot from the host's CPUID). */
extern struct vmsr_cpu vmsr_cpu;

/* The MSRs the hardware switches per guest (VMLOAD/VMSAVE on SVM, the VMCS guest state
 * or its MSR areas on VMX): the only ones a guest reads and writes without an exit. */
extern const uint32_t vmsr_passthrough[];
extern const size_t vmsr_passthrough_count;

/* The state a vCPU has after RESET (TSC offset 0: the guest reads the host's TSC). */
void vmsr_reset(struct vmsr_state *m);
/* RDMSR of msr by the guest: 0 with *val set, or -1 for #GP. host_tsc is the host's TSC
 * now. */
int vmsr_read(const struct vmsr_state *m, uint32_t msr, uint64_t host_tsc, uint64_t *val);
/* WRMSR of val to msr by the guest: 0 when the CPU would accept it (the state changed as
 * it would), -1 for #GP (nothing changed). */
int vmsr_write(struct vmsr_state *m, uint32_t msr, uint64_t val, uint64_t host_tsc);
/* Would a WRMSR of val to EFER be accepted, given the current value and whether paging is
 * on (CR0.PG)? Reserved and unoffered bits (SVME, LMSLE, FFXSR, TCE) and changing LME
 * with paging on are #GP. The caller keeps LMA as it was: it follows CR0.PG, not writes. */
bool vmsr_efer_check(uint64_t old, uint64_t val, bool paging);

#endif
