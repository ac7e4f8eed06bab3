/* The Multiboot v1 information a guest receives from Kestrel, as a Multiboot loader would
 * leave it: the info structure (struct multiboot_info from core/multiboot.h, so there is one
 * definition) with MEM, CMDLINE, MODS, MMAP and LOADER_NAME, its memory map, command line,
 * boot loader name and at most one module (the guest's ramdisk) with its string.
 *
 * Everything is written into guest memory through a writer callback, so this builds and is
 * tested on the host against a fake guest memory, and never needs a mapping of its own. */
#ifndef KESTREL_CORE_MBINFO_H
#define KESTREL_CORE_MBINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy n bytes from src to guest-physical gpa; 0 or -1 (not guest RAM, ...). */
typedef int (*guest_write_fn)(void *ctx, uint64_t gpa, const void *src, size_t n);

#define MBINFO_AREA_MAX  (16u << 10)     /* bytes the whole build may use from info_gpa */
#define MBINFO_LOW_END   0x9FC00ull      /* usable low memory ends here (639 KiB) */
#define MBINFO_MIN_MEM   (2ull << 20)    /* smallest guest we describe */
#define MBINFO_MMAP_ENTRIES 4

struct mbinfo_params {
    uint64_t mem_bytes;          /* guest RAM: [0, mem_bytes), 2 MiB .. 4 GiB */
    const char *cmdline;         /* NULL is taken as "" */
    const char *loader_name;     /* NULL means "Kestrel" */
    bool has_module;             /* the guest's ramdisk */
    uint64_t mod_start, mod_end; /* [mod_start, mod_end) inside [1 MiB, mem_bytes), start
                                  * page-aligned (we honour header flag 0 for everyone) */
    const char *mod_string;      /* NULL is taken as "" */
    uint64_t info_gpa;           /* page-aligned area in [4 KiB, 0x9FC00), at most 16 KiB
                                  * used, e.g. 0x8000 (page 0 is the guest's IVT and BDA) */
};

/* Build the info structure at p->info_gpa, followed by the memory map (usable [0, 0x9FC00),
 * reserved [0x9FC00, 0xA0000), reserved [0xF0000, 0x100000), usable [1 MiB, mem_bytes)),
 * the module array (if any) and the strings, all inside [info_gpa, info_gpa + 16 KiB) and
 * below 0x9FC00. mem_lower = 639, mem_upper = (mem_bytes - 1 MiB) / 1024.
 * Returns 0 with *info_gpa_out (may be NULL) = the address to pass the guest in EBX, or -1
 * if the parameters are invalid (area misplaced or too small for the strings, memory size,
 * module range) or a write fails. Each write is made once, whole structures at a time. */
int mbinfo_build(const struct mbinfo_params *p, guest_write_fn write, void *ctx,
                 uint32_t *info_gpa_out);

#endif
