/* libFuzzer target: bzimage_plan on arbitrary kernels and layouts. The input's first 40
 * bytes choose the domain (RAM size, initrd size, command line length, up to 4 extra E820
 * ranges); the rest is the kernel file, planned from an exact-size copy so ASan flags any
 * read past its end. Checks that it never crashes, that errors are single lines, and that
 * an accepted plan keeps its promises: the kernel's region, the initrd, the zero page and
 * the command line inside the RAM, apart from each other and from the extra ranges; the
 * initrd page-aligned under its limit; the command line within cmdline_size; the E820 map
 * sorted, without overlaps, covering [0, RAM) exactly and equal to the zero page's copy;
 * the entry the one xloadflags asks for; the file's bytes below 4 GiB; the loader's
 * fields of the zero page the plan's (setup_data and hardware_subarch 0, whatever the file
 * holds). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bzimage.h"

#define PARAMS 40

static uint64_t get(const uint8_t *p, unsigned off, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[off + i] << (8 * i);
    return v;
}

static int overlaps(uint64_t alo, uint64_t ahi, uint64_t blo, uint64_t bhi)
{
    return alo < bhi && blo < ahi;
}

static void check(const struct bzimage_plan *p, const struct bzimage_layout *l,
                  const uint8_t *img, size_t len, const uint8_t *zp)
{
    const struct bzimage_range *k = &p->kernel_region;
    uint64_t ram = l->ram_size, covered = 0, next = 0;

    if (p->version < 0x0206 || !(p->loadflags & 1) || memcmp(zp + 0x202, "HdrS", 4) ||
        memcmp(img + 0x202, "HdrS", 4))
        abort();
    if (p->kernel_file_off + p->kernel_file_size != len || p->kernel_file_size == 0 ||
        p->kernel_addr + p->kernel_file_size > 0x100000000ull)
        abort();
    if (get(zp, 0x250, 8) || get(zp, 0x23c, 4) || zp[0x210] != 0xff || zp[0x211] != 0x81 ||
        get(zp, 0x228, 4) != p->cmdline_addr || get(zp, 0x218, 4) != (uint32_t)p->initrd_addr)
        abort();
    if (k->lo < 0x100000 || k->hi > ram || k->lo > p->kernel_addr ||
        p->kernel_addr + p->kernel_file_size > k->hi || k->lo > p->kernel_run_addr ||
        p->kernel_run_addr + p->init_size > k->hi)
        abort();
    if (p->initrd_size) {
        uint64_t a = p->initrd_addr, e = a + p->initrd_size;
        uint64_t max = (uint64_t)(img[0x22c] | img[0x22d] << 8 | img[0x22e] << 16 |
                                  (uint32_t)img[0x22f] << 24) + 1;

        if (a % 4096 || a < 0x100000 || e > ram || overlaps(a, e, k->lo, k->hi))
            abort();
        if (!(p->xloadflags & BZIMAGE_XLF_CAN_BE_LOADED_ABOVE_4G) && e > max)
            abort();
        for (unsigned i = 0; i < l->nextra; i++)
            if (overlaps(a, e, l->extra[i].addr, l->extra[i].addr + l->extra[i].size))
                abort();
    } else if (p->initrd_addr) {
        abort();
    }
    for (unsigned i = 0; i < l->nextra; i++) {
        uint64_t a = l->extra[i].addr, e = a + l->extra[i].size;

        if (overlaps(a, e, k->lo, k->hi) || overlaps(a, e, p->zero_page_addr,
                                                     p->zero_page_addr + 4096) ||
            overlaps(a, e, p->cmdline_addr, p->cmdline_addr + p->cmdline_len))
            abort();
    }
    if (p->cmdline_len < 1 || p->cmdline_len - 1 > p->cmdline_size ||
        p->cmdline_addr + p->cmdline_len > 0xA0000 || p->zero_page_addr + 4096 > 0xA0000)
        abort();
    if (zp[0x1e8] != p->e820_entries || p->e820_entries > BZIMAGE_E820_MAX)
        abort();
    for (unsigned i = 0; i < p->e820_entries; i++) {
        const struct bzimage_e820 *e = &p->e820[i];
        const uint8_t *z = zp + 0x2d0 + 20 * (size_t)i;

        if (get(z, 0, 8) != e->addr || get(z, 8, 8) != e->size || get(z, 16, 4) != e->type)
            abort();
        if (e->size == 0 || e->addr < next)
            abort();
        if (e->addr < ram) {
            if (e->addr != next)
                abort();
            covered += (e->addr + e->size < ram ? e->addr + e->size : ram) - e->addr;
        }
        next = e->addr + e->size;
        if (e->type == BZIMAGE_E820_RAM && (e->addr < 0x1000 || e->addr + e->size > ram ||
                                            overlaps(e->addr, next, 0xA0000, 0x100000)))
            abort();
    }
    if (covered != ram)
        abort();
    if ((p->entry.bits == 64) != !!(p->xloadflags & BZIMAGE_XLF_KERNEL_64) ||
        p->entry.rip != p->kernel_addr + (p->entry.bits == 64 ? 0x200 : 0) ||
        p->entry.rsi != p->zero_page_addr || p->entry32.rip != p->kernel_addr)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char cmdline[BZIMAGE_CMDLINE_MAX + 16];
    static uint8_t zp[BZIMAGE_ZERO_PAGE_SIZE];
    uint8_t par[PARAMS] = { 0 };
    struct bzimage_e820 extra[4];
    struct bzimage_layout l;
    struct bzimage_plan p;
    size_t len = size > PARAMS ? size - PARAMS : 0, clen;
    uint8_t *img = malloc(len ? len : 1);
    char err[200];

    if (!img)
        return 0;
    memcpy(par, data, size < PARAMS ? size : PARAMS);
    memcpy(img, data + (size < PARAMS ? size : PARAMS), len);
    l.ram_size = (get(par, 0, 4) & 0x3FFFFF) << 12;           /* up to 16 GiB */
    if (par[3] & 0x80)
        l.ram_size |= 1;                                      /* now and then unaligned */
    clen = get(par, 9, 2) % (sizeof(cmdline) - 1);
    memset(cmdline, 'a', clen);
    cmdline[clen] = '\0';
    l.nextra = par[11] % 5;
    l.extra = extra;
    for (unsigned i = 0; i < 4; i++) {
        extra[i].addr = get(par, 12 + 7 * i, 4) << 12;
        extra[i].size = get(par, 16 + 7 * i, 2) << 12 | (par[18 + 7 * i] >> 4);
        extra[i].type = 2 + (par[18 + 7 * i] & 3);            /* 5 now and then: refused */
    }
    if (bzimage_plan(img, len, get(par, 4, 4) << (par[8] & 15), par[8] & 0x80 ? NULL : cmdline,
                     &l, &p, zp, err, sizeof(err)) != 0) {
        if (err[0] == '\0' || strchr(err, '\n'))
            abort();
    } else {
        if (err[0] != '\0')
            abort();
        check(&p, &l, img, len, zp);
    }
    free(img);
    return 0;
}
