/* Guest runtime start-up and boot information: rt_start() (called from entry.S) sets up the
 * devices and calls main(); helpers read the command line and walk the Multiboot info. */
#include "guest.h"

uint32_t boot_magic;
struct mb_info *boot_info;
const char *boot_cmdline = "";
const char *guest_name = "guest";

void idt_init(void);
void pic_init(void);
void hv_detect(void);

/* Called once from _start with the loader's registers; never returns. */
__attribute__((noreturn)) void rt_start(uint32_t magic, struct mb_info *info)
{
    boot_magic = magic;
    boot_info = magic == MB_LOADER_MAGIC ? info : NULL;
    if (boot_info && (boot_info->flags & (1u << 2)) && boot_info->cmdline)
        boot_cmdline = (const char *)boot_info->cmdline;
    uart_init();
    idt_init();
    pic_init();
    hv_detect();
    int r = main(magic, boot_info);
    shutdown(r ? KESTREL_SHUTDOWN_CRASH : KESTREL_SHUTDOWN_POWEROFF);
}

/* Find `key=` at the start of a word of the command line; returns the value or NULL. */
static const char *cmdline_find(const char *key)
{
    size_t kl = strlen(key);
    const char *p = boot_cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, kl) && p[kl] == '=')
            return p + kl + 1;
        while (*p && *p != ' ')
            p++;
    }
    return NULL;
}

/* Numeric value of key (decimal or 0x hex), def when absent or not a number. */
unsigned long long cmdline_num(const char *key, unsigned long long def)
{
    const char *v = cmdline_find(key);
    char *end;
    if (!v)
        return def;
    unsigned long long n = strtoull(v, &end, 0);
    return end == v ? def : n;
}

/* Copy key's word value into buf (NUL-terminated, truncated to n - 1); false if absent. */
bool cmdline_str(const char *key, char *buf, size_t n)
{
    const char *v = cmdline_find(key);
    size_t i = 0;
    if (!v || n == 0)
        return false;
    while (v[i] && v[i] != ' ' && i + 1 < n) {
        buf[i] = v[i];
        i++;
    }
    buf[i] = 0;
    return true;
}

/* Name of an E820 type for the mmap listing. */
static const char *mmap_type_name(uint32_t t)
{
    switch (t) {
    case 1: return "available";
    case 2: return "reserved";
    case 3: return "ACPI";
    case 4: return "NVS";
    case 5: return "bad";
    default: return "other";
    }
}

/* Call fn for each memory map entry; returns the number of entries. */
static unsigned mmap_walk(void (*fn)(const struct mb_mmap *e, void *arg), void *arg)
{
    unsigned n = 0;
    if (!boot_info || !(boot_info->flags & (1u << 6)))
        return 0;
    uint32_t p = boot_info->mmap_addr, end = p + boot_info->mmap_length;
    while (p + 24 <= end) {
        const struct mb_mmap *e = (const struct mb_mmap *)p;
        if (e->size < 20)
            break;
        fn(e, arg);
        n++;
        p += e->size + 4;
    }
    return n;
}

/* mmap_walk callback: print one entry with the tag in arg. */
static void mmap_print_one(const struct mb_mmap *e, void *arg)
{
    printf("%s: mmap 0x%016llx-0x%016llx type %u (%s)\n", (const char *)arg,
           (unsigned long long)e->addr, (unsigned long long)(e->addr + e->len - 1),
           (unsigned)e->type, mmap_type_name(e->type));
}

/* Print everything the loader told us, one fact per line prefixed by tag. */
void mbi_print(const char *tag)
{
    printf("%s: magic 0x%08x%s\n", tag, (unsigned)boot_magic,
           boot_magic == MB_LOADER_MAGIC ? "" : " (not multiboot!)");
    if (!boot_info)
        return;
    const struct mb_info *mi = boot_info;
    printf("%s: flags 0x%08x\n", tag, (unsigned)mi->flags);
    if (mi->flags & (1u << 9))
        printf("%s: loader '%s'\n", tag, (const char *)mi->boot_loader_name);
    printf("%s: cmdline '%s'\n", tag, boot_cmdline);
    if (mi->flags & 1u)
        printf("%s: mem_lower %u KiB, mem_upper %u KiB\n", tag, (unsigned)mi->mem_lower,
               (unsigned)mi->mem_upper);
    unsigned n = mmap_walk(mmap_print_one, (void *)tag);
    printf("%s: mmap has %u entries\n", tag, n);
    unsigned mods = (mi->flags & (1u << 3)) ? mi->mods_count : 0;
    printf("%s: %u module(s)\n", tag, mods);
    for (unsigned i = 0; i < mods && i < 64; i++) {
        const struct mb_mod *m = (const struct mb_mod *)(mi->mods_addr + i * sizeof(*m));
        printf("%s: module %u: 0x%08x-0x%08x (%u bytes) '%s'\n", tag, i, (unsigned)m->start,
               (unsigned)m->end, (unsigned)(m->end - m->start),
               m->string ? (const char *)m->string : "");
    }
}

/* mmap_walk callback: raise *(uint64_t *)arg to the end of an available entry. */
static void mmap_max_ram(const struct mb_mmap *e, void *arg)
{
    uint64_t *top = arg;
    if (e->type == 1 && e->addr + e->len > *top)
        *top = e->addr + e->len;
}

/* End of RAM in bytes: from the mmap, else from mem_upper, else 4 MiB. */
uint64_t mbi_ram_end(void)
{
    uint64_t top = 0;
    if (mmap_walk(mmap_max_ram, &top) && top)
        return top;
    if (boot_info && (boot_info->flags & 1u))
        return 0x100000ull + (uint64_t)boot_info->mem_upper * 1024;
    return 4ull << 20;
}

/* CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), continuing from crc. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}
