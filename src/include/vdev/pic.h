/* A virtual 8259A master/slave pair with the PIIX edge/level control registers:
 * ports 0x20-0x21 (master), 0xA0-0xA1 (slave), 0x4D0-0x4D1 (ELCR). The slave's INT output
 * drives the master's IR2. Register vpic_ops on all three ranges with the struct vpic as
 * dev. Not implemented: special fully nested mode, MCS-80 mode, ICW1.LTIM (the ELCR
 * decides edge/level, as on a PIIX). */
#ifndef KESTREL_VDEV_PIC_H
#define KESTREL_VDEV_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/vdev.h"

struct vpic_chip {
    uint8_t irr;            /* requests latched (edge) or following the line (level) */
    uint8_t isr;            /* in service */
    uint8_t imr;            /* masked */
    uint8_t lines;          /* current input levels, for edge detection */
    uint8_t elcr;           /* 1 = level triggered */
    uint8_t elcr_mask;      /* ELCR bits that can be set */
    uint8_t base;           /* ICW2 & 0xF8 */
    uint8_t icw3;
    uint8_t init_step;      /* 0 ready, 2/3/4 = next ICW expected */
    uint8_t lowest;         /* IR with the lowest priority (rotation); 7 after init */
    bool icw4_needed, single;
    bool auto_eoi, rotate_aeoi;
    bool read_isr;          /* OCW3: command port reads ISR instead of IRR */
    bool poll;              /* OCW3 poll command: next read is the poll byte */
    bool special_mask;
};

struct vpic {
    struct vpic_chip chip[2];   /* 0 master, 1 slave */
};

/* State as a BIOS leaves it: initialised with vectors 0x08 (master) and 0x70 (slave),
 * cascade on IR2, all IRQs masked, all edge triggered. Guests reprogram it anyway. */
void vpic_init(struct vpic *p);

/* Drive input irq (0..15; others ignored) to level. Edge-triggered inputs latch a request
 * on a 0->1 transition; level-triggered ones request while high. */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);

/* The vector the CPU would get if it acknowledged now, or -1 if INTR is low. */
int vpic_pending_vector(const struct vpic *p);

/* The INTA cycle: returns the vector of vpic_pending_vector() and moves that request from
 * IRR to ISR (or nowhere with auto-EOI), on both chips for a slave IRQ. Returns -1 and
 * changes nothing if nothing is pending: unlike a real PIC (which answers IRQ7's vector,
 * a spurious interrupt) we never race the CPU, so the caller simply injects nothing. */
int vpic_ack(struct vpic *p);

extern const struct vdev_ops vpic_ops;

#endif
