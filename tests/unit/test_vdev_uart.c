/* Unit tests for the virtual 16550A (src/vdev/uart.c): register access and DLAB, IIR
 * priorities, the THRE interrupt rules a real 16550 has, loopback with MSR wiring, FIFO
 * control and trigger levels, LSR truthfulness, and the IRQ line gated by OUT2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/uart.h"

#define BASE 0x3f8
enum { THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

struct fixture {
    struct vdev_bus bus;
    struct vuart u;
    uint8_t sent[64];
    unsigned nsent;
};

static struct fixture F;

static void tx(void *ctx, uint8_t b)
{
    struct fixture *f = ctx;

    if (f->nsent < sizeof(f->sent))
        f->sent[f->nsent] = b;
    f->nsent++;
}

static int setup(void **state)
{
    (void)state;
    memset(&F, 0, sizeof(F));
    vuart_init(&F.u, tx, &F);
    vdev_bus_init(&F.bus);
    return vdev_bus_register(&F.bus, BASE, BASE + 7, &vuart_ops, &F.u);
}

static uint8_t in(unsigned reg)
{
    uint32_t v = 0;

    assert_true(vdev_bus_io(&F.bus, (uint16_t)(BASE + reg), 1, true, &v));
    return (uint8_t)v;
}

static void out(unsigned reg, uint8_t b)
{
    uint32_t v = b;

    assert_true(vdev_bus_io(&F.bus, (uint16_t)(BASE + reg), 1, false, &v));
}

static void push(const char *s)
{
    assert_int_equal(vuart_rx_push(&F.u, (const uint8_t *)s, strlen(s)), strlen(s));
}

static void test_reset_values(void **state)
{
    (void)state;
    assert_int_equal(in(IER), 0);
    assert_int_equal(in(IIR), 0x01);
    assert_int_equal(in(LCR), 0);
    assert_int_equal(in(MCR), 0);
    assert_int_equal(in(LSR), 0x60);
    assert_int_equal(in(MSR) & 0xf0, 0xb0);    /* CTS DSR DCD: a console is attached */
    assert_int_equal(in(MSR) & 0x0f, 0);
    out(LCR, 0x80);
    assert_int_equal(in(0), 1);                /* divisor 1: 115200, never 0 */
    assert_int_equal(in(1), 0);
    assert_false(vuart_irq_line(&F.u));
}

static void test_dlab_and_scratch(void **state)
{
    (void)state;
    out(LCR, 0x83);
    out(0, 0x0c);
    out(1, 0x00);
    assert_int_equal(F.nsent, 0);              /* DLL write is not a transmit */
    assert_int_equal(in(0), 0x0c);
    out(LCR, 0x03);
    assert_int_equal(in(LCR), 0x03);
    out(IER, 0xff);
    assert_int_equal(in(IER), 0x0f);           /* upper IER bits read 0 on a 16550A */
    out(LCR, 0x83);
    assert_int_equal(in(1), 0x00);             /* DLM, not IER */
    assert_int_equal(in(0), 0x0c);
    out(LCR, 0x03);
    out(SCR, 0xa5);
    assert_int_equal(in(SCR), 0xa5);
    out(SCR, 0x5a);
    assert_int_equal(in(SCR), 0x5a);
    out(MCR, 0xff);
    assert_int_equal(in(MCR), 0x1f);
}

static void test_tx_and_lsr(void **state)
{
    (void)state;
    out(THR, 'h');
    out(THR, 'i');
    assert_int_equal(F.nsent, 2);
    assert_memory_equal(F.sent, "hi", 2);
    assert_int_equal(in(LSR) & 0x60, 0x60);    /* THRE and TEMT: sent at once */
    assert_int_equal(in(LSR) & 0x01, 0);
    push("x");
    assert_int_equal(in(LSR) & 0x01, 0x01);
    assert_int_equal(in(THR), 'x');
    assert_int_equal(in(LSR) & 0x01, 0);
    assert_int_equal(in(LSR), 0x60);
}

static void test_thre_interrupt_rules(void **state)
{
    (void)state;
    out(MCR, 0x08);                            /* OUT2 */
    /* enabling THRI while THR is empty raises it at once */
    out(IER, 0x02);
    assert_int_equal(in(IIR), 0x02);
    assert_true(vuart_irq_line(&F.u) == false);   /* reading IIR just cleared it */
    assert_int_equal(in(IIR), 0x01);
    /* re-writing IER with THRI still set is not "newly enabled" */
    out(IER, 0x02);
    assert_int_equal(in(IIR), 0x01);
    /* disabling then enabling again raises it again (Linux's UART_BUG_THRE probe) */
    out(IER, 0x00);
    out(IER, 0x02);
    assert_true(vuart_irq_line(&F.u));
    /* writing THR clears it, and the byte going out makes THR empty again: raised */
    out(THR, 'a');
    assert_true(vuart_irq_line(&F.u));
    assert_int_equal(in(IIR), 0x02);
    assert_int_equal(in(IIR), 0x01);
    assert_false(vuart_irq_line(&F.u));
    /* the latch survives IER being off, showing once enabled */
    out(IER, 0x00);
    out(THR, 'b');
    assert_int_equal(in(IIR), 0x01);
    out(IER, 0x02);
    assert_int_equal(in(IIR), 0x02);
}

