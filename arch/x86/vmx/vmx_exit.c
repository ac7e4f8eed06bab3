/* The VMX run loop and exit dispatcher: enter the guest through vmx_entry.S, re-deliver an
 * event the exit interrupted, decode the exit reason and qualification and hand the exit to
 * the shared handler that finishes it (CPUID, MSR, XSETBV, I/O in arch/x86; hypercall, HLT,
 * bad GPA, fatal in src/core) - the same results for the guest as on SVM. What only VMX has
 * (CR0/CR4 writes against the guest/host masks, VMX instructions) is finished here, with
 * the backend operations the shared handlers use: skip, exception, EFER, TSC offset. */
#include <stdbool.h>
#include "core/vcpu.h"
#include "core/perfc.h"
#include "arch/cpu.h"
#include "arch/processor.h"
#include "arch/string_io.h"
#include "arch/vcpu_x86.h"
#include "arch/vmsr.h"
#include "lib/format.h"
#include "vmcs.h"
#include "vmx.h"



/* Guest-visible value of CR0 (for PE checks). */
static uint64_t guest_cr0(void)
{
    uint64_t m = vmread(CR0_MASK);
    return (vmread(GUEST_CR0) & ~m) | (vmread(CR0_SHADOW) & m);
}

void vmx_vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err, uint32_t err)
{
    (void)v;                            /* its VMCS is the current one during its exit */
    vmx_inject_exception(vector, has_err, err);
}

void vmx_inject_exception(uint8_t vector, bool has_err, uint32_t err)
{
    if (!(guest_cr0() & CR0_PE))
        has_err = false;                /* real mode delivers no error code */
    vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXC | vector |
                             (has_err ? INTR_INFO_ERR : 0));
    if (has_err)
        vmwrite(ENTRY_EXC_ERR, err);
}

/* The instruction that exited is done: step over it (the exit gives its length), ending
 * any STI/MOV SS shadow. */
void vmx_vcpu_skip_insn(struct vcpu *v)
{
    v->regs.rip += vmread(EXIT_INSN_LEN);
    if (!v->long_mode)
        v->regs.rip &= 0xFFFFFFFFULL;
    uint64_t intr = vmread(GUEST_INTERRUPTIBILITY);
    if (intr & 3)
        vmwrite(GUEST_INTERRUPTIBILITY, intr & ~3ULL);
}

/* Past an instruction of len bytes the hypervisor decoded (EXIT_INSN_LEN is not defined
 * for EPT violations), ending any STI/MOV SS shadow. */
void vmx_vcpu_advance(struct vcpu *v, unsigned len)
{
    v->regs.rip += len;
    if (!v->long_mode)
        v->regs.rip &= 0xFFFFFFFFULL;
    uint64_t intr = vmread(GUEST_INTERRUPTIBILITY);
    if (intr & 3)
        vmwrite(GUEST_INTERRUPTIBILITY, intr & ~3ULL);
}

/* A general register by its number in an exit qualification (rax, rcx, rdx, rbx, rsp,
 * rbp, rsi, rdi, r8 .. r15). */
static uint64_t *gpr(struct vcpu *v, unsigned n)
{
    struct vcpu_regs *r = &v->regs;
    uint64_t *const map[16] = {
        &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
        &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
    };
    return map[n & 15];
}

/* Drop the guest's linear translations (after an emulated paging-mode change). */
static void flush_vpid(struct vmx_vcpu *s)
{
    if (vmx_caps.invvpid_type)
        invvpid(vmx_caps.invvpid_type, s->vpid);
}

/* MOV to CR0 that touched a host-owned bit: keep the guest's view in the shadow, the
 * fixed bits in the real register, and enter or leave long mode as the CPU would. */
