/* A tiny AML emitter (see core/aml.h). Constructs that carry a PkgLength are emitted body
 * first and the PkgLength is inserted afterwards (memmove), because its own size (1-4
 * bytes) depends on the body's. Opcodes from ACPI 6.x, 20.2.5 and 20.3. */
#include "core/aml.h"
#include "lib/string.h"

enum {
    ZERO_OP = 0x00, ONE_OP = 0x01, NAME_OP = 0x08, BYTE_PREFIX = 0x0a, WORD_PREFIX = 0x0b,
    DWORD_PREFIX = 0x0c, STRING_PREFIX = 0x0d, QWORD_PREFIX = 0x0e, SCOPE_OP = 0x10,
    BUFFER_OP = 0x11, PACKAGE_OP = 0x12, EXT_OP_PREFIX = 0x5b, DEVICE_OP = 0x82, ROOT_CHAR = 0x5c,
    DUAL_NAME_PREFIX = 0x2e, MULTI_NAME_PREFIX = 0x2f,
};

/* Contract: see aml.h. */
void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
    a->buf = buf;
    a->cap = buf ? cap : 0;
    a->len = 0;
    a->failed = false;
}

/* Contract: see aml.h. */
void aml_bytes(struct aml *a, const void *p, size_t n)
{
    if (a->failed || n > a->cap - a->len) {
        a->failed = true;
        return;
    }
    memcpy(a->buf + a->len, p, n);
    a->len += n;
}

/* Contract: see aml.h. */
void aml_byte(struct aml *a, uint8_t b)
{
    aml_bytes(a, &b, 1);
}

/* Append the low n bytes of v, little-endian. */
static void put_le(struct aml *a, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        aml_byte(a, (uint8_t)(v >> (8 * i)));
}

/* Contract: see aml.h. */
void aml_integer(struct aml *a, uint64_t v)
{
    if (v == 0) {
        aml_byte(a, ZERO_OP);
    } else if (v == 1) {
        aml_byte(a, ONE_OP);
    } else if (v <= 0xff) {
        aml_byte(a, BYTE_PREFIX);
        put_le(a, v, 1);
    } else if (v <= 0xffff) {
        aml_byte(a, WORD_PREFIX);
        put_le(a, v, 2);
    } else if (v <= 0xffffffffu) {
        aml_byte(a, DWORD_PREFIX);
        put_le(a, v, 4);
    } else {
        aml_byte(a, QWORD_PREFIX);
        put_le(a, v, 8);
    }
}

