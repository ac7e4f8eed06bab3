/* Unit tests for the Multiboot v1 parser (src/core/multiboot.c): loader data
 * is built in a 1 MiB fake physical memory and read back through p2v. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/multiboot.h"

#define ARENA_SIZE 0x100000u
#define INFO_PA  0x9000u
#define MMAP_PA  0x9200u
#define MODS_PA  0x9600u
#define STR_PA   0xa000u

static unsigned char arena[ARENA_SIZE];
static uint32_t str_next;
static struct boot_info bi;

static char warnings[64][160];
static int nwarn;

static void *test_p2v(uint64_t pa)
{
    return pa < ARENA_SIZE ? arena + pa : NULL;
}

static void collect(void *ctx, const char *msg)
{
    (void)ctx;
    if (nwarn < 64)
        snprintf(warnings[nwarn], sizeof(warnings[0]), "%s", msg);
    nwarn++;
}

/* Does any warning contain s? */
static int warned(const char *s)
{
    for (int i = 0; i < nwarn && i < 64; i++)
        if (strstr(warnings[i], s) != NULL)
            return 1;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    memset(arena, 0, sizeof(arena));
    str_next = STR_PA;
    nwarn = 0;
    return 0;
}

static struct multiboot_info *info(void)
{
    return (struct multiboot_info *)(arena + INFO_PA);
}

/* Copy a string into the arena and return its physical address. */
static uint32_t put_str(const char *s)
{
    uint32_t pa = str_next;
    memcpy(arena + pa, s, strlen(s) + 1);
    str_next += (uint32_t)strlen(s) + 1;
    return pa;
}

/* Append a memory map entry with the given size field at MMAP_PA + *off. */
static void put_entry(uint32_t *off, uint32_t size, uint64_t addr, uint64_t len, uint32_t type)
{
    struct multiboot_mmap_entry e = { size, addr, len, type };
    memcpy(arena + MMAP_PA + *off, &e, sizeof(e));
    *off += size + 4;
}

static void put_module(uint32_t i, uint32_t start, uint32_t end, uint32_t string)
{
    struct multiboot_module m = { start, end, string, 0 };
    memcpy(arena + MODS_PA + i * sizeof(m), &m, sizeof(m));
}

static int parse(void)
{
    return multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, INFO_PA, test_p2v, &bi, collect, NULL);
}

static void check_region(size_t i, uint64_t base, uint64_t len, uint32_t type)
{
    assert_true(i < bi.mmap_count);
    assert_int_equal(bi.mmap[i].base, base);
    assert_int_equal(bi.mmap[i].len, len);
    assert_int_equal(bi.mmap[i].type, type);
}

/* QEMU's map, given out of order. */
static void put_qemu_map(void)
{
    uint32_t off = 0;
    put_entry(&off, 20, 0x100000, 0x7ee0000, MEM_USABLE);
    put_entry(&off, 20, 0, 0x9fc00, MEM_USABLE);
    put_entry(&off, 20, 0x9fc00, 0x400, MEM_RESERVED);
    put_entry(&off, 20, 0xfffc0000, 0x40000, MEM_RESERVED);
    put_entry(&off, 20, 0xf0000, 0x10000, MEM_RESERVED);
    info()->flags |= MB_INFO_MEM_MAP;
    info()->mmap_addr = MMAP_PA;
    info()->mmap_length = off;
}

