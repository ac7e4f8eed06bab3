/* Guest runtime UART (16550 at 0x3F8, IRQ 4) and printf: polled transmit, receive polled
 * or through a small IRQ-fed ring. */
#include "guest.h"

#define COM1 0x3f8
#define RXBUF 256

static volatile uint8_t rx_ring[RXBUF];
static volatile uint32_t rx_head, rx_tail;
volatile uint32_t uart_rx_irqs;

#define TX_FIFO 16          /* a 16550's transmit FIFO, on once uart_init has run */

static bool tx_fifo_on;

/* 115200 8N1, FIFOs on, DTR/RTS/OUT2 set, no UART interrupts yet. */
void uart_init(void)
{
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x80);
    outb(COM1 + 0, 0x01);
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);
    outb(COM1 + 2, 0xc7);
    outb(COM1 + 4, 0x0b);
    tx_fifo_on = true;
}

/* Write n bytes, waiting for THRE before each burst. With the FIFO on, THRE means the whole
 * transmit FIFO is empty, so a burst is TX_FIFO bytes (what Linux's 8250 driver loads per
 * THRE): one status read per 16 bytes, not per byte - under a hypervisor every read is an
 * exit. Before uart_init the FIFO state is unknown, so bursts are one byte. */
void uart_write(const char *s, size_t n)
{
    size_t burst = tx_fifo_on ? TX_FIFO : 1;
    while (n) {
        while (!(inb(COM1 + 5) & 0x20))
            ;
        for (size_t i = 0; i < burst && n; i++, n--)
            outb(COM1, (uint8_t)*s++);
    }
}

/* Write one byte once the transmitter holding register is empty. */
void uart_putc(char c)
{
    uart_write(&c, 1);
}

/* Write a C string, turning "\n" into "\r\n", a FIFO's worth at a time. */
void puts_raw(const char *s)
{
    char out[TX_FIFO];
    size_t n = 0;
    for (; *s; s++) {
        if (*s == '\n')
            out[n++] = '\r';
        out[n++] = *s;
        if (n >= TX_FIFO - 1) {
            uart_write(out, n);
            n = 0;
        }
    }
    if (n)
        uart_write(out, n);
}

/* IRQ 4: move every byte the UART holds into the ring (dropping on overflow). */
static void uart_irq(unsigned irq)
{
    (void)irq;
    while (inb(COM1 + 5) & 0x01) {
        uint8_t c = inb(COM1);
        uart_rx_irqs++;
        if (rx_head - rx_tail < RXBUF) {
            rx_ring[rx_head % RXBUF] = c;
            rx_head++;
        }
    }
}

/* Route received bytes through IRQ 4 into the ring. */
void uart_enable_rx_irq(void)
{
    irq_set_handler(IRQ_UART, uart_irq);
    outb(COM1 + 1, 0x01);
}

/* Next received byte from the ring or the UART itself; -1 when there is none. */
int uart_getc(void)
{
    int c = -1;
    uint32_t fl;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(fl) :: "memory");
    if (rx_head != rx_tail) {
        c = rx_ring[rx_tail % RXBUF];
        rx_tail++;
    } else if (inb(COM1 + 5) & 0x01) {
        c = inb(COM1);
    }
    if (fl & 0x200)
        sti();
    return c;
}

/* printf with a va_list; output longer than 512 bytes is cut. */
int vprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    puts_raw(buf);
    return n;
}

/* printf to the UART. */
int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
