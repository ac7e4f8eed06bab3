/* Unit tests for the virtual 8259A pair (src/vdev/pic.c): the init sequences Linux and
 * small Multiboot kernels use, masks, fixed and rotated priorities, the cascade through
 * IR2, the EOI forms, auto-EOI, edge vs level (ELCR), OCW3 reads and the poll command. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/pic.h"

static struct vdev_bus bus;
static struct vpic pic;

static uint8_t in(uint16_t port)
{
    uint32_t v = 0;

    assert_true(vdev_bus_io(&bus, port, 1, true, &v));
    return (uint8_t)v;
}

static void out(uint16_t port, uint8_t b)
{
    uint32_t v = b;

    assert_true(vdev_bus_io(&bus, port, 1, false, &v));
}

/* Linux's init_8259A (arch/x86/kernel/i8259.c): mask all, ICW1-4 on both, masks back. */
static void linux_init(bool auto_eoi)
{
    out(0x21, 0xff);
    out(0xa1, 0xff);
    out(0x20, 0x11);
    out(0x21, 0x30);                /* vectors 0x30.. */
    out(0x21, 0x04);                /* slave on IR2 */
    out(0x21, auto_eoi ? 0x03 : 0x01);
    out(0xa0, 0x11);
    out(0xa1, 0x38);
    out(0xa1, 0x02);
    out(0xa1, 0x01);
    out(0x21, 0x00);
    out(0xa1, 0x00);
}

static int setup(void **state)
{
    (void)state;
    vpic_init(&pic);
    vdev_bus_init(&bus);
    assert_int_equal(vdev_bus_register(&bus, 0x20, 0x21, &vpic_ops, &pic), 0);
    assert_int_equal(vdev_bus_register(&bus, 0xa0, 0xa1, &vpic_ops, &pic), 0);
    assert_int_equal(vdev_bus_register(&bus, 0x4d0, 0x4d1, &vpic_ops, &pic), 0);
    return 0;
}

static void pulse(unsigned irq)
{
    vpic_set_irq(&pic, irq, true);
    vpic_set_irq(&pic, irq, false);
}

static void test_bios_state(void **state)
{
    (void)state;
    assert_int_equal(in(0x21), 0xff);
    assert_int_equal(in(0xa1), 0xff);
    pulse(0);
    assert_int_equal(vpic_pending_vector(&pic), -1);    /* masked */
    out(0x21, 0xfe);
    assert_int_equal(vpic_pending_vector(&pic), 0x08);  /* BIOS base */
    assert_int_equal(vpic_ack(&pic), 0x08);
    assert_int_equal(vpic_ack(&pic), -1);               /* nothing: no state change */
}

static void test_linux_init_and_priorities(void **state)
{
    (void)state;
    linux_init(false);
    assert_int_equal(in(0x21), 0);
    pulse(4);
    pulse(1);
    pulse(0);
    assert_int_equal(in(0x20), 0x13);                   /* IRR read after init */
    assert_int_equal(vpic_pending_vector(&pic), 0x30);
    assert_int_equal(vpic_ack(&pic), 0x30);
    /* IRQ 0 in service blocks lower priorities */
    assert_int_equal(vpic_pending_vector(&pic), -1);
    out(0x20, 0x0b);                                    /* OCW3: read ISR */
    assert_int_equal(in(0x20), 0x01);
    out(0x20, 0x20);                                    /* non-specific EOI */
    assert_int_equal(in(0x20), 0x00);
    assert_int_equal(vpic_ack(&pic), 0x31);
    /* a higher priority request nests over the one in service */
    pulse(0);
    assert_int_equal(vpic_ack(&pic), 0x30);
    assert_int_equal(in(0x20), 0x03);
    out(0x20, 0x20);                                    /* clears the highest: IR0 */
    assert_int_equal(in(0x20), 0x02);
    out(0x20, 0x61);                                    /* specific EOI IR1 */
    assert_int_equal(in(0x20), 0x00);
    out(0x20, 0x0a);                                    /* back to IRR reads */
    assert_int_equal(in(0x20), 0x10);
    assert_int_equal(vpic_ack(&pic), 0x34);
}

