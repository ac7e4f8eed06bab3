/* Unit tests for a domain's guest memory (src/core/guestmem.c), run unchanged on the host
 * over fake_p2m.c: populating (2 MiB runs, lazily cleared or cleared at once, 4 KiB frames
 * otherwise, running out), domain_copy_to/_from (page by page through the p2m, lazy pages
 * faulted in, and refusing - with no access outside the domain - ranges past its end, that
 * straddle it, wrap around 2^64 or hit a released page), the balloon's decrease/increase
 * (exact counts, every byte of a page it gives back zero, the range rules of
 * docs/hypercalls.md: page-aligned, inside [0, maxmem), no overflow) and giving everything
 * back. Frames outside the domain are PROT_NONE, so a
 * stray access is a SIGSEGV, not a silent pass. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "core/domain.h"
#include "core/guestmem.h"
#include "fake_p2m.h"

#define MIB (1ull << 20)
#define PG 4096ull

static struct domain dom, other;
static struct domain_vcpu dom_vcpus[3];

/* A domain of `mem` bytes (maxmem `max`) with its own p2m, plus a sealed 1 MiB neighbour
 * whose frames nobody may touch. */
static void make_domain(uint64_t mem, uint64_t max)
{
    dom.p2m_root = fake_p2m_new();
    dom.max_pages = dom.target_pages = max / PG;
    assert_int_equal(guestmem_populate(&dom, mem), 0);
    other.p2m_root = fake_p2m_new();
    other.max_pages = MIB / PG;
    bool runs = fake_contig_ok;
    fake_contig_ok = false;
    assert_int_equal(guestmem_populate(&other, MIB), 0);
    fake_contig_ok = runs;
    fake_p2m_seal(other.p2m_root, true);
}

static int setup(void **state)
{
    (void)state;
    fake_p2m_reset();
    memset(&dom, 0, sizeof(dom));
    memset(&other, 0, sizeof(other));
    dom.nr_vcpus = 1;
    dom.vcpus[0] = &dom_vcpus[0];
    return 0;
}

static void test_populate_2m_runs_lazy(void **state)
{
    (void)state;
    dom.p2m_root = fake_p2m_new();
    assert_int_equal(guestmem_populate(&dom, 4 * MIB + 3 * PG), 0);
    assert_int_equal(dom.mem_pages, 1024 + 3);
    assert_int_equal(fake_frames_used, 1024 + 3);
    /* The two 2 MiB runs are lazy (cleared on first touch); the 3 tail pages are cleared
     * now; nothing beyond is mapped. */
    assert_true(fake_p2m_is_lazy(dom.p2m_root, 0));
    assert_true(fake_p2m_is_lazy(dom.p2m_root, 4 * MIB - PG));
    assert_false(fake_p2m_is_lazy(dom.p2m_root, 4 * MIB));
    for (uint64_t off = 0; off < PG; off++)
        assert_int_equal(fake_p2m_peek(dom.p2m_root, 4 * MIB + 2 * PG)[off], 0);
    assert_null(fake_p2m_peek(dom.p2m_root, 4 * MIB + 3 * PG));
    /* A lazy page reads as zeros through domain_copy_from (faulted in, then cleared). */
    uint8_t buf[64];
    memset(buf, 0xee, sizeof(buf));
    assert_int_equal(domain_copy_from(&dom, buf, 2 * MIB + 100, sizeof(buf)), 0);
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0);
    assert_false(fake_p2m_is_lazy(dom.p2m_root, 2 * MIB + 100));
    assert_true(fake_p2m_is_lazy(dom.p2m_root, 2 * MIB + PG));    /* only that page */
}

static void test_populate_without_lazy_clears_now(void **state)
{
    (void)state;
    fake_lazy_ok = false;
    dom.p2m_root = fake_p2m_new();
    assert_int_equal(guestmem_populate(&dom, 2 * MIB), 0);
    assert_int_equal(dom.mem_pages, 512);
    assert_false(fake_p2m_is_lazy(dom.p2m_root, 0));
    for (uint64_t gpa = 0; gpa < 2 * MIB; gpa += 512)
        assert_int_equal(*fake_p2m_peek(dom.p2m_root, gpa), 0);
}

