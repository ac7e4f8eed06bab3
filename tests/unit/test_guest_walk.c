/* Unit tests for the software guest page walk (arch/x86/guest_walk.c): page tables built in
 * a host buffer that stands for the guest's memory, one test per paging mode (none, 32-bit
 * with and without 4 MiB pages, PAE, 4-level long mode with 4 KiB, 2 MiB and 1 GiB pages),
 * not-present entries and tables outside the guest, and copies across page boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "core/guestmem.h"
#include "arch/guest_walk.h"

#define MEM (8u << 20)                  /* the guest: 8 MiB */
static uint8_t *mem;

/* The domain's memory as guest_walk.c sees it: guest-physical = an offset in mem, nothing
 * beyond (the real domain_copy_from/_to in src/core/guestmem.c). */
struct domain;
int domain_copy_to(struct domain *d, uint64_t gpa, const void *src, size_t n);
int domain_copy_from(struct domain *d, void *dst, uint64_t gpa, size_t n);
int domain_copy_to(struct domain *d, uint64_t gpa, const void *src, size_t n)
{
    (void)d;
    if (gpa >= MEM || n > MEM - gpa)
        return -1;
    memcpy(mem + gpa, src, n);
    return 0;
}
int domain_copy_from(struct domain *d, void *dst, uint64_t gpa, size_t n)
{
    (void)d;
    if (gpa >= MEM || n > MEM - gpa)
        return -1;
    memcpy(dst, mem + gpa, n);
    return 0;
}

static void put32(uint64_t gpa, uint32_t v) { memcpy(mem + gpa, &v, 4); }
static void put64(uint64_t gpa, uint64_t v) { memcpy(mem + gpa, &v, 8); }

static int setup(void **state)
{
    (void)state;
    static uint8_t buf[MEM];
    memset(buf, 0, sizeof(buf));
    mem = buf;
    return 0;
}

static uint64_t walk(const struct guest_paging *pg, uint64_t lin)
{
    uint64_t gpa = 0xdeadbeef;
    assert_true(guest_linear_to_gpa(pg, lin, &gpa));
    return gpa;
}

static void test_no_paging(void **state)
{
    (void)state;
    struct guest_paging pg = { 0x11, 0, 0, 0, NULL };
    assert_int_equal(walk(&pg, 0x123456), 0x123456);
    assert_int_equal(walk(&pg, 0x1ffffffff), 0xffffffff);     /* 32 bits only */
}

static void test_32bit_paging(void **state)
{
    (void)state;
    /* PD at 0x10000; PDE 1 -> PT at 0x11000; PTE 5 -> frame 0x200000; PDE 2: 4 MiB page. */
    put32(0x10000 + 1 * 4, 0x11000 | 1);
    put32(0x11000 + 5 * 4, 0x200000 | 1);
    put32(0x10000 + 2 * 4, 0x400000 | 0x80 | 1);
    struct guest_paging pg = { 0x80000011, 0x10000, 0, 0, NULL };
    assert_int_equal(walk(&pg, 0x405abc), 0x200abc);
    uint64_t gpa;
    assert_false(guest_linear_to_gpa(&pg, 0x406000, &gpa));    /* PTE 6 not present */
    assert_false(guest_linear_to_gpa(&pg, 0x800000, &gpa));    /* PSE off: PDE 2 is a PT */
    pg.cr4 = 0x10;                                              /* PSE on */
    assert_int_equal(walk(&pg, 0x8abcde), 0x4abcde);
}

