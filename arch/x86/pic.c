/* 8259 PIC pair: remapped away from the exception vectors, every line masked until a
 * driver asks for it. */
#include "arch/pic.h"
#include "arch/io.h"
#include "arch/trap.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

static uint16_t mask = 0xffff;

/* Write the current mask; the cascade line 2 stays open while any slave line is. */
static void pic_write_mask(void)
{
    uint16_t m = mask;
    if ((m & 0xff00) != 0xff00)
        m &= (uint16_t)~(1u << 2);
    outb(PIC1_DATA, (uint8_t)m);
    outb(PIC2_DATA, (uint8_t)(m >> 8));
}

void pic_init(void)
{
    outb(PIC1_CMD, 0x11); io_delay();      /* ICW1: edge, cascade, ICW4 follows */
    outb(PIC2_CMD, 0x11); io_delay();
    outb(PIC1_DATA, IRQ_VECTOR_BASE); io_delay();
    outb(PIC2_DATA, IRQ_VECTOR_BASE + 8); io_delay();
    outb(PIC1_DATA, 4); io_delay();        /* slave on line 2 */
    outb(PIC2_DATA, 2); io_delay();
    outb(PIC1_DATA, 1); io_delay();        /* 8086 mode */
    outb(PIC2_DATA, 1); io_delay();
    mask = 0xffff;
    pic_write_mask();
}

void pic_unmask(unsigned irq)
{
    mask &= (uint16_t)~(1u << irq);
    pic_write_mask();
}

void pic_mask(unsigned irq)
{
    mask |= (uint16_t)(1u << irq);
    pic_write_mask();
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}
