/* Linux x86 bzImage guest kernels: the setup header and the boot plan (contract in
 * core/bzimage.h; the facts are those of Linux's Documentation/arch/x86/boot.rst).
 *
 * The kernel file comes from a boot module, so every field of it is untrusted: each read is
 * bounds-checked against len (and against the header's own length) first, and addresses
 * from the file are compared with the RAM size before any sum is taken, so nothing
 * overflows (the RAM size itself is limited to 2^48). The plan is only returned if every
 * piece lies inside the RAM, none overlaps another or a reserved range, and the command line
 * fits the kernel's limit, so the domain builder only has to copy. */
#include "core/bzimage.h"
#include "lib/format.h"
#include "lib/string.h"

/* Setup header offsets, from the start of the file (= of struct boot_params). */
#define H_SETUP_SECTS    0x1f1
#define H_SYSSIZE        0x1f4
#define H_JUMP_LEN       0x201   /* second byte of the 2-byte jump at 0x200 */
#define H_MAGIC          0x202
#define H_VERSION        0x206
#define H_TYPE_OF_LOADER 0x210
#define H_LOADFLAGS      0x211
#define H_CODE32_START   0x214
#define H_RAMDISK_IMAGE  0x218
#define H_RAMDISK_SIZE   0x21c
#define H_HEAP_END_PTR   0x224
#define H_EXT_LOADER     0x226   /* ext_loader_ver, ext_loader_type */
#define H_CMD_LINE_PTR   0x228
#define H_INITRD_MAX     0x22c
#define H_KERNEL_ALIGN   0x230
#define H_RELOCATABLE    0x234
#define H_XLOADFLAGS     0x236
#define H_CMDLINE_SIZE   0x238
#define H_SUBARCH        0x23c   /* hardware_subarch, hardware_subarch_data: 12 bytes */
#define H_SETUP_DATA     0x250
#define H_PREF_ADDRESS   0x258
#define H_INIT_SIZE      0x260
#define H_END_2_06       0x23c   /* the header must reach past cmdline_size */
#define H_END_2_10       0x264   /* ... and past init_size from 2.10 */
#define HDR_MAGIC        0x53726448u   /* "HdrS" */

/* Other struct boot_params offsets. */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES      0x1e8
#define BP_HDR_LIMIT         0x290   /* struct setup_header ends before this */
#define BP_E820_TABLE        0x2d0
#define BP_E820_ENTRY_SIZE   20

#define PAGE          0x1000ull
#define FOUR_GIB      0x100000000ull
#define RAM_MAX       (1ull << 48)
#define LOADER_TYPE   0xff           /* "undefined" boot loader */
/* heap_end_ptr for a 16-bit setup loaded at 0x90000 with its heap/stack to 0x9e000 (the
 * 32/64-bit entries never run the setup code; set as boot.rst asks with CAN_USE_HEAP). */
#define HEAP_END_PTR  (0xe000 - 0x200)

static uint8_t rd8(const uint8_t *p, size_t off) { return p[off]; }

static uint16_t rd16(const uint8_t *p, size_t off)
{
    return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
    return (uint32_t)rd16(p, off) | (uint32_t)rd16(p, off + 2) << 16;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
    return (uint64_t)rd32(p, off) | (uint64_t)rd32(p, off + 4) << 32;
}