static void test_masks(void **state)
{
    (void)state;
    linux_init(false);
    out(0x21, 0x02);
    pulse(1);
    assert_int_equal(vpic_pending_vector(&pic), -1);
    assert_int_equal(in(0x20), 0x02);                   /* requested, but masked */
    out(0x21, 0x00);
    assert_int_equal(vpic_ack(&pic), 0x31);
    out(0x20, 0x20);
    /* masking the cascade hides every slave IRQ */
    out(0x21, 0x04);
    pulse(12);
    assert_int_equal(vpic_pending_vector(&pic), -1);
    out(0x21, 0x00);
    assert_int_equal(vpic_pending_vector(&pic), 0x3c);
    out(0xa1, 0x10);                                    /* masking on the slave too */
    assert_int_equal(vpic_pending_vector(&pic), -1);
}

static void test_cascade(void **state)
{
    (void)state;
    linux_init(false);
    pulse(14);
    pulse(8);
    pulse(3);
    /* slave IRQs come in at IR2's priority: above IR3 */
    assert_int_equal(vpic_ack(&pic), 0x38);             /* IRQ 8 */
    assert_int_equal(vpic_pending_vector(&pic), -1);    /* IR2 in service blocks IR3 */
    /* Linux's EOI for a slave IRQ: specific EOI on the slave, then on the master's IR2 */
    out(0xa0, 0x60);
    out(0x20, 0x62);
    assert_int_equal(vpic_ack(&pic), 0x3e);             /* IRQ 14 */
    out(0xa0, 0x20);
    out(0x20, 0x20);
    assert_int_equal(vpic_ack(&pic), 0x33);
    out(0x20, 0x20);
    assert_int_equal(vpic_pending_vector(&pic), -1);
    /* a higher slave IRQ while a lower slave one is in service nests through the
     * slave only after the master's IR2 is EOIed (no special fully nested mode) */
    pulse(10);
    assert_int_equal(vpic_ack(&pic), 0x3a);
    pulse(9);
    assert_int_equal(vpic_pending_vector(&pic), -1);
    out(0x20, 0x20);
    assert_int_equal(vpic_ack(&pic), 0x39);
}

static void test_auto_eoi(void **state)
{
    (void)state;
    linux_init(true);
    pulse(1);
    pulse(0);
    assert_int_equal(vpic_ack(&pic), 0x30);
    out(0x20, 0x0b);
    assert_int_equal(in(0x20), 0x00);                   /* nothing in service */
    assert_int_equal(vpic_ack(&pic), 0x31);
    assert_int_equal(vpic_ack(&pic), -1);
    /* rotate in auto-EOI mode: the acknowledged IRQ becomes the lowest priority */
    out(0x20, 0x80);
    pulse(0);
    pulse(1);
    assert_int_equal(vpic_ack(&pic), 0x30);
    pulse(0);
    assert_int_equal(vpic_ack(&pic), 0x31);             /* IR1 now beats IR0 */
    assert_int_equal(vpic_ack(&pic), 0x30);
}

static void test_edge_vs_level(void **state)
{
    (void)state;
    linux_init(false);
    /* edge: only a 0->1 transition latches; holding the line high gives one request */
    vpic_set_irq(&pic, 5, true);
    vpic_set_irq(&pic, 5, true);
    assert_int_equal(vpic_ack(&pic), 0x35);
    out(0x20, 0x20);
    assert_int_equal(vpic_pending_vector(&pic), -1);
    vpic_set_irq(&pic, 5, false);
    /* an edge latched then dropped before INTA still stands */
    pulse(6);
    assert_int_equal(vpic_pending_vector(&pic), 0x36);
    vpic_ack(&pic);
    out(0x20, 0x20);
    /* level: ELCR bits; IRQ 0-2 and 8, 13 cannot be level (PIIX) */
    out(0x4d0, 0xff);
    out(0x4d1, 0xff);
    assert_int_equal(in(0x4d0), 0xf8);
    assert_int_equal(in(0x4d1), 0xde);
    vpic_set_irq(&pic, 11, true);
    assert_int_equal(vpic_ack(&pic), 0x3b);
    out(0xa0, 0x20);
    out(0x20, 0x20);
    assert_int_equal(vpic_ack(&pic), 0x3b);             /* still high: again */
    out(0xa0, 0x20);
    out(0x20, 0x20);
    vpic_set_irq(&pic, 11, false);
    assert_int_equal(vpic_pending_vector(&pic), -1);    /* dropped: request gone */
    vpic_set_irq(&pic, 7, true);
    vpic_set_irq(&pic, 7, false);
    assert_int_equal(vpic_pending_vector(&pic), -1);    /* level pulse before INTA: lost */
    vpic_set_irq(&pic, 99, true);                       /* out of range: ignored */
    assert_int_equal(vpic_pending_vector(&pic), -1);
}