static void test_well_formed(void **state)
{
    (void)state;
    info()->flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_LOADER_NAME;
    info()->mem_lower = 639;
    info()->mem_upper = 130944;
    info()->cmdline = put_str("kestrel.elf console=com1 mem=64M");
    info()->boot_loader_name = put_str("qemu");
    info()->mods_count = 2;
    info()->mods_addr = MODS_PA;
    put_module(0, 0x200000, 0x280000, put_str("/boot/dom0.elf root=/dev/sda"));
    put_module(1, 0x300000, 0x300000, put_str("\tinitrd.gz"));
    put_qemu_map();

    assert_int_equal(parse(), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(bi.flags, info()->flags);
    assert_int_equal(bi.mem_lower_kb, 639);
    assert_int_equal(bi.mem_upper_kb, 130944);
    assert_string_equal(bi.cmdline, "kestrel.elf console=com1 mem=64M");
    assert_string_equal(bi.loader_name, "qemu");
    assert_int_equal(bi.mod_count, 2);
    assert_int_equal(bi.mods[0].start, 0x200000);
    assert_int_equal(bi.mods[0].end, 0x280000);
    assert_string_equal(bi.mods[0].string, "/boot/dom0.elf root=/dev/sda");
    assert_string_equal(bi.mods[0].name, "dom0.elf");
    assert_string_equal(bi.mods[1].name, "initrd.gz");
    assert_int_equal(bi.mmap_count, 5);
    check_region(0, 0, 0x9fc00, MEM_USABLE);
    check_region(1, 0x9fc00, 0x400, MEM_RESERVED);
    check_region(2, 0xf0000, 0x10000, MEM_RESERVED);
    check_region(3, 0x100000, 0x7ee0000, MEM_USABLE);
    check_region(4, 0xfffc0000, 0x40000, MEM_RESERVED);
    /* Loader data: info, map, modules list and strings, all in 0x9000-0xb000. */
    assert_true(bi.loader_data_count >= 1);
    for (size_t i = 0; i < bi.loader_data_count; i++) {
        assert_true(bi.loader_data[i].start >= INFO_PA);
        assert_true(bi.loader_data[i].end <= 0xb000);
        assert_int_equal(bi.loader_data[i].start % 4096, 0);
    }
    assert_int_equal(bi.loader_data[0].start, INFO_PA);
    assert_int_equal(bi.loader_data[0].end, 0xb000);
    assert_int_equal(bi.loader_data_count, 1);   /* adjacent pages merged */
}

static void test_bad_magic_and_info(void **state)
{
    (void)state;
    assert_int_equal(multiboot_parse(0x36d76289, INFO_PA, test_p2v, &bi, collect, NULL), -1);
    assert_true(warned("magic"));
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, ARENA_SIZE + 4, test_p2v,
                                     &bi, collect, NULL), -1);
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, INFO_PA, NULL, &bi, NULL, NULL), -1);
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, INFO_PA, test_p2v, NULL, NULL, NULL), -1);
    assert_string_equal(bi.cmdline, "");         /* output stays well-defined */

    /* Info structure at the very end of memory: only the flags word fits. */
    uint32_t at = ARENA_SIZE - 8, flags = MB_INFO_MEMORY | MB_INFO_MEM_MAP;
    memcpy(arena + at, &flags, 4);
    nwarn = 0;
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, at, test_p2v, &bi, collect, NULL), 0);
    assert_true(warned("cut short"));
    assert_int_equal(bi.mmap_count, 0);
    assert_true(warned("no memory map and no mem_lower"));
}

