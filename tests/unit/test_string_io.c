/* Unit tests for INS/OUTS emulation (arch/x86/string_io.c) with the real guest page walk
 * (guest_walk.c) over an 8 MiB host buffer standing for the domain's memory: element
 * order and values, counts (REP, no REP, RCX = 0), the direction flag, the address size
 * (16/32/64 bits, 0x67, wrapping within the index register and at 4 GiB, the upper register
 * bits kept), segments (DS default, overrides for OUTS, always ES for INS, bases ignored in
 * 64-bit mode but FS/GS), the 4096-element batch (AGAIN with RIP unchanged, then DONE),
 * a vCPU asked to stop, and faults: a linear address that does not translate (FAULT, with
 * the registers advanced exactly past the elements done) and memory outside the domain
 * (CRASHED through vcpu_handle_bad_gpa). The device bus and the vCPU's control registers
 * are recording stubs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "arch/string_io.h"
#include "core/domain.h"
#include "core/guestmem.h"

#define MEM (8u << 20)
static uint8_t mem[MEM];
static struct domain dom;
static struct domain_vcpu dom_vcpu0;
static struct vcpu *v = &dom_vcpu0.vcpu;
static struct vcpu_sregs sregs;

/* ---- stubs ------------------------------------------------------------------------------ */
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
void arch_vcpu_get_sregs(struct vcpu *vc, struct vcpu_sregs *s) { (void)vc; *s = sregs; }

#define LOG_MAX 10000
static struct io { uint16_t port; unsigned size; bool in; uint32_t val; } io_log[LOG_MAX];
static unsigned io_count, stop_after;
static uint32_t in_next;                   /* the value the next IN returns, then +1 */
void vcpu_handle_io(struct vcpu *vc, uint16_t port, unsigned size, bool in, uint32_t *val)
{
    if (in)
        *val = in_next++ & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
    if (io_count < LOG_MAX)
        io_log[io_count] = (struct io){ port, size, in, *val };
    io_count++;
    if (stop_after && io_count == stop_after)
        vc->stop = true;
}
static int bad_gpas;
static uint64_t bad_gpa;
static bool bad_write;
void vcpu_handle_bad_gpa(struct vcpu *vc, uint64_t gpa, bool write)
{
    (void)vc;
    bad_gpas++;
    bad_gpa = gpa;
    bad_write = write;
}
/* The backend's end of the exit: the instruction is skipped to NEXT, or #GP is raised. */
#define NEXT 0x7abc
static int gp_injected;
void arch_vcpu_skip_insn(struct vcpu *vc) { vc->regs.rip = NEXT; }
void arch_vcpu_inject_exception(struct vcpu *vc, uint8_t vector, bool has_err, uint32_t err)
{
    (void)vc;
    if (vector == 13 && has_err && err == 0)
        gp_injected++;
}

/* ---- helpers ---------------------------------------------------------------------------- */
#define CS_D 0x400                          /* CS.D: 32-bit default operand/address size */
#define RIP0 0x7000                         /* where the instruction sits (CS base 0) */

/* Protected mode, paging off, 32-bit code; the instruction's bytes at CS:RIP. */
static void setup_mode32(const uint8_t *insn, size_t n)
{
    memset(&sregs, 0, sizeof(sregs));
    sregs.cr0 = 0x11;
    sregs.cs.attr = CS_D;
    v->long_mode = false;
    v->regs.rip = RIP0;
    memcpy(mem + RIP0, insn, n);
}

static int setup(void **state)
{
    (void)state;
    memset(mem, 0, sizeof(mem));
    memset(&dom, 0, sizeof(dom));
    memset(&dom_vcpu0, 0, sizeof(dom_vcpu0));
    v->dom = &dom;
    dom.vcpus[0] = &dom_vcpu0;
    dom.nr_vcpus = 1;
    io_count = stop_after = 0;
    in_next = 0x10;
    bad_gpas = 0;
    gp_injected = 0;
    return 0;
}

static enum string_io_result run(uint16_t port, unsigned size, bool in, bool rep)
{
    struct string_io s = { port, size, in, rep };
    return vcpu_handle_string_io(v, &s);
}

static const uint8_t REP_OUTSB[] = { 0xf3, 0x6e };
static const uint8_t REP_INSB[] = { 0xf3, 0x6c };

/* ---- tests ------------------------------------------------------------------------------ */

