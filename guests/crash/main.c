/* crash: faults on purpose. Prints `crash: about to <mode>` and then, by `mode=`:
 *   ud        ud2 with the IDT cleared: triple fault
 *   pf        paging on (first 4 MiB mapped), touch 1 GiB, no IDT: triple fault
 *   div0      divide by zero with no IDT: triple fault
 *   hypercall HC_SHUTDOWN(crash) (bare: QEMU isa-debug-exit, status 3)
 *   oob       write 0xE0000000, beyond its memory (under Kestrel a nested page fault);
 *             if that survives it says so and crashes through shutdown
 *   trap      ud2 with the runtime's IDT: its report, then a crash shutdown
 *   reboot    reset through the i8042 (or HC_SHUTDOWN reboot) */
#include "guest.h"

static uint32_t page_dir[1024] __attribute__((aligned(4096)));

/* Enable 32-bit paging with one 4 MiB identity page at 0 (the guest's image). */
static void paging_first_4m(void)
{
    page_dir[0] = 0x83;                               /* present, writable, PS */
    uint32_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | 0x10));
    __asm__ volatile("mov %0, %%cr3" :: "r"(page_dir));
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0 | 0x80000000u) : "memory");
}

/* Do what mode= says. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "crash";
    char mode[16] = "ud";
    cmdline_str("mode", mode, sizeof(mode));
    printf("crash: about to %s\n", mode);
    cli();
    if (!strcmp(mode, "ud")) {
        idt_clear();
        __asm__ volatile("ud2");
    } else if (!strcmp(mode, "pf")) {
        idt_clear();
        paging_first_4m();
        (void)*(volatile uint32_t *)0x40000000u;
    } else if (!strcmp(mode, "div0")) {
        idt_clear();
        volatile uint32_t zero = 0;
        uint32_t q;
        __asm__ volatile("divl %2" : "=a"(q) : "a"(1), "r"(zero), "d"(0));
        printf("crash: div0 gave %u?\n", (unsigned)q);
    } else if (!strcmp(mode, "hypercall")) {
        shutdown(KESTREL_SHUTDOWN_CRASH);
    } else if (!strcmp(mode, "oob")) {
        volatile uint32_t *p = (volatile uint32_t *)0xE0000000u;
        *p = 0xdeadbeefu;
        printf("crash: oob write survived (read back 0x%08x)\n", (unsigned)*p);
    } else if (!strcmp(mode, "trap")) {
        __asm__ volatile("ud2");
    } else if (!strcmp(mode, "reboot")) {
        shutdown(KESTREL_SHUTDOWN_REBOOT);
    } else {
        printf("crash: unknown mode '%s' (ud pf div0 hypercall oob trap reboot)\n", mode);
    }
    shutdown(KESTREL_SHUTDOWN_CRASH);
}
