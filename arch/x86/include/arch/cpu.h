/* CPU primitives for x86-64: CPUID, MSRs, control registers, TSC, interrupts (header-only). */
#ifndef KESTREL_ARCH_CPU_H
#define KESTREL_ARCH_CPU_H

#include <stdint.h>

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
/* RDMSR that may fault: 0 with *v set, or -1 when the CPU raised #GP (an MSR it does not
 * have). The fault is caught through the exception table (traps.c). */
static inline int rdmsr_safe(uint32_t msr, uint64_t *v)
{
    uint32_t lo = 0, hi = 0;
    int err = 0;
    __asm__ volatile("1: rdmsr\n"
                     "2:\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: movl $-1, %2\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     ".pushsection ex_table, \"a\"\n"
                     "   .balign 8\n"
                     "   .quad 1b, 3b\n"
                     ".popsection"
                     : "+a"(lo), "+d"(hi), "+r"(err) : "c"(msr));
    *v = ((uint64_t)hi << 32) | lo;
    return err;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
#define DEFINE_CR_ACCESS(n) \
    static inline uint64_t read_cr##n(void) { uint64_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
    static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n :: "r"(v) : "memory"); }
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline uint64_t read_rflags(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* Save the interrupt flag and disable; pair with irq_restore. */
static inline uint64_t irq_save(void) { uint64_t f = read_rflags(); irq_disable(); return f; }
static inline void irq_restore(uint64_t f) { if (f & 0x200) irq_enable(); }
/* Enable interrupts and halt atomically: an interrupt between the two cannot be lost. */
static inline void cpu_wait_for_interrupt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

/* Zero n bytes (a multiple of 8, 8-aligned) with one string instruction: the fastest way
 * to clear guest memory, on hardware and under emulators alike. */
static inline void cpu_zero_qwords(void *p, uint64_t n)
{
    uint64_t count = n / 8;
    __asm__ volatile("rep stosq" : "+D"(p), "+c"(count) : "a"(0ULL) : "memory");
}

#define MSR_EFER        0xC0000080
#define MSR_APIC_BASE   0x0000001B

#endif
