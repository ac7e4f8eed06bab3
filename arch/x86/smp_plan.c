/* SMP boot's host-testable decisions: the CPUs to start and the trampoline's page (the
 * contracts are in arch/smp_plan.h). */
#include "arch/smp_plan.h"
#include "lib/string.h"

#define TRAMPOLINE_LOW   0x1000ull      /* above the real-mode IVT and the BDA */
#define TRAMPOLINE_HIGH  0x9F000ull     /* below the usual EBDA and the VGA hole */
#define PAGE             0x1000ull

void smp_plan_cpus(const struct fw_cpus *fw, uint32_t bsp_apic, unsigned max_cpus, bool nosmp,
                   uint32_t max_apic_id, struct smp_plan *out)
{
    unsigned limit = nosmp ? 1 : max_cpus == 0 || max_cpus > NR_CPUS ? NR_CPUS : max_cpus;
    memset(out, 0, sizeof(*out));
    out->apic_id[0] = bsp_apic;
    out->count = 1;
    if (!fw)
        return;
    for (unsigned i = 0; i < fw->count && i < FW_CPUS_MAX; i++) {
        uint32_t id = fw->cpu[i].apic_id;
        if (id == bsp_apic)
            continue;
        if (id > max_apic_id)
            out->unreachable++;
        else if (out->count >= limit)
            out->capped++;
        else
            out->apic_id[out->count++] = id;
    }
    out->capped += fw->dropped;
}

/* Does [a, a + len) overlap [b, b + blen)? */
static bool overlaps(uint64_t a, uint64_t len, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + len;
}

/* Is the page at pa usable RAM, by an entry covering it whole and no other entry saying
 * otherwise? */
static bool page_usable(const struct mem_region *map, size_t n, uint64_t pa)
{
    bool covered = false;
    for (size_t i = 0; i < n; i++) {
        const struct mem_region *r = &map[i];
        if (r->len == 0 || r->base + r->len < r->base || !overlaps(pa, PAGE, r->base, r->len))
            continue;
        if (r->type != MEM_USABLE)
            return false;
        if (r->base <= pa && pa + PAGE <= r->base + r->len)
            covered = true;
    }
    return covered;
}

uint64_t smp_pick_trampoline(const struct mem_region *map, size_t n,
                             const struct phys_range *avoid, size_t navoid, uint64_t ebda)
{
    uint64_t top = TRAMPOLINE_HIGH;
    if (ebda && ebda < top)
        top = ebda & ~(PAGE - 1);
    for (uint64_t pa = top; pa >= TRAMPOLINE_LOW + PAGE; ) {
        pa -= PAGE;
        bool clear = page_usable(map, n, pa);
        for (size_t i = 0; clear && i < navoid; i++)
            if (avoid[i].end > avoid[i].start &&
                overlaps(pa, PAGE, avoid[i].start, avoid[i].end - avoid[i].start))
                clear = false;
        if (clear)
            return pa;
    }
    return 0;
}
