/* Unit tests for the hypercall dispatcher (src/core/hypercall.c) with the real guest memory
 * code (src/core/guestmem.c) over fake_p2m.c: every hypercall number is made with pointers
 * outside the domain, straddling its end, near 2^32 and 2^64, lengths near 2^32 and 2^64
 * and misaligned buffers, in 32-bit and 64-bit mode, and each must return exactly what
 * docs/hypercalls.md says. Nothing outside the domain may be read or written: every host
 * frame that is not the domain's (including a neighbouring domain's) is PROT_NONE, so a
 * stray access is a SIGSEGV; and a refused call must have no effect (no console byte, no
 * shutdown, no page released). The scheduler, clock and console are small recording stubs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "core/domain.h"
#include "core/dom_console.h"
#include "core/guestmem.h"
#include "public/kestrel.h"
#include "fake_p2m.h"

#define MIB (1ull << 20)
#define PG 4096ull
#define MEM (4 * MIB)               /* the domain's memory */
#define MAXMEM (8 * MIB)            /* its maxmem */
#define NOW 5000000000ull           /* time_now_ns() */
#define CREATED 1000000000ull

static struct domain dom, other;
static struct domain_vcpu dom_vcpu0;

/* ---- recording stubs ---------------------------------------------------------------- */
static char console[16384];
static size_t console_len;
static int shutdowns, yields, blocks;
static enum shutdown_reason shutdown_why;
static bool wake_now;

void domain_console_out(struct domain *d, uint8_t byte)
{
    assert_ptr_equal(d, &dom);
    if (console_len < sizeof(console))
        console[console_len] = (char)byte;
    console_len++;
}
void domain_shutdown(struct domain *d, enum shutdown_reason why, const char *detail)
{
    (void)detail;
    assert_ptr_equal(d, &dom);
    shutdowns++;
    shutdown_why = why;
}
void sched_vcpu_block(struct vcpu *v) { v->blocked = true; blocks++; }
void sched_vcpu_yield(struct vcpu *v) { (void)v; yields++; }
bool vcpu_should_wake(struct vcpu *v, uint64_t now) { (void)v; (void)now; return wake_now; }
void arch_vcpu_skip_insn(struct vcpu *v) { v->regs.rip += 3; }  /* VMMCALL/VMCALL */
uint64_t time_now_ns(void) { return NOW; }
uint64_t tsc_hz(void) { return 2400000000ull; }

/* ---- the domain ----------------------------------------------------------------------- */
static int setup(void **state)
{
    (void)state;
    fake_p2m_reset();
    memset(&dom, 0, sizeof(dom));
    memset(&other, 0, sizeof(other));
    dom.id = 3;
    strcpy(dom.name, "hcbounds");
    dom.p2m_root = fake_p2m_new();
    dom.max_pages = MAXMEM / PG;
    dom.target_pages = 900;
    dom.created_ns = CREATED;
    dom_vcpu0.vcpu.dom = &dom;
    dom.vcpus[0] = &dom_vcpu0;
    dom.nr_vcpus = 1;
    fake_lazy_ok = false;                  /* everything present: peeks see real bytes */
    fake_contig_ok = false;                /* 4 KiB frames, each between two guard pages */
    assert_int_equal(guestmem_populate(&dom, MEM), 0);
    /* A neighbour whose frames nobody may read or write. */
    other.p2m_root = fake_p2m_new();
    assert_int_equal(guestmem_populate(&other, MIB), 0);
    fake_p2m_seal(other.p2m_root, true);
    console_len = 0;
    shutdowns = yields = blocks = 0;
    wake_now = false;
    return 0;
}

static uint8_t *gmem(uint64_t gpa) { return fake_p2m_peek(dom.p2m_root, gpa); }

/* Make hypercall nr in 64-bit (long) or 32-bit mode; returns RAX as the guest reads it
 * (sign-extended from EAX in 32-bit mode). */
