/* The trap frame saved by arch/x86/entry.S and the interrupt registration interface. */
#ifndef KESTREL_ARCH_TRAP_H
#define KESTREL_ARCH_TRAP_H

#include <stdint.h>

/* Layout pushed by entry.S: general registers, then vector and error code, then the CPU's frame. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

#define IRQ_VECTOR_BASE   0x20      /* legacy PIC IRQs 0..15 */
#define VECTOR_TIMER      0xF0      /* LAPIC timer */
#define VECTOR_SPURIOUS   0xFF

typedef void (*irq_handler_fn)(struct trap_frame *tf);

void traps_init(void);
/* An application processor: load the IDT traps_init built. */
void traps_load_cpu(void);
/* Route vector (>= 32) to fn; the handler runs with interrupts off and must not block. */
void trap_register(uint8_t vector, irq_handler_fn fn);
/* Name of an exception vector ("#PF" ...) or "IRQ". */
const char *trap_name(uint64_t vector);
/* Print the registers of a frame through printk (used by panic and the `regs` command). */
void trap_dump_frame(const struct trap_frame *tf);
/* The panic path's view of a frame (Xen's show_execution_state): its registers, then the
 * call trace walked from its frame pointer, with function names. */
void trap_show_state(const struct trap_frame *tf);
/* Capture the current CPU registers into a frame (for `regs` and panics outside traps). */
void trap_capture(struct trap_frame *tf);

#endif
