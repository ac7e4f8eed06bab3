/* Multiboot v1 guest kernel images: find and check the Multiboot header of an image held in
 * memory and turn it into a load plan (which bytes of the file go to which guest-physical
 * addresses, what is zeroed, where to enter). Pure parsing: nothing is copied, so the domain
 * builder can check the plan against the guest's memory before it writes anything.
 *
 * Formats, chosen as the Multiboot spec (0.6.96, section 3.1.3) says:
 *   - header flag 16 (address fields) set: the a.out kludge load plan, from the header's
 *     load_addr / load_end_addr / bss_end_addr / entry_addr (also for ELF64 kernels, whose
 *     program headers a Multiboot loader does not read); format "ELF64+addr", "ELF32+addr"
 *     or "a.out kludge";
 *   - otherwise an ELF32 (EM_386) executable: its PT_LOAD segments by p_paddr; "ELF32".
 * Every image is a 32-bit guest: all segments lie in [1 MiB, 4 GiB). */
#ifndef KESTREL_CORE_MBIMAGE_H
#define KESTREL_CORE_MBIMAGE_H

#include <stddef.h>
#include <stdint.h>

struct vcpu_entry;

#define MBIMAGE_MAGIC        0x1BADB002u
#define MBIMAGE_SEARCH_BYTES 8192u        /* header must start in the first 8 KiB */
#define MBIMAGE_MAX_SEGS     16
#define MBIMAGE_MIN_ADDR     0x100000ull  /* nothing may load below 1 MiB */
#define MBIMAGE_MAX_ADDR     0x100000000ull /* nor reach past 4 GiB */

/* Header flags (the kernel's requirements of the loader). */
#define MBIMAGE_F_PAGE_ALIGN (1u << 0)    /* modules page-aligned: we do */
#define MBIMAGE_F_MEMINFO    (1u << 1)    /* mem_* and mmap in the info: we do */
#define MBIMAGE_F_VIDEO      (1u << 2)    /* video mode: accepted and ignored */
#define MBIMAGE_F_ADDR       (1u << 16)   /* the address fields are valid */

/* One piece of the plan: copy file[file_off, file_off + file_size) to load_addr and zero
 * [load_addr + file_size, load_addr + mem_size). file_size <= mem_size. */
struct mbimage_seg {
    uint64_t file_off, file_size, load_addr, mem_size;
};

struct mbimage {
    uint32_t mb_flags;                   /* the header's flags */
    uint32_t entry;                      /* guest-physical entry point (32-bit protected mode) */
    uint64_t lowest, highest;            /* [lowest, highest) covers all segments */
    struct mbimage_seg segs[MBIMAGE_MAX_SEGS];  /* sorted by load_addr, no overlaps */
    unsigned nsegs;                      /* >= 1 on success */
    const char *format;                  /* "ELF32", "ELF32+addr", "ELF64+addr",
                                          * "a.out kludge" */
    uint32_t header_off;                 /* file offset of the Multiboot header */
};

/* Parse the image img[0..len) into *out. Returns 0, or -1 with err (may be NULL) holding one
 * line saying what is wrong (no header in the first 8 KiB, bad checksum, unsupported flags
 * naming the bits, truncated ELF, segments past the end of the file, overlapping segments,
 * segments outside [1 MiB, 4 GiB), entry outside every segment, too many segments, ...).
 * Never reads outside img[0..len), whatever the input. */
int mbimage_parse(const uint8_t *img, size_t len, struct mbimage *out, char *err,
                  size_t errsz);

/* The machine state the Multiboot spec (3.2) gives the kernel mb at its entry: EAX the
 * boot loader magic, EBX the info at info_gpa; 32-bit protected mode with paging off
 * (CR0 = PE|ET, CR4 = EFER = 0); CS a flat 4 GiB 32-bit code segment (0x08), DS, ES, FS,
 * GS and SS flat data (0x10); EFLAGS with IF clear; ESP 0 (the kernel sets its own stack);
 * GDTR and IDTR empty (the kernel must load its own before using them). */
void mbimage_entry_state(const struct mbimage *mb, uint32_t info_gpa, struct vcpu_entry *e);

#endif
