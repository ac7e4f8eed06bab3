/* VMX definitions private to the Intel backend (arch/x86/vmx/): capability MSRs, VMCS field
 * encodings, control bits, exit reasons, and the VMREAD/VMWRITE/VMPTRLD/INVEPT/INVVPID
 * primitives. Nothing outside arch/x86/vmx/ includes this file. */
#ifndef KESTREL_ARCH_VMX_VMCS_H
#define KESTREL_ARCH_VMX_VMCS_H

#include <stdbool.h>
#include <stdint.h>

/* ---- MSRs ------------------------------------------------------------------------------ */
#define MSR_FEATURE_CONTROL     0x03A
#define  FEATURE_CONTROL_LOCK   (1ULL << 0)
#define  FEATURE_CONTROL_VMXON  (1ULL << 2)      /* VMX outside SMX */
#define MSR_VMX_BASIC           0x480
#define MSR_VMX_PINBASED        0x481
#define MSR_VMX_PROCBASED       0x482
#define MSR_VMX_EXIT            0x483
#define MSR_VMX_ENTRY           0x484
#define MSR_VMX_MISC            0x485
#define MSR_VMX_CR0_FIXED0      0x486
#define MSR_VMX_CR0_FIXED1      0x487
#define MSR_VMX_CR4_FIXED0      0x488
#define MSR_VMX_CR4_FIXED1      0x489
#define MSR_VMX_PROCBASED2      0x48B
#define MSR_VMX_EPT_VPID_CAP    0x48C
#define MSR_VMX_TRUE_PINBASED   0x48D
#define MSR_VMX_TRUE_PROCBASED  0x48E
#define MSR_VMX_TRUE_EXIT       0x48F
#define MSR_VMX_TRUE_ENTRY      0x490

#define MSR_SYSENTER_CS     0x174
#define MSR_SYSENTER_ESP    0x175
#define MSR_SYSENTER_EIP    0x176
#define MSR_STAR            0xC0000081
#define MSR_LSTAR           0xC0000082
#define MSR_CSTAR           0xC0000083
#define MSR_SFMASK          0xC0000084
#define MSR_FS_BASE         0xC0000100
#define MSR_GS_BASE         0xC0000101
#define MSR_KERNEL_GS_BASE  0xC0000102

/* EPT_VPID_CAP bits */
#define EPT_CAP_WALK4       (1ULL << 6)
#define EPT_CAP_WB          (1ULL << 14)
#define EPT_CAP_2M          (1ULL << 16)
#define EPT_CAP_INVEPT      (1ULL << 20)
#define EPT_CAP_INVEPT_CTX  (1ULL << 25)
#define EPT_CAP_INVEPT_ALL  (1ULL << 26)
#define VPID_CAP_INVVPID    (1ULL << 32)
#define VPID_CAP_CTX        (1ULL << 41)
#define VPID_CAP_ALL        (1ULL << 42)

/* ---- controls ---------------------------------------------------------------------------- */
#define PIN_EXT_INTR        (1u << 0)
#define PIN_NMI             (1u << 3)
#define PIN_PREEMPT_TIMER   (1u << 6)

#define PROC_INTR_WINDOW    (1u << 2)
#define PROC_TSC_OFFSETTING (1u << 3)
#define PROC_HLT            (1u << 7)
#define PROC_RDPMC          (1u << 11)
#define PROC_MWAIT          (1u << 10)
#define PROC_CR3_LOAD       (1u << 15)
#define PROC_CR3_STORE      (1u << 16)
#define PROC_CR8_LOAD       (1u << 19)
#define PROC_CR8_STORE      (1u << 20)
#define PROC_IO_BITMAPS     (1u << 25)
#define PROC_MSR_BITMAPS    (1u << 28)
#define PROC_MONITOR        (1u << 29)
#define PROC_SECONDARY      (1u << 31)

#define PROC2_EPT           (1u << 1)
#define PROC2_RDTSCP        (1u << 3)
#define PROC2_VPID          (1u << 5)
#define PROC2_UNRESTRICTED  (1u << 7)
#define PROC2_INVPCID       (1u << 12)
#define PROC2_XSAVES        (1u << 20)

#define EXIT_CTL_SAVE_DEBUG (1u << 2)
#define EXIT_CTL_HOST_64    (1u << 9)
#define EXIT_CTL_ACK_INTR   (1u << 15)          /* left clear: the host IDT takes it */
#define EXIT_CTL_SAVE_EFER  (1u << 20)
#define EXIT_CTL_LOAD_EFER  (1u << 21)

#define ENTRY_CTL_LOAD_DEBUG (1u << 2)
#define ENTRY_CTL_IA32E     (1u << 9)
#define ENTRY_CTL_LOAD_EFER (1u << 15)