static int64_t hc(bool long_mode, uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
    dom_vcpu0.vcpu.long_mode = long_mode;
    dom_vcpu0.vcpu.regs.rax = nr;
    dom_vcpu0.vcpu.regs.rbx = a1;
    dom_vcpu0.vcpu.regs.rcx = a2;
    dom_vcpu0.vcpu.regs.rdx = a3;
    dom_vcpu0.vcpu.regs.rsi = ~0ull;
    vcpu_handle_hypercall(&dom_vcpu0.vcpu);
    return long_mode ? (int64_t)dom_vcpu0.vcpu.regs.rax : (int64_t)(int32_t)dom_vcpu0.vcpu.regs.rax;
}
static int64_t hc64(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3) { return hc(true, nr, a1, a2, a3); }
static int64_t hc32(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3) { return hc(false, nr, a1, a2, a3); }

/* Pointers no domain of MEM bytes owns, for both modes (2^64 - 1 etc. are 64-bit only). */
static const uint64_t outside32[] = { MEM, MEM + 1, MEM + PG - 1, 6 * MIB, MAXMEM, 16 * MIB,
                                      0x7fffffffull, 0x80000000ull, 0xfffff000ull,
                                      0xffffffffull };
static const uint64_t outside64[] = { 0x100000000ull, 0x100000000ull + 0x1000, 1ull << 52,
                                      0x8000000000000000ull, ~0ull - 4095, ~0ull - 7, ~0ull };
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- HC_CONSOLE_WRITE ----------------------------------------------------------------- */

static void test_console_write_good_buffers(void **state)
{
    (void)state;
    memcpy(gmem(0x2ffd), "abc", 3);        /* misaligned, and across a page boundary */
    memcpy(gmem(0x3000), "defg", 4);
    assert_int_equal(hc32(HC_CONSOLE_WRITE, 0x2ffd, 7, 0), 7);
    assert_int_equal(console_len, 7);
    assert_memory_equal(console, "abcdefg", 7);
    /* Exactly 4096 bytes ending at the last byte of the domain. */
    console_len = 0;
    for (unsigned i = 0; i < 4096; i++)
        *gmem(MEM - 4096 + i) = (uint8_t)('A' + i % 26);
    assert_int_equal(hc64(HC_CONSOLE_WRITE, MEM - 4096, 4096, 0), 4096);
    assert_int_equal(console_len, 4096);
    assert_int_equal(console[4095], 'A' + 4095 % 26);
    /* Length 0 anywhere writes nothing and returns 0. */
    console_len = 0;
    assert_int_equal(hc32(HC_CONSOLE_WRITE, 0x1000, 0, 0), 0);
    assert_int_equal(console_len, 0);
}

static void test_console_write_bad_length_is_einval(void **state)
{
    (void)state;
    static const uint64_t lens64[] = { 4097, 8192, 0x7fffffffull, 0x80000000ull, 0xffffffffull,
                                       0x100000000ull, 0x100000001ull, 0x100001000ull,
                                       1ull << 63, ~0ull - 4095, ~0ull };
    for (size_t i = 0; i < N(lens64); i++) {
        assert_int_equal(hc64(HC_CONSOLE_WRITE, 0, lens64[i], 0), KESTREL_EINVAL);
        assert_int_equal(hc64(HC_CONSOLE_WRITE, MEM - 16, lens64[i], 0), KESTREL_EINVAL);
    }
    static const uint64_t lens32[] = { 4097, 0x7fffffffull, 0x80000000ull, 0xfffff000ull,
                                       0xffffffffull };
    for (size_t i = 0; i < N(lens32); i++)
        assert_int_equal(hc32(HC_CONSOLE_WRITE, 0x1000, lens32[i], 0), KESTREL_EINVAL);
    assert_int_equal(console_len, 0);
}

static void test_console_write_outside_is_efault(void **state)
{
    (void)state;
    static const uint64_t lens[] = { 1, 2, 255, 256, 257, 4096 };
    for (size_t l = 0; l < N(lens); l++) {
        for (size_t i = 0; i < N(outside32); i++) {
            assert_int_equal(hc32(HC_CONSOLE_WRITE, outside32[i], lens[l], 0), KESTREL_EFAULT);
            assert_int_equal(hc64(HC_CONSOLE_WRITE, outside32[i], lens[l], 0), KESTREL_EFAULT);
        }
        for (size_t i = 0; i < N(outside64); i++)
            assert_int_equal(hc64(HC_CONSOLE_WRITE, outside64[i], lens[l], 0), KESTREL_EFAULT);
    }
    assert_int_equal(console_len, 0);
}