static void test_mmap_bad_entries(void **state)
{
    uint32_t off = 0;
    (void)state;
    put_entry(&off, 20, 0, 0x9fc00, MEM_USABLE);
    put_entry(&off, 12, 0x1000000, 0x1000, MEM_USABLE);    /* size < 20: skipped */
    put_entry(&off, 28, 0x100000, 0xf00000, MEM_USABLE);   /* bigger size: fine */
    put_entry(&off, 20, 0x5000000, 0, MEM_USABLE);         /* empty: dropped */
    info()->flags = MB_INFO_MEM_MAP;
    info()->mmap_addr = MMAP_PA;
    memset(arena + MMAP_PA + off, 0xff, 10);               /* garbage size field */
    info()->mmap_length = off + 10;                        /* not a whole entry */
    assert_int_equal(parse(), 0);
    assert_true(warned("size 12 < 20"));
    assert_true(warned("overruns"));
    assert_int_equal(bi.mmap_count, 2);
    check_region(0, 0, 0x9fc00, MEM_USABLE);
    check_region(1, 0x100000, 0xf00000, MEM_USABLE);

    /* An entry whose size runs past mmap_length ends the walk. */
    setup(NULL);
    off = 0;
    put_entry(&off, 20, 0x100000, 0x100000, MEM_USABLE);
    put_entry(&off, 200, 0x300000, 0x100000, MEM_USABLE);
    info()->flags = MB_INFO_MEM_MAP;
    info()->mmap_addr = MMAP_PA;
    info()->mmap_length = 48;
    assert_int_equal(parse(), 0);
    assert_true(warned("overruns"));
    assert_int_equal(bi.mmap_count, 1);

    /* Three stray bytes after the last entry. */
    setup(NULL);
    off = 0;
    put_entry(&off, 20, 0x100000, 0x100000, MEM_USABLE);
    info()->flags = MB_INFO_MEM_MAP;
    info()->mmap_addr = MMAP_PA;
    info()->mmap_length = 27;
    assert_int_equal(parse(), 0);
    assert_true(warned("stray"));
    assert_int_equal(bi.mmap_count, 1);
}

static void test_mmap_missing_or_unmapped(void **state)
{
    (void)state;
    info()->flags = MB_INFO_MEMORY | MB_INFO_MEM_MAP;
    info()->mem_lower = 640;
    info()->mem_upper = 64 * 1024;
    info()->mmap_addr = ARENA_SIZE - 16;                   /* runs off memory */
    info()->mmap_length = 48;
    assert_int_equal(parse(), 0);
    assert_true(warned("not mapped"));
    assert_true(warned("using mem_lower"));
    assert_int_equal(bi.mmap_count, 2);
    check_region(0, 0, 640 * 1024, MEM_USABLE);
    check_region(1, 0x100000, 64ull << 20, MEM_USABLE);

    setup(NULL);
    info()->flags = MB_INFO_MEMORY;                        /* no map at all */
    info()->mem_lower = 0;
    info()->mem_upper = 1024;
    assert_int_equal(parse(), 0);
    assert_int_equal(bi.mmap_count, 1);
    check_region(0, 0x100000, 1 << 20, MEM_USABLE);
    assert_int_equal(nwarn, 1);

    setup(NULL);
    info()->flags = MB_INFO_MEM_MAP;
    info()->mmap_addr = MMAP_PA;
    info()->mmap_length = 0;
    assert_int_equal(parse(), 0);
    assert_true(warned("empty"));
    assert_int_equal(bi.mmap_count, 0);
}

static void test_mmap_overlap_and_sort(void **state)
{
    uint32_t off = 0;
    (void)state;
    put_entry(&off, 20, 0x800000, 0x100000, MEM_RESERVED);    /* inside usable */
    put_entry(&off, 20, 0x100000, 0xf00000, MEM_USABLE);
    put_entry(&off, 20, 0xf00000, 0x200000, MEM_ACPI);        /* overlaps the end */
    put_entry(&off, 20, 0xfffffffffffff000ull, 0x2000, MEM_RESERVED); /* wraps */
    put_entry(&off, 20, 0x2000000, 0x1000, 99);               /* unknown type */
    put_entry(&off, 20, 0x2000000, 0x2000, MEM_USABLE);       /* loses to it */
    info()->flags = MB_INFO_MEM_MAP;
    info()->mmap_addr = MMAP_PA;
    info()->mmap_length = off;
    assert_int_equal(parse(), 0);
    assert_true(warned("overlap"));
    assert_int_equal(bi.mmap_count, 7);
    check_region(0, 0x100000, 0x700000, MEM_USABLE);
    check_region(1, 0x800000, 0x100000, MEM_RESERVED);
    check_region(2, 0x900000, 0x600000, MEM_USABLE);
    check_region(3, 0xf00000, 0x200000, MEM_ACPI);
    check_region(4, 0x2000000, 0x1000, 99);
    check_region(5, 0x2001000, 0x1000, MEM_USABLE);
    check_region(6, 0xfffffffffffff000ull, 0xfff, MEM_RESERVED);
    for (size_t i = 1; i < bi.mmap_count; i++)
        assert_true(bi.mmap[i - 1].base + bi.mmap[i - 1].len <= bi.mmap[i].base);
}

