/* Guest memory: populating a domain's guest-physical space with zeroed frames (2 MiB runs
 * where the allocator has them), copying in and out of it, the balloon's release and
 * repopulation of single pages, and giving everything back when the domain dies. */
#include "core/domain.h"
#include "core/guestmem.h"
#include "mm/frame.h"
#include "core/debug.h"
#include "lib/string.h"
#include "arch/cpu.h"

#define PAGES_2M 512

int guestmem_populate(struct domain *d, uint64_t bytes)
{
    uint64_t gpa = 0;
    while (gpa < bytes) {
        if (!(gpa & (0x200000 - 1)) && bytes - gpa >= 0x200000) {
            uint64_t hpa = frame_alloc_contig(PAGES_2M, PAGES_2M);
            if (hpa) {
                /* Cleared on first touch where the backend can: building a domain then
                 * costs nothing per MiB, and memory a guest never uses is never written. */
                if (arch_p2m_map_lazy(d->p2m_root, gpa, hpa, 0x200000) != 0) {
                    cpu_zero_qwords((void *)(uintptr_t)hpa, 0x200000);
                    if (arch_p2m_map(d->p2m_root, gpa, hpa, 0x200000, true) != 0) {
                        frame_free_contig(hpa, PAGES_2M);
                        return -1;
                    }
                }
                d->mem_pages += PAGES_2M;
                gpa += 0x200000;
                continue;
            }
        }
        uint64_t hpa = frame_alloc();
        if (!hpa)
            return -1;
        cpu_zero_qwords((void *)(uintptr_t)hpa, FRAME_SIZE);
        if (arch_p2m_map(d->p2m_root, gpa, hpa, FRAME_SIZE, false) != 0) {
            frame_free(hpa);
            return -1;
        }
        d->mem_pages++;
        gpa += FRAME_SIZE;
    }
    ASSERT(d->mem_pages <= d->max_pages);
    return 0;
}

static void free_leaf(uint64_t hpa, uint64_t size)
{
    frame_free_contig(hpa, size / FRAME_SIZE);
}

void guestmem_release_all(struct domain *d)
{
    arch_p2m_destroy(d->p2m_root, free_leaf);
    d->p2m_root = 0;
    d->mem_pages = 0;
}

/* Copy between guest-physical memory and a host buffer, page by page. */
static int guest_copy(struct domain *d, uint64_t gpa, void *buf, size_t n, bool to_guest)
{
    if (!d->p2m_root || gpa + n < gpa)
        return -1;
    uint8_t *p = buf;
    while (n) {
        size_t chunk = FRAME_SIZE - (gpa & (FRAME_SIZE - 1));
        if (chunk > n)
            chunk = n;
        uint8_t *h = arch_gpa_to_hva(d->p2m_root, gpa);
        if (!h && arch_p2m_fault_in(d->p2m_root, gpa))
            h = arch_gpa_to_hva(d->p2m_root, gpa);
        if (!h)
            return -1;
        if (to_guest)
            memcpy(h, p, chunk);
        else
            memcpy(p, h, chunk);
        p += chunk;
        gpa += chunk;
        n -= chunk;
    }
    return 0;
}

int domain_copy_to(struct domain *d, uint64_t gpa, const void *src, size_t n)
{
    return guest_copy(d, gpa, (void *)src, n, true);
}

int domain_copy_from(struct domain *d, void *dst, uint64_t gpa, size_t n)
{
    return guest_copy(d, gpa, dst, n, false);
}

/* Is [gpa, gpa + pages) a page-aligned range inside the domain's address space (maxmem)? */
static bool range_ok(struct domain *d, uint64_t gpa, uint64_t pages)
{
    if (gpa & (FRAME_SIZE - 1) || pages > d->max_pages)
        return false;
    uint64_t end = gpa + pages * FRAME_SIZE;
    return end >= gpa && end <= d->max_pages * FRAME_SIZE;
}

int64_t guestmem_decrease(struct domain *d, uint64_t gpa, uint64_t pages)
{
    if (!range_ok(d, gpa, pages))
        return -1;
    int64_t done = 0;
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t hpa = arch_p2m_unmap_4k(d->p2m_root, gpa + i * FRAME_SIZE);
        if (!hpa)
            continue;           /* already released */
        ASSERT((hpa & (FRAME_SIZE - 1)) == 0 && d->mem_pages > 0);
        frame_free(hpa);
        d->mem_pages--;
        done++;
    }
    for (unsigned i = 0; done && i < d->nr_vcpus; i++)
        arch_vcpu_flush_tlb(domain_vcpu(d, i));     /* every vCPU, before it next runs */
    return done;
}

int64_t guestmem_increase(struct domain *d, uint64_t gpa, uint64_t pages)
{
    if (!range_ok(d, gpa, pages))
        return -1;
    int64_t done = 0;
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t page = gpa + i * FRAME_SIZE;
        if (arch_gpa_to_hva(d->p2m_root, page) || arch_p2m_fault_in(d->p2m_root, page))
            continue;           /* already there (perhaps not yet touched) */
        if (d->mem_pages >= d->max_pages)
            break;
        uint64_t hpa = frame_alloc();
        if (!hpa)
            break;
        cpu_zero_qwords((void *)(uintptr_t)hpa, FRAME_SIZE);
        if (arch_p2m_map(d->p2m_root, page, hpa, FRAME_SIZE, false) != 0) {
            frame_free(hpa);
            break;
        }
        d->mem_pages++;
        done++;
    }
    ASSERT(d->mem_pages <= d->max_pages);
    return done;
}
