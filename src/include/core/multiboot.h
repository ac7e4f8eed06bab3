/* Multiboot v1 (spec 0.6.96) boot information: the raw structures a loader
 * (GRUB, QEMU -kernel) leaves in memory, and a parsed, validated copy.
 *
 * multiboot_parse reads the loader's data only through a phys_to_virt_fn and
 * trusts none of it: every malformed piece is reported through a warn
 * callback and skipped, so boot goes on with whatever is sound.  The strings
 * in struct boot_info point into the loader's memory (through p2v), so the
 * ranges in loader_data[] must be kept reserved while they are used. */
#ifndef KESTREL_CORE_MULTIBOOT_H
#define KESTREL_CORE_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "mm/phys.h" /* phys_to_virt_fn, struct mem_region, struct phys_range */

/* Value in EAX when a Multiboot v1 loader enters the kernel. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* multiboot_info.flags: which fields are valid. */
#define MB_INFO_MEMORY        (1u << 0)  /* mem_lower, mem_upper */
#define MB_INFO_BOOTDEV       (1u << 1)
#define MB_INFO_CMDLINE       (1u << 2)
#define MB_INFO_MODS          (1u << 3)
#define MB_INFO_AOUT_SYMS     (1u << 4)
#define MB_INFO_ELF_SHDR      (1u << 5)
#define MB_INFO_MEM_MAP       (1u << 6)  /* mmap_length, mmap_addr */
#define MB_INFO_DRIVE_INFO    (1u << 7)
#define MB_INFO_CONFIG_TABLE  (1u << 8)
#define MB_INFO_LOADER_NAME   (1u << 9)
#define MB_INFO_APM_TABLE     (1u << 10)
#define MB_INFO_VBE_INFO      (1u << 11)
#define MB_INFO_FRAMEBUFFER   (1u << 12)

/* The information structure, as laid out by the loader (packed, 116 bytes). */
struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;       /* KiB below 1 MiB / above 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;                    /* physical address of a C string */
    uint32_t mods_count, mods_addr;      /* array of struct multiboot_module */
    uint32_t syms[4];                    /* a.out or ELF section table */
    uint32_t mmap_length, mmap_addr;     /* bytes, of size-prefixed entries */
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;           /* physical address of a C string */
    uint32_t apm_table;
    uint32_t vbe_control_info, vbe_mode_info;
    uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
    uint64_t framebuffer_addr;
    uint32_t framebuffer_pitch, framebuffer_width, framebuffer_height;
    uint8_t framebuffer_bpp, framebuffer_type;
    uint8_t color_info[6];
} __attribute__((packed));

/* One memory map entry.  `size` counts the bytes after itself (20 or more),
 * so the next entry is at (char *)entry + entry->size + 4. */
struct multiboot_mmap_entry {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;                       /* E820 type, MEM_* */
} __attribute__((packed));

/* One module: [mod_start, mod_end) and a C string (its command line). */
struct multiboot_module {
    uint32_t mod_start, mod_end;
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

#define BOOT_MAX_MODULES 160
#define BOOT_MAX_MMAP 64
/* Strings must end within this many bytes (NUL included). */
#define BOOT_MAX_STRING 4096
/* info, mmap, mods array, cmdline, loader name, one string per module. */
#define BOOT_MAX_LOADER_DATA (5 + BOOT_MAX_MODULES)

struct boot_module {
    uint64_t start, end;                 /* [start, end) physical */
    const char *string;                  /* "" when the loader gave none */
    char name[64];                       /* basename of the first word of string */
};

struct boot_info {
    uint32_t flags;                      /* as the loader set them */
    uint32_t mem_lower_kb, mem_upper_kb; /* 0 unless MB_INFO_MEMORY */
    const char *cmdline;                 /* never NULL; "" when absent or bad */
    const char *loader_name;             /* never NULL; "" when absent or bad */
    struct mem_region mmap[BOOT_MAX_MMAP];  /* sorted by base, no overlaps */
    size_t mmap_count;
    struct boot_module mods[BOOT_MAX_MODULES];
    size_t mod_count;
    /* Physical ranges of the loader's structures and strings that boot_info
     * points into, rounded out to 4 KiB and merged: reserve them (with the
     * modules) before handing memory to the frame allocator. */
    struct phys_range loader_data[BOOT_MAX_LOADER_DATA];
    size_t loader_data_count;
};

/* Receives one complaint: a single line, no prefix, no newline. */
typedef void (*boot_warn_fn)(void *ctx, const char *msg);

/* Parse the Multiboot v1 information at physical address info_pa into *out.
 * Returns -1 (out cleared) if magic is not MULTIBOOT_BOOTLOADER_MAGIC, p2v or
 * out is NULL, or the info structure itself cannot be mapped; otherwise 0,
 * with each bad piece reported through warn (may be NULL) and skipped.
 * Without a usable memory map, one is synthesised from mem_lower/mem_upper.
 * The map is sorted by base; overlaps are resolved in favour of the more
 * restrictive type and adjacent entries of one type merged.  Never reads
 * outside what p2v maps, whatever the input. */
int multiboot_parse(uint32_t magic, uint64_t info_pa, phys_to_virt_fn p2v,
                    struct boot_info *out, boot_warn_fn warn, void *ctx);

/* Name of an E820 type: "usable", "reserved", "ACPI data", "ACPI NVS",
 * "unusable"; "unknown" for anything else. */
const char *mem_region_type_name(uint32_t type);

/* The index of the module named name (the basename of the first word of its string, as
 * boot_module.name holds it) in bi's modules, or -1. */
int boot_module_index(const struct boot_info *bi, const char *name);

#endif
