/* Guest runtime traps and interrupts: the IDT (48 gates built from entry.S's stubs), the
 * dispatcher with hookable exception handlers and fault recovery, and the 8259 PIC. */
#include "guest.h"

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t zero, type;
    uint16_t off_hi;
} __attribute__((packed));

struct idt_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

extern const uint32_t trap_stub_table[48];
static struct idt_gate idt[48];
static trap_handler exc_handlers[32];
static irq_handler irq_handlers[16];
volatile uint32_t recover_eip;
volatile struct trap_record last_trap;

static const char *const exc_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF", "#TS", "#NP",
    "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

/* Load the IDT described by base/limit. */
static void lidt(void *base, uint16_t limit)
{
    struct idt_ptr p = { limit, (uint32_t)base };
    __asm__ volatile("lidt %0" :: "m"(p));
}

/* Fill and load the IDT: 32 exception gates, 16 IRQ gates (interrupt gates, DPL 0). */
void idt_init(void)
{
    for (unsigned v = 0; v < 48; v++) {
        uint32_t a = trap_stub_table[v];
        idt[v] = (struct idt_gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16) };
    }
    lidt(idt, sizeof(idt) - 1);
}

/* Load an empty IDT: the next exception becomes a triple fault. */
void idt_clear(void)
{
    static uint64_t nothing;
    lidt(&nothing, 0);
}

/* Install (or with NULL remove) a handler for exception vector v. */
void trap_set_handler(unsigned v, trap_handler h)
{
    if (v < 32)
        exc_handlers[v] = h;
}

/* Remap the PICs to vectors 0x20..0x2f and mask every line. */
void pic_init(void)
{
    outb(0x20, 0x11); outb(0xa0, 0x11);   /* ICW1: edge, cascade, ICW4 */
    outb(0x21, 0x20); outb(0xa1, 0x28);   /* ICW2: vector bases */
    outb(0x21, 0x04); outb(0xa1, 0x02);   /* ICW3: slave on IRQ2 */
    outb(0x21, 0x01); outb(0xa1, 0x01);   /* ICW4: 8086 mode */
    outb(0x21, 0xfb); outb(0xa1, 0xff);   /* all masked but the cascade */
}

/* Mask IRQ line irq at its PIC. */
void irq_mask(unsigned irq)
{
    uint16_t port = irq < 8 ? 0x21 : 0xa1;
    outb(port, inb(port) | (uint8_t)(1u << (irq & 7)));
}

/* Unmask IRQ line irq at its PIC. */
void irq_unmask(unsigned irq)
{
    uint16_t port = irq < 8 ? 0x21 : 0xa1;
    outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
}

/* Install h for irq and unmask the line. */
void irq_set_handler(unsigned irq, irq_handler h)
{
    if (irq >= 16)
        return;
    irq_handlers[irq] = h;
    irq_unmask(irq);
}

/* True when irq is really in service (filters the PIC's spurious IRQ 7 and 15). */
static bool irq_in_service(unsigned irq)
{
    uint16_t cmd = irq < 8 ? 0x20 : 0xa0;
    outb(cmd, 0x0b);                       /* OCW3: read ISR */
    return inb(cmd) & (1u << (irq & 7));
}

/* Report an unexpected exception and crash the guest. */
static void trap_crash(struct trap_frame *f)
{
    printf("%s: unhandled exception %u (%s) error 0x%x at eip 0x%08x\n", guest_name,
           (unsigned)f->vector, f->vector < 22 ? exc_names[f->vector] : "?",
           (unsigned)f->error, (unsigned)f->eip);
    shutdown(KESTREL_SHUTDOWN_CRASH);
}

/* Called from trap_common with the saved frame: dispatch an exception or an IRQ. */
void trap_dispatch(struct trap_frame *f)
{
    if (f->vector < 32) {
        if (exc_handlers[f->vector]) {
            exc_handlers[f->vector](f);
        } else if (recover_eip) {
            last_trap.vector = f->vector;
            last_trap.error = f->error;
            last_trap.eip = f->eip;
            last_trap.count++;
            f->eip = recover_eip;
            recover_eip = 0;
        } else {
            trap_crash(f);
        }
        return;
    }
    unsigned irq = f->vector - 32;
    if ((irq == 7 || irq == 15) && !irq_in_service(irq)) {
        if (irq == 15)
            outb(0x20, 0x20);              /* the master did see the cascade */
        return;
    }
    if (irq_handlers[irq])
        irq_handlers[irq](irq);
    if (irq >= 8)
        outb(0xa0, 0x20);
    outb(0x20, 0x20);
}
