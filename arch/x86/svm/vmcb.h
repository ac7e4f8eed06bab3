/* The AMD SVM Virtual Machine Control Block (APM vol. 2, appendix B). Private to
 * arch/x86/svm: nothing else may know this layout. */
#ifndef KESTREL_ARCH_SVM_VMCB_H
#define KESTREL_ARCH_SVM_VMCB_H

#include <stdint.h>

struct vmcb_seg {
    uint16_t sel, attr;
    uint32_t limit;
    uint64_t base;
} __attribute__((packed));

struct vmcb_control {
    uint32_t intercept_cr;          /* 0x000 */
    uint32_t intercept_dr;          /* 0x004 */
    uint32_t intercept_exceptions;  /* 0x008 */
    uint32_t intercept_misc1;       /* 0x00c */
    uint32_t intercept_misc2;       /* 0x010 */
    uint32_t intercept_misc3;       /* 0x014 */
    uint8_t reserved1[0x03c - 0x018];
    uint16_t pause_filter_thresh;   /* 0x03c */
    uint16_t pause_filter_count;    /* 0x03e */
    uint64_t iopm_base_pa;          /* 0x040 */
    uint64_t msrpm_base_pa;         /* 0x048 */
    uint64_t tsc_offset;            /* 0x050 */
    uint32_t asid;                  /* 0x058 */
    uint8_t tlb_control;            /* 0x05c */
    uint8_t reserved2[3];
    uint64_t int_ctl;               /* 0x060 */
    uint64_t int_state;             /* 0x068 */
    uint64_t exit_code;             /* 0x070 */
    uint64_t exit_info_1;           /* 0x078 */
    uint64_t exit_info_2;           /* 0x080 */
    uint64_t exit_int_info;         /* 0x088 */
    uint64_t np_enable;             /* 0x090 */
    uint8_t reserved3[0x0a8 - 0x098];
    uint64_t event_inj;             /* 0x0a8 */
    uint64_t n_cr3;                 /* 0x0b0 */
    uint64_t virt_ext;              /* 0x0b8 */
    uint32_t clean;                 /* 0x0c0 */
    uint32_t reserved4;
    uint64_t next_rip;              /* 0x0c8 */
    uint8_t insn_len;               /* 0x0d0 */
    uint8_t insn_bytes[15];
    uint8_t reserved5[0x400 - 0x0e0];
} __attribute__((packed));

struct vmcb_save {
    struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;   /* 0x400 .. 0x49f */
    uint8_t reserved1[0x4cb - 0x4a0];
    uint8_t cpl;                    /* 0x4cb */
    uint32_t reserved2;
    uint64_t efer;                  /* 0x4d0 */
    uint8_t reserved3[0x548 - 0x4d8];
    uint64_t cr4;                   /* 0x548 */
    uint64_t cr3;                   /* 0x550 */
    uint64_t cr0;                   /* 0x558 */
    uint64_t dr7;                   /* 0x560 */
    uint64_t dr6;                   /* 0x568 */
    uint64_t rflags;                /* 0x570 */
    uint64_t rip;                   /* 0x578 */
    uint8_t reserved4[0x5d8 - 0x580];
    uint64_t rsp;                   /* 0x5d8 */
    uint8_t reserved5[0x5f8 - 0x5e0];
    uint64_t rax;                   /* 0x5f8 */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;   /* 0x600 .. */
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t cr2;                   /* 0x640 */
    uint8_t reserved6[0x668 - 0x648];
    uint64_t g_pat;                 /* 0x668 */
    uint64_t dbgctl;
    uint64_t br_from, br_to, last_excp_from, last_excp_to;
} __attribute__((packed));

struct vmcb {
    struct vmcb_control control;
    struct vmcb_save save;
} __attribute__((packed));

_Static_assert(__builtin_offsetof(struct vmcb, control.exit_code) == 0x070, "vmcb layout");
_Static_assert(__builtin_offsetof(struct vmcb, control.n_cr3) == 0x0b0, "vmcb layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "vmcb layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "vmcb layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "vmcb layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr2) == 0x640, "vmcb layout");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "vmcb layout");