/* Event injection / IDT-vectoring information */
#define INTR_INFO_VALID     (1u << 31)
#define INTR_INFO_ERR       (1u << 11)
#define INTR_TYPE_EXT       (0u << 8)
#define INTR_TYPE_NMI       (2u << 8)
#define INTR_TYPE_HW_EXC    (3u << 8)
#define INTR_TYPE_MASK      (7u << 8)

/* ---- VMCS field encodings ------------------------------------------------------------- */
enum vmcs_field {
    VPID                = 0x0000,
    GUEST_ES_SEL        = 0x0800, GUEST_CS_SEL = 0x0802, GUEST_SS_SEL = 0x0804,
    GUEST_DS_SEL        = 0x0806, GUEST_FS_SEL = 0x0808, GUEST_GS_SEL = 0x080A,
    GUEST_LDTR_SEL      = 0x080C, GUEST_TR_SEL = 0x080E,
    HOST_ES_SEL         = 0x0C00, HOST_CS_SEL = 0x0C02, HOST_SS_SEL = 0x0C04,
    HOST_DS_SEL         = 0x0C06, HOST_FS_SEL = 0x0C08, HOST_GS_SEL = 0x0C0A,
    HOST_TR_SEL         = 0x0C0C,
    TSC_OFFSET          = 0x2010,
    IO_BITMAP_A         = 0x2000, IO_BITMAP_B = 0x2002, MSR_BITMAP = 0x2004,
    EXIT_MSR_STORE_ADDR = 0x2006, EXIT_MSR_LOAD_ADDR = 0x2008, ENTRY_MSR_LOAD_ADDR = 0x200A,
    EPT_POINTER         = 0x201A,
    GUEST_PHYS_ADDR     = 0x2400,
    VMCS_LINK_PTR       = 0x2800, GUEST_DEBUGCTL = 0x2802, GUEST_EFER = 0x2806,
    HOST_EFER           = 0x2C02,
    PIN_CONTROLS        = 0x4000, PROC_CONTROLS = 0x4002, EXCEPTION_BITMAP = 0x4004,
    PF_ERR_MASK         = 0x4006, PF_ERR_MATCH = 0x4008, CR3_TARGET_COUNT = 0x400A,
    EXIT_CONTROLS       = 0x400C, EXIT_MSR_STORE_COUNT = 0x400E, EXIT_MSR_LOAD_COUNT = 0x4010,
    ENTRY_CONTROLS      = 0x4012, ENTRY_MSR_LOAD_COUNT = 0x4014, ENTRY_INTR_INFO = 0x4016,
    ENTRY_EXC_ERR       = 0x4018, ENTRY_INSN_LEN = 0x401A, TPR_THRESHOLD = 0x401C,
    PROC2_CONTROLS      = 0x401E,
    VM_INSN_ERROR       = 0x4400, EXIT_REASON = 0x4402, EXIT_INTR_INFO = 0x4404,
    EXIT_INTR_ERR       = 0x4406, IDT_VECT_INFO = 0x4408, IDT_VECT_ERR = 0x440A,
    EXIT_INSN_LEN       = 0x440C,
    GUEST_ES_LIMIT      = 0x4800, GUEST_CS_LIMIT = 0x4802, GUEST_SS_LIMIT = 0x4804,
    GUEST_DS_LIMIT      = 0x4806, GUEST_FS_LIMIT = 0x4808, GUEST_GS_LIMIT = 0x480A,
    GUEST_LDTR_LIMIT    = 0x480C, GUEST_TR_LIMIT = 0x480E, GUEST_GDTR_LIMIT = 0x4810,
    GUEST_IDTR_LIMIT    = 0x4812,
    GUEST_ES_AR         = 0x4814, GUEST_CS_AR = 0x4816, GUEST_SS_AR = 0x4818,
    GUEST_DS_AR         = 0x481A, GUEST_FS_AR = 0x481C, GUEST_GS_AR = 0x481E,
    GUEST_LDTR_AR       = 0x4820, GUEST_TR_AR = 0x4822,
    GUEST_INTERRUPTIBILITY = 0x4824, GUEST_ACTIVITY = 0x4826, GUEST_SYSENTER_CS = 0x482A,
    GUEST_PREEMPT_TIMER = 0x482E,
    HOST_SYSENTER_CS    = 0x4C00,
    CR0_MASK            = 0x6000, CR4_MASK = 0x6002, CR0_SHADOW = 0x6004, CR4_SHADOW = 0x6006,
    EXIT_QUALIFICATION  = 0x6400, GUEST_LINEAR_ADDR = 0x640A,
    GUEST_CR0           = 0x6800, GUEST_CR3 = 0x6802, GUEST_CR4 = 0x6804,
    GUEST_ES_BASE       = 0x6806, GUEST_CS_BASE = 0x6808, GUEST_SS_BASE = 0x680A,
    GUEST_DS_BASE       = 0x680C, GUEST_FS_BASE = 0x680E, GUEST_GS_BASE = 0x6810,
    GUEST_LDTR_BASE     = 0x6812, GUEST_TR_BASE = 0x6814, GUEST_GDTR_BASE = 0x6816,
    GUEST_IDTR_BASE     = 0x6818, GUEST_DR7 = 0x681A, GUEST_RSP = 0x681C, GUEST_RIP = 0x681E,
    GUEST_RFLAGS        = 0x6820, GUEST_PENDING_DBG = 0x6822, GUEST_SYSENTER_ESP = 0x6824,
    GUEST_SYSENTER_EIP  = 0x6826,
    HOST_CR0            = 0x6C00, HOST_CR3 = 0x6C02, HOST_CR4 = 0x6C04,
    HOST_FS_BASE        = 0x6C06, HOST_GS_BASE = 0x6C08, HOST_TR_BASE = 0x6C0A,
    HOST_GDTR_BASE      = 0x6C0C, HOST_IDTR_BASE = 0x6C0E, HOST_SYSENTER_ESP = 0x6C10,
    HOST_SYSENTER_EIP   = 0x6C12, HOST_RSP = 0x6C14, HOST_RIP = 0x6C16,
};

