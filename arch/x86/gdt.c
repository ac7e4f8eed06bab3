/* The hypervisor's TSS: the GDT itself is built in boot/head.S; this fills in the TSS
 * descriptor so that double faults and NMIs run on their own stacks (IST), which lets a
 * stack overflow still reach the panic path instead of triple-faulting silently. */
#include <stdint.h>
#include "arch/gdt.h"
#include "lib/string.h"

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

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

/* Fill the TSS descriptor at GDT_TSS and load the task register. Call once, early. */
void gdt_init(void)
{
    memset(&tss, 0, sizeof(tss));
    tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(ist_stacks[0].stack + sizeof(ist_stacks[0].stack));
    tss.ist[IST_NMI - 1] = (uint64_t)(ist_stacks[1].stack + sizeof(ist_stacks[1].stack));
    tss.iomap_base = sizeof(tss);

    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
    uint64_t lo = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt_table[GDT_TSS / 8] = lo;
    gdt_table[GDT_TSS / 8 + 1] = base >> 32;

    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {
        .limit = 6 * 8 - 1, .base = (uint64_t)gdt_table };
    __asm__ volatile("lgdt %0" :: "m"(gdtr));
    __asm__ volatile("ltr %w0" :: "r"((uint16_t)GDT_TSS));
}
