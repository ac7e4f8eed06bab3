/* The hypervisor's TSS: the GDT itself is built in boot/head.S; this fills in the TSS
 * descriptor so that double faults and NMIs run on their own stacks (IST), which lets a
 * stack overflow still reach the panic path instead of triple-faulting silently. */
#include <stdint.h>
#include "arch/gdt.h"
#include "lib/string.h"

extern uint64_t gdt_table[];

static struct tss64 tss;
/* Each IST stack sits on a page of its own that the debug build unmaps (stack_guard.c). */
static struct {
    uint8_t guard[4096];
    uint8_t stack[8192];
} ist_stacks[2] __attribute__((aligned(4096)));

const void *gdt_ist_stack_guard(int ist)
{
    return ist >= 1 && ist <= 2 ? ist_stacks[ist - 1].guard : NULL;
}

/* Fill tss with the IST stacks, point gdt's TSS descriptor at it, load gdt and the task
 * register. */
static void tss_install(uint64_t *gdt, struct tss64 *t, uint64_t df_top, uint64_t nmi_top)
{
    memset(t, 0, sizeof(*t));
    t->ist[IST_DOUBLE_FAULT - 1] = df_top;
    t->ist[IST_NMI - 1] = nmi_top;
    t->iomap_base = sizeof(*t);

    uint64_t base = (uint64_t)t, limit = sizeof(*t) - 1;
    uint64_t lo = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[GDT_TSS / 8] = lo;
    gdt[GDT_TSS / 8 + 1] = base >> 32;

    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {
        .limit = GDT_ENTRIES * 8 - 1, .base = (uint64_t)gdt };
    __asm__ volatile("lgdt %0" :: "m"(gdtr));
    __asm__ volatile("ltr %w0" :: "r"((uint16_t)GDT_TSS));
}

/* Fill the TSS descriptor at GDT_TSS and load the task register. Call once, early. */
void gdt_init(void)
{
    tss_install(gdt_table, &tss,
                (uint64_t)(ist_stacks[0].stack + sizeof(ist_stacks[0].stack)),
                (uint64_t)(ist_stacks[1].stack + sizeof(ist_stacks[1].stack)));
}

void gdt_init_cpu(uint64_t *gdt, struct tss64 *t, uint64_t df_top, uint64_t nmi_top)
{
    for (unsigned i = 0; i < GDT_TSS / 8; i++)
        gdt[i] = gdt_table[i];
    tss_install(gdt, t, df_top, nmi_top);
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss"
                     :: "r"((uint32_t)GDT_KERNEL_DS) : "memory");
}
