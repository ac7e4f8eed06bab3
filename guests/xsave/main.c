/* xsave: the XSAVE feature set's control register XCR0, as a guest kernel enables it. If
 * CPUID.1:ECX says XSAVE, it tries XSETBV before and after setting CR4.OSXSAVE and reads
 * XCR0 with XGETBV, printing `xsave: <what> -> <#UD/#GP or the value>`; what the CPU gives:
 *   xsetbv 0x3 before OSXSAVE -> #UD     (CR4.OSXSAVE=0 makes XSETBV invalid)
 *   xgetbv at start -> 0x1               (XCR0 after reset: x87 only)
 *   xsetbv 0x3, xgetbv -> 0x3            (x87 | SSE)
 *   xsetbv 0x1, xgetbv -> 0x1
 *   xsetbv 0x2 -> #GP                    (x87 is always on)
 *   xsetbv ecx=1 -> #GP                  (XCR1 cannot be written)
 *   xsetbv bit 62 -> #GP                 (a state component no CPU has)
 * then `xsave: done, <n> faulted`, sets XCR0 to 0x3 and once a second prints the XCR0 it
 * reads (`xsave: xcr0 0x3`): a hypervisor must keep each guest's own. Without XSAVE it
 * prints `xsave: no XSAVE` and powers off. */
#include "guest.h"

static unsigned faulted;

/* Print the outcome of one attempt: the fault if the count moved, else the value. */
static void report(const char *what, uint32_t before, uint32_t val)
{
    if (last_trap.count != before) {
        printf("xsave: %s -> %s\n", what, last_trap.vector == 6 ? "#UD" :
               last_trap.vector == 13 ? "#GP" : "fault");
        faulted++;
    } else {
        printf("xsave: %s -> 0x%x\n", what, (unsigned)val);
    }
}

/* XSETBV of XCR[ecx] = edx:eax, resuming after a fault. */
static void try_xsetbv(const char *what, uint32_t ecx, uint32_t eax, uint32_t edx)
{
    uint32_t before = last_trap.count;
    __asm__ volatile("movl $1f, recover_eip\n\txsetbv\n1:\tmovl $0, recover_eip"
                     :: "c"(ecx), "a"(eax), "d"(edx) : "memory", "cc");
    report(what, before, eax);
}

/* XCR0's low half. */
static uint32_t xgetbv0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return eax;
}

/* Enable XSAVE, try XCR0's values, then hold 0x3 and watch it. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "xsave";
    uint32_t r[4];
    cpuid(1, r);
    if (!(r[2] & (1u << 26))) {
        printf("xsave: no XSAVE\n");
        return 0;
    }
    try_xsetbv("xsetbv 0x3 before OSXSAVE", 0, 3, 0);
    uint32_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | (1u << 18)) : "memory");
    printf("xsave: xgetbv at start -> 0x%x\n", (unsigned)xgetbv0());
    try_xsetbv("xsetbv 0x3", 0, 3, 0);
    printf("xsave: xgetbv after 0x3 -> 0x%x\n", (unsigned)xgetbv0());
    try_xsetbv("xsetbv 0x1", 0, 1, 0);
    printf("xsave: xgetbv after 0x1 -> 0x%x\n", (unsigned)xgetbv0());
    try_xsetbv("xsetbv 0x2", 0, 2, 0);
    try_xsetbv("xsetbv ecx=1", 1, 1, 0);
    try_xsetbv("xsetbv bit 62", 0, 3, 1u << 30);
    printf("xsave: done, %u faulted\n", faulted);
    try_xsetbv("xsetbv 0x3 to hold", 0, 3, 0);
    for (;;) {
        sleep_us(1000000);
        printf("xsave: xcr0 0x%x\n", (unsigned)xgetbv0());
    }
}
