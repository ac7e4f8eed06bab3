/* memscan (hostile): writes a pattern to the first word of every 4 KiB page from 0 up to
 * 4 GiB (reading it back and restoring the old value, so its own image survives), printing
 * `memscan: 0x<addr> ok (<pages> pages)` every 64 MiB. Under Kestrel it must be killed when
 * it leaves its memory; bare it reaches `memscan: done` and powers off.
 * Command line: step=N (bytes between pokes, default 4096). */
#include "guest.h"

/* Poke every page. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "memscan";
    uint64_t step = cmdline_num("step", 4096);
    if (step < 4 || (step & 3))
        step = 4096;
    printf("memscan: RAM ends at 0x%llx; writing every page up to 4 GiB\n",
           (unsigned long long)mbi_ram_end());
    cli();
    uint32_t pages = 0, mismatches = 0;
    for (uint64_t a = 0; a < (1ull << 32); a += step) {
        if ((a & ((64u << 20) - 1)) == 0)
            printf("memscan: 0x%08llx ok (%u pages, %u differ)\n", (unsigned long long)a,
                   (unsigned)pages, (unsigned)mismatches);
        volatile uint32_t *p = (volatile uint32_t *)(uint32_t)a;
        uint32_t old = *p, pat = (uint32_t)a ^ 0xa5c3e187u;
        *p = pat;
        if (*p != pat)
            mismatches++;
        *p = old;
        pages++;
    }
    printf("memscan: done, %u pages written, %u did not read back\n", (unsigned)pages,
           (unsigned)mismatches);
    return 0;
}