/* intercept_misc1 */
#define INTERCEPT_INTR      (1u << 0)
#define INTERCEPT_NMI       (1u << 1)
#define INTERCEPT_SMI       (1u << 2)
#define INTERCEPT_INIT      (1u << 3)
#define INTERCEPT_VINTR     (1u << 4)
#define INTERCEPT_RDPMC     (1u << 15)
#define INTERCEPT_CPUID     (1u << 18)
#define INTERCEPT_INVD      (1u << 22)
#define INTERCEPT_HLT       (1u << 24)
#define INTERCEPT_INVLPGA   (1u << 26)
#define INTERCEPT_IOIO      (1u << 27)
#define INTERCEPT_MSR       (1u << 28)
#define INTERCEPT_TASKSW    (1u << 29)
#define INTERCEPT_SHUTDOWN  (1u << 31)
/* intercept_misc2 */
#define INTERCEPT_VMRUN     (1u << 0)
#define INTERCEPT_VMMCALL   (1u << 1)
#define INTERCEPT_VMLOAD    (1u << 2)
#define INTERCEPT_VMSAVE    (1u << 3)
#define INTERCEPT_STGI      (1u << 4)
#define INTERCEPT_CLGI      (1u << 5)
#define INTERCEPT_SKINIT    (1u << 6)
#define INTERCEPT_RDTSCP    (1u << 7)
#define INTERCEPT_ICEBP     (1u << 8)
#define INTERCEPT_WBINVD    (1u << 9)
#define INTERCEPT_MONITOR   (1u << 10)
#define INTERCEPT_MWAIT     (1u << 11)
#define INTERCEPT_XSETBV    (1u << 13)

/* int_ctl */
#define V_IRQ               (1ULL << 8)
#define V_IGN_TPR           (1ULL << 20)
#define V_INTR_MASKING      (1ULL << 24)
#define V_INTR_PRIO_SHIFT   16
#define V_INTR_VECTOR_SHIFT 32

/* event_inj / exit_int_info */
#define EVENT_VALID         (1ULL << 31)
#define EVENT_TYPE_INTR     (0ULL << 8)
#define EVENT_TYPE_NMI      (2ULL << 8)
#define EVENT_TYPE_EXC      (3ULL << 8)
#define EVENT_ERR_VALID     (1ULL << 11)

/* exit codes */
#define VMEXIT_CR0_WRITE    0x010
#define VMEXIT_CR4_WRITE    0x014
#define VMEXIT_EXCP_BASE    0x040
#define VMEXIT_INTR         0x060
#define VMEXIT_NMI          0x061
#define VMEXIT_SMI          0x062
#define VMEXIT_INIT         0x063
#define VMEXIT_VINTR        0x064
#define VMEXIT_RDPMC        0x06f
#define VMEXIT_CPUID        0x072
#define VMEXIT_INVD         0x076
#define VMEXIT_HLT          0x078
#define VMEXIT_INVLPGA      0x07a
#define VMEXIT_IOIO         0x07b
#define VMEXIT_MSR          0x07c
#define VMEXIT_TASK_SWITCH  0x07d
#define VMEXIT_SHUTDOWN     0x07f
#define VMEXIT_VMRUN        0x080
#define VMEXIT_VMMCALL      0x081
#define VMEXIT_VMLOAD       0x082
#define VMEXIT_VMSAVE       0x083
#define VMEXIT_STGI         0x084
#define VMEXIT_CLGI         0x085
#define VMEXIT_SKINIT       0x086
#define VMEXIT_RDTSCP       0x087
#define VMEXIT_ICEBP        0x088
#define VMEXIT_WBINVD       0x089
#define VMEXIT_MONITOR      0x08a
#define VMEXIT_MWAIT        0x08b
#define VMEXIT_XSETBV       0x08d
#define VMEXIT_NPF          0x400
#define VMEXIT_INVALID      ((uint64_t)-1)

#define MSR_VM_CR           0xC0010114
#define MSR_VM_HSAVE_PA     0xC0010117

#endif
