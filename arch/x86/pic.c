/* 8259 PIC pair: remapped away from the exception vectors, every line masked until a
 * driver asks for it. A PIC raises IRQ 7 (or 15 on the slave) by itself when a line drops
 * before the CPU acknowledges it: those spurious interrupts are counted, not logged, and
 * get no EOI from the chip that made them up (its in-service bit is clear). */
#include <stdbool.h>
#include "arch/pic.h"
#include "arch/io.h"
#include "arch/trap.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

static uint16_t mask = 0xffff;
static uint64_t spurious;

/* In-service register of the chip at cmd (OCW3 read ISR). */
static uint8_t pic_isr(uint16_t cmd)
{
    outb(cmd, 0x0B);
    return inb(cmd);
}

/* Vector of IRQ 7 or 15: a real interrupt of that line (ISR bit set) would have a handler
 * of its own; with the bit clear it is the chip's spurious one. */
static void pic_spurious(struct trap_frame *tf)
{
    bool slave = (tf->vector & 0xff) == IRQ_VECTOR_BASE + 15;
    if (pic_isr(slave ? PIC2_CMD : PIC1_CMD) & 0x80) {
        pic_eoi(slave ? 15 : 7);                 /* a real one nobody asked for */
        return;
    }
    spurious++;
    if (slave)
        outb(PIC1_CMD, 0x20);                    /* the master did see the cascade line */
}

uint64_t pic_spurious_count(void)
{
    return spurious;
}

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
    trap_register(IRQ_VECTOR_BASE + 7, pic_spurious);
    trap_register(IRQ_VECTOR_BASE + 15, pic_spurious);
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
