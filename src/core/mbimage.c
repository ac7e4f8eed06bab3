/* Multiboot v1 guest kernel images: the Multiboot header and the load plan.
 *
 * A guest image comes from a boot module, so every field of it is untrusted: each read is
 * bounds-checked against len first, all arithmetic on file values is done in 64 bits where
 * 32-bit sums cannot overflow, and the plan is only accepted if its pieces lie inside the
 * file, inside [1 MiB, 4 GiB), and do not overlap one another, so the domain builder can copy
 * it without further checks beyond "is this inside the guest's RAM".
 *
 * Which plan, as GRUB 2 and QEMU's -kernel do it: header flag 16 set means the header's
 * address fields rule (for any file, ELF or not); otherwise the file must be an ELF32 EM_386
 * executable and its PT_LOAD program headers are used, by physical address. */
#include <stdbool.h>

#include "core/mbimage.h"
#include "core/multiboot.h"
#include "core/vcpu.h"
#include "lib/format.h"
#include "lib/string.h"

/* Flags bits 0-15 are requirements: a loader must refuse a kernel asking for one it cannot
 * meet. We meet 0 (page-aligned modules) and 1 (memory info), and ignore 2 (video: we have
 * only the serial line, and the spec lets a loader fall back to text mode). */
#define FLAGS_REQUIRED_MASK 0x0000FFFFu
#define FLAGS_SUPPORTED     (MBIMAGE_F_PAGE_ALIGN | MBIMAGE_F_MEMINFO | MBIMAGE_F_VIDEO)

#define ELF_HDR32_SIZE 52u
#define ELF_PHDR32_SIZE 32u
#define ELF_HDR64_SIZE 64u
#define EM_386 3u
#define EM_X86_64 62u
#define ET_EXEC 2u
#define PT_LOAD 1u

/* Little-endian reads; the caller has checked off + size <= len. */
static uint32_t rd32(const uint8_t *p, size_t off)
{
    return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
           (uint32_t)p[off + 3] << 24;
}

static uint16_t rd16(const uint8_t *p, size_t off)
{
    return (uint16_t)(p[off] | p[off + 1] << 8);
}

/* Put one line in err (if any); returns -1 for `return fail(...)`. */
__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;

    if (!err || errsz == 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return -1;
}

/* Find the first 4-byte-aligned magic in the first 8 KiB whose 12-byte header lies inside
 * both and whose checksum holds. Returns its offset, or -1 with err set (a magic with a bad
 * checksum is named, since that is a likely build mistake). */
static long find_header(const uint8_t *img, size_t len, char *err, size_t errsz)
{
    size_t limit = len < MBIMAGE_SEARCH_BYTES ? len : MBIMAGE_SEARCH_BYTES;
    long bad = -1;
    uint32_t bad_sum = 0;

    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t sum;

        if (rd32(img, off) != MBIMAGE_MAGIC)
            continue;
        sum = rd32(img, off) + rd32(img, off + 4) + rd32(img, off + 8);
        if (sum == 0)
            return (long)off;
        if (bad < 0) {
            bad = (long)off;
            bad_sum = sum;
        }
    }
    if (bad >= 0)
        return fail(err, errsz, "Multiboot header at offset 0x%lx has a bad checksum "
                    "(magic + flags + checksum = 0x%x, not 0)", (unsigned long)bad, bad_sum);
    return fail(err, errsz, "no Multiboot header (magic 0x%08x, 4-byte aligned) in the first "
                "%u bytes", MBIMAGE_MAGIC, MBIMAGE_SEARCH_BYTES);
}

/* Refuse required flags we cannot meet, naming each bit. */
static int check_flags(uint32_t flags, char *err, size_t errsz)
{
    uint32_t bad = flags & FLAGS_REQUIRED_MASK & ~FLAGS_SUPPORTED;
    char bits[64];
    size_t n = 0;

    if (!bad)
        return 0;
    bits[0] = '\0';
    for (unsigned b = 0; b < 16; b++) {
        if (bad & (1u << b)) {
            int w = snprintf(bits + n, sizeof(bits) - n, "%s%u", n ? ", " : "", b);

            if (w > 0 && (size_t)w < sizeof(bits) - n)
                n += (size_t)w;
        }
    }
    return fail(err, errsz, "Multiboot header flags 0x%08x require unsupported feature "
                "bit(s) %s", flags, bits);
}

