/* SMP bring-up, as the rest of Kestrel sees it: the CPUs the firmware describes are found
 * and counted (smp_prepare), then started (smp_boot_cpus); each application processor comes
 * up in long mode on its own stacks, GDT, TSS and IST stacks, with its local APIC and the
 * virtualization backend enabled, and idles (sti; hlt). Domains still run on CPU 0 only. */
#ifndef KESTREL_ARCH_SMP_H
#define KESTREL_ARCH_SMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm/phys.h"

/* Find the CPUs (ACPI MADT, else the MP table), plan which to start (nosmp, max_cpus: 0 no
 * limit) and set aside the trampoline's page below 1 MiB (from the memory map, clear of the
 * ranges in avoid). Logs what it found. Call once, after paging is up and before anything
 * else uses low memory. */
void smp_prepare(const struct mem_region *map, size_t n, const struct phys_range *avoid,
                 size_t navoid, bool nosmp, unsigned max_cpus);
/* Start every planned application processor, one at a time, logging each; a CPU that does
 * not report in is logged and skipped. Needs the calibrated TSC (udelay) and, to enable
 * virtualization on the APs, the backend already chosen. Interrupts off on the caller. */
void smp_boot_cpus(void);
/* CPUs online (1 before smp_boot_cpus). */
unsigned smp_cpus_online(void);
/* The CPU this code runs on: 0 the boot CPU, then in start order. */
unsigned smp_cpu_index(void);
/* Stop every other CPU for good (a panic): each takes an NMI and halts with interrupts off,
 * so nothing runs beside the panic's output. */
void smp_stop_others(void);
/* For the NMI handler: after smp_stop_others, never returns (this CPU halts); else false. */
bool smp_nmi_stops(void);
/* The online CPU numbers as a list of ranges ("0-3", "0,2"), cut to fit buf. */
void smp_online_list(char *buf, size_t size);

#endif