static void test_pae_paging(void **state)
{
    (void)state;
    /* PDPT at 0x20020 (32-byte aligned); PDPTE 1 -> PD 0x21000; PDE 3 -> PT 0x22000;
     * PTE 7 -> 0x300000; PDE 4 is a 2 MiB page at 0x600000. */
    put64(0x20020 + 1 * 8, 0x21000 | 1);
    put64(0x21000 + 3 * 8, 0x22000 | 1);
    put64(0x22000 + 7 * 8, 0x300000 | 1);
    put64(0x21000 + 4 * 8, 0x600000 | 0x80 | 1);
    struct guest_paging pg = { 0x80000011, 0x20020, 0x20, 0, NULL };
    uint64_t lin = (1ULL << 30) | (3 << 21) | (7 << 12) | 0x123;
    assert_int_equal(walk(&pg, lin), 0x300123);
    assert_int_equal(walk(&pg, (1ULL << 30) | (4 << 21) | 0x54321), 0x654321);
    uint64_t gpa;
    assert_false(guest_linear_to_gpa(&pg, 0, &gpa));           /* PDPTE 0 not present */
}

static void test_long_mode(void **state)
{
    (void)state;
    /* PML4 0x30000 [0] -> PDPT 0x31000; [2] 1 GiB page at 0x40000000 (outside the guest,
     * but translation does not care); [0] -> PD 0x32000: [1] 2 MiB page at 0x200000,
     * [0] -> PT 0x33000: [9] -> 0x7000. A table outside the guest stops the walk. */
    put64(0x30000, 0x31000 | 1);
    put64(0x31000 + 2 * 8, 0x40000000 | 0x80 | 1);
    put64(0x31000, 0x32000 | 1);
    put64(0x32000 + 1 * 8, 0x200000 | 0x80 | 1);
    put64(0x32000, 0x33000 | 1);
    put64(0x33000 + 9 * 8, 0x7000 | 1);
    put64(0x31000 + 3 * 8, 0x10000000 | 1);                     /* a PD beyond 8 MiB */
    struct guest_paging pg = { 0x80000011, 0x30000, 0x20, 0x500, NULL };
    assert_int_equal(walk(&pg, 0x9abc), 0x7abc);
    assert_int_equal(walk(&pg, 0x2fedcb), 0x2fedcb);
    assert_int_equal(walk(&pg, (2ULL << 30) | 0x1234567), 0x41234567);
    uint64_t gpa;
    assert_false(guest_linear_to_gpa(&pg, 3ULL << 30, &gpa));
    assert_false(guest_linear_to_gpa(&pg, 1ULL << 39, &gpa));  /* PML4 entry 1 absent */
}

static void test_copies_cross_pages_and_stop_at_holes(void **state)
{
    (void)state;
    /* 32-bit paging: linear 0x1000 -> 0x5000, 0x2000 -> 0x3000 (reversed), 0x3000 absent. */
    put32(0x10000, 0x11000 | 1);
    put32(0x11000 + 1 * 4, 0x5000 | 1);
    put32(0x11000 + 2 * 4, 0x3000 | 1);
    struct guest_paging pg = { 0x80000011, 0x10000, 0, 0, NULL };
    const char text[] = "across a page boundary";
    assert_true(guest_write_linear(&pg, 0x2000 - 6, text, sizeof(text)));
    assert_memory_equal(mem + 0x6000 - 6, text, 6);
    assert_memory_equal(mem + 0x3000, text + 6, sizeof(text) - 6);
    char back[sizeof(text)];
    assert_true(guest_read_linear(&pg, 0x2000 - 6, back, sizeof(back)));
    assert_memory_equal(back, text, sizeof(text));
    assert_false(guest_read_linear(&pg, 0x3000 - 2, back, 4));
    /* An instruction fetch stops at the hole and says how much it got. */
    uint8_t insn[15];
    memset(mem + 0x4000 - 3, 0x90, 3);
    assert_int_equal(guest_fetch_insn(&pg, 0x3000 - 3, insn), 3);
    assert_int_equal(guest_fetch_insn(&pg, 0x1000, insn), 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_no_paging, setup),
        cmocka_unit_test_setup(test_32bit_paging, setup),
        cmocka_unit_test_setup(test_pae_paging, setup),
        cmocka_unit_test_setup(test_long_mode, setup),
        cmocka_unit_test_setup(test_copies_cross_pages_and_stop_at_holes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