/* Add one segment to the plan. */
static int add_seg(struct mbimage *out, uint64_t off, uint64_t fsz, uint64_t addr,
                   uint64_t msz, char *err, size_t errsz)
{
    struct mbimage_seg *s;

    if (out->nsegs >= MBIMAGE_MAX_SEGS)
        return fail(err, errsz, "too many loadable segments (at most %d)", MBIMAGE_MAX_SEGS);
    s = &out->segs[out->nsegs++];
    s->file_off = off;
    s->file_size = fsz;
    s->load_addr = addr;
    s->mem_size = msz;
    return 0;
}

/* The a.out kludge: one segment from the header's address fields (flag 16). */
static int plan_from_address_fields(const uint8_t *img, size_t len, size_t hoff,
                                    struct mbimage *out, char *err, size_t errsz)
{
    uint32_t header_addr, load_addr, load_end, bss_end;
    uint64_t file_start, load_size, mem_size;

    if (hoff + 32 > len)
        return fail(err, errsz, "Multiboot header with address fields (flag 16) is cut off "
                    "by the end of the file");
    header_addr = rd32(img, hoff + 12);
    load_addr = rd32(img, hoff + 16);
    load_end = rd32(img, hoff + 20);
    bss_end = rd32(img, hoff + 24);
    out->entry = rd32(img, hoff + 28);
    if (header_addr < load_addr)
        return fail(err, errsz, "header_addr 0x%x is below load_addr 0x%x", header_addr,
                    load_addr);
    if (header_addr - load_addr > hoff)
        return fail(err, errsz, "load_addr 0x%x would start %u bytes before the file "
                    "(header_addr 0x%x, header at offset 0x%zx)", load_addr,
                    (unsigned)(header_addr - load_addr - hoff), header_addr, hoff);
    file_start = hoff - (header_addr - load_addr);
    if (load_end == 0) {                 /* 0: load to the end of the file */
        load_size = len - file_start;
    } else {
        if (load_end < load_addr)
            return fail(err, errsz, "load_end_addr 0x%x is below load_addr 0x%x", load_end,
                        load_addr);
        load_size = (uint64_t)load_end - load_addr;
        if (file_start + load_size > len)
            return fail(err, errsz, "load_addr..load_end_addr (0x%x..0x%x) needs %llu bytes "
                        "of file from offset 0x%llx, past the end of the file (%zu bytes)",
                        load_addr, load_end, (unsigned long long)load_size,
                        (unsigned long long)file_start, len);
    }
    mem_size = load_size;
    if (bss_end != 0) {                  /* 0: no bss */
        if ((uint64_t)bss_end < load_addr + load_size)
            return fail(err, errsz, "bss_end_addr 0x%x is below the end of the loaded "
                        "image 0x%llx", bss_end, (unsigned long long)(load_addr + load_size));
        mem_size = (uint64_t)bss_end - load_addr;
    }
    if (mem_size == 0)
        return fail(err, errsz, "the address fields load nothing (load_addr = load_end_addr "
                    "= 0x%x)", load_addr);
    return add_seg(out, file_start, load_size, load_addr, mem_size, err, errsz);
}

/* An ELF32 EM_386 executable: its PT_LOAD segments by p_paddr. The entry point is e_entry,
 * translated from virtual to physical through the segment whose p_vaddr range holds it
 * (as GRUB 2 does, so higher-half kernels linked with AT() load). */
