/* The x86 architectural bits Kestrel names: control registers, EFER, RFLAGS, DR6/DR7 reset
 * values, and the exception vectors it injects (as Jailhouse's asm/processor.h). One place,
 * so no file defines its own CR0_PG or writes EFER.LMA as a number. */
#ifndef KESTREL_ARCH_PROCESSOR_H
#define KESTREL_ARCH_PROCESSOR_H

#define CR0_PE          (1ULL << 0)     /* protected mode */
#define CR0_ET          (1ULL << 4)     /* extension type (fixed 1 on anything since the 486) */
#define CR0_PG          (1ULL << 31)    /* paging */

#define CR4_PSE         (1ULL << 4)
#define CR4_PAE         (1ULL << 5)
#define CR4_PGE         (1ULL << 7)     /* global pages */
#define CR4_OSFXSR      (1ULL << 9)
#define CR4_VMXE        (1ULL << 13)
#define CR4_OSXSAVE     (1ULL << 18)
#define CR4_SMEP        (1ULL << 20)    /* supervisor-mode execution prevention */
#define CR4_SMAP        (1ULL << 21)    /* supervisor-mode access prevention */

#define EFER_SCE        (1ULL << 0)     /* SYSCALL/SYSRET */
#define EFER_LME        (1ULL << 8)     /* long mode enable */
#define EFER_LMA        (1ULL << 10)    /* long mode active (follows CR0.PG) */
#define EFER_NXE        (1ULL << 11)    /* no-execute */
#define EFER_SVME       (1ULL << 12)    /* AMD SVM enable */

#define RFLAGS_FIXED    (1ULL << 1)     /* always 1 */
#define RFLAGS_IF       (1ULL << 9)     /* interrupts enabled */
#define RFLAGS_DF       (1ULL << 10)    /* string direction: down */

#define DR6_RESET       0xFFFF0FF0ULL   /* DR6 and DR7 after RESET */
#define DR7_RESET       0x400ULL

#define X86_EXC_UD      6               /* invalid opcode */
#define X86_EXC_GP      13              /* general protection (error code 0 here) */

#endif
