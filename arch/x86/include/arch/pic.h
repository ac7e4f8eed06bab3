/* The legacy 8259 PIC pair, remapped to vectors IRQ_VECTOR_BASE.. and used for device lines
 * (the UART); the tick comes from the LAPIC timer. */
#ifndef KESTREL_ARCH_PIC_H
#define KESTREL_ARCH_PIC_H

#include <stdint.h>

void pic_init(void);                 /* remap and mask every line */
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_eoi(unsigned irq);
/* Spurious IRQ 7/15 interrupts the PICs raised so far (they are not logged). */
uint64_t pic_spurious_count(void);

#endif
