/* Per-domain consoles: what a guest writes to its UART is kept in its console ring and shown
 * on the serial line as whole lines prefixed "(d<N>) " - or passed raw while the operator's
 * input belongs to that domain; what the operator types for it is queued and fed to its UART
 * as the FIFO makes room. */
#include "core/domain.h"
#include "core/dom_console.h"
#include "console/console.h"
#include "console/log.h"
#include "console/conswitch.h"
#include "lib/format.h"
#include "lib/string.h"
#include "core/debug.h"

/* Show the line assembled so far with the domain's prefix - unless the operator is attached
 * to another domain: then it stays in this domain's ring only, so one guest's session is
 * never interleaved with another's chatter (`console <dom>` shows the backlog later). */
static void flush_line(struct domain *d)
{
    int owner = console_input_owner();
    if (owner != CONSWITCH_XEN && owner != d->id) {
        d->line_len = 0;
        return;
    }
    char out[DOMAIN_LINE_MAX + 24];
    int n = snprintf(out, sizeof(out), "(d%d) %.*s\r\n", d->id, (int)d->line_len, d->line);
    if (n > (int)sizeof(out) - 1)
        n = (int)sizeof(out) - 1;
    console_log_write(out, (size_t)n);
    d->line_len = 0;
}

void domain_console_out(struct domain *d, uint8_t byte)
{
    d->con_bytes++;
    if (d->con_ring)
        d->con_ring[d->con_written++ % DOMAIN_CONRING_SIZE] = (char)byte;
    if (console_input_owner() == d->id) {
        if (d->line_len)
            flush_line(d);
        char c = (char)byte;
        console_write(&c, 1);
        return;
    }
    if (byte == '\n') {
        flush_line(d);
        return;
    }
    if (byte == '\r' || byte == 0)
        return;
    ASSERT(d->line_len < DOMAIN_LINE_MAX);
    d->line[d->line_len++] = (char)byte;
    if (d->line_len == DOMAIN_LINE_MAX)
        flush_line(d);
}

void domain_console_in(struct domain *d, const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d->rx_head - d->rx_tail >= DOMAIN_RX_QUEUE) {
            d->con_dropped_input += n - i;
            break;
        }
        d->rx[d->rx_head++ % DOMAIN_RX_QUEUE] = bytes[i];
    }
    ASSERT(d->rx_head - d->rx_tail <= DOMAIN_RX_QUEUE);
    domain_console_pump(d);
}

void domain_console_pump(struct domain *d)
{
    while (d->rx_tail != d->rx_head) {
        uint8_t b = d->rx[d->rx_tail % DOMAIN_RX_QUEUE];
        if (vuart_rx_push(&d->uart, &b, 1) != 1)
            break;
        d->rx_tail++;
    }
}

void domain_console_backlog(struct domain *d)
{
    if (!d->con_ring)
        return;
    uint64_t held = d->con_written < DOMAIN_CONRING_SIZE ? d->con_written : DOMAIN_CONRING_SIZE;
    uint64_t start = d->con_written - held;
    char buf[256], prev = 0;
    size_t n = 0;
    for (uint64_t i = start; i < d->con_written; i++) {
        char c = d->con_ring[i % DOMAIN_CONRING_SIZE];
        if (c == '\n' && prev != '\r')
            buf[n++] = '\r';           /* a bare LF; a guest's own CR LF stays as it is */
        buf[n++] = c;
        prev = c;
        if (n >= sizeof(buf) - 2) {
            console_write(buf, n);
            n = 0;
        }
    }
    if (n)
        console_write(buf, n);
}
