/* Per-CPU state: one `struct percpu` for each CPU Kestrel runs, indexed by CPU number (0 is
 * the boot CPU), found from code running on a CPU by this_cpu().
 *
 * this_cpu() looks the CPU up by its local APIC id (the xAPIC's ID register, an MMIO read
 * of the host's own APIC) rather than through the GS base: under SVM, VMLOAD/VMSAVE and the
 * guest's own SWAPGS move GS base in and out of the world switch, and under VMX the host
 * GS base is a VMCS field, so a GS-based pointer would have to be kept right on every exit
 * path of both backends. The lookup needs none of that; it costs one uncached read, which
 * is nothing beside the exits that will use it. When the scheduler runs on every CPU and
 * owns those exit paths, moving to GS base is one change here.
 *
 * The boot CPU's stacks, GDT and TSS stay where they were (head.S's boot stack, gdt.c's
 * gdt_table and TSS); its percpu entry points at them. docs/architecture.md lists what else
 * is still a single global that will move here. */
#ifndef KESTREL_ARCH_PERCPU_H
#define KESTREL_ARCH_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/gdt.h"
#include "arch/smp_plan.h"          /* NR_CPUS */

#define PERCPU_STACK_PAGES   4      /* 16 KiB of hypervisor stack per application CPU */
#define PERCPU_IST_PAGES     2      /* 8 KiB each for the double-fault and NMI stacks */

struct percpu {
    unsigned index;                 /* CPU number: 0 the boot CPU, then in start order */
    uint32_t apic_id;
    volatile bool online;           /* set by the CPU itself once it runs in its idle loop */
    uint64_t stack_top;             /* its hypervisor stack (the boot stack for CPU 0) */
    uint64_t ist_top[2];            /* IST_DOUBLE_FAULT, IST_NMI stacks' tops */
    const void *guard[3];           /* the pages below those three stacks */
    uint64_t virt_area_pa;          /* VIRT_CPU_AREA_PAGES for the backend (APs; 0 on CPU 0) */
    uint64_t gdt[GDT_ENTRIES];      /* its GDT (APs; CPU 0 runs on head.S's gdt_table) */
    struct tss64 tss;               /* its TSS (APs; CPU 0's is gdt.c's) */
    char virt_why[64];              /* why virtualization could not be enabled, "" if it was */
};

/* The CPU running this code (CPU 0's entry before smp_prepare, and for an unknown APIC id). */
struct percpu *this_cpu(void);
/* CPU number `index`'s entry, NULL past the CPUs in the plan. */
struct percpu *percpu_of(unsigned index);
/* Record the CPUs of the plan (CPU 0 = the boot CPU) and their APIC ids; percpu_of then
 * answers for each. Called once, by smp_prepare. */
void percpu_init(const uint32_t *apic_ids, unsigned count);
/* The local APIC id of the CPU running this code. */
uint32_t cpu_apic_id(void);

#endif