/* The 32-bit guest's upper register halves do not count: a length of 2^32 + 5 is 5. */
static void test_console_write_32bit_uses_low_halves(void **state)
{
    (void)state;
    memcpy(gmem(0x5000), "hello", 5);
    assert_int_equal(hc32(HC_CONSOLE_WRITE | 0xdead00000000ull, 0xffffffff00005000ull,
                          0x100000005ull, 0), 5);
    assert_memory_equal(console, "hello", 5);
    /* The same registers from a 64-bit guest: length 2^32 + 5 is refused. */
    assert_int_equal(hc64(HC_CONSOLE_WRITE, 0x5000, 0x100000005ull, 0), KESTREL_EINVAL);
}

/* A buffer that starts inside the domain and runs past its end is a bad pointer:
 * docs/hypercalls.md says KESTREL_EFAULT, and nothing from outside is read. */
static void test_console_write_straddling_the_end_is_efault(void **state)
{
    (void)state;
    static const uint64_t cases[][2] = {
        { MEM - 1, 2 }, { MEM - 10, 11 }, { MEM - 255, 256 }, { MEM - 256, 257 },
        { MEM - 300, 400 }, { MEM - 1000, 4096 }, { MEM - 4095, 4096 },
    };
    for (size_t i = 0; i < N(cases); i++) {
        console_len = 0;
        print_message("gpa MEM-%llu len %llu\n", (unsigned long long)(MEM - cases[i][0]),
                      (unsigned long long)cases[i][1]);
        assert_int_equal(hc32(HC_CONSOLE_WRITE, cases[i][0], cases[i][1], 0), KESTREL_EFAULT);
        assert_int_equal(console_len, 0);
    }
}

/* A page the balloon released is no longer the domain's memory. */
static void test_console_write_released_page_is_efault(void **state)
{
    (void)state;
    assert_int_equal(hc32(HC_MEMORY_OP, KESTREL_MEMOP_DECREASE, 0x10000, 1), 1);
    assert_int_equal(hc32(HC_CONSOLE_WRITE, 0x10000, 1, 0), KESTREL_EFAULT);
    assert_int_equal(hc32(HC_CONSOLE_WRITE, 0x10fff, 1, 0), KESTREL_EFAULT);
    assert_int_equal(hc32(HC_CONSOLE_WRITE, 0xfff0, 17, 0), KESTREL_EFAULT);   /* into it */
    assert_int_equal(console_len, 0);
}

/* ---- HC_DOMAIN_INFO and HC_TIME ------------------------------------------------------- */

static void check_info_at(uint64_t gpa)
{
    struct kestrel_domain_info info;
    for (size_t i = 0; i < sizeof(info); i++)
        ((uint8_t *)&info)[i] = *gmem(gpa + i);
    assert_int_equal(info.domid, 3);
    assert_int_equal(info.vcpus, 1);
    assert_int_equal(info.memory_kb, MEM / 1024);
    assert_int_equal(info.max_kb, MAXMEM / 1024);
    assert_int_equal(info.target_kb, 900 * 4);
    assert_string_equal(info.name, "hcbounds");
}

static void check_time_at(uint64_t gpa)
{
    struct kestrel_time t;
    for (size_t i = 0; i < sizeof(t); i++)
        ((uint8_t *)&t)[i] = *gmem(gpa + i);
    assert_int_equal(t.uptime_ns, NOW);
    assert_int_equal(t.domain_ns, NOW - CREATED);
    assert_int_equal(t.tsc_hz, 2400000000ull);
}

