/* The IDT and the C side of trap entry: exceptions in the hypervisor are fatal and go to
 * the panic path with the interrupted registers; interrupts go to registered handlers. Also
 * the x86 half of the panic text: the registers and the frame-pointer stack trace. */
#include <stdbool.h>
#include <stdint.h>
#include "arch/trap.h"
#include "arch/smp.h"
#include "core/perfc.h"
#include "arch/gdt.h"
#include "arch/cpu.h"
#include "core/panic.h"
#include "console/log.h"
#include "core/symbols.h"
#include "arch/paging.h"
#include "lib/gprs.h"

struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler_fn handlers[256];
static uint64_t unhandled_count[256];
extern const uint64_t isr_stub_table[256];

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bounds", "invalid opcode",
    "device not available", "double fault", "coprocessor segment overrun", "invalid TSS",
    "segment not present", "stack segment", "general protection fault", "page fault",
    "reserved", "x87 floating point", "alignment check", "machine check", "SIMD floating point",
    "virtualization", "control protection", "reserved", "reserved", "reserved", "reserved",
    "reserved", "reserved", "hypervisor injection", "VMM communication", "security", "reserved",
};

/* Human name of a vector, for panics and statistics. */
const char *trap_name(uint64_t vector)
{
    return vector < 32 ? exception_names[vector] : "interrupt";
}

/* Point each IDT slot at its entry point; #DF and NMI get their own stacks. */
void traps_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t off = isr_stub_table[v];
        idt[v] = (struct idt_entry){
            .off_lo = (uint16_t)off, .sel = GDT_KERNEL_CS, .ist = 0, .type = 0x8E,
            .off_mid = (uint16_t)(off >> 16), .off_hi = (uint32_t)(off >> 32), .zero = 0,
        };
    }
    idt[8].ist = IST_DOUBLE_FAULT;
    idt[2].ist = IST_NMI;
    traps_load_cpu();
}

/* Load the one IDT on this CPU (every CPU shares it: the handlers are the same). */
void traps_load_cpu(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = {
        sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

void trap_register(uint8_t vector, irq_handler_fn fn)
{
    handlers[vector] = fn;
}

/* The exception table: an instruction allowed to fault (rdmsr_safe's RDMSR) and where to
 * resume if it does. */
struct ex_entry { uint64_t insn, fixup; };
extern const struct ex_entry __start_ex_table[], __stop_ex_table[];

/* Resume an expected fault at its fixup; false when the faulting RIP is not in the table. */
static bool ex_fixup(struct trap_frame *tf)
{
    for (const struct ex_entry *e = __start_ex_table; e < __stop_ex_table; e++)
        if (e->insn == tf->rip) {
            tf->rip = e->fixup;
            return true;
        }
    return false;
}

/* Called from entry.S with interrupts off. */
void trap_dispatch(struct trap_frame *tf);
void trap_dispatch(struct trap_frame *tf)
{
    uint64_t v = tf->vector & 0xff;

    if (v == 2) {
        smp_nmi_stops();                /* another CPU panicked: halt here for good */
        log_warn("NMI received at rip %016llx; ignored", (unsigned long long)tf->rip);
        return;
    }
    if (v < 32) {
        if (v == 13 && ex_fixup(tf))
            return;
        if (v == 14)
            panic_trap(tf, "FATAL PAGE FAULT\n[error_code=%04llx]\nFaulting linear address: %016llx",
                       (unsigned long long)tf->error, (unsigned long long)read_cr2());
        panic_trap(tf, "FATAL TRAP: vector = %llu (%s)\n[error_code=%04llx]",
                   (unsigned long long)v, exception_names[v], (unsigned long long)tf->error);
    }
    if (handlers[v]) {
        PERFC_INC(host_irqs);
        handlers[v](tf);
        return;
    }
    if (unhandled_count[v]++ == 0 && v != VECTOR_SPURIOUS)
        log_warn("unexpected interrupt vector %llu ignored", (unsigned long long)v);
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    printk("%s", line);
}

/* Print registers in Xen's layout. */
void trap_dump_frame(const struct trap_frame *tf)
{
    printk("RIP:    %04llx:[<%016llx>]", (unsigned long long)tf->cs, (unsigned long long)tf->rip);
    printk("RFLAGS: %016llx   vector: %llu  error: %016llx", (unsigned long long)tf->rflags,
           (unsigned long long)tf->vector, (unsigned long long)tf->error);
    const uint64_t gpr[GPR_COUNT] = {
        tf->rax, tf->rbx, tf->rcx, tf->rdx, tf->rsi, tf->rdi, tf->rbp, tf->rsp,
        tf->r8, tf->r9, tf->r10, tf->r11, tf->r12, tf->r13, tf->r14, tf->r15,
    };
    gprs_format(gpr, log_line, NULL);
    printk("r15: %016llx   cr0: %016llx   cr4: %016llx", (unsigned long long)tf->r15,
           (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
    printk("cr3: %016llx   cr2: %016llx", (unsigned long long)read_cr3(),
           (unsigned long long)read_cr2());
    printk("ds: %04x   es: %04x   fs: %04x   gs: %04x   ss: %04llx   cs: %04llx",
           GDT_KERNEL_DS, GDT_KERNEL_DS, 0, 0, (unsigned long long)tf->ss,
           (unsigned long long)tf->cs);
}

#define TRACE_DEPTH 24

/* Walk the frame-pointer chain from rbp, printing each return address with its symbol (Xen's
 * show_trace). A frame that is misaligned, unmapped, or does not move up the stack ends it. */
static void show_trace(uint64_t rip, uint64_t rbp)
{
    uint64_t off, size;
    const char *name = symbol_lookup(rip, &off, &size);

    printk("Xen call trace:");
    if (name)
        printk("   [<%016llx>] R %s+0x%llx/0x%llx", (unsigned long long)rip, name,
               (unsigned long long)off, (unsigned long long)size);
    else
        printk("   [<%016llx>] R (unknown)", (unsigned long long)rip);
    for (int depth = 0; depth < TRACE_DEPTH && rbp; depth++) {
        if ((rbp & 7) || !paging_range_mapped(rbp, 16))
            break;
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t ret = frame[1];
        name = symbol_lookup(ret, &off, &size);
        if (!name)
            break;
        printk("   [<%016llx>] F %s+0x%llx/0x%llx", (unsigned long long)ret, name,
               (unsigned long long)off, (unsigned long long)size);
        if (frame[0] <= rbp)
            break;      /* frames must move up the stack; anything else is garbage */
        rbp = frame[0];
    }
}

void trap_show_state(const struct trap_frame *tf)
{
    trap_dump_frame(tf);
    show_trace(tf->rip, tf->rbp);
}
