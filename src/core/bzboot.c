/* The boot tables and entry state of a bzImage guest (contract in core/bzboot.h). The
 * facts are boot.rst's: a GDT with flat 4 GiB __BOOT_CS/__BOOT_DS descriptors at selectors
 * 0x10 and 0x18, and for the 64-bit entry "the range with setup_header.init_size from start
 * address of loaded kernel and zero page and command line buffer get ident mapping": we map
 * the whole low 4 GiB, which holds all three (the plan keeps them below 4 GiB), so the
 * kernel can also reach its initrd before it builds its own tables. */
#include "core/bzboot.h"
#include "lib/string.h"

#define PTE_P    0x001ull
#define PTE_RW   0x002ull
#define PTE_PS   0x080ull       /* in a page directory: a 2 MiB page */
#define PDPT_OFF 0x1000u
#define PD_OFF   0x2000u

static void put64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void bzboot_tables(unsigned bits, uint8_t gdt[BZBOOT_GDT_SIZE], uint8_t pt[BZBOOT_PT_SIZE])
{
    memset(gdt, 0, BZBOOT_GDT_SIZE);
    /* 0x10: code, base 0, limit 4 GiB (G), present, execute/read, accessed; 64-bit (L, D
     * clear) or 32-bit (D) as the entry's CS. */
    put64(gdt + 0x10, bits == 64 ? 0x00af9b000000ffffull : 0x00cf9b000000ffffull);
    put64(gdt + 0x18, 0x00cf93000000ffffull);     /* 0x18: data, read/write, accessed */

    memset(pt, 0, BZBOOT_PT_SIZE);
    put64(pt, (BZBOOT_PT_ADDR + PDPT_OFF) | PTE_P | PTE_RW);
    for (unsigned g = 0; g < 4; g++) {
        uint64_t pd = BZBOOT_PT_ADDR + PD_OFF + g * 0x1000u;

        put64(pt + PDPT_OFF + 8 * g, pd | PTE_P | PTE_RW);
        for (unsigned i = 0; i < 512; i++) {
            uint64_t addr = ((uint64_t)g << 30) | ((uint64_t)i << 21);

            put64(pt + PD_OFF + g * 0x1000u + 8 * i, addr | PTE_P | PTE_RW | PTE_PS);
        }
    }
}

void bzboot_entry_state(const struct bzimage_entry *ent, struct vcpu_entry *e)
{
    /* Attributes in struct vcpu_segment's form: type/S/DPL/P in bits 0-7, AVL/L/DB/G in
     * 8-11. 64-bit code: L set and D clear, as the CPU requires in long mode. */
    const struct vcpu_segment code32 = { BZIMAGE_BOOT_CS, 0xC9B, 0xFFFFFFFFu, 0 };
    const struct vcpu_segment code64 = { BZIMAGE_BOOT_CS, 0xA9B, 0xFFFFFFFFu, 0 };
    const struct vcpu_segment data = { BZIMAGE_BOOT_DS, 0xC93, 0xFFFFFFFFu, 0 };

    memset(e, 0, sizeof(*e));
    e->regs.rip = ent->rip;
    e->regs.rsi = ent->rsi;
    e->regs.rflags = 0x2;
    e->cs = ent->bits == 64 ? code64 : code32;
    e->ds = e->es = e->fs = e->gs = e->ss = data;
    e->gdtr = (struct vcpu_segment){ 0, 0, BZBOOT_GDT_SIZE - 1, BZBOOT_GDT_ADDR };
    e->idtr = (struct vcpu_segment){ 0, 0, 0, 0 };
    e->ldtr = (struct vcpu_segment){ 0, 0x082, 0xFFFF, 0 };
    e->tr = (struct vcpu_segment){ 0, 0x08B, 0xFFFF, 0 };
    if (ent->bits == 64) {
        e->cr0 = 0x80000031;        /* PG, NE, ET, PE */
        e->cr3 = BZBOOT_PT_ADDR;
        e->cr4 = 0x20;              /* PAE */
        e->efer = 0x500;            /* LME, LMA */
    } else {
        e->cr0 = 0x11;              /* PE, ET: paging off */
    }
}
