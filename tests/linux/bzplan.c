/* bzplan: plan the boot of a Linux bzImage with src/core/bzimage.c on the host and print
 * the plan, one "key=value" per line (tests/system/test_linux_bzplan.py reads it; people
 * can too). Built by tests/linux/linux.mk to build/linux/bzplan.
 *
 *   bzplan KERNEL [--ram MIB] [--initrd-size BYTES] [--cmdline STRING]
 *
 * Defaults: 256 MiB of RAM, no initrd, an empty command line. Exits 0 after printing the
 * plan, 1 with "bzplan: <the planner's one line>" on stderr if the kernel is refused, 2 on
 * a usage or file error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bzimage.h"

static const char *type_name(uint32_t t)
{
    switch (t) {
    case BZIMAGE_E820_RAM: return "ram";
    case BZIMAGE_E820_RESERVED: return "reserved";
    case BZIMAGE_E820_ACPI: return "acpi";
    case BZIMAGE_E820_NVS: return "nvs";
    default: return "?";
    }
}

/* Read the whole file into a malloc'd buffer of exactly its size; NULL on error. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc(n ? (size_t)n : 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static void print_plan(const struct bzimage_plan *p, const struct bzimage_layout *l)
{
    printf("version=%u.%02u\n", p->version >> 8, p->version & 0xff);
    printf("setup_sects=%u\n", p->setup_sects);
    printf("loadflags=0x%02x\n", p->loadflags);
    printf("xloadflags=0x%04x\n", p->xloadflags);
    printf("kernel_64=%d\n", !!(p->xloadflags & BZIMAGE_XLF_KERNEL_64));
    printf("relocatable=%d\n", p->relocatable);
    printf("kernel_alignment=0x%x\n", p->kernel_alignment);
    printf("pref_address=0x%llx\n", (unsigned long long)p->pref_address);
    printf("init_size=0x%llx\n", (unsigned long long)p->init_size);
    printf("cmdline_size=%u\n", p->cmdline_size);
    printf("ram=0x%llx\n", (unsigned long long)l->ram_size);
    printf("kernel_file=0x%llx+0x%llx\n", (unsigned long long)p->kernel_file_off,
           (unsigned long long)p->kernel_file_size);
    printf("kernel_addr=0x%llx\n", (unsigned long long)p->kernel_addr);
    printf("kernel_run_addr=0x%llx\n", (unsigned long long)p->kernel_run_addr);
    printf("kernel_region=0x%llx-0x%llx\n", (unsigned long long)p->kernel_region.lo,
           (unsigned long long)p->kernel_region.hi);
    printf("initrd=0x%llx+0x%llx\n", (unsigned long long)p->initrd_addr,
           (unsigned long long)p->initrd_size);
    printf("zero_page=0x%llx\n", (unsigned long long)p->zero_page_addr);
    printf("cmdline=0x%llx+0x%x\n", (unsigned long long)p->cmdline_addr, p->cmdline_len);
    printf("entry=%u rip=0x%llx rsi=0x%llx cs=0x%x ds=0x%x\n", p->entry.bits,
           (unsigned long long)p->entry.rip, (unsigned long long)p->entry.rsi, p->entry.cs,
           p->entry.ds);
    printf("entry32=%u rip=0x%llx rsi=0x%llx\n", p->entry32.bits,
           (unsigned long long)p->entry32.rip, (unsigned long long)p->entry32.rsi);
    for (unsigned i = 0; i < 3 && p->entry.bits == 64; i++)
        printf("ident_map=0x%llx-0x%llx\n", (unsigned long long)p->entry.ident_map[i].lo,
               (unsigned long long)p->entry.ident_map[i].hi);
    printf("e820_entries=%u\n", p->e820_entries);
    for (unsigned i = 0; i < p->e820_entries; i++)
        printf("e820=0x%llx-0x%llx %s\n", (unsigned long long)p->e820[i].addr,
               (unsigned long long)(p->e820[i].addr + p->e820[i].size),
               type_name(p->e820[i].type));
}

int main(int argc, char **argv)
{
    static uint8_t zero_page[BZIMAGE_ZERO_PAGE_SIZE];
    struct bzimage_layout l = { .ram_size = 256ull << 20 };
    struct bzimage_plan p;
    unsigned long long initrd = 0;
    const char *cmdline = "", *path = NULL;
    char err[256];
    uint8_t *img;
    size_t len = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ram") && i + 1 < argc)
            l.ram_size = strtoull(argv[++i], NULL, 0) << 20;
        else if (!strcmp(argv[i], "--initrd-size") && i + 1 < argc)
            initrd = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--cmdline") && i + 1 < argc)
            cmdline = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!path) {
        fprintf(stderr, "usage: bzplan KERNEL [--ram MIB] [--initrd-size BYTES] "
                "[--cmdline STRING]\n");
        return 2;
    }
    img = slurp(path, &len);
    if (!img) {
        perror(path);
        return 2;
    }
    if (bzimage_plan(img, len, initrd, cmdline, &l, &p, zero_page, err, sizeof(err)) != 0) {
        fprintf(stderr, "bzplan: %s\n", err);
        free(img);
        return 1;
    }
    print_plan(&p, &l);
    free(img);
    return 0;
}
