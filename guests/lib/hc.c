/* Guest runtime hypercalls: detect Kestrel through CPUID, issue hypercalls with the
 * instruction it asks for (VMMCALL or VMCALL), shut down (with bare-QEMU fallbacks). */
#include "guest.h"

bool under_kestrel;
uint32_t kestrel_domid;
static bool use_vmcall;

/* Look for "KestrelHyper" at CPUID 0x40000000 and read the hypercall instruction. */
void hv_detect(void)
{
    uint32_t r[4];
    cpuid(KESTREL_CPUID_BASE, r);
    if (r[1] != KESTREL_CPUID_SIGNATURE_EBX || r[2] != KESTREL_CPUID_SIGNATURE_ECX ||
        r[3] != KESTREL_CPUID_SIGNATURE_EDX || r[0] < KESTREL_CPUID_INFO)
        return;
    under_kestrel = true;
    cpuid(KESTREL_CPUID_INFO, r);
    use_vmcall = r[1] == KESTREL_HC_INSN_VMCALL;
    kestrel_domid = r[2];
}

/* Hypercall with an explicit instruction; returns EAX as the hypervisor left it. */
long hypercall_insn(bool vmcall, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                    uint32_t a4)
{
    long r;
    if (vmcall)
        __asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
                         : "memory");
    else
        __asm__ volatile("vmmcall" : "=a"(r) : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4)
                         : "memory");
    return r;
}

/* Hypercall through the instruction CPUID named; KESTREL_ENOSYS when not under Kestrel. */
long hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
    if (!under_kestrel)
        return KESTREL_ENOSYS;
    return hypercall_insn(use_vmcall, nr, a1, a2, a3, a4);
}

/* Shut down for reason; see guest.h for the fallbacks. Never returns. */
void shutdown(uint32_t reason)
{
    cli();
    if (under_kestrel) {
        hypercall(HC_SHUTDOWN, reason, 0, 0, 0);
    } else if (reason == KESTREL_SHUTDOWN_REBOOT) {
        outb(0x64, 0xfe);                      /* i8042 pulses the reset line */
    } else {
        outl(0xf4, reason == KESTREL_SHUTDOWN_POWEROFF ? 0 : 1);
    }
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Print the reason and crash. */
void panic(const char *fmt, ...)
{
    va_list ap;
    printf("%s: crash: ", guest_name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    puts_raw("\n");
    shutdown(KESTREL_SHUTDOWN_CRASH);
}