static void test_iir_priorities(void **state)
{
    (void)state;
    out(MCR, 0x18);                            /* loopback + OUT2 (so MSR deltas happen) */
    out(MCR, 0x08);                            /* leaving loopback: CTS/DSR/DCD change */
    out(IER, 0x0f);
    push("a");
    /* line status beats everything: make an overrun in loopback */
    out(MCR, 0x18);
    out(FCR, 0x00);
    in(THR);
    out(THR, '1');
    out(THR, '2');                             /* RBR full: overrun */
    assert_int_equal(in(IIR), 0x06);
    assert_int_equal(in(LSR) & 0x03, 0x03);    /* DR and OE; the read clears OE */
    assert_int_equal(in(LSR) & 0x02, 0);
    assert_int_equal(in(IIR), 0x04);           /* then received data */
    assert_int_equal(in(THR), '1');
    assert_int_equal(in(IIR), 0x02);           /* then THRE (latched by the writes) */
    assert_int_equal(in(IIR) & 0x0f, 0x00);    /* then modem status (deltas) */
    in(MSR);
    assert_int_equal(in(IIR), 0x01);
}

static void test_loopback(void **state)
{
    (void)state;
    out(MCR, 0x10 | 0x0a);                     /* Linux autoconfig: LOOP | RTS | OUT2 */
    assert_int_equal(in(MSR) & 0xf0, 0x90);    /* CTS and DCD */
    out(MCR, 0x10 | 0x05);                     /* DTR | OUT1 */
    assert_int_equal(in(MSR) & 0xf0, 0x60);    /* DSR and RI */
    out(MCR, 0x10);
    /* RI going away is a trailing edge: TERI; DSR change: DDSR */
    assert_int_equal(in(MSR), 0x06);
    assert_int_equal(in(MSR), 0x00);           /* deltas clear on read */
    out(THR, 'L');
    assert_int_equal(F.nsent, 0);              /* nothing leaves in loopback */
    assert_int_equal(in(LSR) & 0x01, 1);
    assert_int_equal(in(THR), 'L');
    assert_int_equal(vuart_rx_push(&F.u, (const uint8_t *)"z", 1), 0);  /* line cut off */
    /* interrupts are internal in loopback: the PC's IRQ line (OUT2 pin) is quiet */
    out(IER, 0x02);
    out(MCR, 0x18);
    assert_false(vuart_irq_line(&F.u));
    out(MCR, 0x08);
    assert_true(vuart_irq_line(&F.u));
    out(MCR, 0x00);
    assert_false(vuart_irq_line(&F.u));        /* OUT2 off: no IRQ on a PC */
}

/* The exit fast path's accesses (vuart_fast_io): the polled console output is done there,
 * with the same effects as through the bus; whatever could move the IRQ line is refused
 * untouched, for the normal path to do. */
static uint32_t fast(unsigned reg, bool is_in, uint32_t v, bool want)
{
    assert_int_equal(vuart_fast_io(&F.u, (uint16_t)(BASE + reg), is_in, &v), want);
    return v;
}

static void test_fast_path(void **state)
{
    (void)state;
    out(LCR, 0x03);
    out(MCR, 0x0b);                             /* DTR RTS OUT2, as Linux leaves it */
    assert_int_equal(fast(LSR, true, 0, true), 0x60);
    fast(THR, false, 'a', true);
    assert_int_equal(F.nsent, 1);
    assert_int_equal(F.sent[0], 'a');
    assert_false(vuart_irq_line(&F.u));
    /* the normal path's reads see what the fast path did: THRE latched by the write */
    out(IER, 0x02);
    assert_int_equal(in(IIR) & 0x0f, 0x02);
    /* THRI on, THRE reported (cleared by the IIR read): a write would raise the line
     * anew; refused and not sent. Once the normal path's write latched THRE again, the
     * next bytes leave the line as it is and are done fast. */
    fast(THR, false, 'b', false);
    assert_int_equal(F.nsent, 1);
    assert_false(vuart_irq_line(&F.u));
    out(THR, 'b');
    assert_true(vuart_irq_line(&F.u));
    fast(THR, false, 'c', true);
    assert_int_equal(F.nsent, 3);
    assert_int_equal(F.sent[2], 'c');
    assert_true(vuart_irq_line(&F.u));
    assert_int_equal(in(IIR) & 0x0f, 0x02);
    out(IER, 0x00);
    /* DLAB: THR is the divisor latch; refused, divisor untouched */
    out(LCR, 0x83);
    fast(THR, false, 7, false);
    assert_int_equal(in(THR), 1);
    out(LCR, 0x03);
    /* other registers always go the normal way */
    fast(IIR, true, 0, false);
    fast(IER, false, 1, false);
    fast(MSR, true, 0, false);
    /* loopback: a write would fill the receiver; refused */
    out(MCR, 0x10);
    fast(THR, false, 'd', false);
    out(THR, 'x');
    out(THR, 'y');                              /* overrun: OE latched */
    out(MCR, 0x0b);
    /* an LSR read would clear OE (and a line-status interrupt): refused, OE kept */
    fast(LSR, true, 0, false);
    assert_int_equal(in(LSR) & 0x02, 0x02);
    assert_int_equal(fast(LSR, true, 0, true) & 0x03, 0x01);   /* 'x' still waiting */
    assert_int_equal(F.nsent, 3);
}