static int plan_from_elf32(const uint8_t *img, size_t len, struct mbimage *out, char *err,
                           size_t errsz)
{
    uint64_t phoff, phentsize, phnum;
    uint32_t entry;
    bool entry_mapped = false;

    if (len < ELF_HDR32_SIZE)
        return fail(err, errsz, "truncated ELF32 header (%zu bytes, need %u)", len,
                    ELF_HDR32_SIZE);
    if (img[5] != 1 || img[6] != 1)
        return fail(err, errsz, "ELF32 image is not little-endian version 1");
    if (rd16(img, 16) != ET_EXEC)
        return fail(err, errsz, "ELF32 image is not an executable (e_type %u)",
                    rd16(img, 16));
    if (rd16(img, 18) != EM_386)
        return fail(err, errsz, "ELF32 image is for machine %u, not EM_386 (3)",
                    rd16(img, 18));
    entry = rd32(img, 24);
    phoff = rd32(img, 28);
    phentsize = rd16(img, 42);
    phnum = rd16(img, 44);
    if (phnum == 0)
        return fail(err, errsz, "ELF32 image has no program headers");
    if (phentsize < ELF_PHDR32_SIZE)
        return fail(err, errsz, "ELF32 e_phentsize %llu is below %u",
                    (unsigned long long)phentsize, ELF_PHDR32_SIZE);
    if (phoff > len || phnum * phentsize > len - phoff)
        return fail(err, errsz, "truncated ELF: program headers (offset 0x%llx, %llu x %llu "
                    "bytes) run past the end of the file (%zu bytes)",
                    (unsigned long long)phoff, (unsigned long long)phnum,
                    (unsigned long long)phentsize, len);
    out->entry = entry;
    for (uint64_t i = 0; i < phnum; i++) {     /* phnum <= 65535 */
        size_t ph = (size_t)(phoff + i * phentsize);
        uint32_t off = rd32(img, ph + 4), vaddr = rd32(img, ph + 8);
        uint32_t paddr = rd32(img, ph + 12), fsz = rd32(img, ph + 16);
        uint32_t msz = rd32(img, ph + 20);

        if (rd32(img, ph) != PT_LOAD || msz == 0)
            continue;
        if (fsz > msz)
            return fail(err, errsz, "ELF segment %llu: p_filesz 0x%x exceeds p_memsz 0x%x",
                        (unsigned long long)i, fsz, msz);
        if ((uint64_t)off + fsz > len)
            return fail(err, errsz, "ELF segment %llu: file bytes 0x%x..0x%llx run past the "
                        "end of the file (%zu bytes)", (unsigned long long)i, off,
                        (unsigned long long)off + fsz, len);
        if (!entry_mapped && entry >= vaddr && (uint64_t)entry < (uint64_t)vaddr + msz) {
            out->entry = entry - vaddr + paddr;
            entry_mapped = true;
        }
        if (add_seg(out, off, fsz, paddr, msz, err, errsz) != 0)
            return -1;
    }
    if (out->nsegs == 0)
        return fail(err, errsz, "ELF32 image has no loadable (PT_LOAD) segment");
    return 0;
}

/* Sort the plan by address (insertion sort: at most 16), then check every rule that does
 * not depend on the format: range, overlaps, entry; and fill lowest/highest. */
static int check_plan(struct mbimage *out, char *err, size_t errsz)
{
    bool entry_ok = false;

    for (unsigned i = 1; i < out->nsegs; i++) {
        struct mbimage_seg s = out->segs[i];
        unsigned j = i;

        for (; j > 0 && out->segs[j - 1].load_addr > s.load_addr; j--)
            out->segs[j] = out->segs[j - 1];
        out->segs[j] = s;
    }
    for (unsigned i = 0; i < out->nsegs; i++) {
        const struct mbimage_seg *s = &out->segs[i];

        if (s->load_addr < MBIMAGE_MIN_ADDR)
            return fail(err, errsz, "segment at 0x%llx is below 1 MiB (the guest's low memory "
                        "is not for the kernel)", (unsigned long long)s->load_addr);
        if (s->load_addr >= MBIMAGE_MAX_ADDR || s->mem_size > MBIMAGE_MAX_ADDR - s->load_addr)
            return fail(err, errsz, "segment 0x%llx..0x%llx reaches above 4 GiB (a 32-bit "
                        "guest)", (unsigned long long)s->load_addr,
                        (unsigned long long)(s->load_addr + s->mem_size));
        if (i > 0 && out->segs[i - 1].load_addr + out->segs[i - 1].mem_size > s->load_addr)
            return fail(err, errsz, "segments 0x%llx..0x%llx and 0x%llx..0x%llx overlap",
                        (unsigned long long)out->segs[i - 1].load_addr,
                        (unsigned long long)(out->segs[i - 1].load_addr +
                                             out->segs[i - 1].mem_size),
                        (unsigned long long)s->load_addr,
                        (unsigned long long)(s->load_addr + s->mem_size));
        if (out->entry >= s->load_addr && out->entry < s->load_addr + s->mem_size)
            entry_ok = true;
    }
    if (!entry_ok)
        return fail(err, errsz, "entry point 0x%x is outside every loaded segment", out->entry);
    out->lowest = out->segs[0].load_addr;
    out->highest = out->segs[out->nsegs - 1].load_addr + out->segs[out->nsegs - 1].mem_size;
    return 0;
}

