/* Linux x86 bzImage guest kernels (the x86 boot protocol, Linux's
 * Documentation/arch/x86/boot.rst): check the setup header of a kernel file held in memory
 * and turn it, with the initrd's size, the command line and the domain's RAM layout, into a
 * load plan: where the protected-mode kernel, the initrd, the zero page (struct boot_params)
 * and the command line go in guest-physical memory, the zero page's bytes (setup header,
 * loader fields, E820 map) and the entry state to ask the backend for (the 64-bit entry
 * when the kernel has one, else the 32-bit one). Pure parsing and arithmetic: nothing is
 * copied into the guest and nothing is allocated, so the domain builder can check the plan
 * against the guest's memory before it writes anything.
 *
 * Only the 32-bit and 64-bit boot protocols are planned (the real-mode setup code is never
 * run, so it is not loaded); protocol 2.06 or newer and a bzImage (LOADED_HIGH) are
 * required. The domain builder loads such a kernel through core/load_linux.h. */
#ifndef KESTREL_CORE_BZIMAGE_H
#define KESTREL_CORE_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BZIMAGE_ZERO_PAGE_SIZE 4096u
#define BZIMAGE_MIN_VERSION    0x0206u  /* cmdline_size appeared in 2.06 */

/* Fixed guest-physical places in low memory, below the legacy hole, as Firecracker and
 * Cloud Hypervisor use them (QEMU's -kernel too for the command line): the zero page at
 * 0x7000 (clear of the real-mode IVT/BDA page) and the command line at 0x20000 (room for far
 * more than any kernel's cmdline_size: up to BZIMAGE_CMDLINE_MAX bytes with its NUL). The
 * initrd and the kernel always lie at or above 1 MiB, so these never collide with them. */
#define BZIMAGE_ZERO_PAGE_ADDR 0x7000ull
#define BZIMAGE_CMDLINE_ADDR   0x20000ull
#define BZIMAGE_CMDLINE_MAX    0x10000u

/* The domain's fixed RAM layout: RAM from 0 to ram_size, with page 0 and the legacy hole
 * [0xA0000, 0x100000) reserved (E820 type 2). */
#define BZIMAGE_LOW_RESERVED   0x1000ull
#define BZIMAGE_HOLE_START     0xA0000ull
#define BZIMAGE_HOLE_END       0x100000ull
#define BZIMAGE_KERNEL_LOW     0x100000ull  /* the non-relocatable load address: 1 MiB */

/* E820 types, as the zero page carries them. */
#define BZIMAGE_E820_RAM       1u
#define BZIMAGE_E820_RESERVED  2u
#define BZIMAGE_E820_ACPI      3u
#define BZIMAGE_E820_NVS       4u
#define BZIMAGE_E820_MAX       128u   /* boot_params.e820_table[] */
#define BZIMAGE_EXTRA_MAX      16u    /* extra ranges a caller may add */

/* Setup header bits the plan reports (boot.rst names). */
#define BZIMAGE_LF_LOADED_HIGH  0x01u
#define BZIMAGE_LF_CAN_USE_HEAP 0x80u
#define BZIMAGE_XLF_KERNEL_64   0x0001u
#define BZIMAGE_XLF_CAN_BE_LOADED_ABOVE_4G 0x0002u

/* The flat GDT selectors both protected-mode entries require (boot.rst: __BOOT_CS, __BOOT_DS;
 * 4 GiB flat code execute/read and data read/write). */
#define BZIMAGE_BOOT_CS 0x10u
#define BZIMAGE_BOOT_DS 0x18u

/* One E820 entry, or one extra range a caller asks to be kept out of usable RAM (type 2, 3
 * or 4; may lie inside or outside [0, ram_size)). */
struct bzimage_e820 {
    uint64_t addr, size;
    uint32_t type;
};

/* The domain's memory as the plan sees it. */
struct bzimage_layout {
    uint64_t ram_size;                     /* bytes, 4 KiB multiple, >= 2 MiB */
    const struct bzimage_e820 *extra;      /* nextra extra reserved ranges, may be NULL */
    unsigned nextra;                       /* <= BZIMAGE_EXTRA_MAX */
};

