/* The host's 16550 UART driver: interrupt-driven receive (or polled when irq is 0), a
 * transmit ring drained by the THR-empty interrupt, and a synchronous mode for debugging
 * and for the panic path. */
#ifndef KESTREL_ARCH_UART_H
#define KESTREL_ARCH_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_CLOCK_HZ 1843200u     /* the standard 16550 crystal */

/* A port and its line settings (com1=/com2=, parsed by core/uart_config.h). */
struct uart_config {
    uint32_t baud;         /* 0 = auto (keep what the firmware set) */
    uint32_t clock_hz;     /* default UART_CLOCK_HZ */
    uint8_t data_bits;     /* 5..8 */
    uint8_t stop_bits;     /* 1..2 */
    char parity;           /* 'n','o','e','m','s' */
    uint16_t io_base;
    int irq;               /* -1 = default for the port, 0 = polled */
};

/* Program the port from cfg (baud 0 keeps the firmware's divisor). Output works from here on,
 * synchronously, until uart_enable_irq(). Returns false if no UART answers at the port. */
bool uart_init(const struct uart_config *cfg);
/* Switch to interrupt-driven receive/transmit (the PIC line must be routed by the caller). */
void uart_enable_irq(void);
/* Queue bytes for output; never drops: when the ring is full it drains synchronously. */
void uart_write(const char *s, size_t n);
/* Make every write synchronous (sync_console, panics) and drain what is queued. */
void uart_set_sync(bool sync);
/* Drain the transmit ring now, busy-waiting on the line. */
void uart_flush(void);
/* Next received byte, or -1 when none is waiting. */
int uart_getc(void);
/* Is a received byte waiting in the ring? (The interrupt or the polling tick fills it.) */
bool uart_rx_pending(void);
/* Poll the hardware for received bytes and transmit room (timer tick in polled mode). */
void uart_poll(void);
/* Interrupt handler body for the UART's IRQ. */
void uart_interrupt(void);

struct uart_stats {
    uint64_t rx_bytes, tx_bytes, rx_overruns, irqs, sync_drains;
    uint16_t io_base;
    int irq;
    uint32_t baud;
    bool sync, fifo;
};
void uart_get_stats(struct uart_stats *st);

#endif
