/* The guest's page walk done in software (see arch/guest_walk.h). Table entries are read
 * from guest memory with domain_copy_from; a guest-physical address outside the domain, or
 * an entry without its present bit, ends the walk. */
#include "arch/guest_walk.h"
#include "core/domain.h"
#include "core/guestmem.h"
#include "arch/processor.h"

/* Read the guest-physical u64 at gpa (8-aligned); false when outside the guest. */
static bool read_gpa64(struct domain *dom, uint64_t gpa, uint64_t *out)
{
    return !(gpa & 7) && domain_copy_from(dom, out, gpa, 8) == 0;
}

/* 32-bit paging: page directory, then a page table unless the PDE maps 4 MiB (PSE). */
static bool walk_32bit(const struct guest_paging *pg, uint64_t lin, uint64_t *gpa)
{
    uint64_t e, pde_pa = (pg->cr3 & 0xfffff000ULL) + ((lin >> 22) & 0x3ff) * 4;
    if (!read_gpa64(pg->dom, pde_pa & ~7ULL, &e))
        return false;
    e = (pde_pa & 4) ? e >> 32 : e & 0xffffffffULL;
    if (!(e & 1))
        return false;
    if ((e & 0x80) && (pg->cr4 & CR4_PSE)) {
        *gpa = (e & 0xffc00000ULL) | (lin & 0x3fffff);
        return true;
    }
    uint64_t pte_pa = (e & 0xfffff000ULL) + ((lin >> 12) & 0x3ff) * 4;
    if (!read_gpa64(pg->dom, pte_pa & ~7ULL, &e))
        return false;
    e = (pte_pa & 4) ? e >> 32 : e & 0xffffffffULL;
    if (!(e & 1))
        return false;
    *gpa = (e & 0xfffff000ULL) | (lin & 0xfff);
    return true;
}

/* Contract in the header. */
bool guest_linear_to_gpa(const struct guest_paging *pg, uint64_t lin, uint64_t *gpa)
{
    if (!(pg->cr0 & CR0_PG)) {
        *gpa = lin & 0xffffffffULL;
        return true;
    }
    if (!(pg->cr4 & CR4_PAE))
        return walk_32bit(pg, lin, gpa);
    bool lm = pg->efer & EFER_LMA;
    int levels = lm ? 4 : 3;
    uint64_t e, table = lm ? pg->cr3 & 0x000ffffffffff000ULL : pg->cr3 & 0xffffffe0ULL;
    for (int level = levels - 1; level >= 0; level--) {
        unsigned idx = (level == 2 && !lm) ? (unsigned)((lin >> 30) & 3)
                                            : (unsigned)((lin >> (12 + 9 * level)) & 511);
        if (!read_gpa64(pg->dom, table + idx * 8, &e) || !(e & 1))
            return false;
        uint64_t addr = e & 0x000ffffffffff000ULL;
        if (level > 0 && level < 3 && (e & 0x80)) {         /* 2 MiB or 1 GiB page */
            uint64_t span = 1ULL << (12 + 9 * level);
            *gpa = (addr & ~(span - 1)) | (lin & (span - 1));
            return true;
        }
        if (level == 0) {
            *gpa = addr | (lin & 0xfff);
            return true;
        }
        table = addr;
    }
    return false;
}

/* Copy page by page in either direction. */
static bool copy_linear(const struct guest_paging *pg, uint64_t lin, uint8_t *buf, size_t n,
                        bool to_guest)
{
    while (n) {
        size_t chunk = 0x1000 - (lin & 0xfff);
        if (chunk > n)
            chunk = n;
        uint64_t gpa;
        if (!guest_linear_to_gpa(pg, lin, &gpa))
            return false;
        if ((to_guest ? domain_copy_to(pg->dom, gpa, buf, chunk)
                      : domain_copy_from(pg->dom, buf, gpa, chunk)) != 0)
            return false;
        buf += chunk;
        lin += chunk;
        n -= chunk;
    }
    return true;
}

/* Contract in the header. */
bool guest_read_linear(const struct guest_paging *pg, uint64_t lin, void *buf, size_t n)
{
    return copy_linear(pg, lin, buf, n, false);
}

/* Contract in the header. */
bool guest_write_linear(const struct guest_paging *pg, uint64_t lin, const void *buf,
                        size_t n)
{
    return copy_linear(pg, lin, (uint8_t *)(uintptr_t)buf, n, true);
}

/* Contract in the header. Byte by byte: the bytes before a page that does not translate
 * still count. */
size_t guest_fetch_insn(const struct guest_paging *pg, uint64_t lin, uint8_t insn[15])
{
    size_t have = 0;
    while (have < 15 && guest_read_linear(pg, lin + have, &insn[have], 1))
        have++;
    return have;
}