static void test_rep_outsb_forward(void **state)
{
    (void)state;
    setup_mode32(REP_OUTSB, 2);
    memcpy(mem + 0x20000, "Kestrel", 7);
    v->regs.rsi = 0x20000;
    v->regs.rcx = 7;
    assert_int_equal(run(0x3f8, 1, false, true), STRING_IO_DONE);
    assert_int_equal(io_count, 7);
    for (unsigned i = 0; i < 7; i++) {
        assert_int_equal(io_log[i].port, 0x3f8);
        assert_int_equal(io_log[i].size, 1);
        assert_false(io_log[i].in);
        assert_int_equal(io_log[i].val, (uint8_t)"Kestrel"[i]);
    }
    assert_int_equal(v->regs.rsi, 0x20007);
    assert_int_equal(v->regs.rcx, 0);
    assert_int_equal(v->regs.rip, NEXT);
}

static void test_rep_insw_backward_with_df(void **state)
{
    (void)state;
    static const uint8_t insn[] = { 0x66, 0xf3, 0x6d };
    setup_mode32(insn, sizeof(insn));
    v->regs.rflags = 0x400;                 /* DF */
    v->regs.rdi = 0x30006;
    v->regs.rcx = 4;
    assert_int_equal(run(0x1f0, 2, true, true), STRING_IO_DONE);
    assert_int_equal(io_count, 4);
    uint16_t w[4];
    memcpy(w, mem + 0x30000, 8);
    /* Elements 0x10, 0x11, 0x12, 0x13 went to 0x30006, 0x30004, 0x30002, 0x30000. */
    assert_int_equal(w[3], 0x10);
    assert_int_equal(w[2], 0x11);
    assert_int_equal(w[1], 0x12);
    assert_int_equal(w[0], 0x13);
    assert_int_equal(v->regs.rdi, 0x30006 - 8);
    assert_int_equal(v->regs.rcx, 0);
}

static void test_single_and_zero_counts(void **state)
{
    (void)state;
    static const uint8_t outsd[] = { 0x6f };
    setup_mode32(outsd, 1);
    memcpy(mem + 0x40000, "\x78\x56\x34\x12", 4);
    v->regs.rsi = 0x40000;
    v->regs.rcx = 99;                       /* no REP: RCX is not a count */
    assert_int_equal(run(0x80, 4, false, false), STRING_IO_DONE);
    assert_int_equal(io_count, 1);
    assert_int_equal(io_log[0].val, 0x12345678);
    assert_int_equal(v->regs.rsi, 0x40004);
    assert_int_equal(v->regs.rcx, 99);
    assert_int_equal(v->regs.rip, NEXT);
    /* REP with RCX = 0: nothing moves, the instruction is done. */
    setup_mode32(REP_INSB, 2);
    v->regs.rcx = 0;
    v->regs.rdi = 0x40000;
    assert_int_equal(run(0x80, 1, true, true), STRING_IO_DONE);
    assert_int_equal(io_count, 1);
    assert_int_equal(v->regs.rdi, 0x40000);
    assert_int_equal(v->regs.rip, NEXT);
}

static void test_batches_of_4096(void **state)
{
    (void)state;
    setup_mode32(REP_INSB, 2);
    v->regs.rdi = 0x100000;
    v->regs.rcx = 5000;
    assert_int_equal(run(0x60, 1, true, true), STRING_IO_AGAIN);
    assert_int_equal(io_count, STRING_IO_BATCH);
    assert_int_equal(v->regs.rcx, 5000 - 4096);
    assert_int_equal(v->regs.rdi, 0x100000 + 4096);
    assert_int_equal(v->regs.rip, RIP0);       /* the instruction runs again */
    assert_int_equal(run(0x60, 1, true, true), STRING_IO_DONE);
    assert_int_equal(io_count, 5000);
    assert_int_equal(v->regs.rcx, 0);
    assert_int_equal(v->regs.rip, NEXT);
    for (unsigned i = 0; i < 5000; i++)
        assert_int_equal(mem[0x100000 + i], (uint8_t)(0x10 + i));
    /* Exactly 4096: one batch, done. */
    setup_mode32(REP_INSB, 2);
    io_count = 0;
    v->regs.rcx = 4096;
    assert_int_equal(run(0x60, 1, true, true), STRING_IO_DONE);
    assert_int_equal(io_count, 4096);
}

static void test_stop_request_ends_the_batch(void **state)
{
    (void)state;
    setup_mode32(REP_INSB, 2);
    v->regs.rdi = 0x100000;
    v->regs.rcx = 10;
    stop_after = 3;                         /* e.g. the device asked for the guest to stop */
    assert_int_equal(run(0x60, 1, true, true), STRING_IO_AGAIN);
    assert_int_equal(io_count, 3);
    assert_int_equal(v->regs.rcx, 7);
    assert_int_equal(v->regs.rip, RIP0);
}