static void test_info_and_time_misaligned_buffers_work(void **state)
{
    (void)state;
    static const uint64_t gpas[] = { 0x1001, 0x1003, 0x2007, 0x1fff, 0x1ff9,
                                     MEM - sizeof(struct kestrel_domain_info) };
    for (size_t i = 0; i < N(gpas); i++) {
        assert_int_equal(hc32(HC_DOMAIN_INFO, gpas[i], 0, 0), 0);
        check_info_at(gpas[i]);
    }
    static const uint64_t tgpas[] = { 0x3001, 0x3ff5, 0x4fff, MEM - sizeof(struct kestrel_time) };
    for (size_t i = 0; i < N(tgpas); i++) {
        assert_int_equal(hc64(HC_TIME, tgpas[i], 0, 0), 0);
        check_time_at(tgpas[i]);
    }
    /* 32-bit: the pointer's upper half does not count. */
    assert_int_equal(hc32(HC_TIME, 0xabcdef0000006000ull, 0, 0), 0);
    check_time_at(0x6000);
}

static void info_or_time_outside(uint64_t nr, size_t size)
{
    for (size_t i = 0; i < N(outside32); i++) {
        assert_int_equal(hc32(nr, outside32[i], 0, 0), KESTREL_EFAULT);
        assert_int_equal(hc64(nr, outside32[i], 0, 0), KESTREL_EFAULT);
    }
    for (size_t i = 0; i < N(outside64); i++)
        assert_int_equal(hc64(nr, outside64[i], 0, 0), KESTREL_EFAULT);
    /* Straddling the end: refused; what lies beyond the end is never written (the
     * neighbour and every free frame are PROT_NONE). */
    for (size_t back = 1; back < size; back++)
        assert_int_equal(hc32(nr, MEM - back, 0, 0), KESTREL_EFAULT);
    /* Into a released page. */
    assert_int_equal(hc32(HC_MEMORY_OP, KESTREL_MEMOP_DECREASE, 0x20000, 1), 1);
    assert_int_equal(hc32(nr, 0x20000 - 8, 0, 0), KESTREL_EFAULT);
    assert_int_equal(hc32(nr, 0x20000, 0, 0), KESTREL_EFAULT);
}

static void test_domain_info_outside_is_efault(void **state)
{
    (void)state;
    info_or_time_outside(HC_DOMAIN_INFO, sizeof(struct kestrel_domain_info));
}

static void test_time_outside_is_efault(void **state)
{
    (void)state;
    info_or_time_outside(HC_TIME, sizeof(struct kestrel_time));
}

/* ---- HC_MEMORY_OP --------------------------------------------------------------------- */

static void test_memory_op_bad_ranges_are_einval_and_change_nothing(void **state)
{
    (void)state;
    static const uint64_t bad64[][2] = {
        { 1, 1 }, { 0x800, 1 }, { 0xfff, 1 }, { 0x1004, 0 }, { MEM + 2, 1 },  /* misaligned */
        { MAXMEM, 1 }, { MAXMEM - PG, 2 }, { 0, MAXMEM / PG + 1 },           /* past maxmem */
        { 0, 0x100000000ull }, { 0, 1ull << 52 }, { PG, (1ull << 52) - 1 },  /* wrapping */
        { 0, ~0ull }, { ~0ull - 4095, 1 }, { 0x100000000ull, 1 }, { 0xfffff000ull, 1 },
    };
    static const uint64_t bad32[][2] = {
        { 1, 1 }, { 0x7ff, 4 }, { MAXMEM, 1 }, { MAXMEM - PG, 2 }, { 0, MAXMEM / PG + 1 },
        { 0, 0x80000000ull }, { 0, 0xffffffffull }, { 0xfffff000ull, 1 },
        { 0xfffff000ull, 0xffffffffull }, { 0xffffffffull, 1 },
    };
    for (uint64_t cmd = KESTREL_MEMOP_DECREASE; cmd <= KESTREL_MEMOP_INCREASE; cmd++) {
        for (size_t i = 0; i < N(bad64); i++)
            assert_int_equal(hc64(HC_MEMORY_OP, cmd, bad64[i][0], bad64[i][1]), KESTREL_EINVAL);
        for (size_t i = 0; i < N(bad32); i++)
            assert_int_equal(hc32(HC_MEMORY_OP, cmd, bad32[i][0], bad32[i][1]), KESTREL_EINVAL);
    }
    assert_int_equal(dom.mem_pages, MEM / PG);
    assert_int_equal(fake_flush_tlb_calls, 0);
    for (uint64_t gpa = 0; gpa < MEM; gpa += PG)
        assert_non_null(gmem(gpa));
    for (uint64_t gpa = MEM; gpa < MAXMEM; gpa += PG)
        assert_null(gmem(gpa));
}