static void wr16(uint8_t *p, size_t off, uint16_t v)
{
    p[off] = (uint8_t)v;
    p[off + 1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, size_t off, uint32_t v)
{
    wr16(p, off, (uint16_t)v);
    wr16(p, off + 2, (uint16_t)(v >> 16));
}

static void wr64(uint8_t *p, size_t off, uint64_t v)
{
    wr32(p, off, (uint32_t)v);
    wr32(p, off + 4, (uint32_t)(v >> 32));
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

static bool overlap(uint64_t alo, uint64_t ahi, uint64_t blo, uint64_t bhi)
{
    return alo < bhi && blo < ahi;
}

/* Does [lo, hi) overlap one of the caller's extra ranges (checked: no sum overflows)? */
static bool hits_extra(const struct bzimage_layout *mem, uint64_t lo, uint64_t hi)
{
    for (unsigned i = 0; i < mem->nextra; i++)
        if (overlap(lo, hi, mem->extra[i].addr, mem->extra[i].addr + mem->extra[i].size))
            return true;
    return false;
}

/* Read and check the setup header of img[0..len) into the header half of *out, and the
 * protected-mode kernel's place in the file. Returns 0 or -1 with err set. */
static int parse_header(const uint8_t *img, size_t len, struct bzimage_plan *out, char *err,
                        size_t errsz)
{
    size_t hdr_end, pm_off;
    unsigned min_end;

    if (len < H_VERSION + 2)
        return fail(err, errsz, "truncated kernel: %zu bytes, too short for a Linux setup "
                    "header (HdrS at 0x202)", len);
    if (rd32(img, H_MAGIC) != HDR_MAGIC)
        return fail(err, errsz, "not a Linux bzImage: no \"HdrS\" magic at offset 0x202");
    out->version = rd16(img, H_VERSION);
    if (out->version < BZIMAGE_MIN_VERSION)
        return fail(err, errsz, "Linux boot protocol %u.%02u is too old (2.06 or newer "
                    "needed, kernel 2.6.22+)", out->version >> 8, out->version & 0xff);
    hdr_end = H_MAGIC + (size_t)rd8(img, H_JUMP_LEN);
    min_end = out->version >= 0x020a ? H_END_2_10 : H_END_2_06;
    if (hdr_end < min_end)
        return fail(err, errsz, "setup header ends at 0x%zx, short of 0x%x for protocol "
                    "%u.%02u", hdr_end, min_end, out->version >> 8, out->version & 0xff);
    if (hdr_end > len)
        return fail(err, errsz, "truncated kernel: setup header runs to 0x%zx, file is %zu "
                    "bytes", hdr_end, len);
    out->setup_sects = rd8(img, H_SETUP_SECTS) ? rd8(img, H_SETUP_SECTS) : 4;
    out->loadflags = rd8(img, H_LOADFLAGS);
    if (!(out->loadflags & BZIMAGE_LF_LOADED_HIGH))
        return fail(err, errsz, "zImage (loadflags LOADED_HIGH clear): only bzImage kernels "
                    "load at 1 MiB and above");
    out->xloadflags = out->version >= 0x020c ? rd16(img, H_XLOADFLAGS) : 0;
    out->relocatable = rd8(img, H_RELOCATABLE) != 0;
    out->kernel_alignment = rd32(img, H_KERNEL_ALIGN);
    out->cmdline_size = rd32(img, H_CMDLINE_SIZE);
    if (out->relocatable && (out->kernel_alignment == 0 ||
                             (out->kernel_alignment & (out->kernel_alignment - 1))))
        return fail(err, errsz, "relocatable kernel with kernel_alignment 0x%x, not a power "
                    "of two", out->kernel_alignment);
    pm_off = ((size_t)out->setup_sects + 1) * 512;
    if (pm_off >= len)
        return fail(err, errsz, "truncated kernel: %u setup sectors end at 0x%zx, file is "
                    "%zu bytes (no protected-mode kernel)", out->setup_sects, pm_off, len);
    out->kernel_file_off = pm_off;
    out->kernel_file_size = len - pm_off;
    /* syssize: the protected-mode kernel's size in 16-byte units, so a file cut short
     * anywhere past the setup is caught here, not by a guest crashing in its decompressor. */
    if ((uint64_t)rd32(img, H_SYSSIZE) * 16 > out->kernel_file_size)
        return fail(err, errsz, "truncated kernel: the setup header says %llu bytes of "
                    "protected-mode kernel, the file holds %llu",
                    (unsigned long long)rd32(img, H_SYSSIZE) * 16,
                    (unsigned long long)out->kernel_file_size);
    if (out->version >= 0x020a) {
        out->pref_address = rd64(img, H_PREF_ADDRESS);
        out->init_size = rd32(img, H_INIT_SIZE);
    } else {                          /* no init_size: assume the decompressor's 4x */
        out->pref_address = BZIMAGE_KERNEL_LOW;
        out->init_size = (out->kernel_file_size * 4 + PAGE - 1) & ~(PAGE - 1);
    }
    return 0;
}

/* Check the caller's layout: RAM size and extra ranges (a type, inside 2^48, no overlaps
 * among them or with the zero page and command line). */
static int check_layout(const struct bzimage_layout *mem, uint32_t cmdline_len, char *err,
                        size_t errsz)
{
    if (mem->ram_size < 2 * BZIMAGE_KERNEL_LOW || mem->ram_size > RAM_MAX ||
        (mem->ram_size & (PAGE - 1)))
        return fail(err, errsz, "domain RAM size 0x%llx is not a 4 KiB multiple in "
                    "[2 MiB, 256 TiB]", (unsigned long long)mem->ram_size);
    if (mem->nextra > BZIMAGE_EXTRA_MAX || (mem->nextra && !mem->extra))
        return fail(err, errsz, "%u extra E820 ranges (at most %u)", mem->nextra,
                    BZIMAGE_EXTRA_MAX);
    for (unsigned i = 0; i < mem->nextra; i++) {
        const struct bzimage_e820 *x = &mem->extra[i];

        if (x->type < BZIMAGE_E820_RESERVED || x->type > BZIMAGE_E820_NVS)
            return fail(err, errsz, "extra E820 range %u has type %u (2, 3 or 4 expected)",
                        i, x->type);
        if (x->size == 0 || x->addr >= RAM_MAX || x->size > RAM_MAX - x->addr)
            return fail(err, errsz, "extra E820 range %u (0x%llx, 0x%llx bytes) is empty or "
                        "above 256 TiB", i, (unsigned long long)x->addr,
                        (unsigned long long)x->size);
        for (unsigned j = 0; j < i; j++)
            if (overlap(x->addr, x->addr + x->size, mem->extra[j].addr,
                        mem->extra[j].addr + mem->extra[j].size))
                return fail(err, errsz, "extra E820 ranges %u and %u overlap", j, i);
    }
    if (hits_extra(mem, BZIMAGE_ZERO_PAGE_ADDR, BZIMAGE_ZERO_PAGE_ADDR + PAGE) ||
        hits_extra(mem, BZIMAGE_CMDLINE_ADDR, BZIMAGE_CMDLINE_ADDR + cmdline_len))
        return fail(err, errsz, "an extra E820 range covers the zero page (0x%llx) or the "
                    "command line (0x%llx)", BZIMAGE_ZERO_PAGE_ADDR, BZIMAGE_CMDLINE_ADDR);
    return 0;
}

/* The region a kernel loaded at load needs (boot.rst, init_size: a relocatable kernel runs
 * at max(load, pref_address) aligned up to kernel_alignment, another one at pref_address),
 * or false if it does not fit [1 MiB, ram_size) clear of the extra ranges. The file's bytes
 * must also lie below 4 GiB: the 32-bit entry and code32_start are 32-bit addresses. */
static bool kernel_fits(struct bzimage_plan *out, const struct bzimage_layout *mem,
                        uint64_t load)
{
    uint64_t run, lo, hi;

    if (out->pref_address > mem->ram_size || load > mem->ram_size ||
        out->kernel_file_size > mem->ram_size)
        return false;
    if (out->relocatable) {
        uint64_t a = out->kernel_alignment;

        run = load > out->pref_address ? load : out->pref_address;
        run = (run + a - 1) & ~(a - 1);
    } else {
        run = out->pref_address ? out->pref_address : load;
    }
    lo = load < run ? load : run;
    hi = load + out->kernel_file_size;
    if (run + out->init_size > hi)
        hi = run + out->init_size;
    if (lo < BZIMAGE_KERNEL_LOW || hi > mem->ram_size || hits_extra(mem, lo, hi) ||
        load + out->kernel_file_size > FOUR_GIB)
        return false;
    out->kernel_addr = load;
    out->kernel_run_addr = run;
    out->kernel_region.lo = lo;
    out->kernel_region.hi = hi;
    return true;
}

/* The kernel at pref_address when relocatable and it fits there, else at 1 MiB. */
static int place_kernel(struct bzimage_plan *out, const struct bzimage_layout *mem, char *err,
                        size_t errsz)
{
    uint64_t pref = out->pref_address;

    if (out->relocatable && pref >= BZIMAGE_KERNEL_LOW &&
        !(pref & (out->kernel_alignment - 1)) && kernel_fits(out, mem, pref))
        return 0;
    if (kernel_fits(out, mem, BZIMAGE_KERNEL_LOW))
        return 0;
    if (!out->relocatable && pref && pref < BZIMAGE_KERNEL_LOW)
        return fail(err, errsz, "non-relocatable kernel runs at pref_address 0x%llx, below "
                    "1 MiB", (unsigned long long)pref);
    return fail(err, errsz, "kernel does not fit: %llu KiB of file and init_size %llu KiB "
                "(pref_address 0x%llx) in %llu MiB of RAM%s",
                (unsigned long long)(out->kernel_file_size >> 10),
                (unsigned long long)(out->init_size >> 10), (unsigned long long)pref,
                (unsigned long long)(mem->ram_size >> 20),
                mem->nextra ? " beside the extra E820 ranges" : "");
}

/* The initrd as high as possible under min(initrd_addr_max + 1, RAM end) (RAM end alone if
 * the kernel takes an initrd above 4 GiB), page-aligned, at or above 1 MiB, clear of the
 * kernel's region and the extra ranges. Each collision moves it below the range it hit,
 * so every range is hit at most once. */
static int place_initrd(const uint8_t *img, struct bzimage_plan *out,
                        const struct bzimage_layout *mem, uint64_t size, char *err,
                        size_t errsz)
{
    uint64_t limit = mem->ram_size, addr, max = (uint64_t)rd32(img, H_INITRD_MAX) + 1;
    bool moved = true;

    if (size == 0)
        return 0;
    if (!(out->xloadflags & BZIMAGE_XLF_CAN_BE_LOADED_ABOVE_4G) && max < limit)
        limit = max;
    if (limit < BZIMAGE_KERNEL_LOW || size > limit - BZIMAGE_KERNEL_LOW)
        goto too_big;
    addr = (limit - size) & ~(PAGE - 1);
    while (moved) {
        moved = false;
        for (unsigned i = 0; i <= mem->nextra && !moved; i++) {
            uint64_t lo = i < mem->nextra ? mem->extra[i].addr : out->kernel_region.lo;
            uint64_t hi = i < mem->nextra ? lo + mem->extra[i].size : out->kernel_region.hi;

            if (!overlap(addr, addr + size, lo, hi))
                continue;
            if (lo < BZIMAGE_KERNEL_LOW + size)
                goto too_big;
            addr = (lo - size) & ~(PAGE - 1);
            moved = true;
        }
    }
    if (addr < BZIMAGE_KERNEL_LOW)
        goto too_big;
    out->initrd_addr = addr;
    out->initrd_size = size;
    return 0;
too_big:
    return fail(err, errsz, "initrd of %llu KiB does not fit below 0x%llx (RAM %llu MiB, "
                "initrd_addr_max 0x%llx) beside the kernel", (unsigned long long)(size >> 10),
                (unsigned long long)limit, (unsigned long long)(mem->ram_size >> 20),
                (unsigned long long)(max - 1));
}

/* Add one E820 entry (the caller keeps the count within bounds: at most 4 + 3 per extra). */
static void e820_add(struct bzimage_plan *out, uint64_t addr, uint64_t end, uint32_t type)
{
    if (end <= addr)
        return;
    out->e820[out->e820_entries].addr = addr;
    out->e820[out->e820_entries].size = end - addr;
    out->e820[out->e820_entries].type = type;
    out->e820_entries++;
}

/* The map: page 0 reserved, low RAM, the legacy hole, RAM from 1 MiB to the end; then each
 * extra range cut out of whatever it covers and added with its own type; sorted. */
static void build_e820(struct bzimage_plan *out, const struct bzimage_layout *mem)
{
    out->e820_entries = 0;
    e820_add(out, 0, BZIMAGE_LOW_RESERVED, BZIMAGE_E820_RESERVED);
    e820_add(out, BZIMAGE_LOW_RESERVED, BZIMAGE_HOLE_START, BZIMAGE_E820_RAM);
    e820_add(out, BZIMAGE_HOLE_START, BZIMAGE_HOLE_END, BZIMAGE_E820_RESERVED);
    e820_add(out, BZIMAGE_HOLE_END, mem->ram_size, BZIMAGE_E820_RAM);
    for (unsigned x = 0; x < mem->nextra; x++) {
        uint64_t lo = mem->extra[x].addr, hi = lo + mem->extra[x].size;
        unsigned n = out->e820_entries;

        for (unsigned i = 0; i < n; i++) {
            struct bzimage_e820 e = out->e820[i];

            if (!overlap(e.addr, e.addr + e.size, lo, hi))
                continue;
            out->e820[i].size = 0;                      /* dropped below */
            e820_add(out, e.addr, lo < e.addr + e.size ? lo : e.addr + e.size, e.type);
            e820_add(out, hi > e.addr ? hi : e.addr, e.addr + e.size, e.type);
        }
        e820_add(out, lo, hi, mem->extra[x].type);
        n = 0;                                          /* squeeze out the dropped ones */
        for (unsigned i = 0; i < out->e820_entries; i++)
            if (out->e820[i].size)
                out->e820[n++] = out->e820[i];
        out->e820_entries = n;
    }
    for (unsigned i = 1; i < out->e820_entries; i++) {  /* insertion sort by address */
        struct bzimage_e820 e = out->e820[i];
        unsigned j = i;

        for (; j > 0 && out->e820[j - 1].addr > e.addr; j--)
            out->e820[j] = out->e820[j - 1];
        out->e820[j] = e;
    }
}

/* The zero page: zeroed, the file's setup header at its own offsets (cut at the end of
 * struct setup_header, 0x290, whatever length the file claims), then the loader's fields:
 * those we set, and those a loader owns that we leave at 0 whatever the file holds
 * (setup_data, whose list the kernel would follow; hardware_subarch and its data, 0 = PC;
 * ext_loader_ver/type). */
static void fill_zero_page(const uint8_t *img, const struct bzimage_plan *out, uint8_t *zp)
{
    size_t hdr_end = H_MAGIC + (size_t)rd8(img, H_JUMP_LEN);

    memset(zp, 0, BZIMAGE_ZERO_PAGE_SIZE);
    if (hdr_end > BP_HDR_LIMIT)
        hdr_end = BP_HDR_LIMIT;
    memcpy(zp + H_SETUP_SECTS, img + H_SETUP_SECTS, hdr_end - H_SETUP_SECTS);
    memset(zp + H_EXT_LOADER, 0, 2);
    memset(zp + H_SUBARCH, 0, 12);
    memset(zp + H_SETUP_DATA, 0, 8);
    zp[H_TYPE_OF_LOADER] = LOADER_TYPE;
    zp[H_LOADFLAGS] = BZIMAGE_LF_LOADED_HIGH | BZIMAGE_LF_CAN_USE_HEAP;
    wr32(zp, H_CODE32_START, (uint32_t)out->kernel_addr);
    wr16(zp, H_HEAP_END_PTR, HEAP_END_PTR);
    wr32(zp, H_CMD_LINE_PTR, (uint32_t)out->cmdline_addr);
    wr32(zp, BP_EXT_CMD_LINE_PTR, (uint32_t)(out->cmdline_addr >> 32));
    wr32(zp, H_RAMDISK_IMAGE, (uint32_t)out->initrd_addr);
    wr32(zp, H_RAMDISK_SIZE, (uint32_t)out->initrd_size);
    wr32(zp, BP_EXT_RAMDISK_IMAGE, (uint32_t)(out->initrd_addr >> 32));
    wr32(zp, BP_EXT_RAMDISK_SIZE, (uint32_t)(out->initrd_size >> 32));
    zp[BP_E820_ENTRIES] = (uint8_t)out->e820_entries;
    for (unsigned i = 0; i < out->e820_entries; i++) {
        size_t o = BP_E820_TABLE + (size_t)i * BP_E820_ENTRY_SIZE;

        wr64(zp, o, out->e820[i].addr);
        wr64(zp, o + 8, out->e820[i].size);
        wr32(zp, o + 16, out->e820[i].type);
    }
}

/* The two entries, as data for the backend. */
static void fill_entries(struct bzimage_plan *out)
{
    struct bzimage_entry e = {
        .bits = 32, .rip = out->kernel_addr, .rsi = out->zero_page_addr,
        .cs = BZIMAGE_BOOT_CS, .ds = BZIMAGE_BOOT_DS,
    };

    out->entry32 = e;
    out->entry = e;
    if (out->xloadflags & BZIMAGE_XLF_KERNEL_64) {
        out->entry.bits = 64;
        out->entry.rip = out->kernel_addr + 0x200;
        out->entry.ident_map[0] = out->kernel_region;
        out->entry.ident_map[1].lo = out->zero_page_addr;
        out->entry.ident_map[1].hi = out->zero_page_addr + BZIMAGE_ZERO_PAGE_SIZE;
        out->entry.ident_map[2].lo = out->cmdline_addr;
        out->entry.ident_map[2].hi = out->cmdline_addr + out->cmdline_len;
    }
}

/* Contract in the header. */
bool bzimage_probe(const uint8_t *img, size_t len)
{
    return img && len >= H_MAGIC + 4 && rd32(img, H_MAGIC) == HDR_MAGIC;
}

/* Contract in the header. */
int bzimage_plan(const uint8_t *img, size_t len, uint64_t initrd_size, const char *cmdline,
                 const struct bzimage_layout *mem, struct bzimage_plan *out,
                 uint8_t *zero_page, char *err, size_t errsz)
{
    size_t clen, climit;

    memset(out, 0, sizeof(*out));
    if (err && errsz)
        err[0] = '\0';
    if (!img)
        len = 0;
    if (!mem || !zero_page)
        return fail(err, errsz, "bzimage_plan: no memory layout or zero page buffer");
    if (parse_header(img, len, out, err, errsz) != 0)
        return -1;
    climit = out->cmdline_size < BZIMAGE_CMDLINE_MAX - 1 ? out->cmdline_size
                                                         : BZIMAGE_CMDLINE_MAX - 1;
    clen = cmdline ? strnlen(cmdline, climit + 1) : 0;
    if (clen > climit)
        return fail(err, errsz, "command line longer than the kernel's cmdline_size (%zu "
                    "characters at most)", climit);
    out->cmdline_len = (uint32_t)clen + 1;
    out->zero_page_addr = BZIMAGE_ZERO_PAGE_ADDR;
    out->cmdline_addr = BZIMAGE_CMDLINE_ADDR;
    if (check_layout(mem, out->cmdline_len, err, errsz) != 0 ||
        place_kernel(out, mem, err, errsz) != 0 ||
        place_initrd(img, out, mem, initrd_size, err, errsz) != 0)
        return -1;
    build_e820(out, mem);
    fill_entries(out);
    fill_zero_page(img, out, zero_page);
    return 0;
}
