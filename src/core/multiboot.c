/* Multiboot v1 boot information parser.
 *
 * The loader's structures are untrusted input (and fuzzed): every read goes
 * through phys_map()/p2v, every length is checked before use, and each bad
 * piece is reported in one line and skipped so that boot can go on with the
 * rest.  Output is a self-contained struct boot_info whose memory map is
 * sorted and free of overlaps, which is what the frame allocator wants. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/multiboot.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/ctype.h"

/* After this many warnings one more says the rest are suppressed, so a
 * garbage map cannot flood the serial line at boot. */
#define MB_MAX_WARNINGS 32
/* Walking a memory map stops after this many raw entries, good or bad. */
#define MB_MAX_RAW_ENTRIES (4 * BOOT_MAX_MMAP)
#define MB_PAGE 4096ull

struct parser {
    phys_to_virt_fn p2v;
    boot_warn_fn warn;
    void *ctx;
    struct boot_info *out;
    unsigned warnings;
};

/* Format one warning and pass it on, up to MB_MAX_WARNINGS of them. */
__attribute__((format(printf, 2, 3)))
static void warnf(struct parser *p, const char *fmt, ...)
{
    char line[160];
    va_list ap;

    if (p->warn == NULL || p->warnings > MB_MAX_WARNINGS)
        return;
    if (p->warnings++ == MB_MAX_WARNINGS) {
        p->warn(p->ctx, "multiboot: further warnings suppressed");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    p->warn(p->ctx, line);
}

/* Record [start, end) of loader data as 4 KiB-rounded, merged ranges, so the
 * caller can keep what boot_info points into away from the allocator.
 * Capacity covers every piece the parser can record, so nothing is lost. */
static void add_loader_range(struct boot_info *bi, uint64_t start, uint64_t end)
{
    uint64_t s = start & ~(MB_PAGE - 1);
    uint64_t e = end > UINT64_MAX - (MB_PAGE - 1) ? UINT64_MAX & ~(MB_PAGE - 1)
                                                    : (end + MB_PAGE - 1) & ~(MB_PAGE - 1);
    bool merged = true;

    if (e <= s)
        return;
    /* Absorb every existing range that overlaps or touches [s, e); absorbing
     * one can make the union touch another, hence the outer loop. */
    while (merged) {
        merged = false;
        for (size_t i = 0; i < bi->loader_data_count; i++) {
            struct phys_range *r = &bi->loader_data[i];
            if (r->start <= e && s <= r->end) {
                s = r->start < s ? r->start : s;
                e = r->end > e ? r->end : e;
                *r = bi->loader_data[--bi->loader_data_count];
                merged = true;
                break;
            }
        }
    }
    if (bi->loader_data_count < BOOT_MAX_LOADER_DATA) {
        struct phys_range *r = &bi->loader_data[bi->loader_data_count++];
        r->start = s;
        r->end = e;
        r->what = "multiboot data";
    }
}

/* Map the NUL-terminated string at pa and record it as loader data.  Returns
 * NULL (after a warning naming `what`) if it is not mapped, not virtually
 * contiguous, or has no NUL within BOOT_MAX_STRING bytes.  Checked a page at
 * a time so a short string at the end of mapped memory is still accepted. */
static const char *map_string(struct parser *p, uint64_t pa, const char *what)
{
    const char *first = NULL;
    uint64_t off = 0;

    while (off < BOOT_MAX_STRING) {
        uint64_t at = pa + off;
        uint64_t chunk = MB_PAGE - (at & (MB_PAGE - 1));
        if (at < pa)
            break;                                  /* wrapped around */
        if (chunk > BOOT_MAX_STRING - off)
            chunk = BOOT_MAX_STRING - off;
        const char *v = phys_map(p->p2v, at, chunk);
        if (v == NULL || (first != NULL && v != first + off)) {
            warnf(p, "multiboot: %s at %#llx is not mapped", what, (unsigned long long)pa);
            return NULL;
        }
        if (first == NULL)
            first = v;
        const char *nul = memchr(v, '\0', (size_t)chunk);
        if (nul != NULL) {
            add_loader_range(p->out, pa, at + (uint64_t)(nul - v) + 1);
            return first;
        }
        off += chunk;
    }
    warnf(p, "multiboot: %s at %#llx is not NUL-terminated within %d bytes",
          what, (unsigned long long)pa, BOOT_MAX_STRING);
    return NULL;
}

/* Set name to the basename of the first word of s (cut to fit): the cfg
 * names modules by file name whether QEMU or GRUB supplied the path. */
static void module_name(char *name, size_t size, const char *s)
{
    const char *w, *base;
    size_t n = 0;

    while (k_isspace((unsigned char)*s))
        s++;
    w = s;
    base = s;
    while (*w != '\0' && !k_isspace((unsigned char)*w)) {
        if (*w == '/')
            base = w + 1;
        w++;
    }
    while (base + n < w && n + 1 < size) {
        name[n] = base[n];
        n++;
    }
    name[n] = '\0';
}

/* Fill bi->mods from the module array, skipping bad entries. */
static void parse_modules(struct parser *p, const struct multiboot_info *mbi)
{
    struct boot_info *bi = p->out;
    uint32_t count = mbi->mods_count;

    if (count > BOOT_MAX_MODULES) {
        warnf(p, "multiboot: %u modules, only the first %d are used",
              (unsigned)count, BOOT_MAX_MODULES);
        count = BOOT_MAX_MODULES;
    }
    if (count == 0)
        return;
    uint64_t bytes = (uint64_t)count * sizeof(struct multiboot_module);
    const unsigned char *arr = phys_map(p->p2v, mbi->mods_addr, bytes);
    if (arr == NULL) {
        warnf(p, "multiboot: module list at %#x is not mapped, modules ignored",
              (unsigned)mbi->mods_addr);
        return;
    }
    add_loader_range(bi, mbi->mods_addr, mbi->mods_addr + bytes);

    for (uint32_t i = 0; i < count; i++) {
        struct multiboot_module m;
        memcpy(&m, arr + i * sizeof(m), sizeof(m));   /* may be unaligned */
        if (m.mod_end < m.mod_start) {
            warnf(p, "multiboot: module %u ends (%#x) before it starts (%#x), skipped",
                  (unsigned)i, (unsigned)m.mod_end, (unsigned)m.mod_start);
            continue;
        }
        struct boot_module *bm = &bi->mods[bi->mod_count++];
        bm->start = m.mod_start;
        bm->end = m.mod_end;
        bm->string = "";
        if (m.string != 0) {
            const char *s = map_string(p, m.string, "module string");
            if (s != NULL)
                bm->string = s;
        }
        module_name(bm->name, sizeof(bm->name), bm->string);
    }
}

/* How strongly a type claims memory when entries overlap: anything else wins
 * over usable, and bad memory wins over everything. */
static int type_rank(uint32_t type)
{
    switch (type) {
    case MEM_USABLE: return 0;
    case MEM_ACPI:   return 2;
    case MEM_NVS:    return 3;
    case MEM_BAD:    return 4;
    default:         return 1;  /* reserved and unknown types */
    }
}

struct raw_region { uint64_t start, end; uint32_t type; };

/* Sort n values ascending (insertion sort: n <= 2 * BOOT_MAX_MMAP). */
static void sort_u64(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Turn raw (possibly unsorted, overlapping) regions into bi->mmap: cut the
 * line at every boundary, give each piece the highest-ranked type covering
 * it, and merge neighbours of one type.  Sorted and overlap-free by
 * construction, with no splitting special cases. */
static void normalise_map(struct parser *p, const struct raw_region *raw, size_t n)
{
    static uint64_t pts[2 * BOOT_MAX_MMAP];     /* static: keep stack small */
    struct boot_info *bi = p->out;
    bool overlap = false, full = false;
    size_t np = 0, k = 0;

    for (size_t i = 0; i < n; i++) {
        pts[np++] = raw[i].start;
        pts[np++] = raw[i].end;
    }
    sort_u64(pts, np);
    for (size_t i = 0; i < np; i++)             /* drop duplicates */
        if (k == 0 || pts[k - 1] != pts[i])
            pts[k++] = pts[i];
    np = k;

    for (size_t i = 0; i + 1 < np; i++) {
        uint64_t s = pts[i], e = pts[i + 1];
        int best = -1, cover = 0;
        for (size_t j = 0; j < n; j++) {
            if (raw[j].start <= s && raw[j].end >= e) {
                cover++;
                if (best < 0 || type_rank(raw[j].type) > type_rank(raw[best].type))
                    best = (int)j;
            }
        }
        if (cover == 0)
            continue;
        if (cover > 1)
            overlap = true;
        uint32_t type = raw[best].type;
        struct mem_region *last = bi->mmap_count ? &bi->mmap[bi->mmap_count - 1] : NULL;
        if (last != NULL && last->type == type && last->base + last->len == s) {
            last->len += e - s;
        } else if (bi->mmap_count < BOOT_MAX_MMAP) {
            bi->mmap[bi->mmap_count].base = s;
            bi->mmap[bi->mmap_count].len = e - s;
            bi->mmap[bi->mmap_count].type = type;
            bi->mmap_count++;
        } else {
            full = true;
        }
    }
    if (overlap)
        warnf(p, "multiboot: memory map entries overlap; clipped (non-usable wins)");
    if (full)
        warnf(p, "multiboot: memory map too fragmented, entries beyond %d dropped",
              BOOT_MAX_MMAP);
}

/* Read the loader's memory map into bi->mmap; leaves it empty if none. */
static void parse_mmap(struct parser *p, const struct multiboot_info *mbi)
{
    static struct raw_region raw[BOOT_MAX_MMAP];  /* static: keep stack small */
    uint64_t len = mbi->mmap_length, off = 0;
    size_t n = 0, seen = 0;

    if (len == 0) {
        warnf(p, "multiboot: memory map is empty");
        return;
    }
    const unsigned char *map = phys_map(p->p2v, mbi->mmap_addr, len);
    if (map == NULL) {
        warnf(p, "multiboot: memory map at %#x (%u bytes) is not mapped",
              (unsigned)mbi->mmap_addr, (unsigned)mbi->mmap_length);
        return;
    }
    add_loader_range(p->out, mbi->mmap_addr, mbi->mmap_addr + len);

    while (off < len) {
        struct multiboot_mmap_entry e;
        uint32_t size;

        if (len - off < sizeof(size)) {
            warnf(p, "multiboot: memory map length %u leaves %u stray bytes",
                  (unsigned)len, (unsigned)(len - off));
            break;
        }
        if (++seen > MB_MAX_RAW_ENTRIES) {
            warnf(p, "multiboot: memory map has too many entries, rest ignored");
            break;
        }
        memcpy(&size, map + off, sizeof(size));
        if ((uint64_t)size + 4 > len - off) {
            warnf(p, "multiboot: memory map entry at +%u overruns mmap_length %u",
                  (unsigned)off, (unsigned)len);
            break;
        }
        if (size < sizeof(e) - 4) {
            warnf(p, "multiboot: memory map entry at +%u has size %u < 20, skipped",
                  (unsigned)off, (unsigned)size);
            off += (uint64_t)size + 4;
            continue;
        }
        memcpy(&e, map + off, sizeof(e));
        off += (uint64_t)size + 4;
        if (e.len == 0)
            continue;                               /* harmless, some BIOSes do it */
        if (n == BOOT_MAX_MMAP) {
            warnf(p, "multiboot: more than %d memory map entries, rest ignored",
                  BOOT_MAX_MMAP);
            break;
        }
        raw[n].start = e.addr;
        raw[n].end = e.addr + e.len < e.addr ? UINT64_MAX : e.addr + e.len;
        raw[n].type = e.type;
        n++;
    }
    normalise_map(p, raw, n);
}

/* Build a map from mem_lower/mem_upper: conventional memory from 0 and
 * extended memory from 1 MiB, the two things every loader reports. */
static void synthesise_mmap(struct parser *p, const struct multiboot_info *mbi)
{
    struct boot_info *bi = p->out;

    if (!(mbi->flags & MB_INFO_MEMORY)) {
        warnf(p, "multiboot: no memory map and no mem_lower/mem_upper");
        return;
    }
    warnf(p, "multiboot: no usable memory map, using mem_lower=%uK mem_upper=%uK",
          (unsigned)mbi->mem_lower, (unsigned)mbi->mem_upper);
    /* Conventional memory ends at 640 KiB whatever the loader claims; a
     * bigger value would overlap the VGA hole and extended memory. */
    uint64_t lower = mbi->mem_lower;
    if (lower > 640) {
        warnf(p, "multiboot: mem_lower=%uK is more than 640K, clipped", (unsigned)lower);
        lower = 640;
    }
    if (lower != 0) {
        bi->mmap[bi->mmap_count].base = 0;
        bi->mmap[bi->mmap_count].len = lower << 10;
        bi->mmap[bi->mmap_count].type = MEM_USABLE;
        bi->mmap_count++;
    }
    if (mbi->mem_upper != 0) {
        bi->mmap[bi->mmap_count].base = 0x100000;
        bi->mmap[bi->mmap_count].len = (uint64_t)mbi->mem_upper << 10;
        bi->mmap[bi->mmap_count].type = MEM_USABLE;
        bi->mmap_count++;
    }
}

/* Bytes of the info structure each flag needs (end of its last field). */
static const struct { uint32_t flag; uint32_t end; const char *what; } info_fields[] = {
    { MB_INFO_MEMORY,      12, "mem_lower/mem_upper" },
    { MB_INFO_CMDLINE,     20, "cmdline" },
    { MB_INFO_MODS,        28, "modules" },
    { MB_INFO_MEM_MAP,     52, "memory map" },
    { MB_INFO_LOADER_NAME, 68, "boot loader name" },
};

int multiboot_parse(uint32_t magic, uint64_t info_pa, phys_to_virt_fn p2v,
                    struct boot_info *out, boot_warn_fn warn, void *ctx)
{
    struct parser p = { .p2v = p2v, .warn = warn, .ctx = ctx, .out = out };
    struct multiboot_info mbi;
    uint32_t used = 4;          /* bytes of the info structure we read */
    const unsigned char *raw;

    if (out == NULL)
        return -1;
    memset(out, 0, sizeof(*out));
    out->cmdline = "";
    out->loader_name = "";
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        warnf(&p, "multiboot: bad magic %#x (want %#x)", (unsigned)magic,
              (unsigned)MULTIBOOT_BOOTLOADER_MAGIC);
        return -1;
    }
    raw = phys_map(p2v, info_pa, 4);
    if (raw == NULL) {
        warnf(&p, "multiboot: info structure at %#llx is not mapped",
              (unsigned long long)info_pa);
        return -1;
    }
    memset(&mbi, 0, sizeof(mbi));
    memcpy(&mbi.flags, raw, 4);
    out->flags = mbi.flags;
    /* Drop the flags whose fields lie beyond what is mapped, then copy. */
    for (size_t i = 0; i < sizeof(info_fields) / sizeof(info_fields[0]); i++) {
        if (!(mbi.flags & info_fields[i].flag))
            continue;
        if (phys_map(p2v, info_pa, info_fields[i].end) == NULL) {
            warnf(&p, "multiboot: info structure cut short, %s ignored", info_fields[i].what);
            mbi.flags &= ~info_fields[i].flag;
        } else if (info_fields[i].end > used) {
            used = info_fields[i].end;
        }
    }
    uint32_t flags = mbi.flags;
    memcpy(&mbi, phys_map(p2v, info_pa, used), used);
    mbi.flags = flags;          /* the copy re-read the loader's flags word */
    add_loader_range(out, info_pa, info_pa + used);

    if (mbi.flags & MB_INFO_MEMORY) {
        out->mem_lower_kb = mbi.mem_lower;
        out->mem_upper_kb = mbi.mem_upper;
    }
    if (mbi.flags & MB_INFO_CMDLINE) {
        const char *s = map_string(&p, mbi.cmdline, "command line");
        if (s != NULL)
            out->cmdline = s;
    }
    if (mbi.flags & MB_INFO_LOADER_NAME) {
        const char *s = map_string(&p, mbi.boot_loader_name, "boot loader name");
        if (s != NULL)
            out->loader_name = s;
    }
    if (mbi.flags & MB_INFO_MODS)
        parse_modules(&p, &mbi);
    if (mbi.flags & MB_INFO_MEM_MAP)
        parse_mmap(&p, &mbi);
    if (out->mmap_count == 0)
        synthesise_mmap(&p, &mbi);
    return 0;
}

const char *mem_region_type_name(uint32_t type)
{
    switch (type) {
    case MEM_USABLE:   return "usable";
    case MEM_RESERVED: return "reserved";
    case MEM_ACPI:     return "ACPI data";
    case MEM_NVS:      return "ACPI NVS";
    case MEM_BAD:      return "unusable";
    default:           return "unknown";
    }
}

/* Contract in the header. */
int boot_module_index(const struct boot_info *bi, const char *name)
{
    for (size_t i = 0; i < bi->mod_count && i < BOOT_MAX_MODULES; i++)
        if (strcmp(bi->mods[i].name, name) == 0)
            return (int)i;
    return -1;
}