static void test_16bit_addresses_wrap_and_keep_upper_bits(void **state)
{
    (void)state;
    /* Real mode: 16-bit addressing; DS base 0x10000, SI = 0xfffe: the third element comes
     * from DS:0000. SI and CX change only in their low 16 bits. */
    memset(&sregs, 0, sizeof(sregs));
    v->long_mode = false;
    v->regs.rip = RIP0;
    memcpy(mem + RIP0, REP_OUTSB, 2);
    sregs.ds.base = 0x10000;
    mem[0x1fffe] = 'a';
    mem[0x1ffff] = 'b';
    mem[0x10000] = 'c';
    mem[0x20000] = 'X';                     /* what an unwrapped address would read */
    v->regs.rsi = 0xabcd0000fffeull;
    v->regs.rcx = 0x55550003ull;
    assert_int_equal(run(0x3f8, 1, false, true), STRING_IO_DONE);
    assert_int_equal(io_count, 3);
    assert_int_equal(io_log[0].val, 'a');
    assert_int_equal(io_log[1].val, 'b');
    assert_int_equal(io_log[2].val, 'c');
    assert_int_equal(v->regs.rsi, 0xabcd00000001ull);
    assert_int_equal(v->regs.rcx, 0x55550000ull);
    /* CX = 0 with a non-zero upper RCX: no element (the count is CX). */
    v->regs.rip = RIP0;
    v->regs.rcx = 0x12340000ull;
    assert_int_equal(run(0x3f8, 1, false, true), STRING_IO_DONE);
    assert_int_equal(io_count, 3);
}

static void test_0x67_in_32bit_code_is_16bit(void **state)
{
    (void)state;
    static const uint8_t insn[] = { 0x67, 0xf3, 0x6c };     /* a16 rep insb */
    setup_mode32(insn, sizeof(insn));
    v->regs.rdi = 0x1234ffffull;
    v->regs.rcx = 0x00070002ull;
    assert_int_equal(run(0x60, 1, true, true), STRING_IO_DONE);
    assert_int_equal(io_count, 2);
    assert_int_equal(mem[0xffff], 0x10);
    assert_int_equal(mem[0x0000], 0x11);
    assert_int_equal(v->regs.rdi, 0x12340001ull);
    assert_int_equal(v->regs.rcx, 0x00070000ull);
}

static void test_32bit_linear_wraps_at_4g(void **state)
{
    (void)state;
    setup_mode32(REP_INSB, 2);
    sregs.es.base = 0x1000;
    v->regs.rdi = 0xfffff800ull;            /* ES:EDI = 0x1_0000_0800 -> 0x800 */
    v->regs.rcx = 1;
    assert_int_equal(run(0x60, 1, true, true), STRING_IO_DONE);
    assert_int_equal(mem[0x800], 0x10);
    assert_int_equal(v->regs.rdi, 0xfffff801ull);
    /* EDI itself wraps within 32 bits: ES:0xffffffff -> 0x1fff, then EDI 0 -> 0x2000. */
    setup_mode32(REP_INSB, 2);
    sregs.es.base = 0x2000;
    v->regs.rdi = 0xffffffffull;
    v->regs.rcx = 2;
    assert_int_equal(run(0x60, 1, true, true), STRING_IO_DONE);
    assert_int_equal(mem[0x1fff], 0x11);
    assert_int_equal(mem[0x2000], 0x12);
    assert_int_equal(v->regs.rdi, 1);
}

