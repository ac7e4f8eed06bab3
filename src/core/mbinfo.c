/* The Multiboot v1 information a guest kernel receives in EBX, built the way a loader such
 * as GRUB leaves it, so an unmodified Multiboot kernel boots as a Kestrel guest.
 *
 * Layout inside the caller's area (all offsets from info_gpa; fixed so a guest's view is
 * the same on every boot and easy to check in a debugger):
 *   +0x000  struct multiboot_info (116 bytes)
 *   +0x080  memory map: 4 entries of 24 bytes (size field 20)
 *   +0x100  module array: at most one struct multiboot_module
 *   +0x110  strings: command line, boot loader name, module string, each NUL-terminated
 * The info structure is written last, so the pointers in it only ever name written data. */
#include <stdbool.h>

#include "core/mbinfo.h"
#include "core/multiboot.h"
#include "lib/string.h"

#define OFF_MMAP    0x080u
#define OFF_MODS    0x100u
#define OFF_STRINGS 0x110u
#define PAGE_SIZE   0x1000ull
#define MIB         0x100000ull
#define LOW_RESERVED_END 0xA0000ull    /* EBDA ends where video memory starts */
#define BIOS_START  0xF0000ull         /* the BIOS ROM area a PC guest expects reserved */
#define GUEST_MAX_MEM 0x100000000ull   /* a 32-bit guest: every address fits the info's u32s */

_Static_assert(sizeof(struct multiboot_info) <= OFF_MMAP, "info overlaps the memory map");
_Static_assert(OFF_MMAP + MBINFO_MMAP_ENTRIES * sizeof(struct multiboot_mmap_entry) <=
               OFF_MODS, "memory map overlaps the module array");
_Static_assert(OFF_MODS + sizeof(struct multiboot_module) <= OFF_STRINGS,
               "module array overlaps the strings");

/* Check what does not depend on strings: area placement, memory size, module range. */
static bool params_ok(const struct mbinfo_params *p)
{
    if (p->info_gpa < PAGE_SIZE || (p->info_gpa & (PAGE_SIZE - 1)) ||
        p->info_gpa > MBINFO_LOW_END)
        return false;                    /* page 0 is the guest's real-mode IVT and BDA */
    if (p->mem_bytes < MBINFO_MIN_MEM || p->mem_bytes > GUEST_MAX_MEM)
        return false;
    if (p->has_module) {
        /* In RAM above 1 MiB, page-aligned (we honour header flag 0 for every kernel). */
        if (p->mod_start < MIB || (p->mod_start & (PAGE_SIZE - 1)) ||
            p->mod_end < p->mod_start || p->mod_end > p->mem_bytes ||
            p->mod_end > 0xFFFFFFFFull)
            return false;
    }
    return true;
}

/* Write the NUL-terminated s at *at (advancing it past the NUL) if it fits below end.
 * Returns its guest address, or 0 if it does not fit or the write fails (0 is never a
 * string's address: the area starts at 4 KiB or above). */
static uint32_t put_string(const char *s, uint64_t *at, uint64_t end, guest_write_fn write,
                           void *ctx)
{
    size_t n = strnlen(s, MBINFO_AREA_MAX);
    uint64_t gpa = *at;

    if (n >= MBINFO_AREA_MAX || gpa + n + 1 > end)
        return 0;
    if (write(ctx, gpa, s, n + 1) != 0)
        return 0;
    *at += n + 1;
    return (uint32_t)gpa;
}

/* Contract in the header. */
int mbinfo_build(const struct mbinfo_params *p, guest_write_fn write, void *ctx,
                 uint32_t *info_gpa_out)
{
    struct multiboot_mmap_entry mmap[MBINFO_MMAP_ENTRIES];
    struct multiboot_module mod;
    struct multiboot_info info;
    uint64_t base, at, end;

    if (!p || !write || !params_ok(p))
        return -1;
    base = p->info_gpa;
    end = base + MBINFO_AREA_MAX;
    if (end > MBINFO_LOW_END)
        end = MBINFO_LOW_END;            /* the area must stay in usable low memory */
    if (end < base + OFF_STRINGS)
        return -1;

    /* The memory map, as a PC BIOS would report a guest of mem_bytes. */
    const struct { uint64_t addr, end; uint32_t type; } map[MBINFO_MMAP_ENTRIES] = {
        { 0, MBINFO_LOW_END, MEM_USABLE },
        { MBINFO_LOW_END, LOW_RESERVED_END, MEM_RESERVED },
        { BIOS_START, MIB, MEM_RESERVED },
        { MIB, p->mem_bytes, MEM_USABLE },
    };
    memset(mmap, 0, sizeof(mmap));
    for (unsigned i = 0; i < MBINFO_MMAP_ENTRIES; i++) {
        mmap[i].size = sizeof(mmap[i]) - sizeof(mmap[i].size);
        mmap[i].addr = map[i].addr;
        mmap[i].len = map[i].end - map[i].addr;
        mmap[i].type = map[i].type;
    }
    if (write(ctx, base + OFF_MMAP, mmap, sizeof(mmap)) != 0)
        return -1;

    memset(&info, 0, sizeof(info));
    info.flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MEM_MAP |
                 MB_INFO_LOADER_NAME;
    info.mem_lower = (uint32_t)(MBINFO_LOW_END / 1024);            /* 639 */
    info.mem_upper = (uint32_t)((p->mem_bytes - MIB) / 1024);
    info.mmap_length = (uint32_t)sizeof(mmap);
    info.mmap_addr = (uint32_t)(base + OFF_MMAP);
    info.mods_addr = (uint32_t)(base + OFF_MODS);

    at = base + OFF_STRINGS;
    info.cmdline = put_string(p->cmdline ? p->cmdline : "", &at, end, write, ctx);
    if (!info.cmdline)
        return -1;
    info.boot_loader_name = put_string(p->loader_name ? p->loader_name : "Kestrel", &at, end,
                                       write, ctx);
    if (!info.boot_loader_name)
        return -1;
    if (p->has_module) {
        memset(&mod, 0, sizeof(mod));
        mod.mod_start = (uint32_t)p->mod_start;
        mod.mod_end = (uint32_t)p->mod_end;
        mod.string = put_string(p->mod_string ? p->mod_string : "", &at, end, write, ctx);
        if (!mod.string)
            return -1;
        if (write(ctx, base + OFF_MODS, &mod, sizeof(mod)) != 0)
            return -1;
        info.mods_count = 1;
    }

    if (write(ctx, base, &info, sizeof(info)) != 0)
        return -1;
    if (info_gpa_out)
        *info_gpa_out = (uint32_t)base;
    return 0;
}
