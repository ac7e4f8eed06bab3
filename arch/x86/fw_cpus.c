/* Finding the host's processors in the firmware's tables: the ACPI MADT (ACPI 6.5 §5.2.5
 * RSDP, §5.2.7-8 RSDT/XSDT, §5.2.12 MADT) and the Intel MultiProcessor Specification 1.4
 * tables (§4.1 floating pointer, §4.2-4.3 configuration table and processor entries).
 *
 * Every read goes through the reader's callback, by copy, a field at a time, so nothing here
 * can run past a table whatever its length fields say: a table is checked (signature,
 * length within a bound, checksum) before any entry is read, each entry's length is checked
 * against the table's end, and a walk that cannot continue stops with one warning. */
#include "arch/fw_cpus.h"
#include "lib/format.h"
#include "lib/string.h"
#include <stdarg.h>

#define EBDA_SEG_PTR     0x40Eu         /* BDA: the EBDA's real-mode segment */
#define BASE_MEM_KB_PTR  0x413u         /* BDA: base memory size in KiB */
#define BIOS_AREA_START  0xE0000u
#define BIOS_AREA_END    0x100000u
#define SDT_HEADER_LEN   36u
#define SDT_MAX_LEN      (1u << 20)     /* no real MADT/RSDT comes close */
#define SDT_MAX_ENTRIES  256u           /* tables an RSDT/XSDT may list that we look at */
#define MADT_HEADER_LEN  44u            /* SDT header, local APIC address, flags */
#define MP_CONFIG_HDR    44u
#define MP_PROC_ENTRY    20u
#define MP_OTHER_ENTRY   8u

/* Report one problem through the reader's warning callback. */
static void warn(const struct fw_reader *r, const char *fmt, ...)
{
    char msg[160];
    va_list ap;

    if (!r->warn)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->warn(r->warn_ctx, msg);
}

static bool read_u8(const struct fw_reader *r, uint64_t pa, uint8_t *v)
{
    return r->read(r->ctx, pa, v, 1);
}

static bool read_u16(const struct fw_reader *r, uint64_t pa, uint16_t *v)
{
    uint8_t b[2];
    if (!r->read(r->ctx, pa, b, 2))
        return false;
    *v = (uint16_t)(b[0] | b[1] << 8);
    return true;
}

static bool read_u32(const struct fw_reader *r, uint64_t pa, uint32_t *v)
{
    uint8_t b[4];
    if (!r->read(r->ctx, pa, b, 4))
        return false;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static bool read_u64(const struct fw_reader *r, uint64_t pa, uint64_t *v)
{
    uint32_t lo, hi;
    if (!read_u32(r, pa, &lo) || !read_u32(r, pa + 4, &hi))
        return false;
    *v = (uint64_t)hi << 32 | lo;
    return true;
}

/* Do the len bytes at pa sum to 0 (mod 256)? False too when they cannot all be read. */
static bool checksum_ok(const struct fw_reader *r, uint64_t pa, uint32_t len)
{
    uint8_t buf[256], sum = 0;
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < sizeof(buf) ? len - done : (uint32_t)sizeof(buf);
        if (!r->read(r->ctx, pa + done, buf, n))
            return false;
        for (uint32_t i = 0; i < n; i++)
            sum = (uint8_t)(sum + buf[i]);
        done += n;
    }
    return sum == 0;
}

/* The EBDA's address from the BDA, or 0 when it does not point into low memory. */
static uint64_t ebda_base(const struct fw_reader *r)
{
    uint16_t seg;
    if (!read_u16(r, EBDA_SEG_PTR, &seg))
        return 0;
    uint64_t pa = (uint64_t)seg << 4;
    return pa >= 0x80000 && pa < 0xA0000 ? pa : 0;
}

/* Does the 16-byte-aligned candidate at pa start with sig and check out? */
typedef bool (*candidate_fn)(const struct fw_reader *r, uint64_t pa);