/* ---- basic exit reasons ----------------------------------------------------------------- */
enum vmx_exit_reason {
    VMX_EXIT_EXC_NMI = 0, VMX_EXIT_EXT_INTR = 1, VMX_EXIT_TRIPLE_FAULT = 2, VMX_EXIT_INIT = 3,
    VMX_EXIT_SIPI = 4, VMX_EXIT_SMI = 5, VMX_EXIT_OTHER_SMI = 6, VMX_EXIT_INTR_WINDOW = 7,
    VMX_EXIT_NMI_WINDOW = 8, VMX_EXIT_TASK_SWITCH = 9, VMX_EXIT_CPUID = 10,
    VMX_EXIT_GETSEC = 11, VMX_EXIT_HLT = 12, VMX_EXIT_INVD = 13, VMX_EXIT_INVLPG = 14,
    VMX_EXIT_RDPMC = 15, VMX_EXIT_RDTSC = 16, VMX_EXIT_RSM = 17, VMX_EXIT_VMCALL = 18,
    VMX_EXIT_VMCLEAR = 19, VMX_EXIT_VMLAUNCH = 20, VMX_EXIT_VMPTRLD = 21,
    VMX_EXIT_VMPTRST = 22, VMX_EXIT_VMREAD = 23, VMX_EXIT_VMRESUME = 24,
    VMX_EXIT_VMWRITE = 25, VMX_EXIT_VMXOFF = 26, VMX_EXIT_VMXON = 27, VMX_EXIT_CR = 28,
    VMX_EXIT_DR = 29, VMX_EXIT_IO = 30, VMX_EXIT_RDMSR = 31, VMX_EXIT_WRMSR = 32,
    VMX_EXIT_BAD_GUEST = 33, VMX_EXIT_BAD_MSR_LOAD = 34, VMX_EXIT_MWAIT = 36,
    VMX_EXIT_MONITOR = 39, VMX_EXIT_PAUSE = 40, VMX_EXIT_MCE = 41,
    VMX_EXIT_EPT_VIOLATION = 48, VMX_EXIT_EPT_MISCONFIG = 49, VMX_EXIT_INVEPT = 50,
    VMX_EXIT_PREEMPT_TIMER = 52, VMX_EXIT_INVVPID = 53, VMX_EXIT_XSETBV = 55, VMX_EXIT_VMFUNC = 59,
};

/* ---- instructions ------------------------------------------------------------------------ */
static inline uint64_t vmread(uint64_t field)
{
    uint64_t v;
    __asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
    return v;
}

static inline void vmwrite(uint64_t field, uint64_t v)
{
    __asm__ volatile("vmwrite %1, %0" :: "r"(field), "r"(v) : "cc", "memory");
}

/* VMPTRLD/VMCLEAR/VMXON take a memory operand holding the physical address; true on
 * success (CF and ZF clear). */
static inline bool vmptrld(uint64_t pa)
{
    bool bad;
    __asm__ volatile("vmptrld %1; setbe %0" : "=q"(bad) : "m"(pa) : "cc", "memory");
    return !bad;
}

static inline bool vmclear(uint64_t pa)
{
    bool bad;
    __asm__ volatile("vmclear %1; setbe %0" : "=q"(bad) : "m"(pa) : "cc", "memory");
    return !bad;
}

/* INVEPT / INVVPID: type 1 = single context, 2 = all contexts. */
static inline void invept(uint64_t type, uint64_t eptp)
{
    struct { uint64_t eptp, zero; } d = { eptp, 0 };
    __asm__ volatile("invept %0, %1" :: "m"(d), "r"(type) : "cc", "memory");
}

static inline void invvpid(uint64_t type, uint16_t vpid)
{
    struct { uint64_t vpid, addr; } d = { vpid, 0 };
    __asm__ volatile("invvpid %0, %1" :: "m"(d), "r"(type) : "cc", "memory");
}

#endif