static void test_segments(void **state)
{
    (void)state;
    /* OUTS: DS by default, ES/CS/SS/FS/GS with an override (the last one wins). */
    static const struct { uint8_t prefix; unsigned which; } cases[] = {
        { 0x3e, 3 }, { 0x26, 0 }, { 0x2e, 1 }, { 0x36, 2 }, { 0x64, 4 }, { 0x65, 5 },
    };
    for (unsigned i = 0; i < 6; i++) {
        uint8_t insn[] = { 0x26, cases[i].prefix, 0x6e };     /* es <override> outsb */
        setup_mode32(insn, sizeof(insn));
        sregs.es.base = 0x100000;
        sregs.cs.base = 0;
        struct vcpu_segment *segs[] = { &sregs.es, &sregs.cs, &sregs.ss, &sregs.ds,
                                        &sregs.fs, &sregs.gs };
        if (cases[i].which != 1)
            segs[cases[i].which]->base = 0x200000 + cases[i].which * 0x10000;
        uint64_t want = cases[i].which == 1 ? 0 : 0x200000 + cases[i].which * 0x10000;
        mem[want + 0x50] = (uint8_t)(0xa0 + i);
        v->regs.rsi = 0x50;
        io_count = 0;
        assert_int_equal(run(0x80, 1, false, false), STRING_IO_DONE);
        assert_int_equal(io_log[0].val, 0xa0 + i);
    }
    /* No prefix: DS. */
    static const uint8_t plain[] = { 0x6e };
    setup_mode32(plain, 1);
    sregs.ds.base = 0x300000;
    mem[0x300050] = 0x77;
    v->regs.rsi = 0x50;
    io_count = 0;
    assert_int_equal(run(0x80, 1, false, false), STRING_IO_DONE);
    assert_int_equal(io_log[0].val, 0x77);
    /* INS always writes ES:rDI, whatever the prefix says. */
    static const uint8_t ins[] = { 0x64, 0x6c };             /* fs insb */
    setup_mode32(ins, sizeof(ins));
    sregs.es.base = 0x310000;
    sregs.fs.base = 0x320000;
    v->regs.rdi = 0x10;
    assert_int_equal(run(0x80, 1, true, false), STRING_IO_DONE);
    assert_int_equal(mem[0x310010], 0x10);
    assert_int_equal(mem[0x320010], 0);
}

static void test_long_mode_addressing(void **state)
{
    (void)state;
    /* 64-bit: DS/ES bases do not count, FS/GS do; REX and 0x67 (32-bit addressing). */
    static const uint8_t insn[] = { 0xf3, 0x48, 0x6e };      /* rep rex.w outsb */
    setup_mode32(insn, sizeof(insn));
    v->long_mode = true;
    sregs.efer = 0x500;
    sregs.ds.base = 0x100000;               /* ignored */
    mem[0x400] = 'L';
    v->regs.rsi = 0x400;
    v->regs.rcx = 1;
    assert_int_equal(run(0x80, 1, false, true), STRING_IO_DONE);
    assert_int_equal(io_log[0].val, 'L');
    static const uint8_t gs[] = { 0x65, 0x6e };
    setup_mode32(gs, sizeof(gs));
    v->long_mode = true;
    sregs.gs.base = 0x200000;
    mem[0x200400] = 'G';
    v->regs.rsi = 0x400;
    assert_int_equal(run(0x80, 1, false, false), STRING_IO_DONE);
    assert_int_equal(io_log[1].val, 'G');
    /* With 4-level paging: linear 0..8 MiB identity (2 MiB pages), linear 4 GiB -> gpa
     * 0x600000. A 64-bit address reaches 4 GiB + 0x10; with 0x67 the same RDI is EDI = 0x10. */
    static const uint64_t pml4e = 0x31000 | 3, pdpte0 = 0x32000 | 3, pdpte4 = 0x33000 | 3,
                          big = 0x600000 | 0x83;
    memcpy(mem + 0x30000, &pml4e, 8);
    memcpy(mem + 0x31000, &pdpte0, 8);
    memcpy(mem + 0x31000 + 4 * 8, &pdpte4, 8);
    for (uint64_t i = 0; i < 4; i++) {
        uint64_t pde = (i << 21) | 0x83;
        memcpy(mem + 0x32000 + i * 8, &pde, 8);
    }
    memcpy(mem + 0x33000, &big, 8);
    static const uint8_t a32[] = { 0x67, 0xf3, 0x6c };
    static const uint8_t a64[] = { 0xf3, 0x6c };
    for (int i = 0; i < 2; i++) {
        setup_mode32(i ? a32 : a64, i ? 3 : 2);
        v->long_mode = true;
        sregs.cr0 = 0x80000011;
        sregs.cr3 = 0x30000;
        sregs.cr4 = 0x20;
        sregs.efer = 0x500;
        v->regs.rdi = 0x100000010ull;
        v->regs.rcx = 0xabcd00000001ull;        /* a64: RCX counts whole: 0xabcd00000001 */
        in_next = 0x40 + i;
        uint64_t before = io_count;
        assert_int_equal(run(0x80, 1, true, true), i ? STRING_IO_DONE : STRING_IO_AGAIN);
        assert_int_equal(mem[i ? 0x10 : 0x600010], 0x40 + i);
        if (i) {
            assert_int_equal(io_count - before, 1);       /* ECX = 1 */
            assert_int_equal(v->regs.rdi & 0xffffffffu, 0x11);
        } else {
            assert_int_equal(io_count - before, STRING_IO_BATCH);
            assert_int_equal(v->regs.rdi, 0x100000010ull + STRING_IO_BATCH);
        }
    }
}