static bool guest_write_cr0(struct vmx_vcpu *s, uint64_t val)
{
    uint64_t old = guest_cr0();
    if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)))
        return false;
    uint64_t efer = vmread(GUEST_EFER), entry = vmread(ENTRY_CONTROLS);
    if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
        if (!(vmread(CR4_SHADOW) & CR4_PAE))
            return false;
        efer |= EFER_LMA;
        entry |= ENTRY_CTL_IA32E;
    } else if (!(val & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
        efer &= ~EFER_LMA;
        entry &= ~ENTRY_CTL_IA32E;
    }
    vmwrite(GUEST_EFER, efer);
    vmwrite(ENTRY_CONTROLS, entry);
    vmwrite(CR0_SHADOW, val);
    vmwrite(GUEST_CR0, vmx_cr0_real(val));
    flush_vpid(s);
    return true;
}

/* MOV to CR4: VMXE (VMX is hidden from the guest) and bits the CPU lacks raise #GP. */
static bool guest_write_cr4(struct vmx_vcpu *s, uint64_t val)
{
    if (val & (CR4_VMXE | ~vmx_caps.cr4_fixed1))
        return false;
    vmwrite(CR4_SHADOW, val);
    vmwrite(GUEST_CR4, vmx_cr4_real(val));
    flush_vpid(s);
    return true;
}

/* Control-register access: MOV to CR0/CR4 against the masks, MOV to/from CR8 (no TPR is
 * emulated: reads 0, writes ignored). */
static void handle_cr(struct vcpu *v, struct vmx_vcpu *s, uint64_t qual)
{
    unsigned cr = qual & 15, type = (qual >> 4) & 3;
    uint64_t *reg = gpr(v, (unsigned)(qual >> 8));
    bool ok = true;
    if (type == 0) {
        uint64_t val = v->long_mode ? *reg : (uint32_t)*reg;
        ok = cr == 0 ? guest_write_cr0(s, val) : cr == 4 ? guest_write_cr4(s, val) : cr == 8;
    } else if (type == 1 && cr == 8) {
        *reg = 0;
    } else {
        char why[64];
        snprintf(why, sizeof(why), "unexpected CR access (qualification %#llx)",
                 (unsigned long long)qual);
        vcpu_handle_fatal(v, why);
        return;
    }
    if (!ok) {
        vmx_inject_exception(X86_EXC_GP, true, 0);
        return;
    }
    vmx_vcpu_skip_insn(v);
}

/* EFER is intercepted so the guest cannot set what the CPU would refuse on entry; its
 * writes follow a real CPU's rules (vmsr_efer_check); LMA follows CR0.PG, not writes. */
int vmx_vcpu_efer(struct vcpu *v, bool write, uint64_t *val)
{
    (void)v;                            /* its VMCS is the current one during its exit */
    uint64_t cur = vmread(GUEST_EFER);
    if (!write) {
        *val = cur;
        return 0;
    }
    if (!vmsr_efer_check(cur, *val, vmread(GUEST_CR0) & CR0_PG))
        return -1;
    vmwrite(GUEST_EFER, (*val & ~EFER_LMA) | (cur & EFER_LMA));
    return 0;
}

void vmx_vcpu_set_tsc_offset(struct vcpu *v, uint64_t offset)
{
    (void)v;
    vmwrite(TSC_OFFSET, offset);
}

static void handle_io(struct vcpu *v, uint64_t qual)
{
    v->exits[EXIT_IO]++;
    uint16_t port = (uint16_t)(qual >> 16);
    unsigned size = (unsigned)(qual & 7) + 1;
    bool in = qual & 8;
    if (qual & 16) {                    /* INS/OUTS */
        struct string_io sio = { port, size, in, qual & 32 };
        vcpu_handle_string_io(v, &sio);
        return;
    }
    vcpu_handle_pio(v, port, size, in);
}

/* Decode one VM exit (reason: the EXIT_REASON field, already read) and complete it. The
 * qualification is read only by the exits that have one. */