static void test_memory_op_commands(void **state)
{
    (void)state;
    /* Unknown commands, including ones whose low 32 bits are a real command (64-bit). */
    static const uint64_t cmds64[] = { 4, 5, 0xffffffffull, 0x100000000ull, 0x100000002ull,
                                       ~0ull };
    for (size_t i = 0; i < N(cmds64); i++)
        assert_int_equal(hc64(HC_MEMORY_OP, cmds64[i], 0, 1), KESTREL_EINVAL);
    assert_int_equal(hc32(HC_MEMORY_OP, 0xffffffffull, 0, 1), KESTREL_EINVAL);
    /* TARGET and CURRENT ignore the other arguments, however wild. */
    assert_int_equal(hc32(HC_MEMORY_OP, KESTREL_MEMOP_TARGET, 0xffffffff, 0xffffffff), 900);
    assert_int_equal(hc64(HC_MEMORY_OP, KESTREL_MEMOP_CURRENT, ~0ull, ~0ull), MEM / PG);
    /* 32-bit: cmd 2^32 + 3 is CURRENT. */
    assert_int_equal(hc32(HC_MEMORY_OP, 0x100000003ull, 0, 0), MEM / PG);
    /* The good edges: the last page of maxmem comes and goes. */
    assert_int_equal(hc32(HC_MEMORY_OP, KESTREL_MEMOP_INCREASE, MAXMEM - PG, 1), 1);
    assert_int_equal(hc32(HC_MEMORY_OP, KESTREL_MEMOP_DECREASE, MAXMEM - PG, 1), 1);
    assert_int_equal(dom.mem_pages, MEM / PG);
}

/* ---- HC_SHUTDOWN, HC_BLOCK, HC_YIELD, HC_NOP, unknown numbers ---------------------------- */

static void test_shutdown_reasons(void **state)
{
    (void)state;
    static const uint64_t bad64[] = { 3, 4, 0x7fffffff, 0xffffffffull, 0x100000000ull,
                                      0x100000002ull, 1ull << 63, ~0ull };
    for (size_t i = 0; i < N(bad64); i++)
        assert_int_equal(hc64(HC_SHUTDOWN, bad64[i], 0, 0), KESTREL_EINVAL);
    assert_int_equal(hc32(HC_SHUTDOWN, 3, 0, 0), KESTREL_EINVAL);
    assert_int_equal(hc32(HC_SHUTDOWN, 0xffffffff, 0, 0), KESTREL_EINVAL);
    assert_int_equal(shutdowns, 0);
    static const enum shutdown_reason want[] = { SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT,
                                                 SHUTDOWN_CRASH };
    for (uint64_t r = 0; r < 3; r++) {
        assert_int_equal(hc32(HC_SHUTDOWN, r | 0xffffffff00000000ull, 0, 0), 0);
        assert_int_equal(shutdowns, (int)r + 1);
        assert_int_equal(shutdown_why, want[r]);
    }
}