/* The first candidate in [start, end) on 16-byte boundaries; 0 and *pa, or -1. */
static int scan(const struct fw_reader *r, uint64_t start, uint64_t end, candidate_fn ok,
                uint64_t *pa)
{
    for (uint64_t p = start; p + 16 <= end; p += 16)
        if (ok(r, p)) {
            *pa = p;
            return 0;
        }
    return -1;
}

static bool rsdp_ok(const struct fw_reader *r, uint64_t pa)
{
    char sig[8];
    uint8_t rev;
    uint32_t len;
    if (!r->read(r->ctx, pa, sig, 8) || memcmp(sig, "RSD PTR ", 8) != 0)
        return false;
    if (!checksum_ok(r, pa, 20) || !read_u8(r, pa + 15, &rev))
        return false;
    if (rev < 2)
        return true;
    return read_u32(r, pa + 20, &len) && len >= 36 && len <= 4096 && checksum_ok(r, pa, len);
}

int acpi_find_rsdp(const struct fw_reader *r, uint64_t *pa)
{
    uint64_t ebda = ebda_base(r);
    if (ebda && scan(r, ebda, ebda + 1024, rsdp_ok, pa) == 0)
        return 0;
    return scan(r, BIOS_AREA_START, BIOS_AREA_END, rsdp_ok, pa);
}

/* Check the table at pa: its signature (when sig is not NULL), a length from the header to
 * SDT_MAX_LEN, its checksum. The length in *len; false (and a warning) when it fails. */
static bool sdt_ok(const struct fw_reader *r, uint64_t pa, const char *sig, uint32_t *len)
{
    char s[4];
    if (!r->read(r->ctx, pa, s, 4) || !read_u32(r, pa + 4, len)) {
        warn(r, "ACPI: table at %#llx is not in memory", (unsigned long long)pa);
        return false;
    }
    if (sig && memcmp(s, sig, 4) != 0) {
        warn(r, "ACPI: table at %#llx is not the %.4s it should be", (unsigned long long)pa,
             sig);
        return false;
    }
    if (*len < SDT_HEADER_LEN || *len > SDT_MAX_LEN) {
        warn(r, "ACPI: %.4s at %#llx has a bad length %u", s, (unsigned long long)pa, *len);
        return false;
    }
    if (!checksum_ok(r, pa, *len)) {
        warn(r, "ACPI: %.4s at %#llx has a bad checksum", s, (unsigned long long)pa);
        return false;
    }
    return true;
}

/* Add an enabled processor unless its APIC id is already listed. */
static void add_cpu(struct fw_cpus *out, uint32_t apic_id, uint32_t uid, bool bsp)
{
    for (unsigned i = 0; i < out->count; i++)
        if (out->cpu[i].apic_id == apic_id)
            return;
    if (out->count == FW_CPUS_MAX) {
        out->dropped++;
        return;
    }
    out->cpu[out->count++] = (struct fw_cpu){ apic_id, uid, bsp };
}

static void reset(struct fw_cpus *out, const char *source)
{
    memset(out, 0, sizeof(*out));
    out->source = source;
    out->lapic_pa = 0xFEE00000u;
}

/* The MADT in the RSDT (entry_size 4) or XSDT (8) at pa; 0 and *madt, or -1. */
static int find_madt(const struct fw_reader *r, uint64_t pa, unsigned entry_size,
                     uint64_t *madt)
{
    uint32_t len;
    if (!sdt_ok(r, pa, entry_size == 8 ? "XSDT" : "RSDT", &len))
        return -1;
    uint32_t n = (len - SDT_HEADER_LEN) / entry_size;
    for (uint32_t i = 0; i < n && i < SDT_MAX_ENTRIES; i++) {
        uint64_t entry = 0;
        uint32_t e32;
        char sig[4];
        uint64_t at = pa + SDT_HEADER_LEN + (uint64_t)i * entry_size;
        if (entry_size == 8 ? !read_u64(r, at, &entry) : !read_u32(r, at, &e32))
            break;
        if (entry_size == 4)
            entry = e32;
        if (r->read(r->ctx, entry, sig, 4) && memcmp(sig, "APIC", 4) == 0) {
            *madt = entry;
            return 0;
        }
    }
    warn(r, "ACPI: no MADT in the %s", entry_size == 8 ? "XSDT" : "RSDT");
    return -1;
}