static void handle_exit(struct vcpu *v, struct vmx_vcpu *s, uint32_t reason)
{
    char why[80];

    if (reason & (1u << 31)) {          /* the entry itself failed */
        v->exits[EXIT_INVALID]++;
        snprintf(why, sizeof(why), "the CPU refused the guest state (VM-entry failure, "
                 "reason %u)", reason & 0xffff);
        vcpu_handle_fatal(v, why);
        return;
    }
    switch (reason & 0xffff) {
    case VMX_EXIT_EXC_NMI: {
        uint32_t info = (uint32_t)vmread(EXIT_INTR_INFO);
        if ((info & INTR_TYPE_MASK) == INTR_TYPE_NMI) {
            v->exits[EXIT_INTR]++;
            /* A host NMI, which NMI exiting consumed (SVM leaves it pending until STGI):
             * give it to the host's NMI handler, whose IRET ends the NMI blocking the exit
             * left in force. */
            __asm__ volatile("int $2" ::: "memory");
            return;
        }
        v->exits[EXIT_EXCEPTION]++;     /* not intercepted today; give it back */
        vmx_inject_exception((uint8_t)info, info & INTR_INFO_ERR,
                             (uint32_t)vmread(EXIT_INTR_ERR));
        return;
    }
    case VMX_EXIT_EXT_INTR:
    case VMX_EXIT_PREEMPT_TIMER:
    case VMX_EXIT_INIT:
    case VMX_EXIT_SIPI:
    case VMX_EXIT_SMI:
    case VMX_EXIT_OTHER_SMI:
        v->exits[EXIT_INTR]++;
        return;                         /* the host takes it once interrupts are on */
    case VMX_EXIT_INTR_WINDOW:
        v->exits[EXIT_VINTR]++;
        vmwrite(PROC_CONTROLS, vmread(PROC_CONTROLS) & ~PROC_INTR_WINDOW);
        return;
    case VMX_EXIT_CPUID:
        v->exits[EXIT_CPUID]++;
        vcpu_handle_cpuid(v);
        return;
    case VMX_EXIT_HLT:
        v->exits[EXIT_HLT]++;
        vcpu_handle_hlt(v);
        return;
    case VMX_EXIT_IO:
        handle_io(v, vmread(EXIT_QUALIFICATION));
        return;
    case VMX_EXIT_RDMSR:
    case VMX_EXIT_WRMSR:
        v->exits[EXIT_MSR]++;
        vcpu_handle_msr(v, (reason & 0xffff) == VMX_EXIT_WRMSR);
        return;
    case VMX_EXIT_RDPMC:                /* no performance counters: every index is invalid */
        vmx_inject_exception(X86_EXC_GP, true, 0);
        return;
    case VMX_EXIT_VMCALL:
        v->exits[EXIT_HYPERCALL]++;
        vcpu_handle_hypercall(v);
        return;
    case VMX_EXIT_EPT_VIOLATION:
        v->exits[EXIT_NPF]++;
        vcpu_handle_npf(v, vmread(GUEST_PHYS_ADDR), (vmread(EXIT_QUALIFICATION) >> 1) & 1);
        return;
    case VMX_EXIT_EPT_MISCONFIG:
        v->exits[EXIT_NPF]++;
        snprintf(why, sizeof(why), "EPT misconfiguration at guest-physical %#llx",
                 (unsigned long long)vmread(GUEST_PHYS_ADDR));
        vcpu_handle_fatal(v, why);
        return;
    case VMX_EXIT_TRIPLE_FAULT:
        v->exits[EXIT_SHUTDOWN]++;
        vcpu_handle_fatal(v, "triple fault (shutdown)");
        return;
    case VMX_EXIT_VMCLEAR: case VMX_EXIT_VMLAUNCH: case VMX_EXIT_VMPTRLD:
    case VMX_EXIT_VMPTRST: case VMX_EXIT_VMREAD: case VMX_EXIT_VMRESUME:
    case VMX_EXIT_VMWRITE: case VMX_EXIT_VMXOFF: case VMX_EXIT_VMXON:
    case VMX_EXIT_INVEPT: case VMX_EXIT_INVVPID: case VMX_EXIT_VMFUNC:
    case VMX_EXIT_GETSEC: case VMX_EXIT_MWAIT: case VMX_EXIT_MONITOR: case VMX_EXIT_RSM:
        v->exits[EXIT_VIRT_INSN]++;
        vmx_inject_exception(X86_EXC_UD, false, 0);
        return;
    case VMX_EXIT_CR:
        v->exits[EXIT_OTHER]++;
        handle_cr(v, s, vmread(EXIT_QUALIFICATION));
        return;
    case VMX_EXIT_XSETBV:
        v->exits[EXIT_OTHER]++;
        vcpu_handle_xsetbv(v);
        return;
    case VMX_EXIT_INVD:
        v->exits[EXIT_OTHER]++;
        vmx_vcpu_skip_insn(v);
        return;
    case VMX_EXIT_TASK_SWITCH:
        v->exits[EXIT_OTHER]++;
        vcpu_handle_fatal(v, "hardware task switch (not supported)");
        return;
    default:
        v->exits[EXIT_OTHER]++;
        snprintf(why, sizeof(why), "unexpected VM exit %u (qualification %#llx)",
                 reason & 0xffff, (unsigned long long)vmread(EXIT_QUALIFICATION));
        vcpu_handle_fatal(v, why);
        return;
    }
}

