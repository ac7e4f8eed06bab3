/* Freestanding vsnprintf/snprintf: the subset of C's printf the hypervisor uses,
 * with standard semantics so host-tested modules behave the same against glibc.
 * No floating point: the hypervisor is built with -mgeneral-regs-only. */
#include <stdint.h>
#include <stdbool.h>
#include "lib/format.h"
#include "lib/string.h"
#include "lib/ctype.h"

/* Output cursor: writes are counted even past the end, as C requires. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

/* Append one character, keeping room for the terminator. */
static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

/* Append c n times. */
static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

/* Conversion flags and sizes of one directive. */
struct spec {
    bool left, zero, plus, space, alt;
    int width, prec;   /* prec < 0: none */
    char conv;
};

/* Emit an integer magnitude with sign/prefix, honouring width, precision and flags. */
static void emit_number(struct out *o, const struct spec *sp, unsigned long long v,
                        bool neg, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[32];
    int n = 0;
    if (v == 0 && sp->prec == 0)
        n = 0;
    else
        do {
            tmp[n++] = digits[v % base];
            v /= base;
        } while (v);

    const char *prefix = "";
    if (neg)
        prefix = "-";
    else if (sp->plus)
        prefix = "+";
    else if (sp->space)
        prefix = " ";
    if (sp->alt && base == 16 && n > 0 && !(n == 1 && tmp[0] == '0'))
        prefix = upper ? "0X" : "0x";
    if (sp->alt && base == 8 && (n == 0 || tmp[n - 1] != '0'))
        tmp[n++] = '0';

    int zeros = sp->prec > n ? sp->prec - n : 0;
    int plen = (int)strlen(prefix);
    int total = plen + zeros + n;
    if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
        zeros += sp->width - total;
        total = sp->width;
    }
    if (!sp->left)
        pad(o, ' ', sp->width - total);
    for (int i = 0; i < plen; i++)
        put(o, prefix[i]);
    pad(o, '0', zeros);
    while (n)
        put(o, tmp[--n]);
    if (sp->left)
        pad(o, ' ', sp->width - total);
}

/* Emit a string with width and precision (maximum length). */
static void emit_string(struct out *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    int n = (int)(sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s));
    if (!sp->left)
        pad(o, ' ', sp->width - n);
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    if (sp->left)
        pad(o, ' ', sp->width - n);
}

/* Parse flags, width and precision at *fmt; returns the pointer past them. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    memset(sp, 0, sizeof(*sp));
    sp->prec = -1;
    for (;; f++) {
        if (*f == '-') sp->left = true;
        else if (*f == '0') sp->zero = true;
        else if (*f == '+') sp->plus = true;
        else if (*f == ' ') sp->space = true;
        else if (*f == '#') sp->alt = true;
        else break;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->left = true;
            sp->width = -sp->width;
        }
        f++;
    } else {
        while (k_isdigit(*f))
            sp->width = sp->width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
        f++;
        sp->prec = 0;
        if (*f == '*') {
            sp->prec = va_arg(*ap, int);
            f++;
        } else {
            while (k_isdigit(*f))
                sp->prec = sp->prec * 10 + (*f++ - '0');
        }
    }
    return f;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = { buf, size, 0 };
    va_list ap;
    va_copy(ap, ap_in);

    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        struct spec sp;
        f = parse_spec(f + 1, &sp, &ap);
        int lng = 0;   /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t/ptrdiff/intmax */
        for (;; f++) {
            if (*f == 'l') lng = lng == 1 ? 2 : 1;
            else if (*f == 'h') lng = lng == -1 ? -2 : -1;
            else if (*f == 'z' || *f == 'j' || *f == 't') lng = 3;
            else break;
        }
        sp.conv = *f;
        switch (*f) {
        case 'd':
        case 'i': {
            long long v;
            if (lng == 2 || lng == 1 || lng == 3) v = (lng == 3) ? (long long)va_arg(ap, intmax_t)
                                                  : (lng == 2 ? va_arg(ap, long long) : va_arg(ap, long));
            else v = va_arg(ap, int);
            if (lng == -1) v = (short)v;
            if (lng == -2) v = (signed char)v;
            emit_number(&o, &sp, v < 0 ? -(unsigned long long)v : (unsigned long long)v, v < 0, 10, false);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            unsigned long long v;
            if (lng == 2) v = va_arg(ap, unsigned long long);
            else if (lng == 1 || lng == 3) v = va_arg(ap, unsigned long);
            else v = va_arg(ap, unsigned int);
            if (lng == -1) v = (unsigned short)v;
            if (lng == -2) v = (unsigned char)v;
            unsigned base = (*f == 'o') ? 8 : (*f == 'u') ? 10 : 16;
            emit_number(&o, &sp, v, false, base, *f == 'X');
            break;
        }
        case 'p': {
            sp.alt = true;
            emit_number(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            if (!sp.left) pad(&o, ' ', sp.width - 1);
            put(&o, c);
            if (sp.left) pad(&o, ' ', sp.width - 1);
            break;
        }
        case 's':
            emit_string(&o, &sp, va_arg(ap, const char *));
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            f--;   /* a lone '%' at the end: stop */
            break;
        default:   /* unknown conversion: print it literally */
            put(&o, '%');
            put(&o, *f);
            break;
        }
    }
    va_end(ap);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
