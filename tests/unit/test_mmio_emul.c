/* Unit tests for the MMIO instruction emulator (arch/x86/mmio_emul.c): register merging
 * and extension and the register numbering by hand, stores, XCHG, RFLAGS of the ALU and
 * BT forms by hand, device failures that change nothing, and every 64-bit [rdi] vector
 * of tests/unit/mmio_insn_vectors.h run on the host CPU from random states, with the
 * registers, flags and memory it leaves compared with the emulator's. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mmio_insn_test.h"
#include "native_x86.h"

/* ---- emulation: a device that is 16 bytes of memory ---------------------------------- */

#define DEV_GPA 0xfee00020ULL

struct fake_dev {
    uint8_t mem[16];
    char trace[8];                  /* 'r' and 'w' in the order they came */
    unsigned ntrace;
    bool fail_read, fail_write;
};

static int dev_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
    struct fake_dev *f = ctx;
    assert_int_equal(gpa, DEV_GPA);
    assert_true(size == 1 || size == 2 || size == 4 || size == 8);
    if (f->ntrace + 1 < sizeof(f->trace))
        f->trace[f->ntrace++] = 'r';
    if (f->fail_read)
        return -1;
    *val = 0;
    memcpy(val, f->mem, size);
    return 0;
}

static int dev_write(void *ctx, uint64_t gpa, unsigned size, uint64_t val)
{
    struct fake_dev *f = ctx;
    assert_int_equal(gpa, DEV_GPA);
    assert_true(size == 1 || size == 2 || size == 4 || size == 8);
    if (size < 8)
        assert_int_equal(val >> (8 * size), 0);
    if (f->ntrace + 1 < sizeof(f->trace))
        f->trace[f->ntrace++] = 'w';
    if (f->fail_write)
        return -1;
    memcpy(f->mem, &val, size);
    return 0;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write };

static struct vcpu_regs base_regs(void)
{
    struct vcpu_regs r;
    uint64_t *p = &r.rax;
    for (int i = 0; i < 18; i++)
        p[i] = 0x1111111111111111ULL * (uint64_t)(i % 15 + 1);
    r.rip = 0xffffffff81000000ULL;
    r.rflags = 0x202;
    return r;
}

/* Decode hex in mode and emulate on regs and dev; returns what emulate returned. RIP is
 * never the emulator's to move. */
static int emu(enum mmio_insn_mode mode, const char *hex, struct vcpu_regs *r,
               struct fake_dev *f)
{
    struct mmio_insn d = decode_ok(mode, hex);
    uint64_t rip = r->rip;
    int rc = mmio_insn_emulate(&d, r, DEV_GPA, &dev_ops, f);
    assert_int_equal(r->rip, rip);
    return rc;
}

static void set_mem(struct fake_dev *f, uint64_t v)
{
    memset(f, 0, sizeof(*f));
    memcpy(f->mem, &v, 8);
}

static uint64_t mem64(const struct fake_dev *f)
{
    uint64_t v;
    memcpy(&v, f->mem, 8);
    return v;
}

