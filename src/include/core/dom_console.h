/* A domain's console (src/core/dom_console.c): its UART's output into the console ring and,
 * as "(dN) " lines, to the serial line; the operator's input queued for its UART. */
#ifndef KESTREL_CORE_DOM_CONSOLE_H
#define KESTREL_CORE_DOM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct domain;

/* Console: a byte from the guest's UART; bytes from the operator for its UART. */
void domain_console_out(struct domain *d, uint8_t byte);
void domain_console_in(struct domain *d, const uint8_t *bytes, size_t n);
/* Feed queued input into the UART as its FIFO makes room. */
void domain_console_pump(struct domain *d);
/* Print the held console ring (the backlog shown by `console <dom>`). */
void domain_console_backlog(struct domain *d);

#endif