static void test_mmap_too_many(void **state)
{
    uint32_t off = 0;
    (void)state;
    for (uint32_t i = 0; i < 70; i++)     /* alternate types so nothing merges */
        put_entry(&off, 20, (uint64_t)i << 20, 0x1000, i % 2 ? MEM_RESERVED : MEM_USABLE);
    info()->flags = MB_INFO_MEM_MAP;
    info()->mmap_addr = MMAP_PA;
    info()->mmap_length = off;
    assert_int_equal(parse(), 0);
    assert_true(warned("more than 64"));
    assert_int_equal(bi.mmap_count, BOOT_MAX_MMAP);

    /* Hundreds of bad entries: the walk and the warnings are both capped. */
    setup(NULL);
    off = 0;
    for (uint32_t i = 0; i < 1000; i++)
        put_entry(&off, 0, 0, 0, 0);
    info()->flags = MB_INFO_MEM_MAP;
    info()->mmap_addr = MMAP_PA;
    info()->mmap_length = off;
    assert_int_equal(parse(), 0);
    assert_true(nwarn <= 33);
    assert_true(warned("suppressed"));
}

static void test_modules(void **state)
{
    (void)state;
    char long_name[300];
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[0] = '/';
    long_name[sizeof(long_name) - 1] = '\0';

    info()->flags = MB_INFO_MODS;
    info()->mods_count = 7;
    info()->mods_addr = MODS_PA;
    put_module(0, 0x200000, 0x100000, put_str("backwards"));   /* end < start */
    put_module(1, 0x200000, 0x201000, 0);                      /* no string */
    put_module(2, 0x300000, 0x301000, ARENA_SIZE + 100);       /* unmapped string */
    put_module(3, 0x400000, 0x401000, put_str(long_name));
    put_module(4, 0x500000, 0x501000, put_str("  dir/sub/ arg"));
    memset(arena + 0x20000, 'A', 8192);                        /* no NUL in 4 KiB */
    put_module(5, 0x600000, 0x601000, 0x20000);
    put_module(6, 0x700000, 0x701000, put_str("C:/odd/name.bin"));
    assert_int_equal(parse(), 0);
    assert_true(warned("before it starts"));
    assert_true(warned("not mapped"));
    assert_true(warned("not NUL-terminated"));
    assert_int_equal(bi.mod_count, 6);
    assert_string_equal(bi.mods[0].string, "");
    assert_string_equal(bi.mods[0].name, "");
    assert_string_equal(bi.mods[1].name, "");
    assert_int_equal(strlen(bi.mods[2].name), 63);
    assert_string_equal(bi.mods[3].name, "");                   /* "dir/sub/" */
    assert_string_equal(bi.mods[4].string, "");
    assert_string_equal(bi.mods[5].name, "name.bin");
    assert_true(warned("no usable memory map") || warned("no memory map"));

    /* Too many modules, then a module list that is not mapped. */
    setup(NULL);
    info()->flags = MB_INFO_MODS;
    info()->mods_count = BOOT_MAX_MODULES + 8;
    info()->mods_addr = MODS_PA;
    for (uint32_t i = 0; i < BOOT_MAX_MODULES + 8; i++)
        put_module(i, i << 16, (i << 16) + 100, 0);
    assert_int_equal(parse(), 0);
    assert_true(warned("168 modules"));
    assert_int_equal(bi.mod_count, BOOT_MAX_MODULES);

    setup(NULL);
    info()->flags = MB_INFO_MODS;
    info()->mods_count = 0xffffffff;
    info()->mods_addr = ARENA_SIZE - 64;
    assert_int_equal(parse(), 0);
    assert_int_equal(bi.mod_count, 0);
    assert_true(warned("module list"));
}

