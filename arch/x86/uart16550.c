/* 16550 UART driver for the hypervisor's own serial console. Receive is interrupt-driven
 * into a ring that the main loop empties; transmit goes through a ring drained 16 bytes at
 * a time (the FIFO depth) whenever the transmitter is empty, so printing never waits on the
 * line unless the ring is full. */
#include "arch/uart.h"
#include "arch/io.h"
#include "arch/cpu.h"

enum {
    RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5,
    MSR_REG = 6, SCR = 7,
};
#define LSR_DR      0x01
#define LSR_OE      0x02
#define LSR_THRE    0x20
#define IER_RDI     0x01
#define IER_THRI    0x02
#define LCR_DLAB    0x80
#define MCR_DTR     0x01
#define MCR_RTS     0x02
#define MCR_OUT2    0x08
#define FIFO_DEPTH  16

#define TX_RING 16384
#define RX_RING 4096

static uint16_t base;
static int irq_line;
static uint32_t baud;
static bool irq_mode, sync_mode, has_fifo;
static bool rx_throttled;   /* ring full: RX interrupt masked so bytes wait in the UART */
static char tx_ring[TX_RING];
static volatile uint32_t tx_head, tx_tail;     /* head: next free; tail: next to send */
static unsigned char rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;
static struct uart_stats stats;

static void update_ier(void);

static inline uint8_t reg_read(int r) { return inb((uint16_t)(base + r)); }
static inline void reg_write(int r, uint8_t v) { outb((uint16_t)(base + r), v); }