void vmx_vcpu_run_once(struct vcpu *v)
{
    struct vmx_vcpu *s = v->arch;

    __asm__ volatile("cli" ::: "memory");
    vmx_load(s);
    vmwrite(GUEST_RSP, v->regs.rsp);
    vmwrite(GUEST_RIP, v->regs.rip);
    vmwrite(GUEST_RFLAGS, v->regs.rflags);
    if (vmx_caps.preempt_ticks)
        vmwrite(GUEST_PREEMPT_TIMER, vmx_caps.preempt_ticks);
    if (read_cr2() != s->cr2)
        write_cr2(s->cr2);
    fpu_enter(&s->x86.fpu);
    dr_enter(&s->x86.dr);

    int failed;
    while (!(failed = vmx_world_switch(&v->regs, s->launched)) && vmx_fastpath(&v->regs))
        s->launched = true;             /* only a successful entry reaches the fast path */
    if (failed) {
        char why[80];
        v->exits[EXIT_INVALID]++;
        snprintf(why, sizeof(why), "%s failed (VM-instruction error %llu)",
                 s->launched ? "VMRESUME" : "VMLAUNCH",
                 (unsigned long long)vmread(VM_INSN_ERROR));
        vcpu_handle_fatal(v, why);
        __asm__ volatile("sti; nop; cli" ::: "memory");
        return;
    }
    s->cr2 = read_cr2();
    uint32_t reason = (uint32_t)vmread(EXIT_REASON);
    s->launched = !(reason & (1u << 31));
    v->regs.rsp = vmread(GUEST_RSP);
    v->regs.rip = vmread(GUEST_RIP);
    v->regs.rflags = vmread(GUEST_RFLAGS);
    v->long_mode = (vmread(GUEST_EFER) & EFER_LMA) && (vmread(GUEST_CS_AR) & (1u << 13));

    /* An event that was being delivered when the exit happened must be delivered again. */
    uint32_t idt = (uint32_t)vmread(IDT_VECT_INFO);
    if (idt & INTR_INFO_VALID) {
        vmwrite(ENTRY_INTR_INFO, idt & 0x80000FFFu);
        if (idt & INTR_INFO_ERR)
            vmwrite(ENTRY_EXC_ERR, vmread(IDT_VECT_ERR));
        vmwrite(ENTRY_INSN_LEN, vmread(EXIT_INSN_LEN));
    }
    PERFC_INCA(exits_vmx, reason & 0xffff);
    handle_exit(v, s, reason);
    /* Pending host interrupts (the tick) are taken here, through the host's IDT. */
    __asm__ volatile("sti; nop; cli" ::: "memory");
}
