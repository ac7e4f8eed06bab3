/* What the MMIO decoder's and emulator's unit tests share (test_mmio_insn.c,
 * test_mmio_emul.c): the shape of the generated vectors, flag bits, and helpers to print
 * and decode instruction bytes. Include after <cmocka.h>. */
#ifndef KESTREL_TESTS_MMIO_INSN_TEST_H
#define KESTREL_TESTS_MMIO_INSN_TEST_H

#include <stdio.h>
#include "arch/mmio_insn.h"

struct mmio_vector {
    enum mmio_insn_mode mode;
    uint8_t len;
    uint8_t bytes[16];
    const char *text;               /* objdump's reading in mmio_insn_describe's form */
};

struct mmio_refused {
    enum mmio_insn_mode mode;
    uint8_t len;
    uint8_t bytes[16];
    enum mmio_insn_status status;
};

#include "mmio_insn_vectors.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CF 0x001ULL
#define PF 0x004ULL
#define AF 0x010ULL
#define ZF 0x040ULL
#define SF 0x080ULL
#define OF 0x800ULL
#define ARITH (CF | PF | AF | ZF | SF | OF)

static inline const char *mode_name(enum mmio_insn_mode m)
{
    return m == MMIO_CODE64 ? "64" : m == MMIO_CODE32 ? "32" : "16";
}

/* One line naming the instruction whose check failed. */
static inline void print_bytes(const char *what, const uint8_t *b, size_t n,
                               enum mmio_insn_mode m)
{
    char hex[64];
    mmio_insn_hex(b, n, hex, sizeof(hex));
    print_message("%s (%s-bit): %s\n", what, mode_name(m), hex);
}

/* Decode hex ("48 8b 00") in mode, which must be accepted, with its whole length. */
static inline struct mmio_insn decode_ok(enum mmio_insn_mode mode, const char *hex)
{
    uint8_t b[16];
    size_t n = 0;
    unsigned x;
    int used;
    while (n < sizeof(b) && sscanf(hex, " %2x%n", &x, &used) == 1) {
        b[n++] = (uint8_t)x;
        hex += used;
    }
    struct mmio_insn d;
    assert_int_equal(mmio_insn_decode(b, n, mode, &d), MMIO_INSN_OK);
    assert_int_equal(d.len, n);
    return d;
}

#endif