bool uart_init(const struct uart_config *cfg)
{
    base = cfg->io_base;
    irq_line = cfg->irq;
    /* A scratch-register round trip tells whether anything answers at the port. */
    reg_write(SCR, 0x5a);
    if (reg_read(SCR) != 0x5a)
        return false;
    reg_write(IER, 0);
    uint8_t lcr = (uint8_t)((cfg->data_bits - 5) & 3);
    if (cfg->stop_bits == 2)
        lcr |= 0x04;
    switch (cfg->parity) {
    case 'o': lcr |= 0x08; break;
    case 'e': lcr |= 0x18; break;
    case 'm': lcr |= 0x28; break;
    case 's': lcr |= 0x38; break;
    default: break;
    }
    if (cfg->baud) {
        uint32_t div = cfg->clock_hz / (16 * cfg->baud);
        if (div == 0)
            div = 1;
        reg_write(LCR, LCR_DLAB);
        reg_write(DLL, (uint8_t)div);
        reg_write(DLM, (uint8_t)(div >> 8));
        baud = cfg->baud;
    } else {
        reg_write(LCR, LCR_DLAB);   /* auto: read back what the firmware programmed */
        uint32_t div = reg_read(DLL) | ((uint32_t)reg_read(DLM) << 8);
        baud = div ? cfg->clock_hz / (16 * div) : 0;
    }
    reg_write(LCR, lcr);
    reg_write(FCR, 0x07);                       /* enable and clear FIFOs, trigger at 1 byte */
    has_fifo = (reg_read(IIR) & 0xc0) == 0xc0;
    reg_write(MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    (void)reg_read(LSR);
    (void)reg_read(RBR);
    stats.io_base = base;
    stats.irq = irq_line;
    stats.baud = baud;
    stats.fifo = has_fifo;
    return true;
}

void uart_enable_irq(void)
{
    irq_mode = irq_line > 0;
    update_ier();
}

/* Interrupt sources wanted now: receive unless throttled, transmit while bytes are queued. */
static void update_ier(void)
{
    if (!irq_mode)
        return;
    uint8_t ier = rx_throttled ? 0 : IER_RDI;
    if (tx_tail != tx_head)
        ier |= IER_THRI;
    reg_write(IER, ier);
}

/* Push up to a FIFO's worth of queued bytes if the transmitter is empty. Runs with
 * interrupts off (from the IRQ or from a writer that disabled them). */
static void tx_kick(void)
{
    if (!(reg_read(LSR) & LSR_THRE))
        return;
    int room = has_fifo ? FIFO_DEPTH : 1;
    while (room-- && tx_tail != tx_head) {
        reg_write(THR, (uint8_t)tx_ring[tx_tail % TX_RING]);
        tx_tail++;
        stats.tx_bytes++;
    }
    update_ier();
}

/* Send one byte, waiting for the transmitter. */
static void put_sync(char c)
{
    while (!(reg_read(LSR) & LSR_THRE))
        cpu_relax();
    reg_write(THR, (uint8_t)c);
    stats.tx_bytes++;
}

void uart_flush(void)
{
    uint64_t f = irq_save();
    while (tx_tail != tx_head) {
        put_sync(tx_ring[tx_tail % TX_RING]);
        tx_tail++;
    }
    irq_restore(f);
}

void uart_write(const char *s, size_t n)
{
    if (!base)
        return;
    uint64_t f = irq_save();
    if (sync_mode || !irq_mode) {
        /* Keep ordering with anything still queued. */
        uart_flush();
        while (n--)
            put_sync(*s++);
        irq_restore(f);
        return;
    }
    while (n) {
        if (tx_head - tx_tail >= TX_RING) {
            /* Full: drain synchronously rather than drop a log line. */
            stats.sync_drains++;
            put_sync(tx_ring[tx_tail % TX_RING]);
            tx_tail++;
            continue;
        }
        tx_ring[tx_head % TX_RING] = *s++;
        tx_head++;
        n--;
    }
    tx_kick();
    irq_restore(f);
}

void uart_set_sync(bool sync)
{
    sync_mode = sync;
    stats.sync = sync;
    if (sync)
        uart_flush();
}

/* Move received bytes from the hardware into the receive ring. When the ring is full,
 * leave further bytes in the UART and mask its receive interrupt: the sender (or QEMU's
 * chardev) is then held back instead of bytes being thrown away. */
static void rx_drain(void)
{
    for (int budget = 256; budget--;) {
        if (rx_head - rx_tail >= RX_RING) {
            rx_throttled = true;
            update_ier();
            return;
        }
        uint8_t lsr = reg_read(LSR);
        if (lsr & LSR_OE)
            stats.rx_overruns++;
        if (!(lsr & LSR_DR))
            break;
        rx_ring[rx_head % RX_RING] = reg_read(RBR);
        rx_head++;
        stats.rx_bytes++;
    }
}

/* Serve the UART until it reports nothing pending, so its interrupt line drops and the
 * edge-triggered PIC sees the next rising edge. */
void uart_interrupt(void)
{
    stats.irqs++;
    for (int round = 0; round < 16; round++) {
        rx_drain();
        tx_kick();
        if (reg_read(IIR) & 0x01)
            break;
        if (rx_throttled && !(reg_read(LSR) & LSR_THRE))
            break;
    }
}

void uart_poll(void)
{
    if (!base)
        return;
    uint64_t f = irq_save();
    rx_drain();
    tx_kick();
    irq_restore(f);
}

int uart_getc(void)
{
    uint64_t f = irq_save();
    int c = -1;
    if (rx_tail != rx_head) {
        c = rx_ring[rx_tail % RX_RING];
        rx_tail++;
    }
    if (rx_throttled && rx_head - rx_tail < RX_RING / 2) {
        rx_throttled = false;
        rx_drain();
        update_ier();
    }
    irq_restore(f);
    return c;
}

/* Only the ring is looked at: the receive interrupt (or, polled, the tick) fills it, and the
 * scheduler asks this after every guest exit, where a port read would cost an I/O access. */
bool uart_rx_pending(void)
{
    return rx_tail != rx_head;
}

void uart_get_stats(struct uart_stats *st)
{
    *st = stats;
}
