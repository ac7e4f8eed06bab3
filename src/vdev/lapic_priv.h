/* What the three parts of the virtual local APIC share and nobody else uses: lapic.c
 * (registers, MMIO, MSRs, IA32_APIC_BASE), lapic_irq.c (IRR/ISR/TMR, priorities, EOI,
 * ESR, IPIs, destination matching) and lapic_timer.c (the APIC timer). */
#ifndef KESTREL_VDEV_LAPIC_PRIV_H
#define KESTREL_VDEV_LAPIC_PRIV_H

#include "vdev/lapic.h"

/* Highest vector set in a 256-bit register, or -1 if none. */
int vlapic_highest(const uint32_t *bits);

/* The clock's now (0 without a clock). */
uint64_t vlapic_now(const struct vlapic *a);

/* Record errors (ESR bits): they show at the next ESR write; newly seen ones raise the
 * error LVT's interrupt if it is unmasked. */
void vlapic_error(struct vlapic *a, uint32_t bits);

/* EOI register write: retire the highest in-service vector (eoi_level if it was level). */
void vlapic_eoi(struct vlapic *a);

/* Send the IPI described by icr_lo / icr_hi (an ICR write, or x2APIC's 64-bit ICR). */
void vlapic_send_icr(struct vlapic *a);

/* Timer register writes (val already cut to the register's writable bits). */
void vlapic_timer_write_lvt(struct vlapic *a, uint32_t val);
void vlapic_timer_write_icr(struct vlapic *a, uint32_t val);
void vlapic_timer_write_dcr(struct vlapic *a, uint32_t val);
/* Stop the timer and disarm the deadline (reset). */
void vlapic_timer_stop(struct vlapic *a);

#endif