static void test_load_widths(void **state)
{
    (void)state;
    static const struct { const char *hex; uint64_t rax; } cases[] = {
        { "8a 00", 0x1111111111111188ULL },             /* mov al, m8: merges */
        { "8a 20", 0x1111111111118811ULL },             /* mov ah, m8: bits 8-15 */
        { "66 8b 00", 0x1111111111117788ULL },          /* mov ax, m16: merges */
        { "8b 00", 0x0000000055667788ULL },             /* mov eax, m32: zero-extends */
        { "48 8b 00", 0x1122334455667788ULL },          /* mov rax, m64 */
        { "a1 20 00 e0 fe 00 00 00 00", 0x0000000055667788ULL },
        { "66 a1 20 00 e0 fe 00 00 00 00", 0x1111111111117788ULL },
        { "0f b6 00", 0x0000000000000088ULL },          /* movzx eax, m8 */
        { "66 0f b6 00", 0x1111111111110088ULL },       /* movzx ax, m8: merges */
        { "48 0f b7 00", 0x0000000000007788ULL },       /* movzx rax, m16 */
        { "0f be 00", 0x00000000ffffff88ULL },          /* movsx eax, m8 */
        { "48 0f be 00", 0xffffffffffffff88ULL },       /* movsx rax, m8 */
        { "66 0f be 00", 0x111111111111ff88ULL },       /* movsx ax, m8 */
        { "0f bf 00", 0x0000000000007788ULL },          /* movsx eax, m16 (positive) */
        { "48 63 00", 0x0000000055667788ULL },          /* movsxd rax, m32 (positive) */
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct vcpu_regs r = base_regs(), want = r;
        struct fake_dev f;
        set_mem(&f, 0x1122334455667788ULL);
        assert_int_equal(emu(MMIO_CODE64, cases[i].hex, &r, &f), 0);
        want.rax = cases[i].rax;
        if (memcmp(&r, &want, sizeof(r)) != 0) {
            print_message("%s: rax %016llx\n", cases[i].hex, (unsigned long long)r.rax);
            assert_memory_equal(&r, &want, sizeof(r));
        }
        assert_string_equal(f.trace, "r");
    }
    struct vcpu_regs r = base_regs();
    struct fake_dev f;
    set_mem(&f, 0x80000000ULL);
    assert_int_equal(emu(MMIO_CODE64, "48 63 00", &r, &f), 0);     /* movsxd: negative */
    assert_int_equal(r.rax, 0xffffffff80000000ULL);
    set_mem(&f, 0x8000);
    assert_int_equal(emu(MMIO_CODE32, "0f bf 00", &r, &f), 0);
    assert_int_equal(r.rax, 0xffff8000ULL);
    set_mem(&f, 0xabcd);
    r = base_regs();
    assert_int_equal(emu(MMIO_CODE16, "8b 07", &r, &f), 0);        /* 16-bit code: ax */
    assert_int_equal(r.rax, 0x111111111111abcdULL);
}

/* Register n by encoding is the struct field of that name, whatever the struct's order. */
static void test_register_numbers(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 16; n++) {
        struct vcpu_regs r = base_regs(), want = r;
        uint64_t *by_name[16] = { &want.rax, &want.rcx, &want.rdx, &want.rbx, &want.rsp,
            &want.rbp, &want.rsi, &want.rdi, &want.r8, &want.r9, &want.r10, &want.r11,
            &want.r12, &want.r13, &want.r14, &want.r15 };
        char hex[16];
        snprintf(hex, sizeof(hex), "%02x 8b %02x", 0x48 | (n >= 8 ? 4 : 0), (n & 7) << 3);
        struct fake_dev f;
        set_mem(&f, 0x0123456789abcdefULL);
        assert_int_equal(emu(MMIO_CODE64, hex, &r, &f), 0);
        *by_name[n] = 0x0123456789abcdefULL;
        assert_memory_equal(&r, &want, sizeof(r));
    }
    /* AH CH DH BH are bits 8-15 of rax rcx rdx rbx. */
    static const char *const high[] = { "8a 20", "8a 28", "8a 30", "8a 38" };
    for (unsigned n = 0; n < 4; n++) {
        struct vcpu_regs r = base_regs(), want = r;
        uint64_t *by_name[4] = { &want.rax, &want.rcx, &want.rdx, &want.rbx };
        struct fake_dev f;
        set_mem(&f, 0xa5);
        assert_int_equal(emu(MMIO_CODE32, high[n], &r, &f), 0);
        *by_name[n] = (*by_name[n] & ~0xff00ULL) | 0xa500;
        assert_memory_equal(&r, &want, sizeof(r));
    }
}

static void test_stores(void **state)
{
    (void)state;
    static const struct { enum mmio_insn_mode mode; const char *hex; uint64_t mem; } cases[] = {
        { MMIO_CODE64, "88 20", 0xeeeeeeeeeeeeee11ULL },        /* mov m8, ah */
        { MMIO_CODE64, "40 88 20", 0xeeeeeeeeeeeeee88ULL },     /* mov m8, spl */
        { MMIO_CODE64, "66 89 18", 0xeeeeeeeeeeee2222ULL },     /* mov m16, bx */
        { MMIO_CODE64, "44 89 00", 0xeeeeeeee99999999ULL },     /* mov m32, r8d */
        { MMIO_CODE64, "4c 89 38", 0x1111111111111111ULL },     /* mov m64, r15 */
        { MMIO_CODE64, "c6 00 80", 0xeeeeeeeeeeeeee80ULL },
        { MMIO_CODE64, "66 c7 00 34 12", 0xeeeeeeeeeeee1234ULL },
        { MMIO_CODE64, "48 c7 00 fe ff ff ff", 0xfffffffffffffffeULL },
        { MMIO_CODE64, "a2 20 00 e0 fe 00 00 00 00", 0xeeeeeeeeeeeeee11ULL },
        { MMIO_CODE16, "c7 07 34 12", 0xeeeeeeeeeeee1234ULL },
        { MMIO_CODE16, "66 c7 07 78 56 34 12", 0xeeeeeeee12345678ULL },
        { MMIO_CODE32, "f3 89 08", 0xeeeeeeee33333333ULL },     /* xrelease mov m32, ecx */
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct vcpu_regs r = base_regs(), want = r;
        struct fake_dev f;
        set_mem(&f, 0xeeeeeeeeeeeeeeeeULL);
        assert_int_equal(emu(cases[i].mode, cases[i].hex, &r, &f), 0);
        assert_memory_equal(&r, &want, sizeof(r));
        assert_string_equal(f.trace, "w");
        assert_int_equal(mem64(&f), cases[i].mem);
    }
}