static void test_populate_4k_when_no_runs_and_out_of_memory(void **state)
{
    (void)state;
    fake_contig_ok = false;
    dom.p2m_root = fake_p2m_new();
    assert_int_equal(guestmem_populate(&dom, 2 * MIB), 0);
    assert_int_equal(dom.mem_pages, 512);
    for (uint64_t gpa = 0; gpa < 2 * MIB; gpa += PG)
        assert_int_equal(fake_p2m_peek(dom.p2m_root, gpa)[PG - 1], 0);
    /* Out of memory part way: -1, and what was mapped stays counted. */
    struct domain d2;
    memset(&d2, 0, sizeof(d2));
    d2.p2m_root = fake_p2m_new();
    fake_frames_left = 5;
    assert_int_equal(guestmem_populate(&d2, 8 * PG), -1);
    assert_int_equal(d2.mem_pages, 5);
}

static void test_copies_cross_pages_both_ways(void **state)
{
    (void)state;
    fake_contig_ok = false;                 /* 4 KiB frames */
    make_domain(4 * MIB, 4 * MIB);
    /* Frames come top-down, so gpa 0x1fff and 0x2000 are in unrelated host pages. */
    assert_ptr_not_equal(fake_p2m_peek(dom.p2m_root, 0x2000),
                         fake_p2m_peek(dom.p2m_root, 0x1fff) + 1);
    char text[6000];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (char)(i * 7 + 1);
    assert_int_equal(domain_copy_to(&dom, 0x1ff3, text, sizeof(text)), 0);
    assert_memory_equal(fake_p2m_peek(dom.p2m_root, 0x1ff3), text, 13);
    assert_memory_equal(fake_p2m_peek(dom.p2m_root, 0x2000), text + 13, PG);
    assert_memory_equal(fake_p2m_peek(dom.p2m_root, 0x3000), text + 13 + PG,
                        sizeof(text) - 13 - PG);
    char back[sizeof(text)];
    assert_int_equal(domain_copy_from(&dom, back, 0x1ff3, sizeof(back)), 0);
    assert_memory_equal(back, text, sizeof(text));
    /* The last byte of the domain is reachable; one byte more is not. */
    assert_int_equal(domain_copy_to(&dom, 4 * MIB - 1, "z", 1), 0);
    assert_int_equal(*fake_p2m_peek(dom.p2m_root, 4 * MIB - 1), 'z');
}

static void test_copies_outside_the_domain_fail(void **state)
{
    (void)state;
    make_domain(4 * MIB, 8 * MIB);          /* [4, 8) MiB is maxmem but not populated */
    uint8_t buf[8192];
    memset(buf, 0x5a, sizeof(buf));
    static const uint64_t bad[][2] = {
        { 4 * MIB, 1 },                     /* just past the end */
        { 4 * MIB - 1, 2 },                 /* straddling the end */
        { 4 * MIB - 100, 8192 },
        { 6 * MIB, 16 },                    /* inside maxmem, not populated */
        { 32 * MIB, 1 },                    /* past the p2m */
        { 0xffffffffull, 1 },               /* 32-bit -1 */
        { 0x100000000ull, 16 },             /* 4 GiB */
        { ~0ull, 1 },                       /* 2^64 - 1: wraps */
        { ~0ull - 15, 32 },
        { 0x1000, (size_t)-1 },             /* length near 2^64: wraps */
        { 0x1000, (size_t)0xfffffffffffff000ull },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = (size_t)bad[i][1];
        print_message("gpa 0x%llx len 0x%zx\n", (unsigned long long)bad[i][0], n);
        /* A length beyond buf must be refused before a byte moves (else: SIGSEGV). */
        assert_int_equal(domain_copy_to(&dom, bad[i][0], buf, n), -1);
        assert_int_equal(domain_copy_from(&dom, buf, bad[i][0], n), -1);
    }
    /* A refused copy_from never fills the buffer from outside: the bytes it did not get
     * from the domain stay as they were. */
    memset(buf, 0x5a, sizeof(buf));
    assert_int_equal(domain_copy_from(&dom, buf + 16, 4 * MIB, 16), -1);
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(buf[i], 0x5a);
    /* No domain memory at all. */
    struct domain none;
    memset(&none, 0, sizeof(none));
    assert_int_equal(domain_copy_from(&none, buf, 0, 1), -1);
}

