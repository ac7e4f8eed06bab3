/* The per-CPU table and this_cpu(): which CPU is running, by its local APIC id (why not GS
 * base: arch/percpu.h). Filled once by smp_prepare on the boot CPU, before any other CPU
 * runs; read-only afterwards except for each entry's own fields. */
#include "arch/percpu.h"
#include "arch/cpu.h"

#define LAPIC_ID_REG   0xFEE00020ULL
#define APIC_IDS       256              /* xAPIC ids; higher ones are never started */

static struct percpu cpus[NR_CPUS] = { [0] = { .online = true } };
static unsigned ncpus = 1;
static uint8_t cpu_of_apic[APIC_IDS];   /* CPU number + 1 by APIC id; 0: not ours */
static bool have_lapic;

uint32_t cpu_apic_id(void)
{
    if (!have_lapic)
        return 0;
    return *(volatile uint32_t *)(uintptr_t)LAPIC_ID_REG >> 24;
}

void percpu_init(const uint32_t *apic_ids, unsigned count)
{
    have_lapic = (cpuid(1, 0).edx >> 9) & 1;
    if (count == 0 || !have_lapic)
        count = 1;
    ncpus = count > NR_CPUS ? NR_CPUS : count;
    for (unsigned i = 0; i < APIC_IDS; i++)
        cpu_of_apic[i] = 0;
    for (unsigned i = 0; i < ncpus; i++) {
        cpus[i].index = i;
        cpus[i].apic_id = apic_ids ? apic_ids[i] : 0;
        if (cpus[i].apic_id < APIC_IDS)
            cpu_of_apic[cpus[i].apic_id] = (uint8_t)(i + 1);
    }
    cpus[0].online = true;
}

struct percpu *this_cpu(void)
{
    if (ncpus == 1)
        return &cpus[0];
    uint8_t n = cpu_of_apic[cpu_apic_id() & (APIC_IDS - 1)];
    return n ? &cpus[n - 1] : &cpus[0];
}

struct percpu *percpu_of(unsigned index)
{
    return index < ncpus ? &cpus[index] : NULL;
}
