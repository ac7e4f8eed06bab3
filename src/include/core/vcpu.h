/* The architecture-neutral vCPU interface. The core creates, runs and inspects vCPUs only
 * through these functions; a backend (arch/x86/svm or arch/x86/vmx, chosen at boot by
 * arch/x86/virt.c) implements the arch_vcpu_* half and calls back into the shared exit
 * handlers declared at the bottom. */
#ifndef KESTREL_CORE_VCPU_H
#define KESTREL_CORE_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sched/policy.h"

struct domain;

/* Guest general registers as the core sees them (the backend keeps them in sync). */
struct vcpu_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

struct vcpu_segment {
    uint16_t sel, attr;
    uint32_t limit;
    uint64_t base;
};

/* The state a vCPU starts in: decided by the core from the kernel's boot protocol
 * (Multiboot today, Linux's next; see mbimage_entry_state), loaded as given by the backend
 * (arch_vcpu_reset). x86: general registers, RIP and RFLAGS; the segments, their
 * attributes in struct vcpu_segment's 12-bit form (type, S, DPL, P at bits 0-7; AVL, L,
 * D/B, G at bits 8-11); the control registers and EFER, which say the mode and paging. */
struct vcpu_entry {
    struct vcpu_regs regs;
    struct vcpu_segment cs, ds, es, fs, gs, ss, tr, ldtr, gdtr, idtr;
    uint64_t cr0, cr3, cr4, efer;
};

/* Control state, for `dump`. */
struct vcpu_sregs {
    uint64_t cr0, cr2, cr3, cr4, efer;
    struct vcpu_segment cs, ds, es, fs, gs, ss, tr, ldtr, gdtr, idtr;
    bool interrupt_shadow;
    uint64_t pending_event;
};

/* Why the guest stopped, counted per vCPU and shown by `dump` (names in vcpu_exit_name). */
enum vcpu_exit {
    EXIT_CPUID, EXIT_HLT, EXIT_IO, EXIT_MSR, EXIT_HYPERCALL, EXIT_NPF, EXIT_SHUTDOWN,
    EXIT_INTR, EXIT_VINTR, EXIT_VIRT_INSN, EXIT_EXCEPTION, EXIT_INVALID, EXIT_OTHER,
    EXIT_COUNT
};
const char *vcpu_exit_name(enum vcpu_exit e);

struct vcpu {
    struct domain *dom;
    int id;
    struct sched_entity se;
    struct vcpu_regs regs;
    bool blocked;               /* in HLT or HC_BLOCK, off the run queue */
    uint64_t wake_at_ns;        /* HC_BLOCK timeout, 0 = none */
    bool stop;                  /* leave the run loop at the next exit */
    bool long_mode;             /* the guest runs 64-bit code (set by the backend per exit) */
    uint64_t exits[EXIT_COUNT];
    uint64_t injected_irqs;
    void *arch;                 /* backend state (the VMCB or VMCS lives behind this) */
};

/* ---- implemented by the backend ------------------------------------------------------ */

/* Detect and enable hardware virtualization on this CPU. On failure returns false and
 * writes a one-line reason ("this CPU has no AMD SVM; ...") into why. */
bool arch_virt_init(char *why, size_t whysz);
/* "AMD SVM with NPT" or "Intel VMX with EPT", for `cpuinfo` and the boot log. */
const char *arch_virt_name(void);
/* Allocate the backend's per-vCPU state; -1 when out of memory. */
int arch_vcpu_create(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
/* Reset the vCPU over the guest's address space (p2m_root) into the entry state e, every
 * other piece of its state as after a CPU RESET (FPU, MSRs, debug registers). */
void arch_vcpu_reset(struct vcpu *v, const struct vcpu_entry *e, uint64_t p2m_root);
/* Run the guest until an exit the backend cannot finish alone, handling the rest through
 * the shared handlers below; returns after each exit so the core can schedule. */
void arch_vcpu_run_once(struct vcpu *v);
/* Interrupt delivery: true when the guest can take an external interrupt now. */
bool arch_vcpu_interruptible(struct vcpu *v);
void arch_vcpu_inject_irq(struct vcpu *v, uint8_t vector);
/* Ask for an exit as soon as the guest can take an interrupt. */
void arch_vcpu_request_irq_window(struct vcpu *v);
void arch_vcpu_get_sregs(struct vcpu *v, struct vcpu_sregs *s);
/* Drop the guest's cached translations before it next runs (after the p2m shrank). */
void arch_vcpu_flush_tlb(struct vcpu *v);
/* For the shared exit handlers, which finish the exit they handle: the instruction that
 * exited is emulated, so move the guest past it (as the CPU would, ending an STI or MOV SS
 * interrupt shadow on VMX); or make it raise an exception instead (x86: the vector, and the
 * error code when has_err). */
void arch_vcpu_skip_insn(struct vcpu *v);
/* The same for an instruction of len bytes the hypervisor decoded itself (x86: an MMIO
 * access, whose exit gives no length). */
void arch_vcpu_advance(struct vcpu *v, unsigned len);
void arch_vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err);
/* The guest's time-stamp counter now (the host's plus the vCPU's offset). */
uint64_t arch_vcpu_tsc(struct vcpu *v);
/* Translate a guest-physical address to a host pointer through the nested tables. */
void *arch_gpa_to_hva(uint64_t p2m_root, uint64_t gpa);

