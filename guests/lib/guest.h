/* Kestrel in-tree guest runtime: what every guest can use.
 * A guest provides main(); the runtime enters it in 32-bit protected mode with a GDT, an
 * IDT (default handlers crash the guest with a report), the UART initialised, the PIC
 * remapped to 0x20..0x2f with every line masked, and interrupts disabled. */
#ifndef KESTREL_GUEST_H
#define KESTREL_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/format.h"
#include "lib/string.h"
#include "public/kestrel.h"

/* ---- multiboot v1 ---------------------------------------------------------------- */
#define MB_LOADER_MAGIC 0x2BADB002u
struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table;
    uint32_t boot_loader_name;
} __attribute__((packed));
struct mb_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));
struct mb_mod {
    uint32_t start, end, string, reserved;
} __attribute__((packed));

/* The guest's entry point: magic and info as the loader passed them. Returning powers off
 * (a non-zero return crashes). */
int main(uint32_t magic, struct mb_info *info);

extern uint32_t boot_magic;          /* as given to main */
extern struct mb_info *boot_info;    /* NULL if the magic was wrong */
extern const char *boot_cmdline;     /* "" when there is none */

/* Print the whole boot information (magic, loader, cmdline, memory, mmap, modules),
 * each line prefixed with `tag: `. */
void mbi_print(const char *tag);
/* Highest end address of RAM (mmap type 1, else 1 MiB + mem_upper), in bytes. */
uint64_t mbi_ram_end(void);
/* Value of `key=N` in the command line (decimal or 0x hex), or def when absent. */
unsigned long long cmdline_num(const char *key, unsigned long long def);
/* Copy the value of `key=word` into buf (size n); false when absent. */
bool cmdline_str(const char *key, char *buf, size_t n);

/* ---- port I/O, CPU --------------------------------------------------------------- */
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* Enable interrupts and halt atomically (no wake-up lost between the two). */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

/* ---- traps and IRQs ---------------------------------------------------------------- */
struct trap_frame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;   /* pusha */
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
};
/* A trap handler; it may change f->eip (e.g. skip the faulting instruction). */
typedef void (*trap_handler)(struct trap_frame *f);
/* Install h for CPU exception vector (0..31); NULL restores the crash report. */
void trap_set_handler(unsigned vector, trap_handler h);
/* Load an IDT with limit 0: any exception then escalates to a triple fault. */
void idt_clear(void);
/* Recovery from an expected fault: set recover_eip to a resume address (in asm:
 * `movl $1f, recover_eip; <insn>; 1:`); if an exception without a handler of its own then
 * happens, the runtime records it in last_trap, resumes at recover_eip and clears it. */
extern volatile uint32_t recover_eip;
struct trap_record { uint32_t vector, error, eip, count; };
extern volatile struct trap_record last_trap;
/* The guest's name, used as the prefix of the runtime's own messages. */
extern const char *guest_name;

/* RDMSR / WRMSR of msr: false when the CPU faulted (#GP; recorded in last_trap). A guest
 * that installs its own #GP handler must resume at recover_eip for these to work. */
bool rdmsr_try(uint32_t msr, uint64_t *v);
bool wrmsr_try(uint32_t msr, uint64_t v);

#define IRQ_PIT  0
#define IRQ_UART 4
typedef void (*irq_handler)(unsigned irq);
/* Install h for IRQ line irq (0..15) and unmask it; the runtime sends the EOI. */
void irq_set_handler(unsigned irq, irq_handler h);
void irq_mask(unsigned irq);
void irq_unmask(unsigned irq);

/* ---- PIT and time ------------------------------------------------------------------ */
#define PIT_HZ 1193182u
/* Program PIT channel 0 for periodic interrupts with the given divisor (1..65536). */
void pit_set_divisor(uint32_t divisor);
/* Start the runtime's periodic tick at hz on IRQ0 (counted in ticks). */
void pit_start(unsigned hz);
extern volatile uint32_t ticks;
/* TSC frequency in Hz: from HC_TIME under Kestrel, else calibrated against PIT ch2. */
uint64_t tsc_hz(void);
/* Sleep about us microseconds with interrupts enabled: HC_BLOCK under Kestrel, else
 * the runtime's PIT tick and hlt. */
void sleep_us(uint64_t us);

/* ---- UART -------------------------------------------------------------------------- */
void uart_init(void);
void uart_putc(char c);
void uart_write(const char *s, size_t n);
/* A received byte, or -1 if none (reads the IRQ buffer, then the UART itself). */
int uart_getc(void);
/* Switch receiving to the UART IRQ (bytes buffered for uart_getc). */
void uart_enable_rx_irq(void);
/* Number of bytes the IRQ handler has taken in so far. */
extern volatile uint32_t uart_rx_irqs;

/* printf to the UART ("\n" becomes "\r\n"). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void puts_raw(const char *s);

/* ---- hypercalls -------------------------------------------------------------------- */
/* True when CPUID 0x40000000 says "KestrelHyper" (checked once, by the runtime). */
extern bool under_kestrel;
extern uint32_t kestrel_domid;
/* Issue hypercall nr with up to four arguments using the instruction CPUID says. */
long hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4);
/* Like hypercall() but always with the given instruction (true: VMCALL), for svminsn. */
long hypercall_insn(bool vmcall, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4);
/* Shut the guest down: HC_SHUTDOWN under Kestrel, else QEMU's isa-debug-exit at 0xf4
 * (QEMU exit status 1 for poweroff, 3 for crash; reboot resets through the i8042), else
 * cli; hlt forever. Never returns. */
__attribute__((noreturn)) void shutdown(uint32_t reason);
/* Print "<guest>: crash: <why>" and shut down as a crash. */
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- misc -------------------------------------------------------------------------- */
/* xorshift32 pseudo random numbers (state must be non-zero). */
static inline uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    return *s = x;
}
/* CRC-32 (IEEE, reflected) of n bytes, continuing from crc (start with 0). */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t n);

extern char _image_start[], _image_end[];

#endif