/* Contract in the header. */
int mbimage_parse(const uint8_t *img, size_t len, struct mbimage *out, char *err,
                  size_t errsz)
{
    bool is_elf, elf32, elf64;
    long hoff;
    int rc;

    memset(out, 0, sizeof(*out));
    if (err && errsz)
        err[0] = '\0';
    if (!img)
        len = 0;
    hoff = find_header(img, len, err, errsz);
    if (hoff < 0)
        return -1;
    out->header_off = (uint32_t)hoff;
    out->mb_flags = rd32(img, (size_t)hoff + 4);
    if (check_flags(out->mb_flags, err, errsz) != 0)
        return -1;

    is_elf = len >= 6 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' && img[3] == 'F';
    elf32 = is_elf && img[4] == 1;
    elf64 = is_elf && img[4] == 2;
    if (out->mb_flags & MBIMAGE_F_ADDR) {
        if (elf64)
            out->format = "ELF64+addr";
        else if (elf32)
            out->format = "ELF32+addr";
        else
            out->format = "a.out kludge";
        rc = plan_from_address_fields(img, len, (size_t)hoff, out, err, errsz);
    } else if (elf64) {
        if (len >= ELF_HDR64_SIZE && rd16(img, 18) != EM_X86_64)
            return fail(err, errsz, "ELF64 image for machine %u needs the Multiboot address "
                        "fields (and should be EM_X86_64)", rd16(img, 18));
        return fail(err, errsz, "ELF64 needs the Multiboot address fields (header flag 16)");
    } else if (elf32) {
        out->format = "ELF32";
        rc = plan_from_elf32(img, len, out, err, errsz);
    } else {
        return fail(err, errsz, "not an ELF32 image and no Multiboot address fields "
                    "(header flag 16)");
    }
    if (rc != 0)
        return -1;
    return check_plan(out, err, errsz);
}

/* Contract in the header. The segment attributes: 0xC9B is a present, ring-0, accessed
 * execute/read code segment with D=1 and G=1; 0xC93 the read/write data twin; LDTR (0x082)
 * and a busy 32-bit TSS (0x08B) as after RESET, with null selectors. */
void mbimage_entry_state(const struct mbimage *mb, uint32_t info_gpa, struct vcpu_entry *e)
{
    const struct vcpu_segment code = { 0x08, 0xC9B, 0xFFFFFFFFu, 0 };
    const struct vcpu_segment data = { 0x10, 0xC93, 0xFFFFFFFFu, 0 };
    memset(e, 0, sizeof(*e));
    e->regs.rax = MULTIBOOT_BOOTLOADER_MAGIC;
    e->regs.rbx = info_gpa;
    e->regs.rip = mb->entry;
    e->regs.rflags = 0x2;                       /* bit 1 is always set; IF clear */
    e->cs = code;
    e->ds = e->es = e->fs = e->gs = e->ss = data;
    e->gdtr = e->idtr = (struct vcpu_segment){ 0, 0, 0xFFFF, 0 };
    e->ldtr = (struct vcpu_segment){ 0, 0x082, 0xFFFF, 0 };
    e->tr = (struct vcpu_segment){ 0, 0x08B, 0xFFFF, 0 };
    e->cr0 = 0x11;                              /* PE, ET: protected mode, paging off */
}
