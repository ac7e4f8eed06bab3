/* Unit tests for the MMIO instruction decoder (arch/x86/mmio_insn.c) against the host
 * assembler's bytes and objdump's reading of them (tests/unit/mmio_insn_vectors.h: every
 * covered opcode in 64-, 32- and 16-bit code, each operand size, every addressing form,
 * prefixes): length, meaning and memory access; every shorter prefix of each is
 * "truncated" with the bytes ending at an unmapped page (so a read past n would crash);
 * the refused instructions get their status; the 15-byte limit; the formatters. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "mmio_insn_test.h"

/* ---- bytes that end where the mapping ends ------------------------------------------ */

static uint8_t *guarded;            /* a page followed by an inaccessible one */

static int setup_guard(void **state)
{
    (void)state;
    uint8_t *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + 4096, 4096, PROT_NONE) != 0)
        return -1;
    guarded = p;
    return 0;
}

/* b[0..n-1] copied so that its last byte is the page's last byte. */
static const uint8_t *at_page_end(const uint8_t *b, size_t n)
{
    memcpy(guarded + 4096 - n, b, n);
    return guarded + 4096 - n;
}

/* ---- decoding ------------------------------------------------------------------------- */

/* What "mnemonic first-operand, ..." does to memory, worked out from the text alone. */
static enum mmio_insn_access access_of_text(const char *text)
{
    char mnem[16];
    if (strncmp(text, "lock ", 5) == 0)
        text += 5;
    size_t n = strcspn(text, " ");
    snprintf(mnem, sizeof(mnem), "%.*s", (int)n, text);
    bool mem_first = text[n + 1] == 'm' && text[n + 2] >= '0' && text[n + 2] <= '9';
    if (!strcmp(mnem, "mov"))
        return mem_first ? MMIO_STORE : MMIO_LOAD;
    if (!strcmp(mnem, "movzx") || !strcmp(mnem, "movsx") || !strcmp(mnem, "movsxd") ||
        !strcmp(mnem, "cmp") || !strcmp(mnem, "test") || !strcmp(mnem, "bt"))
        return MMIO_LOAD;
    if (!strcmp(mnem, "xchg") || !strcmp(mnem, "bts") || !strcmp(mnem, "btr") ||
        !strcmp(mnem, "btc"))
        return MMIO_RMW;
    return mem_first ? MMIO_RMW : MMIO_LOAD;
}

static void check_vector(const struct mmio_vector *v)
{
    struct mmio_insn d;
    char text[64];
    const uint8_t *b = at_page_end(v->bytes, v->len);
    enum mmio_insn_status st = mmio_insn_decode(b, v->len, v->mode, &d);
    if (st != MMIO_INSN_OK) {
        print_bytes(v->text, v->bytes, v->len, v->mode);
        assert_string_equal(mmio_insn_status_name(st), "ok");
    }
    mmio_insn_describe(&d, text, sizeof(text));
    if (d.len != v->len || strcmp(text, v->text) != 0) {
        print_bytes(v->text, v->bytes, v->len, v->mode);
        assert_string_equal(text, v->text);
        assert_int_equal(d.len, v->len);
    }
    assert_int_equal(d.access, access_of_text(v->text));
    assert_memory_equal(d.bytes, v->bytes, v->len);
    /* The same bytes with more after them: the same length. */
    uint8_t longer[32];
    memcpy(longer, v->bytes, v->len);
    memset(longer + v->len, 0x89, sizeof(longer) - v->len);
    assert_int_equal(mmio_insn_decode(longer, sizeof(longer), v->mode, &d), MMIO_INSN_OK);
    assert_int_equal(d.len, v->len);
}

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(mmio_vectors); i++)
        check_vector(&mmio_vectors[i]);
    for (size_t i = 0; i < COUNT(mmio_native); i++)
        check_vector(&mmio_native[i]);
}

/* Every proper prefix of a valid instruction is "truncated", read up to the page's end
 * and not a byte beyond. */
static void test_truncated(void **state)
{
    (void)state;
    struct mmio_insn d;
    for (size_t i = 0; i < COUNT(mmio_vectors); i++) {
        const struct mmio_vector *v = &mmio_vectors[i];
        for (size_t k = 0; k < v->len; k++) {
            const uint8_t *b = at_page_end(v->bytes, k);
            enum mmio_insn_status st = mmio_insn_decode(b, k, v->mode, &d);
            if (st != MMIO_INSN_TRUNCATED) {
                print_bytes(v->text, v->bytes, k, v->mode);
                assert_string_equal(mmio_insn_status_name(st), "truncated");
            }
        }
    }
    assert_int_equal(mmio_insn_decode(NULL, 0, MMIO_CODE64, &d), MMIO_INSN_TRUNCATED);
}

static void test_refused(void **state)
{
    (void)state;
    struct mmio_insn d;
    for (size_t i = 0; i < COUNT(mmio_refused); i++) {
        const struct mmio_refused *r = &mmio_refused[i];
        enum mmio_insn_status st = mmio_insn_decode(at_page_end(r->bytes, r->len), r->len,
                                                    r->mode, &d);
        if (st != r->status) {
            print_bytes("refused", r->bytes, r->len, r->mode);
            assert_string_equal(mmio_insn_status_name(st), mmio_insn_status_name(r->status));
        }
    }
}

