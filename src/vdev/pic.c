/* A virtual 8259A pair (Intel 8259A datasheet) with the PIIX ELCR. State changes only on
 * guest port writes, vpic_set_irq and vpic_ack; what the CPU would see (INTR and its
 * vector) is computed from IRR/ISR/IMR when asked, so there is no cached output to keep
 * consistent. The slave's INT output is folded into the master's IR2 at that moment, which
 * behaves as a level-triggered cascade line whatever the master's ELCR bit says. */
#include "vdev/pic.h"
#include "lib/string.h"

#define CASCADE_IRQ 2

/* Bit of the IR with priority rank n (0 = highest) given the rotation. */
static unsigned ir_of_rank(const struct vpic_chip *c, unsigned n)
{
    return (c->lowest + 1 + n) & 7;
}

/* Rank (0 = highest) of the highest-priority bit set in bits, or 8 if none. */
static unsigned best_rank(const struct vpic_chip *c, uint8_t bits)
{
    unsigned n;

    for (n = 0; n < 8; n++)
        if (bits & (1u << ir_of_rank(c, n)))
            return n;
    return 8;
}

/* The IR a chip with requests req would present now, or -1: the highest unmasked request
 * that beats everything in service. In special mask mode masked in-service levels do not
 * block lower ones (datasheet, OCW3 SMM). Mid-initialisation nothing is presented. */
static int resolve(const struct vpic_chip *c, uint8_t req)
{
    uint8_t want = req & (uint8_t)~c->imr, busy;
    unsigned r;

    if (c->init_step || !want)
        return -1;              /* the common case on every VM entry: nothing requested */
    busy = c->special_mask ? (uint8_t)(c->isr & ~c->imr) : c->isr;
    r = best_rank(c, want);
    if (r < 8 && r < best_rank(c, busy))
        return (int)ir_of_rank(c, r);
    return -1;
}

/* The IR chip `which` requests now, or -1. The master's IR2 carries the slave's INT. */
static int chip_irq(const struct vpic *p, unsigned which)
{
    uint8_t irr = p->chip[which].irr;

    if (which == 0 && !p->chip[0].single && resolve(&p->chip[1], p->chip[1].irr) >= 0)
        irr |= 1u << CASCADE_IRQ;
    return resolve(&p->chip[which], irr);
}

/* Contract: see pic.h. */
int vpic_pending_vector(const struct vpic *p)
{
    int irq = chip_irq(p, 0), sirq;

    if (irq < 0)
        return -1;
    if (irq == CASCADE_IRQ && !p->chip[0].single && (sirq = chip_irq(p, 1)) >= 0)
        return p->chip[1].base + sirq;
    return p->chip[0].base + irq;
}

/* Acknowledge IR irq on one chip: edge requests leave IRR (level ones follow the line),
 * ISR gets the bit unless auto-EOI, which may rotate priorities. */
static void chip_ack(struct vpic_chip *c, unsigned irq)
{
    if (!(c->elcr & (1u << irq)))
        c->irr &= (uint8_t)~(1u << irq);
    if (c->auto_eoi) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)irq;
    } else {
        c->isr |= (uint8_t)(1u << irq);
    }
}

/* Contract: see pic.h. */
int vpic_ack(struct vpic *p)
{
    int vec = vpic_pending_vector(p), irq = chip_irq(p, 0), sirq;

    if (vec < 0)
        return -1;
    if (irq == CASCADE_IRQ && !p->chip[0].single && (sirq = chip_irq(p, 1)) >= 0)
        chip_ack(&p->chip[1], (unsigned)sirq);
    chip_ack(&p->chip[0], (unsigned)irq);
    return vec;
}

/* Contract: see pic.h. */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
    struct vpic_chip *c;
    uint8_t bit;

    if (irq > 15)
        return;
    c = &p->chip[irq >> 3];
    bit = (uint8_t)(1u << (irq & 7));
    if (level) {
        if ((c->elcr & bit) || !(c->lines & bit))
            c->irr |= bit;
        c->lines |= bit;
    } else {
        if (c->elcr & bit)
            c->irr &= (uint8_t)~bit;
        c->lines &= (uint8_t)~bit;
    }
}

/* ICW1: start the init sequence. The datasheet: IMR cleared, IR7 lowest priority, special
 * mask off, IRR selected for reads, edge sense reset (a request needs a new rising edge). */
static void icw1(struct vpic_chip *c, uint8_t v)
{
    c->icw4_needed = v & 0x01;
    c->single = v & 0x02;
    c->imr = 0;
    c->isr = 0;
    c->irr &= c->elcr;          /* level requests stand; latched edges are forgotten */
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->auto_eoi = false;
    c->rotate_aeoi = false;
    c->init_step = 2;
}

/* The next ICW on the data port: 2 (vector base), 3 (cascade wiring, skipped in single
 * mode), 4 (AEOI; skipped unless ICW1 asked for it, then all its bits are 0). */
static void icw_next(struct vpic_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:
        c->base = v & 0xf8;
        c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
        break;
    case 3:
        c->icw3 = v;
        c->init_step = c->icw4_needed ? 4 : 0;
        break;
    default:
        c->auto_eoi = v & 0x02;
        c->init_step = 0;
        break;
    }
}