/* Is every byte of the page behind gpa zero? (The fake allocator fills each frame it hands
 * out with 0xA5, so a frame cleared in part fails here.) */
static bool page_is_zero(uint64_t root, uint64_t gpa)
{
    const uint8_t *p = fake_p2m_peek(root, gpa);
    if (!p)
        return false;
    for (uint64_t off = 0; off < PG; off++)
        if (p[off])
            return false;
    return true;
}

static void test_balloon_decrease_and_increase(void **state)
{
    (void)state;
    make_domain(4 * MIB, 6 * MIB);
    unsigned used0 = fake_frames_used;
    /* Release 3 pages: counted, freed, flushed, no longer reachable. */
    assert_int_equal(guestmem_decrease(&dom, 0x100000, 3), 3);
    assert_int_equal(dom.mem_pages, 1024 - 3);
    assert_int_equal(fake_frames_used, used0 - 3);
    assert_int_equal(fake_flush_tlb_calls, 1);
    uint8_t b;
    assert_int_equal(domain_copy_from(&dom, &b, 0x101000, 1), -1);
    /* Again: nothing left to release there, no flush. */
    assert_int_equal(guestmem_decrease(&dom, 0x100000, 3), 0);
    assert_int_equal(fake_flush_tlb_calls, 1);
    /* With three vCPUs, each drops its translations of a released page. */
    dom.nr_vcpus = 3;
    dom.vcpus[1] = &dom_vcpus[1];
    dom.vcpus[2] = &dom_vcpus[2];
    assert_int_equal(guestmem_decrease(&dom, 0x200000, 1), 1);
    assert_int_equal(fake_flush_tlb_calls, 4);
    assert_int_equal(guestmem_increase(&dom, 0x200000, 1), 1);
    dom.nr_vcpus = 1;
    /* Increase over [0x100000, +5 pages): the 3 holes come back zeroed, the 2 present
     * pages are left alone (with their contents). */
    assert_int_equal(domain_copy_to(&dom, 0x103000, "keep", 4), 0);
    assert_int_equal(guestmem_increase(&dom, 0x100000, 5), 3);
    assert_int_equal(dom.mem_pages, 1024);
    for (uint64_t gpa = 0x100000; gpa < 0x103000; gpa += PG)
        assert_true(page_is_zero(dom.p2m_root, gpa));      /* every byte, not the first */
    assert_memory_equal(fake_p2m_peek(dom.p2m_root, 0x103000), "keep", 4);
    /* Up to maxmem: 2 MiB more fit (512 pages), asking for 1024 gives 512, all zero. */
    assert_int_equal(guestmem_increase(&dom, 0, 6 * MIB / PG), 512);
    assert_int_equal(dom.mem_pages, 6 * MIB / PG);
    for (uint64_t gpa = 4 * MIB; gpa < 6 * MIB; gpa += PG)
        assert_true(page_is_zero(dom.p2m_root, gpa));
    assert_int_equal(guestmem_increase(&dom, 0, 6 * MIB / PG), 0);
}

