/* balloon: follows the `mem-set` target. Every 100 ms it reads KESTREL_MEMOP_TARGET and
 * _CURRENT; above the target it releases pages from the top of its memory (DECREASE),
 * below it repopulates them (INCREASE) and checks each page it gets back with a
 * write/read pattern. Prints `balloon: target <t> pages, holding <h> pages` when either
 * changes; after a release that leaves part of a 2 MiB run, it runs code in the page below
 * the released ones and says `balloon: code runs in page <p> beside released pages: ok`. Bare (no hypervisor) it says so, tests its pattern check and powers off. */
#include "guest.h"

#define PAGE 4096u
#define CHUNK 4096u                    /* pages per hypercall (16 MiB) */

/* Write an address-dependent pattern over n pages at pfn, read it back; false on mismatch. */
static bool verify_pages(uint32_t pfn, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        volatile uint32_t *p = (volatile uint32_t *)((pfn + i) * PAGE);
        for (uint32_t w = 0; w < PAGE / 4; w++)
            p[w] = ((pfn + i) * PAGE + w * 4) ^ 0x5a5aa5a5u;
        for (uint32_t w = 0; w < PAGE / 4; w++)
            if (p[w] != (((pfn + i) * PAGE + w * 4) ^ 0x5a5aa5a5u)) {
                printf("balloon: page 0x%x word %u reads 0x%08x: BAD\n", (unsigned)(pfn + i),
                       (unsigned)w, (unsigned)p[w]);
                return false;
            }
    }
    return true;
}

/* Run a few bytes of code (mov eax, magic; ret) from the end of page pfn; true when they
 * ran and returned the magic. The page shares a 2 MiB run with pages just given back, so
 * its nested/extended page table entry is one the split made: it must keep every
 * permission the run had, execute included. */
static bool code_runs_in(uint32_t pfn)
{
    uint32_t magic = 0xc0de0000u | (pfn & 0xffffu);
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)(pfn * PAGE + PAGE - 16);
    p[0] = 0xb8;                        /* mov eax, imm32 */
    for (int i = 0; i < 4; i++)
        p[1 + i] = (uint8_t)(magic >> (8 * i));
    p[5] = 0xc3;                        /* ret */
    uint32_t (*fn)(void) = (uint32_t (*)(void))(uintptr_t)p;
    return fn() == magic;
}

/* HC_MEMORY_OP shorthand. */
static long memop(uint32_t cmd, uint32_t pfn, uint32_t n)
{
    return hypercall(HC_MEMORY_OP, cmd, pfn * PAGE, n, 0);
}

/* Follow the target forever. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "balloon";
    uint32_t top = (uint32_t)(mbi_ram_end() / PAGE);  /* pages [top, ...) are not held */
    uint32_t floor = (uint32_t)_image_end / PAGE + 16;
    printf("balloon: memory ends at page 0x%x, will not go below page 0x%x\n",
           (unsigned)top, (unsigned)floor);
    if (!under_kestrel) {
        bool ok = verify_pages(top - 16, 16);
        printf("balloon: no hypervisor; pattern check of the top 16 pages %s\n",
               ok ? "ok" : "FAILED");
        return ok ? 0 : 1;
    }
    long last_t = -1, last_c = -1, last_err = 0;
    for (;;) {
        long t = memop(KESTREL_MEMOP_TARGET, 0, 0), c = memop(KESTREL_MEMOP_CURRENT, 0, 0);
        if (t < 0 || c < 0) {
            printf("balloon: memory op failed: target %ld current %ld\n", t, c);
            sleep_us(1000000);
            continue;
        }
        if (t != last_t || c != last_c)
            printf("balloon: target %ld pages, holding %ld pages\n", t, c);
        last_t = t;
        last_c = c;
        if (c > t && top > floor) {
            uint32_t n = (uint32_t)(c - t);
            if (n > CHUNK) n = CHUNK;
            if (n > top - floor) n = top - floor;
            long r = memop(KESTREL_MEMOP_DECREASE, top - n, n);
            if (r == (long)n) {
                top -= n;
                if (top % 512)          /* the run holding top - 1 was split */
                    printf("balloon: code runs in page 0x%x beside released pages: %s\n",
                           (unsigned)(top - 1), code_runs_in(top - 1) ? "ok" : "BAD");
                continue;
            }
            if (r != last_err)
                printf("balloon: DECREASE of %u pages at page 0x%x returned %ld\n",
                       (unsigned)n, (unsigned)(top - n), r);
            last_err = r;
        } else if (c < t) {
            uint32_t n = (uint32_t)(t - c);
            if (n > CHUNK) n = CHUNK;
            long r = memop(KESTREL_MEMOP_INCREASE, top, n);
            if (r > 0) {
                bool ok = verify_pages(top, (uint32_t)r);
                printf("balloon: got %ld pages back at page 0x%x: %s\n", r, (unsigned)top,
                       ok ? "verified" : "BAD");
                top += (uint32_t)r;
                continue;
            }
            if (r < 0 && r != last_err)
                printf("balloon: INCREASE of %u pages at page 0x%x returned %ld\n",
                       (unsigned)n, (unsigned)top, r);
            last_err = r;
        }
        sleep_us(100000);
    }
}
