/* ptall (hostile): enables 32-bit paging with PSE, identity-mapping all 4 GiB with 4 MiB
 * pages, then touches (reads, writes a pattern, restores) addresses beyond its memory:
 * the end of RAM, then every 64 MiB up to 4 GiB, then the LAPIC/IOAPIC/top pages.
 * Prints `ptall: touch <n> 0x<addr>` before and `ptall: <n> survived` after each, and
 * `ptall: done` at the end (under Kestrel it should be killed at the first touch). */
#include "guest.h"

static uint32_t page_dir[1024] __attribute__((aligned(4096)));

/* Identity-map 4 GiB with 4 MiB pages and turn paging on. */
static void paging_on(void)
{
    for (uint32_t i = 0; i < 1024; i++)
        page_dir[i] = (i << 22) | 0x83;              /* present, writable, PS */
    uint32_t cr4, cr0;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | 0x10));
    __asm__ volatile("mov %0, %%cr3" :: "r"(page_dir) : "memory");
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0 | 0x80000000u) : "memory");
}

/* Read, write a pattern to and restore the word at a. */
static void touch(uint32_t n, uint32_t a)
{
    printf("ptall: touch %u 0x%08x\n", (unsigned)n, (unsigned)a);
    volatile uint32_t *p = (volatile uint32_t *)a;
    uint32_t old = *p;
    *p = 0x5aa5c33cu;
    uint32_t got = *p;
    *p = old;
    printf("ptall: %u survived (read 0x%08x, pattern read back 0x%08x)\n", (unsigned)n,
           (unsigned)old, (unsigned)got);
}

/* Map everything, touch what is not ours. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "ptall";
    uint64_t end = mbi_ram_end();
    printf("ptall: RAM ends at 0x%llx; paging on, all 4 GiB identity-mapped\n",
           (unsigned long long)end);
    cli();
    paging_on();
    uint32_t n = 1;
    if (end < (1ull << 32)) {
        touch(n++, (uint32_t)end);
        for (uint64_t a = (end + (64u << 20)) & ~((64ull << 20) - 1); a < (1ull << 32);
             a += 64u << 20)
            touch(n++, (uint32_t)a);
    }
    touch(n++, 0xfec00000u);
    touch(n++, 0xfee00000u);
    touch(n++, 0xfffff000u);
    printf("ptall: done, %u touches, still alive\n", (unsigned)(n - 1));
    return 0;
}
