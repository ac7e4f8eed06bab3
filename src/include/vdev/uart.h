/* A virtual 16550A UART (the guest's COM1 at 0x3F8..0x3FF, IRQ 4).
 * There is no real line behind it: a byte written to THR goes to the tx callback at once,
 * so THR and the transmitter are always empty again when the guest looks (LSR.THRE and
 * LSR.TEMT read 1). Received bytes come from the console via vuart_rx_push().
 * Register with ops vuart_ops on 8 ports; dev is the struct vuart. */
#ifndef KESTREL_VDEV_UART_H
#define KESTREL_VDEV_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vdev/vdev.h"

#define VUART_FIFO_SIZE 16

struct vuart {
    void (*tx)(void *ctx, uint8_t byte);
    void *ctx;
    uint8_t rx[VUART_FIFO_SIZE];    /* RX FIFO ring */
    uint8_t rx_head, rx_count;
    uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
    bool thr_ipending;              /* THRE interrupt latched (16550 semantics) */
};

/* Power-on state (IER 0, FIFO off, divisor 1 = 115200 baud, 8N1 not set: LCR 0).
 * tx receives every byte the guest transmits outside loopback mode; it may be NULL. */
void vuart_init(struct vuart *u, void (*tx)(void *ctx, uint8_t byte), void *ctx);

/* Put bytes from the console into the RX FIFO. Returns how many fit (the FIFO holds 16
 * bytes, or 1 with the FIFO off); the caller keeps the rest and retries later. */
size_t vuart_rx_push(struct vuart *u, const uint8_t *bytes, size_t n);

/* Free room in the receiver now (what vuart_rx_push would accept). */
size_t vuart_rx_room(const struct vuart *u);

/* Level of the IRQ output as the PIC sees it: an interrupt is pending and MCR.OUT2 is set
 * (a PC gates the UART's INTR with OUT2) and loopback is off (OUT2 is internal then). */
bool vuart_irq_line(const struct vuart *u);

/* An access the exit fast path may finish without the run loop: one that changes no
 * interrupt line and needs nothing of the host beyond the tx callback. Today: an LSR read
 * while no line-status error is latched (the read would clear it), and a THR write outside
 * loopback with the THRE interrupt disabled (the console's polled output) or latched
 * already (the interrupt-driven output's bytes after the first). Does the access
 * (same effects as through vuart_ops; *val gets an IN's byte) and returns true, or does
 * nothing and returns false for the caller to go the normal way. */
bool vuart_fast_io(struct vuart *u, uint16_t port, bool in, uint32_t *val);

extern const struct vdev_ops vuart_ops;

#endif