/* OCW2: the EOI and rotation commands (bits 7-5 R, SL, EOI; bits 2-0 level). */
static void ocw2(struct vpic_chip *c, uint8_t v)
{
    unsigned cmd = v >> 5, level = v & 7, r;

    switch (cmd) {
    case 1:                     /* non-specific EOI */
    case 5:                     /* rotate on non-specific EOI */
        r = best_rank(c, c->isr);
        if (r == 8)
            break;
        level = ir_of_rank(c, r);
        c->isr &= (uint8_t)~(1u << level);
        if (cmd == 5)
            c->lowest = (uint8_t)level;
        break;
    case 3:                     /* specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        break;
    case 7:                     /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        c->lowest = (uint8_t)level;
        break;
    case 6:                     /* set priority: level becomes the lowest */
        c->lowest = (uint8_t)level;
        break;
    case 4:                     /* rotate in auto-EOI mode: set */
        c->rotate_aeoi = true;
        break;
    case 0:                     /* rotate in auto-EOI mode: clear */
        c->rotate_aeoi = false;
        break;
    default:                    /* 2: no operation */
        break;
    }
}

/* OCW3: read register select, poll, special mask mode. */
static void ocw3(struct vpic_chip *c, uint8_t v)
{
    if (v & 0x02)
        c->read_isr = v & 0x01;
    if (v & 0x04)
        c->poll = true;
    if (v & 0x40)
        c->special_mask = v & 0x20;
}

/* The poll byte of one chip: 0x80 | IR if it has a request (acknowledged as by INTA, so
 * the slave's own state moves only when the slave is polled), else 0. */
static uint8_t poll_read(struct vpic *p, unsigned which)
{
    int irq = chip_irq(p, which);

    p->chip[which].poll = false;
    if (irq < 0)
        return 0;
    chip_ack(&p->chip[which], (unsigned)irq);
    return (uint8_t)(0x80 | irq);
}

/* Contract: vdev_write_fn for 0x20/0x21, 0xA0/0xA1 and 0x4D0/0x4D1 (low byte of val). */
static void vpic_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vpic *p = dev;
    uint8_t v = (uint8_t)val;
    struct vpic_chip *c;

    (void)size;
    if ((port & 0xfffe) == 0x4d0) {
        c = &p->chip[port & 1];
        c->elcr = v & c->elcr_mask;
        /* a line that became level triggered requests exactly while it is high */
        c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->lines & c->elcr));
        return;
    }
    c = &p->chip[(port & 0x80) ? 1 : 0];
    if (port & 1) {
        if (c->init_step)
            icw_next(c, v);
        else
            c->imr = v;
    } else if (v & 0x10) {
        icw1(c, v);
    } else if (v & 0x08) {
        ocw3(c, v);
    } else {
        ocw2(c, v);
    }
}

/* Contract: vdev_read_fn. A pending poll answers the next read of either port. */
static uint32_t vpic_read(void *dev, uint16_t port, unsigned size)
{
    struct vpic *p = dev;
    unsigned which;
    struct vpic_chip *c;

    (void)size;
    if ((port & 0xfffe) == 0x4d0)
        return p->chip[port & 1].elcr;
    which = (port & 0x80) ? 1 : 0;
    c = &p->chip[which];
    if (c->poll)
        return poll_read(p, which);
    if (port & 1)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

/* Contract: see pic.h. ELCR masks as the PIIX: IRQ 0, 1, 2, 8 and 13 are always edge. */
static void vpic_reset(void *dev)
{
    struct vpic *p = dev;
    unsigned i;

    memset(p, 0, sizeof(*p));
    p->chip[0].elcr_mask = 0xf8;
    p->chip[1].elcr_mask = 0xde;
    p->chip[0].base = 0x08;
    p->chip[1].base = 0x70;
    p->chip[0].icw3 = 1u << CASCADE_IRQ;
    p->chip[1].icw3 = CASCADE_IRQ;
    for (i = 0; i < 2; i++) {
        p->chip[i].imr = 0xff;
        p->chip[i].lowest = 7;
    }
}

void vpic_init(struct vpic *p)
{
    vpic_reset(p);
}

/* Contract: vdev_dump_fn. */
static size_t vpic_dump(void *dev, char *buf, size_t len)
{
    struct vpic *p = dev;
    size_t pos = 0;
    unsigned i;

    for (i = 0; i < 2; i++) {
        const struct vpic_chip *c = &p->chip[i];

        pos = vdev_put_str(buf, len, pos, i ? " slave base=" : "master base=");
        pos = vdev_put_hex(buf, len, pos, c->base, 2);
        pos = vdev_put_str(buf, len, pos, " irr=");
        pos = vdev_put_hex(buf, len, pos, c->irr, 2);
        pos = vdev_put_str(buf, len, pos, " isr=");
        pos = vdev_put_hex(buf, len, pos, c->isr, 2);
        pos = vdev_put_str(buf, len, pos, " imr=");
        pos = vdev_put_hex(buf, len, pos, c->imr, 2);
        pos = vdev_put_str(buf, len, pos, " elcr=");
        pos = vdev_put_hex(buf, len, pos, c->elcr, 2);
    }
    return pos;
}

const struct vdev_ops vpic_ops = {
    .name = "i8259",
    .read = vpic_read,
    .write = vpic_write,
    .reset = vpic_reset,
    .dump = vpic_dump,
    .bytewise = true,
};
