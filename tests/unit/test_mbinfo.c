/* Unit tests for the guest's Multiboot info builder (src/core/mbinfo.c): build into a fake
 * guest memory, then check every field of the info structure, walk the memory map as the
 * spec says (size + 4 per entry), check the module and strings, read the whole thing back
 * with the hypervisor's own Multiboot parser (src/core/multiboot.c) as a second opinion,
 * and refuse bad parameters and failing writes (every write in turn). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/mbinfo.h"
#include "core/multiboot.h"

#define GUEST_LOW 0xA0000u               /* fake guest memory: the low 640 KiB */
static uint8_t mem[GUEST_LOW];

struct writer {
    int writes;                          /* successful writes so far */
    int fail_at;                         /* fail the write with this index (-1: never) */
    uint64_t lo, hi;                     /* range touched */
};
static struct writer wr;

static int fake_write(void *ctx, uint64_t gpa, const void *src, size_t n)
{
    struct writer *w = ctx;

    if (w->writes == w->fail_at)
        return -1;
    assert_true(n > 0);
    assert_true(gpa + n <= sizeof(mem));
    memcpy(mem + gpa, src, n);
    if (gpa < w->lo)
        w->lo = gpa;
    if (gpa + n > w->hi)
        w->hi = gpa + n;
    w->writes++;
    return 0;
}

static void *fake_p2v(uint64_t pa)
{
    return pa < sizeof(mem) ? mem + pa : NULL;
}

static struct mbinfo_params base_params(void)
{
    struct mbinfo_params p = {
        .mem_bytes = 64ull << 20, .cmdline = "console=ttyS0 quiet", .loader_name = NULL,
        .has_module = true, .mod_start = 0x400000, .mod_end = 0x412345,
        .mod_string = "initrd.img root=/dev/ram0", .info_gpa = 0x8000,
    };
    return p;
}

static int build(const struct mbinfo_params *p, uint32_t *out)
{
    memset(mem, 0xCC, sizeof(mem));
    memset(&wr, 0, sizeof(wr));
    wr.fail_at = -1;
    wr.lo = UINT64_MAX;
    return mbinfo_build(p, fake_write, &wr, out);
}

static uint32_t rd32(uint64_t gpa) { uint32_t v; memcpy(&v, mem + gpa, 4); return v; }
static uint64_t rd64(uint64_t gpa) { uint64_t v; memcpy(&v, mem + gpa, 8); return v; }

static void test_every_field(void **state)
{
    struct mbinfo_params p = base_params();
    struct multiboot_info info;
    struct multiboot_module mod;
    uint32_t at = 0;

    (void)state;
    assert_int_equal(build(&p, &at), 0);
    assert_int_equal(at, 0x8000);
    assert_true(wr.lo >= 0x8000 && wr.hi <= 0x8000 + MBINFO_AREA_MAX);
    memcpy(&info, mem + at, sizeof(info));
    assert_int_equal(sizeof(info), 116);
    assert_int_equal(info.flags, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    assert_int_equal(info.mem_lower, 639);
    assert_int_equal(info.mem_upper, (64u << 10) - 1024);
    assert_int_equal(info.boot_device, 0);
    assert_string_equal((char *)mem + info.cmdline, "console=ttyS0 quiet");
    assert_string_equal((char *)mem + info.boot_loader_name, "Kestrel");
    assert_int_equal(info.mods_count, 1);
    memcpy(&mod, mem + info.mods_addr, sizeof(mod));
    assert_int_equal(mod.mod_start, 0x400000);
    assert_int_equal(mod.mod_end, 0x412345);
    assert_int_equal(mod.reserved, 0);
    assert_string_equal((char *)mem + mod.string, "initrd.img root=/dev/ram0");
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(info.syms[i], 0);
    assert_int_equal(info.drives_length, 0);
    assert_int_equal(info.config_table, 0);
    assert_int_equal(info.framebuffer_addr, 0);
    assert_int_equal(info.vbe_mode, 0);
    /* every pointer lies inside the area and below the usable end of low memory */
    assert_true(info.mmap_addr > at && info.mmap_addr + info.mmap_length <= at + 0x4000);
    assert_true(info.cmdline > at && info.boot_loader_name > at && mod.string > at);
    assert_true(wr.hi <= 0x9FC00);
}

static void test_mmap_walk(void **state)
{
    static const uint64_t want[4][3] = {
        { 0, 0x9FC00, 1 }, { 0x9FC00, 0x400, 2 }, { 0xF0000, 0x10000, 2 },
        { 0x100000, (64ull << 20) - 0x100000, 1 },
    };
    struct mbinfo_params p = base_params();
    uint32_t at;
    uint64_t e, end;
    unsigned n = 0;

    (void)state;
    assert_int_equal(build(&p, &at), 0);
    e = rd32(at + 48);                   /* mmap_addr */
    end = e + rd32(at + 44);             /* + mmap_length */
    assert_int_equal(rd32(at + 44), 4 * 24);
    while (e < end) {                    /* the spec's walk: next = entry + size + 4 */
        assert_true(n < 4);
        assert_int_equal(rd32(e), 20);
        assert_int_equal(rd64(e + 4), want[n][0]);
        assert_int_equal(rd64(e + 12), want[n][1]);
        assert_int_equal(rd32(e + 20), want[n][2]);
        e += rd32(e) + 4;
        n++;
    }
    assert_int_equal(e, end);
    assert_int_equal(n, 4);
}

/* The hypervisor's own parser, pointed at the fake memory, agrees. */
static void test_parsed_back(void **state)
{
    struct mbinfo_params p = base_params();
    static struct boot_info bi;
    uint32_t at;

    (void)state;
    p.mem_bytes = 0xFFFFF000ull;
    p.loader_name = "Kestrel 0.1";
    assert_int_equal(build(&p, &at), 0);
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, at, fake_p2v, &bi, NULL, NULL),
                     0);
    assert_string_equal(bi.cmdline, "console=ttyS0 quiet");
    assert_string_equal(bi.loader_name, "Kestrel 0.1");
    assert_int_equal(bi.mem_lower_kb, 639);
    assert_int_equal(bi.mem_upper_kb, (0xFFFFF000u - 0x100000u) / 1024);
    assert_int_equal(bi.mod_count, 1);
    assert_int_equal(bi.mods[0].start, 0x400000);
    assert_int_equal(bi.mods[0].end, 0x412345);
    assert_string_equal(bi.mods[0].name, "initrd.img");
    assert_int_equal(bi.mmap_count, 4);
    assert_int_equal(bi.mmap[3].base, 0x100000);
    assert_int_equal(bi.mmap[3].len, 0xFFFFF000ull - 0x100000);
    assert_int_equal(bi.mmap[3].type, MEM_USABLE);
}

