/* Segment selectors of the hypervisor's GDT (built in boot/head.S) and its TSS setup. */
#ifndef KESTREL_ARCH_GDT_H
#define KESTREL_ARCH_GDT_H

#define GDT_KERNEL_CS   0x08
#define GDT_KERNEL_DS   0x10
#define GDT_TSS         0x20

#define GDT_ENTRIES     6           /* null, code, data, 32-bit code, TSS (two slots) */

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2

#include <stdint.h>

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

void gdt_init(void);

/* An application processor's own GDT (gdt: GDT_ENTRIES slots, a copy of the boot CPU's
 * descriptors) and TSS with the double-fault and NMI stacks at those tops; load both (lgdt,
 * ltr) and the data segment registers. */
void gdt_init_cpu(uint64_t *gdt, struct tss64 *tss, uint64_t df_top, uint64_t nmi_top);

/* The page below IST stack `ist` (IST_DOUBLE_FAULT, IST_NMI), its guard; NULL for others. */
const void *gdt_ist_stack_guard(int ist);

#endif