/* One MADT entry of type and len at pa: record what it says of a processor. */
static void madt_entry(const struct fw_reader *r, uint64_t pa, uint8_t type, uint8_t len,
                       struct fw_cpus *out)
{
    uint8_t uid8, id8;
    uint32_t flags, id, uid;
    uint64_t addr;

    if (type == 0 && len >= 8 && read_u8(r, pa + 2, &uid8) && read_u8(r, pa + 3, &id8) &&
        read_u32(r, pa + 4, &flags)) {
        if (flags & 1)
            add_cpu(out, id8, uid8, false);
        else
            out->disabled++;
    } else if (type == 9 && len >= 16 && read_u32(r, pa + 4, &id) &&
               read_u32(r, pa + 8, &flags) && read_u32(r, pa + 12, &uid)) {
        if ((flags & 1) && id != 0xFFFFFFFFu)
            add_cpu(out, id, uid, false);
        else
            out->disabled++;
    } else if (type == 5 && len >= 12 && read_u64(r, pa + 4, &addr)) {
        out->lapic_pa = addr;
    }
}

/* Walk the MADT at pa into out; 0 with a processor, else -1. */
static int madt_walk(const struct fw_reader *r, uint64_t pa, struct fw_cpus *out)
{
    uint32_t len, lapic;
    if (!sdt_ok(r, pa, "APIC", &len))
        return -1;
    if (len < MADT_HEADER_LEN || !read_u32(r, pa + 36, &lapic)) {
        warn(r, "ACPI: MADT at %#llx is too short (%u bytes)", (unsigned long long)pa, len);
        return -1;
    }
    out->lapic_pa = lapic;
    for (uint32_t off = MADT_HEADER_LEN; off + 2 <= len;) {
        uint8_t type, elen;
        if (!read_u8(r, pa + off, &type) || !read_u8(r, pa + off + 1, &elen))
            break;
        if (elen < 2 || off + elen > len) {
            warn(r, "ACPI: MADT entry at offset %u has a bad length %u; ignoring the rest",
                 off, elen);
            break;
        }
        madt_entry(r, pa + off, type, elen, out);
        off += elen;
    }
    if (out->count == 0) {
        warn(r, "ACPI: the MADT lists no enabled processor");
        return -1;
    }
    return 0;
}

int acpi_madt_cpus(const struct fw_reader *r, uint64_t rsdp_pa, struct fw_cpus *out)
{
    uint8_t rev = 0;
    uint32_t rsdt = 0;
    uint64_t xsdt = 0, madt;
    reset(out, "ACPI MADT");
    if (!rsdp_ok(r, rsdp_pa)) {
        warn(r, "ACPI: no valid RSDP at %#llx", (unsigned long long)rsdp_pa);
        return -1;
    }
    read_u8(r, rsdp_pa + 15, &rev);
    read_u32(r, rsdp_pa + 16, &rsdt);
    if (rev >= 2)
        read_u64(r, rsdp_pa + 24, &xsdt);
    if (xsdt && find_madt(r, xsdt, 8, &madt) == 0)
        return madt_walk(r, madt, out);
    if (rsdt && find_madt(r, rsdt, 4, &madt) == 0)
        return madt_walk(r, madt, out);
    if (!xsdt && !rsdt)
        warn(r, "ACPI: the RSDP points to no RSDT or XSDT");
    return -1;
}