static void test_poll_and_rotation(void **state)
{
    (void)state;
    linux_init(false);
    pulse(3);
    out(0x20, 0x0c);                                    /* OCW3 poll */
    assert_int_equal(in(0x20), 0x83);
    out(0x20, 0x0b);
    assert_int_equal(in(0x20), 0x08);                   /* the poll acknowledged IR3 */
    out(0x20, 0x0c);
    assert_int_equal(in(0x21), 0x00);                   /* nothing else: 0, not the IMR */
    assert_int_equal(in(0x21), 0x00);                   /* next read: IMR again */
    out(0x20, 0x20);
    /* set priority: IR4 lowest, so IR5 is highest */
    out(0x20, 0xc4);
    pulse(0);
    pulse(5);
    assert_int_equal(vpic_ack(&pic), 0x35);
    /* rotate on non-specific EOI: IR5 becomes lowest, IR6 highest */
    out(0x20, 0xa0);
    pulse(5);
    assert_int_equal(vpic_ack(&pic), 0x30);
    out(0x20, 0xe0);                                    /* rotate on specific EOI IR0 */
    assert_int_equal(vpic_ack(&pic), 0x35);             /* IR1 highest now; 5 before 0 */
}

static void test_special_mask_and_reinit(void **state)
{
    (void)state;
    linux_init(false);
    pulse(1);
    assert_int_equal(vpic_ack(&pic), 0x31);
    pulse(4);
    assert_int_equal(vpic_pending_vector(&pic), -1);
    out(0x21, 0x02);                                    /* mask the one in service */
    out(0x20, 0x68);                                    /* special mask mode on */
    assert_int_equal(vpic_pending_vector(&pic), 0x34);
    out(0x20, 0x48);                                    /* off */
    assert_int_equal(vpic_pending_vector(&pic), -1);
    /* ICW1 again: ISR, IMR and latched edges go; no requests shown mid-sequence */
    out(0x20, 0x11);
    assert_int_equal(vpic_pending_vector(&pic), -1);
    out(0x21, 0x20);
    out(0x21, 0x04);
    out(0x21, 0x01);
    assert_int_equal(in(0x21), 0x00);
    out(0x20, 0x0b);
    assert_int_equal(in(0x20), 0x00);
    pulse(7);
    assert_int_equal(vpic_ack(&pic), 0x27);
    /* single mode, no ICW4: ICW2 then ready; IR2 is an ordinary input */
    out(0x20, 0x12);
    out(0x21, 0x48);
    out(0x21, 0x00);
    assert_int_equal(in(0x21), 0x00);                   /* that was OCW1 */
    pulse(2);
    assert_int_equal(vpic_ack(&pic), 0x4a);
    vdev_bus_reset(&bus);
    assert_int_equal(in(0x21), 0xff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bios_state, setup),
        cmocka_unit_test_setup(test_linux_init_and_priorities, setup),
        cmocka_unit_test_setup(test_masks, setup),
        cmocka_unit_test_setup(test_cascade, setup),
        cmocka_unit_test_setup(test_auto_eoi, setup),
        cmocka_unit_test_setup(test_edge_vs_level, setup),
        cmocka_unit_test_setup(test_poll_and_rotation, setup),
        cmocka_unit_test_setup(test_special_mask_and_reinit, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