static void test_xchg(void **state)
{
    (void)state;
    struct vcpu_regs r = base_regs();
    struct fake_dev f;
    set_mem(&f, 0x1122334455667788ULL);
    assert_int_equal(emu(MMIO_CODE64, "87 08", &r, &f), 0);        /* xchg m32, ecx */
    assert_string_equal(f.trace, "rw");
    assert_int_equal(r.rcx, 0x55667788ULL);
    assert_int_equal(mem64(&f), 0x1122334433333333ULL);
    r = base_regs();
    set_mem(&f, 0x1122334455667788ULL);
    assert_int_equal(emu(MMIO_CODE64, "86 38", &r, &f), 0);        /* xchg m8, bh */
    assert_int_equal(r.rbx, 0x2222222222228822ULL);
    assert_int_equal(f.mem[0], 0x22);
}

/* A device that refuses the read or the write leaves the registers as they were. */
static void test_failures(void **state)
{
    (void)state;
    static const char *const hex[] = { "8b 00", "87 08", "01 08", "03 08", "0f ba 28 01",
                                       "39 08", "89 08" };
    for (size_t i = 0; i < COUNT(hex); i++) {
        for (int which = 0; which < 2; which++) {
            struct vcpu_regs r = base_regs(), before = r;
            struct fake_dev f;
            set_mem(&f, 0x1122334455667788ULL);
            f.fail_read = which == 0;
            f.fail_write = which == 1;
            int rc = emu(MMIO_CODE64, hex[i], &r, &f);
            bool touched = strchr(f.trace, which == 0 ? 'r' : 'w') != NULL;
            assert_int_equal(rc, touched ? -1 : 0);
            if (touched)
                assert_memory_equal(&r, &before, sizeof(r));
            if (which == 0 && touched)
                assert_string_equal(f.trace, "r");          /* no write after a failed read */
        }
    }
    /* Structures no decode produces are refused without a device access. */
    struct mmio_insn d = decode_ok(MMIO_CODE64, "8b 00");
    struct vcpu_regs r = base_regs(), before = r;
    struct fake_dev f;
    set_mem(&f, 0);
    struct mmio_insn bad = d;
    bad.size = 3;
    assert_int_equal(mmio_insn_emulate(&bad, &r, DEV_GPA, &dev_ops, &f), -1);
    bad = d;
    bad.reg = 16;
    assert_int_equal(mmio_insn_emulate(&bad, &r, DEV_GPA, &dev_ops, &f), -1);
    bad = d;
    bad.reg = 5;
    bad.reg_high8 = true;
    bad.size = bad.reg_size = 1;
    assert_int_equal(mmio_insn_emulate(&bad, &r, DEV_GPA, &dev_ops, &f), -1);
    bad = d;
    bad.op = (enum mmio_insn_op)99;
    assert_int_equal(mmio_insn_emulate(&bad, &r, DEV_GPA, &dev_ops, &f), -1);
    struct mmio_ops no_write = { dev_read, NULL };
    d = decode_ok(MMIO_CODE64, "89 00");
    assert_int_equal(mmio_insn_emulate(&d, &r, DEV_GPA, &no_write, &f), -1);
    assert_memory_equal(&r, &before, sizeof(r));
    assert_int_equal(f.ntrace, 0);
}

/* ---- emulation: arithmetic and flags --------------------------------------------------- */

struct alu_case {
    const char *hex;                /* with memory at [rax] and the register operand ecx/cl */
    uint64_t mem, rcx, flags_in;
    uint64_t mem_out, rcx_out, flags_out;
    const char *trace;
};