static bool mpf_ok(const struct fw_reader *r, uint64_t pa)
{
    char sig[4];
    uint8_t len;
    return r->read(r->ctx, pa, sig, 4) && memcmp(sig, "_MP_", 4) == 0 &&
           read_u8(r, pa + 8, &len) && len == 1 && checksum_ok(r, pa, 16);
}

int mp_find_floating(const struct fw_reader *r, uint64_t *pa)
{
    uint64_t ebda = ebda_base(r);
    uint16_t kb;
    if (ebda && scan(r, ebda, ebda + 1024, mpf_ok, pa) == 0)
        return 0;
    if (read_u16(r, BASE_MEM_KB_PTR, &kb) && kb >= 512 && kb <= 640 &&
        scan(r, (uint64_t)kb * 1024 - 1024, (uint64_t)kb * 1024, mpf_ok, pa) == 0)
        return 0;
    return scan(r, 0xF0000, BIOS_AREA_END, mpf_ok, pa);
}

/* Walk the MP configuration table at pa into out; 0 with a processor, else -1. */
static int mp_config_walk(const struct fw_reader *r, uint64_t pa, struct fw_cpus *out)
{
    char sig[4];
    uint16_t len, count;
    uint32_t lapic;
    if (!r->read(r->ctx, pa, sig, 4) || memcmp(sig, "PCMP", 4) != 0 ||
        !read_u16(r, pa + 4, &len) || !read_u16(r, pa + 34, &count) ||
        !read_u32(r, pa + 36, &lapic)) {
        warn(r, "MP: no configuration table at %#llx", (unsigned long long)pa);
        return -1;
    }
    if (len < MP_CONFIG_HDR || !checksum_ok(r, pa, len)) {
        warn(r, "MP: configuration table at %#llx has a bad length or checksum",
             (unsigned long long)pa);
        return -1;
    }
    out->lapic_pa = lapic;
    uint32_t off = MP_CONFIG_HDR;
    for (unsigned i = 0; i < count && off < len; i++) {
        uint8_t type, id, flags;
        if (!read_u8(r, pa + off, &type))
            break;
        uint32_t elen = type == 0 ? MP_PROC_ENTRY : type <= 4 ? MP_OTHER_ENTRY : 0;
        if (!elen || off + elen > len) {
            warn(r, "MP: entry %u (type %u) cannot be walked; ignoring the rest", i, type);
            break;
        }
        if (type == 0 && read_u8(r, pa + off + 1, &id) && read_u8(r, pa + off + 3, &flags)) {
            if (flags & 1)
                add_cpu(out, id, 0, (flags & 2) != 0);
            else
                out->disabled++;
        }
        off += elen;
    }
    if (out->count == 0) {
        warn(r, "MP: the configuration table lists no enabled processor");
        return -1;
    }
    return 0;
}

int mp_table_cpus(const struct fw_reader *r, uint64_t pa, struct fw_cpus *out)
{
    uint32_t config;
    uint8_t feature1;
    reset(out, "MP table");
    if (!mpf_ok(r, pa) || !read_u32(r, pa + 4, &config) || !read_u8(r, pa + 11, &feature1)) {
        warn(r, "MP: no valid floating pointer at %#llx", (unsigned long long)pa);
        return -1;
    }
    if (feature1 != 0) {        /* a default configuration: two processors, ids 0 and 1 */
        out->source = "MP default configuration";
        add_cpu(out, 0, 0, true);
        add_cpu(out, 1, 0, false);
        return 0;
    }
    return mp_config_walk(r, config, out);
}

int fw_find_cpus(const struct fw_reader *r, struct fw_cpus *out)
{
    uint64_t pa;
    if (acpi_find_rsdp(r, &pa) == 0 && acpi_madt_cpus(r, pa, out) == 0)
        return 0;
    if (mp_find_floating(r, &pa) == 0 && mp_table_cpus(r, pa, out) == 0)
        return 0;
    reset(out, "none");
    return -1;
}