static void test_balloon_increase_stops_at_max_pages(void **state)
{
    (void)state;
    make_domain(4 * MIB, 6 * MIB);
    assert_int_equal(guestmem_decrease(&dom, 0, 4), 4);
    /* Holding 1020 of max 1536: the 512 pages above 4 MiB all fit... */
    assert_int_equal(guestmem_increase(&dom, 4 * MIB, 512), 512);
    assert_int_equal(dom.mem_pages, 1020 + 512);
    /* ...and the ceiling counts pages held, wherever they are: of the 4 holes at 0 only
     * 2 come back under a ceiling 2 above what is held. */
    dom.max_pages = 1020 + 512 + 2;
    assert_int_equal(guestmem_increase(&dom, 0, 4), 2);
    assert_int_equal(dom.mem_pages, dom.max_pages);
}

static void test_balloon_bad_ranges_change_nothing(void **state)
{
    (void)state;
    make_domain(4 * MIB, 8 * MIB);          /* max_pages 2048 */
    unsigned used0 = fake_frames_used;
    static const uint64_t bad[][2] = {
        { 1, 1 }, { 0x800, 1 }, { 0xfff, 0 }, { 4 * MIB + 2, 1 },     /* misaligned */
        { 8 * MIB, 1 },                     /* starts at maxmem */
        { 8 * MIB - PG, 2 },                /* straddles maxmem */
        { 0, 2049 },                        /* more pages than maxmem */
        { 0, 0x100000000ull },              /* 2^32 pages */
        { 0, 1ull << 52 },                  /* pages * 4096 == 2^64: wraps to 0 */
        { PG, (1ull << 52) - 1 },           /* ends exactly at 2^64 */
        { 0, ~0ull },
        { ~0ull & ~(PG - 1), 1 },           /* 2^64 - 4096: wraps */
        { 0xfffff000ull, 1 },               /* 4 GiB - 4 KiB, 32-bit top page */
        { 0x100000000ull, 1 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("gpa 0x%llx pages 0x%llx\n", (unsigned long long)bad[i][0],
                      (unsigned long long)bad[i][1]);
        assert_int_equal(guestmem_decrease(&dom, bad[i][0], bad[i][1]), -1);
        assert_int_equal(guestmem_increase(&dom, bad[i][0], bad[i][1]), -1);
    }
    assert_int_equal(dom.mem_pages, 1024);
    assert_int_equal(fake_frames_used, used0);
    assert_int_equal(fake_flush_tlb_calls, 0);
    /* The edges that are fine: an empty range, and the last page of maxmem. */
    assert_int_equal(guestmem_decrease(&dom, 8 * MIB, 0), 0);
    assert_int_equal(guestmem_increase(&dom, 8 * MIB - PG, 1), 1);
    assert_int_equal(guestmem_decrease(&dom, 8 * MIB - PG, 1), 1);
}

static void test_release_all_gives_every_frame_back(void **state)
{
    (void)state;
    make_domain(4 * MIB + 5 * PG, 8 * MIB);
    unsigned others = 256;                  /* the sealed neighbour's 1 MiB */
    assert_int_equal(guestmem_decrease(&dom, 0, 2), 2);
    guestmem_release_all(&dom);
    assert_int_equal(fake_frames_used, others);
    assert_int_equal(fake_bad_frees, 0);
    assert_int_equal(dom.mem_pages, 0);
    assert_int_equal(dom.p2m_root, 0);
    uint8_t b;
    assert_int_equal(domain_copy_from(&dom, &b, 0, 1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_populate_2m_runs_lazy, setup),
        cmocka_unit_test_setup(test_populate_without_lazy_clears_now, setup),
        cmocka_unit_test_setup(test_populate_4k_when_no_runs_and_out_of_memory, setup),
        cmocka_unit_test_setup(test_copies_cross_pages_both_ways, setup),
        cmocka_unit_test_setup(test_copies_outside_the_domain_fail, setup),
        cmocka_unit_test_setup(test_balloon_decrease_and_increase, setup),
        cmocka_unit_test_setup(test_balloon_increase_stops_at_max_pages, setup),
        cmocka_unit_test_setup(test_balloon_bad_ranges_change_nothing, setup),
        cmocka_unit_test_setup(test_release_all_gives_every_frame_back, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
