/* libFuzzer target for the Multiboot v1 parser (src/core/multiboot.c).
 *
 * Input: byte 0 selects the mode (bit 0: wrong magic, bit 1: every odd 4 KiB
 * page unmapped, to exercise strings and maps that cross into a hole),
 * bytes 1-2 are the info structure's physical address (little endian), and
 * the rest is physical memory from address 0, in a buffer of exactly that
 * size so that AddressSanitizer catches any read past what p2v maps.  After
 * parsing, the output's invariants are checked; a violation traps. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/multiboot.h"

static unsigned char *mem;
static size_t mem_size;
static int holes;

/* p2v over the fuzz input: NULL past the end, or in odd pages in hole mode. */
static void *fuzz_p2v(uint64_t pa)
{
    if (pa >= mem_size || (holes && ((pa >> 12) & 1)))
        return NULL;
    return mem + pa;
}

/* Every warning must be one short line. */
static void check_warning(void *ctx, const char *msg)
{
    (void)ctx;
    size_t n = strlen(msg);
    if (n == 0 || n >= 160 || strchr(msg, '\n') != NULL)
        __builtin_trap();
}

/* Strings must be NUL-terminated in mapped memory (strlen under ASan). */
static void check_string(const char *s)
{
    if (s == NULL || strlen(s) >= BOOT_MAX_STRING)
        __builtin_trap();
}

static void check_output(const struct boot_info *bi)
{
    check_string(bi->cmdline);
    check_string(bi->loader_name);
    if (bi->mmap_count > BOOT_MAX_MMAP || bi->mod_count > BOOT_MAX_MODULES ||
        bi->loader_data_count > BOOT_MAX_LOADER_DATA)
        __builtin_trap();
    for (size_t i = 0; i < bi->mmap_count; i++) {
        const struct mem_region *r = &bi->mmap[i];
        if (r->len == 0 || r->base + r->len < r->base)
            __builtin_trap();
        if (i > 0 && bi->mmap[i - 1].base + bi->mmap[i - 1].len > r->base)
            __builtin_trap();                   /* unsorted or overlapping */
        (void)mem_region_type_name(r->type);
    }
    for (size_t i = 0; i < bi->mod_count; i++) {
        const struct boot_module *m = &bi->mods[i];
        check_string(m->string);
        if (m->end < m->start || memchr(m->name, 0, sizeof(m->name)) == NULL)
            __builtin_trap();
    }
    for (size_t i = 0; i < bi->loader_data_count; i++)
        if (bi->loader_data[i].end <= bi->loader_data[i].start)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct boot_info bi;

    if (size < 3)
        return 0;
    uint32_t magic = (data[0] & 1) ? 0x36d76289u : MULTIBOOT_BOOTLOADER_MAGIC;
    uint64_t info_pa = (uint64_t)data[1] | (uint64_t)data[2] << 8;
    holes = (data[0] >> 1) & 1;
    mem_size = size - 3;
    mem = malloc(mem_size ? mem_size : 1);
    if (mem == NULL)
        return 0;
    memcpy(mem, data + 3, mem_size);
    if (multiboot_parse(magic, info_pa, fuzz_p2v, &bi, check_warning, NULL) == 0)
        check_output(&bi);
    else if (bi.mmap_count != 0 || bi.mod_count != 0)
        __builtin_trap();                       /* failure leaves out cleared */
    free(mem);
    return 0;
}