static bool lead_char(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

/* Segment s[0..n) padded to a NameSeg in seg[4]; false if malformed. */
static bool name_seg(const char *s, size_t n, char seg[4])
{
    if (n < 1 || n > 4 || !lead_char(s[0]))
        return false;
    for (size_t i = 0; i < 4; i++) {
        char c = i < n ? s[i] : '_';

        if (!lead_char(c) && !(c >= '0' && c <= '9'))
            return false;
        seg[i] = c;
    }
    return true;
}

/* Contract: see aml.h. At most 8 segments: deeper paths are not needed here. */
void aml_name_string(struct aml *a, const char *path)
{
    char segs[8][4];
    unsigned nseg = 0;
    const char *p = path;

    if (!path) {
        a->failed = true;
        return;
    }
    if (*p == '\\')
        p++;
    while (*p) {
        size_t n = strcspn(p, ".");

        if (nseg == 8 || !name_seg(p, n, segs[nseg])) {
            a->failed = true;
            return;
        }
        nseg++;
        p += n;
        if (*p == '.' && *++p == '\0') {   /* a trailing dot */
            a->failed = true;
            return;
        }
    }
    if (nseg == 0 && path[0] != '\\') {   /* "": no name at all */
        a->failed = true;
        return;
    }
    if (path[0] == '\\')
        aml_byte(a, ROOT_CHAR);
    if (nseg == 0) {
        aml_byte(a, ZERO_OP);              /* "\\" alone: RootChar NullName */
        return;
    }
    if (nseg == 2) {
        aml_byte(a, DUAL_NAME_PREFIX);
    } else if (nseg > 2) {
        aml_byte(a, MULTI_NAME_PREFIX);
        aml_byte(a, (uint8_t)nseg);
    }
    aml_bytes(a, segs, 4 * (size_t)nseg);
}

/* Contract: see aml.h. The value is body_len plus the encoding's own length; one byte
 * holds 6 bits (up to 63), n bytes hold 4 + 8 * (n - 1) bits. */
unsigned aml_pkglen_encode(size_t body_len, uint8_t out[4])
{
    unsigned n;
    uint32_t total;

    if (body_len + 1 <= 0x3f) {
        out[0] = (uint8_t)(body_len + 1);
        return 1;
    }
    for (n = 2; n <= 4; n++)
        if (body_len <= AML_PKGLEN_MAX && body_len + n < (1ull << (4 + 8 * (n - 1))))
            break;
    if (n > 4)
        return 0;
    total = (uint32_t)(body_len + n);
    out[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
    for (unsigned i = 1; i < n; i++)
        out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
    return n;
}

/* Contract: see aml.h. */
size_t aml_open(struct aml *a)
{
    return a->len;
}

/* Contract: see aml.h. A mark beyond the current end (misuse) fails the emitter. */
void aml_close(struct aml *a, size_t mark)
{
    uint8_t enc[4];
    unsigned n;

    if (a->failed)
        return;
    if (mark > a->len || (n = aml_pkglen_encode(a->len - mark, enc)) == 0 || n > a->cap - a->len) {
        a->failed = true;
        return;
    }
    memmove(a->buf + mark + n, a->buf + mark, a->len - mark);
    memcpy(a->buf + mark, enc, n);
    a->len += n;
}

/* Contract: see aml.h. */
void aml_name(struct aml *a, const char *path)
{
    aml_byte(a, NAME_OP);
    aml_name_string(a, path);
}

/* Contract: see aml.h. */
size_t aml_package_begin(struct aml *a, unsigned nelems)
{
    size_t mark;

    if (nelems > 255)
        a->failed = true;
    aml_byte(a, PACKAGE_OP);
    mark = aml_open(a);
    aml_byte(a, (uint8_t)nelems);
    return mark;
}

/* Contract: see aml.h. */
size_t aml_scope_begin(struct aml *a, const char *path)
{
    size_t mark;

    aml_byte(a, SCOPE_OP);
    mark = aml_open(a);
    aml_name_string(a, path);
    return mark;
}

/* Contract: see aml.h. */
size_t aml_device_begin(struct aml *a, const char *path)
{
    size_t mark;

    aml_byte(a, EXT_OP_PREFIX);
    aml_byte(a, DEVICE_OP);
    mark = aml_open(a);
    aml_name_string(a, path);
    return mark;
}

/* Contract: see aml.h. */
void aml_string(struct aml *a, const char *s)
{
    aml_byte(a, STRING_PREFIX);
    for (; *s; s++) {
        if (*s < 0x20 || *s > 0x7e)
            a->failed = true;
        aml_byte(a, (uint8_t)*s);
    }
    aml_byte(a, 0);
}

/* Contract: see aml.h. */
void aml_buffer(struct aml *a, const uint8_t *bytes, size_t n)
{
    size_t mark;

    aml_byte(a, BUFFER_OP);
    mark = aml_open(a);
    aml_integer(a, n);
    aml_bytes(a, bytes, n);
    aml_close(a, mark);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Contract: see aml.h. Three 5-bit letters and four 4-bit digits, stored big-endian. */
uint32_t aml_eisaid(const char *id)
{
    uint32_t v = 0;

    if (!id || strlen(id) != 7)
        return 0;
    for (int i = 0; i < 3; i++) {
        if (id[i] < 'A' || id[i] > 'Z')
            return 0;
        v = (v << 5) | (uint32_t)(id[i] - 'A' + 1);
    }
    for (int i = 3; i < 7; i++) {
        int d = hex_digit(id[i]);

        if (d < 0)
            return 0;
        v = (v << 4) | (uint32_t)d;
    }
    /* v holds the 31 bits big-endian in the low bits; AML stores the 4 bytes in order. */
    return ((v >> 24) & 0xff) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}
