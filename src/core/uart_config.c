/* A serial port's settings in Xen's comN= form, "<baud>[/<clock_hz>][,DPS[,<io-base>[,<irq>]]]"
 * (com1=, com2=), parsed field by field with a reason for whatever is refused, and written
 * back in the same form for the `cmdline` command. */
#include "core/uart_config.h"
#include "core/cmdline_words.h"
#include "lib/ctype.h"
#include "lib/format.h"
#include "lib/string.h"

static const uint32_t valid_bauds[] = {
    1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600,
};
#define BAUD_LIST "auto 1200 2400 4800 9600 19200 38400 57600 115200 230400 460800 921600"


/* The <baud>[/<clock_hz>] field (non-empty); an empty baud before '/' keeps the old one. */
static bool uart_baud(const char *s, size_t n, struct uart_config *c, char *why)
{
    const char *slash = memchr(s, '/', n);
    size_t blen = slash ? (size_t)(slash - s) : n, i;
    uint64_t v;

    if (cmdline_word_is(s, blen, "auto")) {
        c->baud = 0;
    } else if (blen) {
        if (!cmdline_uint(s, blen, 10, UINT32_MAX, &v, NULL))
            return cmdline_why(why, "baud '%.*s' is not a number (valid: " BAUD_LIST ")", CMDLINE_CUT(s, blen));
        for (i = 0; i < sizeof(valid_bauds) / sizeof(valid_bauds[0]); i++)
            if (valid_bauds[i] == v)
                break;
        if (i == sizeof(valid_bauds) / sizeof(valid_bauds[0]))
            return cmdline_why(why, "unsupported baud %llu (valid: " BAUD_LIST ")",
                        (unsigned long long)v);
        c->baud = (uint32_t)v;
    }
    if (slash) {
        if (!cmdline_uint(slash + 1, n - blen - 1, 10, UINT32_MAX, &v, NULL) || v == 0)
            return cmdline_why(why, "clock '%.*s' is not a frequency in Hz",
                        CMDLINE_CUT(slash + 1, n - blen - 1));
        c->clock_hz = (uint32_t)v;
    }
    /* The divisor latch is 16 bits: a slow baud from a fast clock cannot be set at all.
     * (Too fast a baud for the clock is left to the driver, which uses divisor 1.) */
    if (c->baud && c->clock_hz / 16u / c->baud > 0xffff)
        return cmdline_why(why, "baud %lu cannot be made from a %lu Hz clock",
                    (unsigned long)c->baud, (unsigned long)c->clock_hz);
    return true;
}

/* The DPS field (non-empty): data bits 5-8, parity n/o/e/m/s, stop bits 1-2. */
static bool uart_dps(const char *s, size_t n, struct uart_config *c, char *why)
{
    char p = n == 3 ? (char)k_tolower((unsigned char)s[1]) : 0;

    if (n != 3 || s[0] < '5' || s[0] > '8' || !p || !strchr("noems", p) ||
        (s[2] != '1' && s[2] != '2'))
        return cmdline_why(why, "bad format '%.*s' (want data bits 5-8, parity n/o/e/m/s, "
                    "stop bits 1-2, e.g. 8n1)", CMDLINE_CUT(s, n));
    c->data_bits = (uint8_t)(s[0] - '0');
    c->parity = p;
    c->stop_bits = (uint8_t)(s[2] - '0');
    return true;
}

/* One non-empty field of comN= (0 baud, 1 DPS, 2 io-base, 3 irq) into t. */
static bool uart_field(int field, const char *s, size_t n, struct uart_config *t, char *why)
{
    uint64_t v;

    switch (field) {
    case 0:
        return uart_baud(s, n, t, why);
    case 1:
        return uart_dps(s, n, t, why);
    case 2:
        if (!cmdline_uint(s, n, 16, 0xffff, &v, NULL) || v == 0)
            return cmdline_why(why, "bad io-base '%.*s' (want hex 0x1-0xffff, e.g. 0x3f8)", CMDLINE_CUT(s, n));
        t->io_base = (uint16_t)v;
        return true;
    case 3:
        if (!cmdline_uint(s, n, 10, 255, &v, NULL))
            return cmdline_why(why, "bad irq '%.*s' (want 0-255, 0 = polled)", CMDLINE_CUT(s, n));
        t->irq = (int)v;
        return true;
    default:
        return cmdline_why(why, "too many fields (want <baud>[/<clock_hz>][,DPS[,<io-base>[,<irq>]]])");
    }
}

/* Contract in core/uart_config.h. A scratch copy is parsed, so a failure changes nothing. */
int uart_config_parse_into(const char *s, struct uart_config *c, char *why)
{
    struct uart_config t = *c;

    for (int field = 0; ; field++) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);

        if ((n > 0 || field > 3) && !uart_field(field, s, n, &t, why))
            return -1;
        if (!comma)
            break;
        s = comma + 1;
    }
    *c = t;
    return 0;
}

/* Public form: the reason lives in a static buffer, valid until the next call. */
int uart_config_parse(const char *s, struct uart_config *c, const char **why)
{
    static char reason[CMDLINE_WHY_MAX];

    if (s && c && uart_config_parse_into(s, c, reason) == 0)
        return 0;
    if (why)
        *why = s && c ? reason : "no value";
    return -1;
}

/* Contract in core/uart_config.h. */
void uart_config_describe(const struct uart_config *c, char *buf, size_t size)
{
    char baud[16] = "auto", irq[16] = "default";

    if (c->baud)
        snprintf(baud, sizeof(baud), "%lu", (unsigned long)c->baud);
    if (c->irq >= 0)
        snprintf(irq, sizeof(irq), c->irq ? "%d" : "%d (polled)", c->irq);
    snprintf(buf, size, "%s/%lu,%u%c%u,0x%x,%s", baud, (unsigned long)c->clock_hz,
             c->data_bits, c->parity ? c->parity : '?', c->stop_bits, c->io_base, irq);
}