static void test_block_timeouts(void **state)
{
    (void)state;
    struct vcpu *v = &dom_vcpu0.vcpu;
    /* 0: no timeout. */
    assert_int_equal(hc32(HC_BLOCK, 0, 0, 0), 0);
    assert_int_equal(v->wake_at_ns, 0);
    assert_int_equal(blocks, 1);
    /* 1 ms. */
    assert_int_equal(hc32(HC_BLOCK, 1000, 0, 0), 0);
    assert_int_equal(v->wake_at_ns, NOW + 1000000);
    /* Anything above 1 h is 1 h: no overflow near 2^32 or 2^64. */
    static const uint64_t big[] = { 3600000001ull, 0xffffffffull, 0x100000000ull,
                                    18446744073709551ull, 1ull << 63, ~0ull };
    for (size_t i = 0; i < N(big); i++) {
        assert_int_equal(hc64(HC_BLOCK, big[i], 0, 0), 0);
        assert_int_equal(v->wake_at_ns, NOW + 3600000000000ull);
    }
    assert_int_equal(hc32(HC_BLOCK, 0xffffffffull, 0, 0), 0);
    assert_int_equal(v->wake_at_ns, NOW + 3600000000000ull);
    /* 32-bit: 2^32 + 5 us is 5 us. */
    assert_int_equal(hc32(HC_BLOCK, 0x100000005ull, 0, 0), 0);
    assert_int_equal(v->wake_at_ns, NOW + 5000);
    /* Already woken: returns at once without blocking. */
    wake_now = true;
    int before = blocks;
    assert_int_equal(hc32(HC_BLOCK, 1000, 0, 0), 0);
    assert_int_equal(blocks, before);
}

static void test_yield_and_nop_ignore_arguments(void **state)
{
    (void)state;
    assert_int_equal(hc64(HC_YIELD, ~0ull, ~0ull, ~0ull), 0);
    assert_int_equal(hc32(HC_YIELD, MEM, 0xffffffff, 1), 0);
    assert_int_equal(yields, 2);
    assert_int_equal(hc64(HC_NOP, ~0ull, ~0ull, ~0ull), 0);
    assert_int_equal(hc32(HC_NOP, 0xffffffff, 0xffffffff, 0xffffffff), 0);
    assert_int_equal(yields + shutdowns + blocks + (int)console_len, 2);
}

static void test_unknown_numbers_are_enosys(void **state)
{
    (void)state;
    static const uint64_t nrs64[] = { HC_COUNT, 9, 0x7fffffff, 0x80000000ull, 0xffffffffull,
                                      0x100000000ull, 0x100000007ull, 1ull << 63, ~0ull };
    for (size_t i = 0; i < N(nrs64); i++) {
        assert_int_equal(hc64(nrs64[i], 0, 16, 0), KESTREL_ENOSYS);
        assert_int_equal(dom_vcpu0.vcpu.regs.rax, (uint64_t)(int64_t)KESTREL_ENOSYS);
    }
    static const uint64_t nrs32[] = { HC_COUNT, 0xff, 0x80000000ull, 0xffffffffull };
    for (size_t i = 0; i < N(nrs32); i++)
        assert_int_equal(hc32(nrs32[i], 0, 16, 0), KESTREL_ENOSYS);
    /* 32-bit: number 2^32 + 7 is HC_NOP. */
    assert_int_equal(hc32(0x100000007ull, 0, 0, 0), 0);
    assert_int_equal(yields + shutdowns + blocks + (int)console_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_console_write_good_buffers, setup),
        cmocka_unit_test_setup(test_console_write_bad_length_is_einval, setup),
        cmocka_unit_test_setup(test_console_write_outside_is_efault, setup),
        cmocka_unit_test_setup(test_console_write_32bit_uses_low_halves, setup),
        cmocka_unit_test_setup(test_console_write_straddling_the_end_is_efault, setup),
        cmocka_unit_test_setup(test_console_write_released_page_is_efault, setup),
        cmocka_unit_test_setup(test_info_and_time_misaligned_buffers_work, setup),
        cmocka_unit_test_setup(test_domain_info_outside_is_efault, setup),
        cmocka_unit_test_setup(test_time_outside_is_efault, setup),
        cmocka_unit_test_setup(test_memory_op_bad_ranges_are_einval_and_change_nothing, setup),
        cmocka_unit_test_setup(test_memory_op_commands, setup),
        cmocka_unit_test_setup(test_shutdown_reasons, setup),
        cmocka_unit_test_setup(test_block_timeouts, setup),
        cmocka_unit_test_setup(test_yield_and_nop_ignore_arguments, setup),
        cmocka_unit_test_setup(test_unknown_numbers_are_enosys, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