static void test_alu_flags(void **state)
{
    (void)state;
    static const struct alu_case cases[] = {
        /* add m8, cl: 0x7f + 1 = 0x80: OF SF AF */
        { "00 08", 0x7f, 1, 0, 0x80, 1, OF | SF | AF, "rw" },
        /* add m8, cl: 0xff + 1 = 0: CF ZF AF PF */
        { "00 08", 0xff, 1, 0, 0, 1, CF | ZF | AF | PF, "rw" },
        /* adc m32, ecx with CF: 0xffffffff + 0 + 1 = 0 */
        { "11 08", 0xffffffff, 0, CF, 0, 0, CF | ZF | AF | PF, "rw" },
        /* sub m16, cx: 0 - 1 = 0xffff: CF SF AF PF */
        { "66 29 08", 0, 1, 0, 0xffff, 1, CF | SF | AF | PF, "rw" },
        /* sbb m8, cl with CF: 0x80 - 0 - 1 = 0x7f: OF AF */
        { "18 08", 0x80, 0, CF, 0x7f, 0, OF | AF, "rw" },
        /* cmp m32, ecx equal: ZF PF, no write */
        { "39 08", 5, 5, CF | OF, 5, 5, ZF | PF, "r" },
        /* cmp ecx, m32: 1 - 2 borrows: CF SF AF PF */
        { "3b 08", 2, 1, 0, 2, 1, CF | SF | AF | PF, "r" },
        /* and m32, ecx: clears CF OF AF */
        { "21 08", 0xf0f0, 0x0ff0, CF | OF | AF, 0x00f0, 0x0ff0, PF, "rw" },
        /* or m64, rcx: sign */
        { "48 09 08", 1ULL << 63, 1, 0, (1ULL << 63) | 1, 1, SF, "rw" },
        /* xor ecx, m32: register destination, zero-extended */
        { "33 08", 0xffffffff, 0xffffffff00000000ULL, 0, 0xffffffff, 0xffffffff, SF | PF, "r" },
        /* add cl, m8: register destination merges */
        { "02 08", 0x01, 0xabcdef00000000ffULL, 0, 0x01, 0xabcdef0000000000ULL,
          CF | ZF | AF | PF, "r" },
        /* test m32, ecx: no write */
        { "85 08", 0x80000000, 0x80000000, CF | OF, 0x80000000, 0x80000000, SF | PF, "r" },
        /* test m8, 0x01 */
        { "f6 00 01", 0xfe, 0, 0, 0xfe, 0, ZF | PF, "r" },
        /* add m64, -0x80 (83): 0x80 - 0x80 = 0 */
        { "48 83 00 80", 0x80, 0, 0, 0, 0, CF | ZF | PF, "rw" },
        /* sub m16, 0x1234 (81 with 66) */
        { "66 81 28 34 12", 0x1234, 0, 0, 0, 0, ZF | PF, "rw" },
        /* bt m32, 0x21: bit 1 (offset mod 32): CF only, others kept */
        { "0f ba 20 21", 2, 0, ZF | OF, 2, 0, CF | ZF | OF, "r" },
        /* bts m16, 0x11: bit 1 */
        { "66 0f ba 28 11", 0, 0, CF, 2, 0, 0, "rw" },
        /* btr m64, 63 */
        { "48 0f ba 30 3f", ~0ULL, 0, 0, ~0ULL >> 1, 0, CF, "rw" },
        /* btc m32, 0 */
        { "0f ba 38 00", 1, 0, 0, 0, 0, CF, "rw" },
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        const struct alu_case *c = &cases[i];
        struct vcpu_regs r = base_regs();
        struct fake_dev f;
        set_mem(&f, c->mem);
        r.rcx = c->rcx;
        r.rflags = 0x202 | c->flags_in;
        assert_int_equal(emu(MMIO_CODE64, c->hex, &r, &f), 0);
        if (mem64(&f) != c->mem_out || r.rcx != c->rcx_out ||
            r.rflags != (0x202 | c->flags_out) || strcmp(f.trace, c->trace)) {
            print_message("%s: mem %llx rcx %llx flags %llx trace %s\n", c->hex,
                          (unsigned long long)mem64(&f), (unsigned long long)r.rcx,
                          (unsigned long long)r.rflags, f.trace);
            fail();
        }
    }
}