static void test_no_module_and_defaults(void **state)
{
    struct mbinfo_params p = base_params();
    uint32_t at;

    (void)state;
    p.has_module = false;
    p.cmdline = NULL;
    p.mod_string = NULL;
    p.mem_bytes = 2ull << 20;
    p.info_gpa = 0x1000;
    assert_int_equal(build(&p, &at), 0);
    assert_int_equal(at, 0x1000);
    assert_int_equal(rd32(at + 20), 0);                  /* mods_count */
    assert_true(rd32(at) & (1u << 3));                   /* MODS still valid: zero of them */
    assert_string_equal((char *)mem + rd32(at + 16), "");
    assert_int_equal(rd32(at + 8), 1024);                /* mem_upper */
    assert_int_equal(build(&p, NULL), 0);                /* out pointer optional */
    p.has_module = true;
    p.mod_start = 0x100000;
    p.mod_end = 0x100000;                                /* empty module: allowed */
    assert_int_equal(build(&p, &at), 0);
    assert_string_equal((char *)mem + rd32(rd32(at + 24) + 8), "");
}

static void test_bad_params(void **state)
{
    struct mbinfo_params p;
    char big[MBINFO_AREA_MAX + 10];
    uint32_t at = 0xDEAD;

    (void)state;
#define REJECT(field, value) do { p = base_params(); p.field = value; \
        assert_int_equal(build(&p, &at), -1); assert_int_equal(wr.writes, 0); } while (0)
    REJECT(info_gpa, 0);
    REJECT(info_gpa, 0x8010);
    REJECT(info_gpa, 0xA0000);
    REJECT(mem_bytes, (2ull << 20) - 1);
    REJECT(mem_bytes, (4ull << 30) + 4096);
    REJECT(mod_start, 0x80000);
    REJECT(mod_start, 0x400100);
    REJECT(mod_end, 0x3FFFFF);
    REJECT(mod_end, (64ull << 20) + 1);
#undef REJECT
    assert_int_equal(at, 0xDEAD);
    p = base_params();
    assert_int_equal(mbinfo_build(NULL, fake_write, &wr, &at), -1);
    assert_int_equal(mbinfo_build(&p, NULL, &wr, &at), -1);
    /* strings that do not fit the 16 KiB area, or the room left below 0x9FC00 */
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    p.cmdline = big;
    assert_int_equal(build(&p, &at), -1);
    p.loader_name = "";
    p.mod_string = "";
    big[MBINFO_AREA_MAX - 0x110 - 3] = '\0';        /* 3 strings exactly fill the area */
    assert_int_equal(build(&p, &at), 0);
    assert_int_equal(wr.hi, 0x8000 + MBINFO_AREA_MAX);
    big[MBINFO_AREA_MAX - 0x110 - 3] = 'x';         /* one byte more: the last won't fit */
    big[MBINFO_AREA_MAX - 0x110 - 2] = '\0';
    assert_int_equal(build(&p, &at), -1);
    p.has_module = false;                            /* ...unless there is no module */
    assert_int_equal(build(&p, &at), 0);
    assert_int_equal(wr.hi, 0x8000 + MBINFO_AREA_MAX);
    p = base_params();
    p.info_gpa = 0x9C000;
    p.cmdline = big;
    assert_int_equal(build(&p, &at), -1);
    big[100] = '\0';
    assert_int_equal(build(&p, &at), 0);
    assert_true(wr.hi <= 0x9FC00);
    p.info_gpa = 0x9F000;                /* the last page: 3 KiB below 0x9FC00 */
    assert_int_equal(build(&p, &at), 0);
    assert_true(wr.hi <= 0x9FC00);
    big[100] = 'x';
    big[3000] = '\0';
    assert_int_equal(build(&p, &at), -1);
}

/* Each write in turn fails: the build fails, and never claims success. */
static void test_writer_failures(void **state)
{
    struct mbinfo_params p = base_params();
    uint32_t at;
    int total;

    (void)state;
    assert_int_equal(build(&p, &at), 0);
    total = wr.writes;
    assert_int_equal(total, 6);          /* mmap, 3 strings, module, info */
    for (int i = 0; i < total; i++) {
        memset(&wr, 0, sizeof(wr));
        wr.fail_at = i;
        wr.lo = UINT64_MAX;
        at = 0xDEAD;
        assert_int_equal(mbinfo_build(&p, fake_write, &wr, &at), -1);
        assert_int_equal(wr.writes, i);
        assert_int_equal(at, 0xDEAD);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_mmap_walk),
        cmocka_unit_test(test_parsed_back),
        cmocka_unit_test(test_no_module_and_defaults),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_writer_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
