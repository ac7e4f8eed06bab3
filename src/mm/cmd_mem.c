/* Shell commands about host memory: `meminfo` (key m) and `xd`, a hexdump that checks the
 * page tables first so a bad address gives an error line instead of a fault. */
#include "core/boot.h"
#include "mm/frame.h"
#include "mm/heap.h"
#include "console/shell.h"
#include "arch/paging.h"
#include "lib/ctype.h"

static int cmd_meminfo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct frame_stats fs;
    frame_stats(&fs);
    uint64_t ram = 0;
    for (size_t i = 0; i < boot_info.mmap_count; i++)
        if (boot_info.mmap[i].type == 1)
            ram += boot_info.mmap[i].len;
    shell_printf("Physical memory:\n");
    shell_printf("  RAM in map:   %llu KiB\n", (unsigned long long)(ram >> 10));
    shell_printf("  total:        %llu KiB (%llu frames)\n", (unsigned long long)(fs.total * 4),
                 (unsigned long long)fs.total);
    shell_printf("  free:         %llu KiB (%llu frames)\n", (unsigned long long)(fs.free * 4),
                 (unsigned long long)fs.free);
    shell_printf("  used:         %llu KiB (%llu frames)\n", (unsigned long long)(fs.used * 4),
                 (unsigned long long)fs.used);
    shell_printf("  reserved:     %llu KiB (%llu frames)\n",
                 (unsigned long long)(fs.reserved * 4), (unsigned long long)fs.reserved);
    shell_printf("  bitmap:       %llu bytes, bad frees: %llu\n",
                 (unsigned long long)fs.bitmap_bytes, (unsigned long long)fs.bad_frees);
    if (boot_opts.mem_limit)
        shell_printf("  mem= limit:   %llu KiB\n", (unsigned long long)(boot_opts.mem_limit >> 10));
    shell_printf("Memory map:\n");
    for (size_t i = 0; i < boot_info.mmap_count; i++) {
        const struct mem_region *r = &boot_info.mmap[i];
        shell_printf("  [%016llx, %016llx] (%s)\n", (unsigned long long)r->base,
                     (unsigned long long)(r->base + r->len - 1), mem_region_type_name(r->type));
    }
    shell_printf("Reserved ranges:\n");
    for (size_t i = 0; i < frame_reserved_count(); i++) {
        const struct phys_range *r = frame_reserved(i);
        shell_printf("  [%016llx, %016llx) %s\n", (unsigned long long)r->start,
                     (unsigned long long)r->end, r->what ? r->what : "");
    }
    struct heap_stats hs = heap_stats();
    shell_printf("Heap: %zu bytes in use, %zu free, %zu pages, %zu allocs, %zu frees\n",
                 hs.bytes_in_use, hs.bytes_free, hs.pages, hs.allocs, hs.frees);
    return 0;
}
SHELL_DIAG_COMMAND(cmd_meminfo_entry, "meminfo", 'm', "memory info", cmd_meminfo, 1);

#define XD_MAX 4096

static int cmd_xd(int argc, char **argv)
{
    uint64_t addr, len = 64;
    if (argc < 2 || argc > 3) {
        shell_usage(shell_find("xd"));
        return SHELL_EUSAGE;
    }
    if (shell_parse_u64(argv[1], &addr) != 0) {
        shell_printf("xd: bad address '%s'\n", argv[1]);
        return SHELL_EUSAGE;
    }
    if (argc == 3 && (shell_parse_u64(argv[2], &len) != 0 || len == 0 || len > XD_MAX)) {
        shell_printf("xd: bad length '%s' (1..%d)\n", argv[2], XD_MAX);
        return SHELL_EUSAGE;
    }
    if (!paging_range_mapped(addr, len)) {
        shell_printf("xd: %#llx..%#llx is not mapped\n", (unsigned long long)addr,
                     (unsigned long long)(addr + len - 1));
        return SHELL_EUSAGE;
    }
    const unsigned char *p = (const unsigned char *)(uintptr_t)addr;
    for (uint64_t off = 0; off < len; off += 16) {
        char hex[16 * 3 + 1], asc[17];
        int h = 0;
        for (int i = 0; i < 16; i++) {
            if (off + (uint64_t)i < len) {
                unsigned char c = p[off + (uint64_t)i];
                hex[h++] = "0123456789abcdef"[c >> 4];
                hex[h++] = "0123456789abcdef"[c & 15];
                hex[h++] = ' ';
                asc[i] = k_isprint(c) ? (char)c : '.';
            } else {
                hex[h++] = ' ';
                hex[h++] = ' ';
                hex[h++] = ' ';
                asc[i] = ' ';
            }
        }
        hex[h] = '\0';
        asc[16] = '\0';
        shell_printf("%016llx: %s %s\n", (unsigned long long)(addr + off), hex, asc);
    }
    return 0;
}
SHELL_COMMAND(cmd_xd_entry, "xd", 0, "<addr> [len]", "hexdump host memory (len up to 4096)",
              cmd_xd);
