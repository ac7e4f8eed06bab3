/* The comN= boot option's value (src/core/uart_config.c): parsed into, and described from,
 * the UART driver's struct uart_config (arch/uart.h). */
#ifndef KESTREL_CORE_UART_CONFIG_H
#define KESTREL_CORE_UART_CONFIG_H

#include <stddef.h>
#include "arch/uart.h"

/* Parse a comN= value "<baud>[/<clock_hz>][,DPS[,<io-base>[,<irq>]]]" over the values in c
 * (empty fields keep them, as in Xen: "115200,,0x2f8"). Returns 0 with c updated, or -1 with
 * c unchanged and *why (if why is not NULL) pointing at a static reason. */
int uart_config_parse(const char *s, struct uart_config *c, const char **why);
/* The same with the reason written into why (CMDLINE_WHY_MAX bytes, core/cmdline_words.h). */
int uart_config_parse_into(const char *s, struct uart_config *c, char *why);
/* c in the comN= form, "115200/1843200,8n1,0x3f8,4" (irq "default" or "0 (polled)"). */
void uart_config_describe(const struct uart_config *c, char *buf, size_t size);

#endif