/* 15 bytes is the limit: an instruction that needs a 16th is invalid when 15 or more
 * were given, and merely truncated when fewer were (more could still come). */
static void test_length_limit(void **state)
{
    (void)state;
    struct mmio_insn d;
    uint8_t b[20];
    memset(b, 0x66, sizeof(b));
    b[14] = 0x89;
    b[15] = 0x00;
    assert_int_equal(mmio_insn_decode(b, 16, MMIO_CODE64, &d), MMIO_INSN_INVALID);
    assert_int_equal(mmio_insn_decode(b, 15, MMIO_CODE64, &d), MMIO_INSN_INVALID);
    assert_int_equal(mmio_insn_decode(b, 14, MMIO_CODE64, &d), MMIO_INSN_TRUNCATED);
    memmove(b, b + 1, 15);                      /* 13 prefixes, 89 00: exactly 15 */
    assert_int_equal(mmio_insn_decode(b, 15, MMIO_CODE64, &d), MMIO_INSN_OK);
    assert_int_equal(d.len, 15);
    assert_int_equal(d.size, 2);
}

/* The fields a backend reads, for a few forms the text does not spell out. */
static void test_fields(void **state)
{
    (void)state;
    struct mmio_insn d = decode_ok(MMIO_CODE64, "88 20");          /* mov [rax], ah */
    assert_true(d.has_reg && d.reg_high8);
    assert_int_equal(d.reg, 0);
    d = decode_ok(MMIO_CODE64, "40 88 20");                         /* mov [rax], spl */
    assert_false(d.reg_high8);
    assert_int_equal(d.reg, 4);
    d = decode_ok(MMIO_CODE64, "44 8b 38");                         /* mov r15d, [rax] */
    assert_int_equal(d.reg, 15);
    assert_true(d.reg_is_dest);
    assert_int_equal(d.size, 4);
    d = decode_ok(MMIO_CODE64, "48 0f be 00");                      /* movsx rax, m8 */
    assert_int_equal(d.op, MMIO_OP_MOVSX);
    assert_int_equal(d.size, 1);
    assert_int_equal(d.reg_size, 8);
    d = decode_ok(MMIO_CODE64, "48 83 00 80");                      /* add m64, -0x80 */
    assert_false(d.has_reg);
    assert_int_equal(d.imm, (uint64_t)-0x80);
    d = decode_ok(MMIO_CODE64, "48 c7 00 fe ff ff ff");             /* mov m64, -2 */
    assert_int_equal(d.imm, (uint64_t)-2);
    assert_int_equal(d.access, MMIO_STORE);
    d = decode_ok(MMIO_CODE64, "f0 0f ba 28 41");                   /* lock bts m32, 0x41 */
    assert_true(d.lock);
    assert_int_equal(d.op, MMIO_OP_BTS);
    assert_int_equal(d.imm, 0x41);
    d = decode_ok(MMIO_CODE16, "a1 34 12");                         /* mov ax, [0x1234] */
    assert_int_equal(d.size, 2);
    d = decode_ok(MMIO_CODE32, "66 a1 34 12 00 00");
    assert_int_equal(d.size, 2);
    d = decode_ok(MMIO_CODE64, "41 a1 20 00 e0 fe 00 00 00 00");    /* REX.B: still eax */
    assert_int_equal(d.reg, 0);
}

static void test_mode_of(void **state)
{
    (void)state;
    assert_int_equal(mmio_insn_mode_of(true, true, false), MMIO_CODE64);
    assert_int_equal(mmio_insn_mode_of(false, true, true), MMIO_CODE32);
    assert_int_equal(mmio_insn_mode_of(false, true, false), MMIO_CODE16);
    assert_int_equal(mmio_insn_mode_of(false, false, true), MMIO_CODE16);
}

static void test_formatters(void **state)
{
    (void)state;
    char buf[64];
    static const uint8_t b[] = { 0x8b, 0x05, 0x00, 0x00, 0x20, 0xfe };
    assert_int_equal(mmio_insn_hex(b, sizeof(b), buf, sizeof(buf)), 17);
    assert_string_equal(buf, "8b 05 00 00 20 fe");
    mmio_insn_hex(b, sizeof(b), buf, 6);
    assert_string_equal(buf, "8b 05");
    struct mmio_insn d = decode_ok(MMIO_CODE64, "f0 48 87 10");
    int want = mmio_insn_describe(&d, buf, sizeof(buf));
    assert_string_equal(buf, "lock xchg m64, rdx");
    assert_int_equal(want, (int)strlen(buf));
    memset(buf, 'x', sizeof(buf));
    mmio_insn_describe(&d, buf, 5);
    assert_string_equal(buf, "lock");
    assert_string_equal(mmio_insn_status_name(MMIO_INSN_UNSUPPORTED), "unsupported");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_mode_of),
        cmocka_unit_test(test_formatters),
    };
    return cmocka_run_group_tests(tests, setup_guard, NULL);
}
