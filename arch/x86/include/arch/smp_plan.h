/* The decisions of SMP boot that need no hardware, so they are tested on the host: which
 * of the firmware's processors to start and in what order (nosmp, maxcpus=, the APIC ids
 * the host's APIC mode can address), and which page below 1 MiB takes the real-mode
 * trampoline the application processors start in. */
#ifndef KESTREL_ARCH_SMP_PLAN_H
#define KESTREL_ARCH_SMP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/fw_cpus.h"
#include "mm/phys.h"

#define NR_CPUS 64                  /* the most CPUs Kestrel runs (Xen's default is 256) */

struct smp_plan {
    uint32_t apic_id[NR_CPUS];      /* [0] is the boot CPU; then the ones to start, in order */
    unsigned count;                 /* CPUs in the plan, the boot CPU included (>= 1) */
    unsigned capped;                /* enabled CPUs left out by nosmp / maxcpus= / NR_CPUS */
    unsigned unreachable;           /* left out: APIC id above max_apic_id */
};

/* Plan the CPUs: the boot CPU (bsp_apic) first, then every processor of fw (may be NULL:
 * none found) other than it, in table order, at most max_cpus in all (0: no limit; always
 * at least the boot CPU; nosmp: the boot CPU alone), none with an APIC id above
 * max_apic_id (254 in xAPIC mode: 255 is the broadcast id). */
void smp_plan_cpus(const struct fw_cpus *fw, uint32_t bsp_apic, unsigned max_cpus, bool nosmp,
                   uint32_t max_apic_id, struct smp_plan *out);

/* A 4 KiB page for the trampoline: usable in the memory map (and no other entry overlapping
 * it), at or above 0x1000 (the IVT and BDA) and below both 0x9F000 and the EBDA (ebda; 0:
 * unknown), and clear of every range in avoid (modules, the loader's data). The highest such
 * page (a SIPI vector addresses it: page number below 0x100), or 0 when there is none. */
uint64_t smp_pick_trampoline(const struct mem_region *map, size_t n,
                             const struct phys_range *avoid, size_t navoid, uint64_t ebda);

#endif