/* The guest-physical -> host-physical map (nested page tables on SVM, EPT on VMX). */
uint64_t arch_p2m_create(void);                                   /* empty; 0 = no memory */
int arch_p2m_map(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool large);
uint64_t arch_p2m_unmap_4k(uint64_t root, uint64_t gpa);          /* hpa that was there, or 0 */
/* Map 2 MiB-aligned frames that are cleared on first touch; -1 when the backend cannot (the
 * caller then clears and maps them itself). */
int arch_p2m_map_lazy(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size);
/* For the hypervisor's own access to gpa: clear and enable its lazy 4 KiB page; false when
 * there is none there. */
bool arch_p2m_fault_in(uint64_t root, uint64_t gpa);
/* Free the tables; free_leaf gets each mapped range (hpa, size) first. */
void arch_p2m_destroy(uint64_t root, void (*free_leaf)(uint64_t hpa, uint64_t size));
uint64_t arch_p2m_table_pages(uint64_t root);

/* ---- shared exit handlers, called by the backend ------------------------------------- */

/* Each handler that emulates an instruction finishes its exit: RIP moved past it
 * (arch_vcpu_skip_insn) or an exception raised. The x86 instructions both backends emulate
 * alike (CPUID, RDMSR/WRMSR, XSETBV, IN/OUT) have theirs in arch/x86 (arch/vcpu_x86.h). */

/* Port I/O to the domain's devices; unknown ports read as all ones. The access only: the
 * caller (IN/OUT, string I/O) finishes the instruction. */
void vcpu_handle_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);

/* The port accesses an exit fast path may finish on its own (the backend re-enters the
 * guest at once, without the run loop): those that change no interrupt line and need no
 * host work (the UART's polled console output, PCI configuration reads). Does the access
 * as vcpu_handle_io would, counts the exit, and returns true; or does nothing and returns
 * false. The access only: the caller finishes the instruction. */
bool vcpu_fast_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);
/* VMMCALL/VMCALL: skipped, registers in v->regs, result into v->regs.rax. */
void vcpu_handle_hypercall(struct vcpu *v);
/* HLT: skipped; the vCPU blocks unless an interrupt is deliverable. */
void vcpu_handle_hlt(struct vcpu *v);
/* The guest touched guest-physical memory it does not have: crash the domain. */
void vcpu_handle_bad_gpa(struct vcpu *v, uint64_t gpa, bool write);
/* Triple fault, or a guest state the hardware refused: crash with a reason. */
void vcpu_handle_fatal(struct vcpu *v, const char *why);

/* ---- between exits, for the scheduler (src/core/vcpu.c) ------------------------------ */

/* Device bookkeeping before entry: the device lines and timers brought up to date
 * (core/irq.h), then the highest pending vector injected, or an exit requested for when
 * the guest can take it. */
void vcpu_prepare_entry(struct vcpu *v);
/* A blocked vCPU's wake test: its HC_BLOCK timeout passed or an interrupt is deliverable. */
bool vcpu_should_wake(struct vcpu *v, uint64_t now);
/* When something outside v will next want it to run (time_now_ns scale): its HC_BLOCK
 * timeout, or its devices' next interrupt (domain_irq_next_event_ns: the PIT's IRQ 0 edge
 * if it can get through, the local APIC timer), that one only while the vCPU can take it
 * (running, or blocked with IF set: other events wake nobody). UINT64_MAX when
 * nothing is due. The scheduler arms the host timer for it, so guest timers faster than
 * the 100 Hz host tick and short timeouts are kept to time. */
uint64_t vcpu_next_event_ns(const struct vcpu *v);

#endif