/* ---- emulation against the host CPU --------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Values that reach the flags' corner cases more often than random ones do. */
static uint64_t interesting(void)
{
    static const uint64_t v[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
        0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
        ~0ULL, 0x0f, 0x10 };
    uint64_t r = rng();
    if (r & 1)
        return r;
    return v[(r >> 1) % COUNT(v)] ^ ((r >> 8) & 1 ? ~0ULL << 8 * ((r >> 9) % 8) : 0);
}

static uint64_t *vcpu_gpr(struct vcpu_regs *r, unsigned n)
{
    uint64_t *by_name[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
        &r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14,
        &r->r15 };
    return by_name[n];
}

/* The flags an instruction defines (the rest are undefined and not compared): the
 * logical operations leave AF undefined, the BT group all but CF. */
static uint64_t defined_flags(const char *text)
{
    if (strncmp(text, "lock ", 5) == 0)
        text += 5;
    if (!strncmp(text, "and ", 4) || !strncmp(text, "or ", 3) || !strncmp(text, "xor ", 4) ||
        !strncmp(text, "test ", 5))
        return ARITH & ~AF;
    if (!strncmp(text, "bt", 2))
        return CF;
    return ARITH;
}

static void compare_with_cpu(const struct mmio_vector *v, const struct native_regs *in,
                             const uint8_t mem[16])
{
    static uint8_t cpu_mem[16];
    struct native_regs cpu_in = *in, cpu_out;
    memcpy(cpu_mem, mem, 16);
    cpu_in.gpr[7] = (uint64_t)(uintptr_t)cpu_mem;               /* [rdi] */
    native_run(v->bytes, v->len, &cpu_in, &cpu_out);

    struct vcpu_regs r;
    for (unsigned n = 0; n < 16; n++)
        *vcpu_gpr(&r, n) = cpu_in.gpr[n];
    r.rip = 0x1000;
    r.rflags = 0x202 | (in->rflags & ARITH);
    struct fake_dev f;
    memset(&f, 0, sizeof(f));
    memcpy(f.mem, mem, 16);
    struct mmio_insn d;
    assert_int_equal(mmio_insn_decode(v->bytes, v->len, MMIO_CODE64, &d), MMIO_INSN_OK);
    assert_int_equal(mmio_insn_emulate(&d, &r, DEV_GPA, &dev_ops, &f), 0);

    uint64_t mask = defined_flags(v->text);
    bool same = memcmp(f.mem, cpu_mem, 16) == 0 && r.rip == 0x1000 &&
                ((r.rflags ^ cpu_out.rflags) & mask) == 0;
    for (unsigned n = 0; n < 16; n++)
        same = same && *vcpu_gpr(&r, n) == cpu_out.gpr[n];
    if (!same) {
        print_bytes(v->text, v->bytes, v->len, MMIO_CODE64);
        for (unsigned n = 0; n < 16; n++)
            print_message("r%-2u in %016llx cpu %016llx emu %016llx\n", n,
                          (unsigned long long)cpu_in.gpr[n],
                          (unsigned long long)cpu_out.gpr[n],
                          (unsigned long long)*vcpu_gpr(&r, n));
        print_message("flags in %03llx cpu %03llx emu %03llx (compared %03llx)\n",
                      (unsigned long long)(in->rflags & ARITH),
                      (unsigned long long)(cpu_out.rflags & ARITH),
                      (unsigned long long)(r.rflags & ARITH), (unsigned long long)mask);
        print_message("mem in %016llx cpu %016llx emu %016llx\n",
                      (unsigned long long)*(const uint64_t *)(const void *)mem,
                      (unsigned long long)*(uint64_t *)(void *)cpu_mem,
                      (unsigned long long)mem64(&f));
        fail();
    }
}

static void test_against_cpu(void **state)
{
    (void)state;
    assert_int_equal(native_init(), 0);
    for (size_t i = 0; i < COUNT(mmio_native); i++) {
        for (int round = 0; round < 40; round++) {
            struct native_regs in;
            uint8_t mem[16];
            for (unsigned n = 0; n < 16; n++)
                in.gpr[n] = interesting();
            in.rflags = rng() & ARITH;
            uint64_t m0 = interesting(), m1 = rng();
            memcpy(mem, &m0, 8);
            memcpy(mem + 8, &m1, 8);
            compare_with_cpu(&mmio_native[i], &in, mem);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_widths),
        cmocka_unit_test(test_register_numbers),
        cmocka_unit_test(test_stores),
        cmocka_unit_test(test_xchg),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_alu_flags),
        cmocka_unit_test(test_against_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