static void test_fifo(void **state)
{
    uint8_t buf[20];
    unsigned i;

    (void)state;
    for (i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)('A' + i);
    /* FIFO off: room for one byte */
    assert_int_equal(vuart_rx_push(&F.u, buf, 20), 1);
    assert_int_equal(vuart_rx_room(&F.u), 0);
    in(THR);
    out(FCR, 0x01);
    assert_int_equal(in(IIR) & 0xc0, 0xc0);    /* FIFOs enabled: a 16550A */
    assert_int_equal(vuart_rx_push(&F.u, buf, 20), 16);
    assert_int_equal(vuart_rx_push(&F.u, buf, 1), 0);
    for (i = 0; i < 16; i++)
        assert_int_equal(in(THR), 'A' + i);
    assert_int_equal(in(LSR) & 1, 0);
    /* clear RX */
    vuart_rx_push(&F.u, buf, 5);
    out(FCR, 0x03);
    assert_int_equal(in(LSR) & 1, 0);
    /* disabling the FIFO clears it too */
    vuart_rx_push(&F.u, buf, 5);
    out(FCR, 0x00);
    assert_int_equal(in(LSR) & 1, 0);
    assert_int_equal(in(IIR) & 0xc0, 0);
    /* FIFO-off writes ignore the other bits (trigger level stays at 1) */
    out(FCR, 0xc0);
    assert_int_equal(in(IIR) & 0xc0, 0);
}

static void test_trigger_and_timeout(void **state)
{
    uint8_t buf[16] = "0123456789abcdef";

    (void)state;
    out(MCR, 0x08);
    out(FCR, 0x81);                            /* FIFO on, trigger 8 */
    out(IER, 0x01);
    assert_int_equal(vuart_rx_push(&F.u, buf, 7), 7);
    assert_int_equal(in(IIR), 0xcc);           /* below trigger: character timeout */
    assert_true(vuart_irq_line(&F.u));
    assert_int_equal(vuart_rx_push(&F.u, buf, 1), 1);
    assert_int_equal(in(IIR), 0xc4);           /* at trigger: data available */
    in(THR);
    assert_int_equal(in(IIR), 0xcc);
    while (in(LSR) & 1)
        in(THR);
    assert_int_equal(in(IIR), 0xc1);
    assert_false(vuart_irq_line(&F.u));
    out(FCR, 0xc1);                            /* trigger 14 */
    vuart_rx_push(&F.u, buf, 14);
    assert_int_equal(in(IIR), 0xc4);
    out(FCR, 0x47);                            /* trigger 4, clear both FIFOs */
    assert_int_equal(in(IIR), 0xc1);
    vuart_rx_push(&F.u, buf, 4);
    assert_int_equal(in(IIR), 0xc4);
}

static void test_wide_access_and_reset(void **state)
{
    uint32_t v = 0;
    char dump[128];

    (void)state;
    out(SCR, 0x11);
    /* a 16-bit IN at LSR reads LSR and MSR (the bus splits it) */
    assert_true(vdev_bus_io(&F.bus, BASE + LSR, 2, true, &v));
    assert_int_equal(v & 0xff, 0x60);
    assert_int_equal((v >> 8) & 0xf0, 0xb0);
    assert_true(vdev_bus_io(&F.bus, BASE + 7, 2, true, &v));
    assert_int_equal(v, 0xff11);               /* 0x400 is nobody's: all ones */
    assert_true(vdev_bus_dump(&F.bus, dump, sizeof(dump)) > 0);
    assert_non_null(strstr(dump, "uart16550 03f8-03ff: ier=00"));
    vdev_bus_reset(&F.bus);
    assert_int_equal(in(SCR), 0);
    assert_int_equal(in(LSR), 0x60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_dlab_and_scratch, setup),
        cmocka_unit_test_setup(test_tx_and_lsr, setup),
        cmocka_unit_test_setup(test_thre_interrupt_rules, setup),
        cmocka_unit_test_setup(test_iir_priorities, setup),
        cmocka_unit_test_setup(test_loopback, setup),
        cmocka_unit_test_setup(test_fifo, setup),
        cmocka_unit_test_setup(test_fast_path, setup),
        cmocka_unit_test_setup(test_trigger_and_timeout, setup),
        cmocka_unit_test_setup(test_wide_access_and_reset, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