static void test_strings(void **state)
{
    (void)state;
    /* A command line ending exactly at the end of memory is fine. */
    memcpy(arena + ARENA_SIZE - 4, "abc", 4);
    info()->flags = MB_INFO_CMDLINE | MB_INFO_LOADER_NAME;
    info()->cmdline = ARENA_SIZE - 4;
    info()->boot_loader_name = ARENA_SIZE - 2;       /* "c" */
    assert_int_equal(parse(), 0);
    assert_string_equal(bi.cmdline, "abc");
    assert_string_equal(bi.loader_name, "c");
    assert_int_equal(bi.loader_data_count, 2);

    /* 4095 characters + NUL is the longest accepted; one more is not. */
    setup(NULL);
    memset(arena + 0x20123, 'x', 4095);
    memset(arena + 0x30000, 'y', 4096);
    info()->flags = MB_INFO_CMDLINE | MB_INFO_LOADER_NAME;
    info()->cmdline = 0x20000 + 0x123;
    arena[0x20000 + 0x123 + 4095] = 0;
    info()->boot_loader_name = 0x30000;
    assert_int_equal(parse(), 0);
    assert_int_equal(strlen(bi.cmdline), 4095);
    assert_string_equal(bi.loader_name, "");
    assert_true(warned("boot loader name"));

    /* A string that runs off the end of memory. */
    setup(NULL);
    memset(arena + ARENA_SIZE - 16, 'z', 16);
    info()->flags = MB_INFO_CMDLINE;
    info()->cmdline = ARENA_SIZE - 16;
    assert_int_equal(parse(), 0);
    assert_string_equal(bi.cmdline, "");
    assert_true(warned("command line"));
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(mem_region_type_name(MEM_USABLE), "usable");
    assert_string_equal(mem_region_type_name(MEM_RESERVED), "reserved");
    assert_string_equal(mem_region_type_name(MEM_ACPI), "ACPI data");
    assert_string_equal(mem_region_type_name(MEM_NVS), "ACPI NVS");
    assert_string_equal(mem_region_type_name(MEM_BAD), "unusable");
    assert_string_equal(mem_region_type_name(0), "unknown");
    assert_string_equal(mem_region_type_name(12), "unknown");
}

/* Modules are found by their basename, first match; other names give -1. */
static void test_module_index(void **state)
{
    static struct boot_info bi;
    (void)state;
    memset(&bi, 0, sizeof(bi));
    bi.mod_count = 3;
    strcpy(bi.mods[0].name, "vmlinuz");
    strcpy(bi.mods[1].name, "rootfs.img");
    strcpy(bi.mods[2].name, "rootfs.img");
    assert_int_equal(boot_module_index(&bi, "vmlinuz"), 0);
    assert_int_equal(boot_module_index(&bi, "rootfs.img"), 1);
    assert_int_equal(boot_module_index(&bi, "rootfs"), -1);
    assert_int_equal(boot_module_index(&bi, ""), -1);
    bi.mod_count = 1;
    assert_int_equal(boot_module_index(&bi, "rootfs.img"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_well_formed, setup),
        cmocka_unit_test_setup(test_bad_magic_and_info, setup),
        cmocka_unit_test_setup(test_mmap_bad_entries, setup),
        cmocka_unit_test_setup(test_mmap_missing_or_unmapped, setup),
        cmocka_unit_test_setup(test_mmap_overlap_and_sort, setup),
        cmocka_unit_test_setup(test_mmap_too_many, setup),
        cmocka_unit_test_setup(test_modules, setup),
        cmocka_unit_test_setup(test_strings, setup),
        cmocka_unit_test_setup(test_type_names, setup),
        cmocka_unit_test(test_module_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
