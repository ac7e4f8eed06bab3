/* Segment selectors of the hypervisor's GDT (built in boot/head.S) and its TSS setup. */
#ifndef KESTREL_ARCH_GDT_H
#define KESTREL_ARCH_GDT_H

#define GDT_KERNEL_CS   0x08
#define GDT_KERNEL_DS   0x10
#define GDT_TSS         0x20

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2

void gdt_init(void);

/* The page below IST stack `ist` (IST_DOUBLE_FAULT, IST_NMI), its guard; NULL for others. */
const void *gdt_ist_stack_guard(int ist);

#endif
