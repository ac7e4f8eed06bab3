/* Kestrel's guest ABI: the CPUID leaves a guest sees and the hypercalls it can make.
 * Shared by the hypervisor and the in-tree guests; docs/hypercalls.md explains it.
 * Plain C, no dependencies: guests build it with -m32. */
#ifndef KESTREL_PUBLIC_KESTREL_H
#define KESTREL_PUBLIC_KESTREL_H

#include <stdint.h>

/* CPUID 0x40000000: EAX = highest hypervisor leaf, EBX:ECX:EDX = "KestrelHyper". */
#define KESTREL_CPUID_BASE        0x40000000u
#define KESTREL_CPUID_SIGNATURE_EBX 0x7473654bu   /* "Kest" */
#define KESTREL_CPUID_SIGNATURE_ECX 0x486c6572u   /* "relH" */
#define KESTREL_CPUID_SIGNATURE_EDX 0x72657079u   /* "yper" */
/* CPUID 0x40000001: EAX = ABI version, EBX = hypercall instruction (KESTREL_HC_INSN_*),
 * ECX = the domain's id. */
#define KESTREL_CPUID_INFO        0x40000001u
/* CPUID 0x40000010, the hypervisor timing leaf VMware and others define: EAX = the
 * (virtual) TSC frequency in kHz, EBX = the local APIC timer's input clock in kHz. The
 * highest hypervisor leaf (0x40000000's EAX) is this one; leaves between answer zeros. */
#define KESTREL_CPUID_TIMING      0x40000010u
#define KESTREL_ABI_VERSION       1u
#define KESTREL_HC_INSN_VMMCALL   0u   /* AMD: 0f 01 d9 */
#define KESTREL_HC_INSN_VMCALL    1u   /* Intel: 0f 01 c1 */

/* Hypercall registers: EAX/RAX = number; EBX, ECX, EDX, ESI = arguments (RBX.. in 64-bit
 * mode); the result comes back in EAX/RAX: >= 0 success, < 0 a KESTREL_E* error.
 * Pointers are guest-physical addresses. */
enum kestrel_hypercall {
    HC_CONSOLE_WRITE = 0,   /* (gpa buf, len) -> bytes written; len <= 4096 */
    HC_YIELD = 1,           /* () -> 0: give up the rest of this slice */
    HC_BLOCK = 2,           /* (timeout_us) -> 0: sleep until an interrupt is pending or the timeout (0 = none) */
    HC_SHUTDOWN = 3,        /* (reason) -> does not return on success */
    HC_MEMORY_OP = 4,       /* (cmd, gpa, nr_pages) -> see KESTREL_MEMOP_* */
    HC_DOMAIN_INFO = 5,     /* (gpa of struct kestrel_domain_info) -> 0 */
    HC_TIME = 6,            /* (gpa of struct kestrel_time) -> 0 */
    HC_NOP = 7,             /* () -> 0: does nothing (measures the world switch) */
    HC_COUNT
};

#define KESTREL_SHUTDOWN_POWEROFF 0u
#define KESTREL_SHUTDOWN_REBOOT   1u
#define KESTREL_SHUTDOWN_CRASH    2u

/* HC_MEMORY_OP commands (the balloon). A range is [gpa, gpa + nr_pages * 4 KiB), 4 KiB
 * aligned, inside the domain's address space. */
#define KESTREL_MEMOP_DECREASE    0u   /* give the pages back: -> pages released */
#define KESTREL_MEMOP_INCREASE    1u   /* populate them again: -> pages populated (up to maxmem) */
#define KESTREL_MEMOP_TARGET      2u   /* -> the target set by `mem-set`, in pages */
#define KESTREL_MEMOP_CURRENT     3u   /* -> pages the domain holds now */

#define KESTREL_EPERM   (-1)
#define KESTREL_ENOMEM  (-12)
#define KESTREL_EFAULT  (-14)
#define KESTREL_EINVAL  (-22)
#define KESTREL_ENOSYS  (-38)

struct kestrel_domain_info {
    uint32_t domid;
    uint32_t vcpus;
    uint64_t memory_kb;     /* held now */
    uint64_t max_kb;        /* maxmem */
    uint64_t target_kb;     /* balloon target */
    char name[32];          /* NUL-terminated */
};

struct kestrel_time {
    uint64_t uptime_ns;     /* since the hypervisor booted */
    uint64_t domain_ns;     /* since this domain was started */
    uint64_t tsc_hz;        /* the TSC frequency the guest sees */
};

#endif