/* 32-bit paging: linear 0x1000 -> 0x5000, 0x2000 -> 0x3000 (not contiguous), 0x3000 absent. */
static void paging_on(void)
{
    uint32_t pde = 0x11000 | 1, pte1 = 0x5000 | 1, pte2 = 0x3000 | 1;
    memcpy(mem + 0x10000, &pde, 4);
    memcpy(mem + 0x11000 + 4, &pte1, 4);
    memcpy(mem + 0x11000 + 8, &pte2, 4);
    /* The instruction at linear RIP0 = 0x7000: map it to itself. */
    uint32_t pte7 = 0x7000 | 1;
    memcpy(mem + 0x11000 + 7 * 4, &pte7, 4);
    sregs.cr0 = 0x80000011;
    sregs.cr3 = 0x10000;
}

static void test_paging_elements_across_pages_and_faults(void **state)
{
    (void)state;
    static const uint8_t outsd[] = { 0xf3, 0x6f };
    setup_mode32(outsd, sizeof(outsd));
    paging_on();
    /* A dword straddling linear 0x2000: two bytes from 0x5ffe, two from 0x3000. */
    memcpy(mem + 0x5ffe, "\x11\x22", 2);
    memcpy(mem + 0x3000, "\x33\x44\x55\x66\x77\x88\x99\xaa", 8);
    v->regs.rsi = 0x1ffe;
    v->regs.rcx = 2;
    assert_int_equal(run(0x80, 4, false, true), STRING_IO_DONE);
    assert_int_equal(io_log[0].val, 0x44332211);
    assert_int_equal(io_log[1].val, 0x88776655);
    /* A REP that runs into an unmapped page: the elements before it are done and the
     * registers say so exactly; then FAULT (#GP(0) raised), RIP unchanged. */
    setup_mode32(REP_INSB, 2);
    paging_on();
    io_count = 0;
    v->regs.rdi = 0x2ffe;
    v->regs.rcx = 10;
    assert_int_equal(run(0x60, 1, true, true), STRING_IO_FAULT);
    assert_int_equal(gp_injected, 1);
    assert_int_equal(io_count, 2);
    assert_int_equal(mem[0x3ffe], 0x10);
    assert_int_equal(mem[0x3fff], 0x11);
    assert_int_equal(v->regs.rdi, 0x3000);
    assert_int_equal(v->regs.rcx, 8);
    assert_int_equal(v->regs.rip, RIP0);
    assert_int_equal(bad_gpas, 0);
}

static void test_outside_the_domain_crashes(void **state)
{
    (void)state;
    setup_mode32(REP_OUTSB, 2);
    v->regs.rsi = MEM - 2;
    v->regs.rcx = 4;
    mem[MEM - 2] = 'y';
    mem[MEM - 1] = 'z';
    assert_int_equal(run(0x80, 1, false, true), STRING_IO_CRASHED);
    assert_int_equal(io_count, 2);          /* the two bytes inside went out */
    assert_int_equal(bad_gpas, 1);
    assert_int_equal(bad_gpa, MEM);
    assert_false(bad_write);
    assert_int_equal(v->regs.rcx, 2);
    assert_int_equal(v->regs.rip, RIP0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_rep_outsb_forward, setup),
        cmocka_unit_test_setup(test_rep_insw_backward_with_df, setup),
        cmocka_unit_test_setup(test_single_and_zero_counts, setup),
        cmocka_unit_test_setup(test_batches_of_4096, setup),
        cmocka_unit_test_setup(test_stop_request_ends_the_batch, setup),
        cmocka_unit_test_setup(test_16bit_addresses_wrap_and_keep_upper_bits, setup),
        cmocka_unit_test_setup(test_0x67_in_32bit_code_is_16bit, setup),
        cmocka_unit_test_setup(test_32bit_linear_wraps_at_4g, setup),
        cmocka_unit_test_setup(test_segments, setup),
        cmocka_unit_test_setup(test_long_mode_addressing, setup),
        cmocka_unit_test_setup(test_paging_elements_across_pages_and_faults, setup),
        cmocka_unit_test_setup(test_outside_the_domain_crashes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
