/* libFuzzer target: bootopts_parse and uart_config_parse on arbitrary bytes, then
 * bootopts_describe. Checks that parsing never reads past the NUL, never crashes, and always
 * leaves the options inside their documented ranges. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bootopts.h"
#include "console/loglevel.h"

/* Complaints must be single lines. */
static void on_err(void *ctx, const char *msg)
{
    (void)ctx;
    if (strchr(msg, '\n') || strlen(msg) == 0)
        abort();
}

static void on_line(void *ctx, const char *text)
{
    (void)ctx;
    if (strchr(text, '\n') && !strstr(text, "raw = "))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so ASan flags any read past the terminating NUL */
    char *s = malloc(size + 1);
    struct bootopts o;
    struct uart_config c;
    const char *why = NULL;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    bootopts_defaults(&o);
    bootopts_parse(&o, s, on_err, NULL);
    if (o.conring_size < BOOTOPTS_CONRING_MIN || o.conring_size > BOOTOPTS_CONRING_MAX ||
        (o.conring_size & (o.conring_size - 1)))
        abort();
    if (o.sched_slice_ms < BOOTOPTS_SLICE_MIN || o.sched_slice_ms > BOOTOPTS_SLICE_MAX)
        abort();
    if (o.conswitch_char < 'a' || o.conswitch_char > 'z')
        abort();
    if (o.loglvl < LOG_NONE || o.loglvl > LOG_ALL || o.loglvl_rate < o.loglvl ||
        o.guest_loglvl < LOG_NONE || o.guest_loglvl > LOG_ALL ||
        o.guest_loglvl_rate < o.guest_loglvl || o.loglvl_rate > LOG_ALL)
        abort();
    if (o.com1.data_bits < 5 || o.com1.data_bits > 8 || o.com1.stop_bits < 1 ||
        o.com1.stop_bits > 2 || !strchr("noems", o.com1.parity) || o.com1.irq > 255 ||
        o.com1.io_base == 0 || o.com1.clock_hz == 0)
        abort();
    if (strlen(o.raw) >= sizeof(o.raw))
        abort();
    bootopts_describe(&o, on_line, NULL);

    c = o.com2;
    if (uart_config_parse(s, &c, &why) != 0) {
        if (!why || memcmp(&c, &o.com2, sizeof(c)) != 0)
            abort();                     /* failure must leave c alone and say why */
    }
    free(s);
    return 0;
}