/* A guest-physical range [lo, hi). */
struct bzimage_range {
    uint64_t lo, hi;
};

/* How to enter the kernel. 64-bit: long mode, paging on with ident_map[] identity-mapped,
 * GDT with flat BOOT_CS/BOOT_DS loaded (CS = BOOT_CS, DS = ES = SS = BOOT_DS), interrupts
 * off, RIP = rip, RSI = zero page. 32-bit: protected mode, paging off, the same GDT and
 * selectors, interrupts off, EIP = rip, ESI = zero page, EBP = EDI = EBX = 0. */
struct bzimage_entry {
    unsigned bits;                         /* 64 or 32 */
    uint64_t rip;                          /* load address + 0x200 (64), load address (32) */
    uint64_t rsi;                          /* the zero page's guest-physical address */
    uint16_t cs, ds;                       /* BZIMAGE_BOOT_CS, BZIMAGE_BOOT_DS */
    struct bzimage_range ident_map[3];     /* 64-bit: kernel init_size region, zero page,
                                            * command line; 32-bit: paging is off, unused */
};

struct bzimage_plan {
    /* What the setup header said (effective values). */
    uint16_t version;                      /* e.g. 0x020f for 2.15 */
    unsigned setup_sects;                  /* 0 in the file reads as 4 */
    uint8_t loadflags;                     /* as in the file */
    uint16_t xloadflags;                   /* 0 before 2.12 */
    bool relocatable;
    uint32_t kernel_alignment;
    uint64_t pref_address;                 /* 1 MiB before 2.10 */
    uint64_t init_size;                    /* estimated before 2.10: 4x the kernel's bytes */
    uint32_t cmdline_size;                 /* the kernel's limit, without the NUL */

    /* The protected-mode kernel: copy file[kernel_file_off, +kernel_file_size) to
     * kernel_addr. It runs (decompresses itself to) kernel_run_addr, and until it has read
     * the E820 map it may use all of kernel_region (load and run ranges together). */
    uint64_t kernel_file_off, kernel_file_size;
    uint64_t kernel_addr, kernel_run_addr;
    struct bzimage_range kernel_region;

    /* The initrd (initrd_size 0: none; then initrd_addr is 0): the caller copies it here. */
    uint64_t initrd_addr, initrd_size;

    /* The zero page (the 4 KiB buffer filled by bzimage_plan) and the command line (the
     * caller copies cmdline_len bytes: the string and its NUL). */
    uint64_t zero_page_addr, cmdline_addr;
    uint32_t cmdline_len;

    /* The E820 map written into the zero page, sorted, no overlaps. */
    struct bzimage_e820 e820[BZIMAGE_E820_MAX];
    unsigned e820_entries;

    struct bzimage_entry entry;            /* the one to use: 64-bit if XLF_KERNEL_64 */
    struct bzimage_entry entry32;          /* the 32-bit entry (always possible) */
};

/* True when img[0..len) carries a Linux setup header (the "HdrS" magic at 0x202): the
 * domain builder then loads it as Linux, whatever else the file holds; bzimage_plan says
 * whether the header is one we can boot. */
bool bzimage_probe(const uint8_t *img, size_t len);

/* Plan the boot of the kernel file img[0..len) with an initrd of initrd_size bytes (0: none)
 * and the NUL-terminated command line cmdline (NULL: empty) in the domain memory *mem.
 * Fills *out and the caller's 4 KiB zero_page buffer (zeroed first, then the setup header
 * from the file at its own offsets 0x1f1.., the loader's fields, the E820 map). Returns 0,
 * or -1 with err (may be NULL) holding one line saying what is wrong: truncated file, no
 * HdrS magic, protocol older than 2.06, not a bzImage, bad kernel_alignment, kernel or
 * initrd not fitting the RAM, command line longer than cmdline_size, bad layout or extra
 * ranges. Never reads outside img[0..len) or cmdline's string, whatever the input; writes
 * only *out, zero_page[0..4096) and err[0..errsz). */
int bzimage_plan(const uint8_t *img, size_t len, uint64_t initrd_size, const char *cmdline,
                 const struct bzimage_layout *mem, struct bzimage_plan *out,
                 uint8_t *zero_page, char *err, size_t errsz);

#endif
