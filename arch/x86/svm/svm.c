/* The AMD SVM backend: enabling SVM, one VMCB per vCPU with nested paging, the Multiboot
 * entry state, event injection, and the exit dispatcher that decodes each #VMEXIT and calls
 * the shared handlers of src/core (CPUID, I/O, MSR, hypercall, HLT, bad GPA, fatal). */
#include <stdbool.h>
#include "core/vcpu.h"
#include "arch/cpu.h"
#include "arch/paging.h"
#include "mm/frame.h"
#include "arch/string_io.h"
#include "arch/fpu.h"
#include "arch/vmsr.h"
#include "arch/debugregs.h"
#include "lib/string.h"
#include "lib/format.h"
#include "vmcb.h"
#include "arch/virt_backend.h"
#include "npt.h"
#include "svm_cr.h"
#include "svm.h"

struct svm_vcpu {
    struct vmcb *vmcb;
    uint64_t vmcb_pa;
    uint64_t guest_efer;     /* what the guest believes (SVME hidden) */
    bool irq_window;
    struct fpu_state fpu;    /* x87/SSE/AVX registers and XCR0 */
    struct vmsr_state msrs;  /* every MSR the guest has that the VMCB does not hold */
    struct dr_state dr;      /* DR0-DR3 (DR6 and DR7 are in the VMCB) */
};


static uint64_t hsave_pa, host_vmcb_pa, iopm_pa, msrpm_pa;
static uint32_t max_asid, next_asid = 1;

/* Let the guest read and write an MSR without an exit (2 bits per MSR, read then write). */
static void msrpm_pass(uint8_t *pm, uint32_t msr)
{
    uint32_t base;
    if (msr < 0x2000)
        base = 0;
    else if (msr >= 0xC0000000 && msr < 0xC0002000)
        base = 0x800, msr -= 0xC0000000;
    else if (msr >= 0xC0010000 && msr < 0xC0012000)
        base = 0x1000, msr -= 0xC0010000;
    else
        return;
    uint32_t bit = msr * 2;
    pm[base + bit / 8] &= (uint8_t)~(3u << (bit % 8));
}

static bool svm_init(char *why, size_t whysz)
{
    uint32_t max_ext = cpuid(0x80000000, 0).eax;
    if (max_ext < 0x8000000a || !((cpuid(0x80000001, 0).ecx >> 2) & 1)) {
        snprintf(why, whysz, "this CPU has no AMD SVM");
        return false;
    }
    struct cpuid_regs svm = cpuid(0x8000000a, 0);
    if (!(svm.edx & 1)) {
        snprintf(why, whysz, "this CPU has SVM but no nested paging (NPT)");
        return false;
    }
    if (rdmsr(MSR_VM_CR) & (1ULL << 4)) {
        snprintf(why, whysz, "SVM is disabled by the firmware (VM_CR.SVMDIS)");
        return false;
    }
    max_asid = svm.ebx;
    hsave_pa = frame_alloc_zeroed(1);
    host_vmcb_pa = frame_alloc_zeroed(1);
    iopm_pa = frame_alloc_zeroed(3);
    msrpm_pa = frame_alloc_zeroed(2);
    if (!hsave_pa || !host_vmcb_pa || !iopm_pa || !msrpm_pa) {
        snprintf(why, whysz, "no memory for the SVM host areas");
        return false;
    }
    memset((void *)(uintptr_t)iopm_pa, 0xff, 3 * FRAME_SIZE);    /* every port exits */
    uint8_t *pm = (uint8_t *)(uintptr_t)msrpm_pa;
    memset(pm, 0xff, 2 * FRAME_SIZE);                              /* every MSR exits ... */
    for (size_t i = 0; i < vmsr_passthrough_count; i++)           /* ... but VMCB-resident ones */
        msrpm_pass(pm, vmsr_passthrough[i]);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, hsave_pa);
    svm_vmsave(host_vmcb_pa);
    return true;
}

static int svm_vcpu_create(struct vcpu *v)
{
    static struct svm_vcpu pool[256];
    static unsigned used;
    struct svm_vcpu *s = NULL;
    for (unsigned i = 0; i < used; i++)
        if (!pool[i].vmcb) {
            s = &pool[i];
            break;
        }
    if (!s && used < 256)
        s = &pool[used++];
    if (!s)
        return -1;
    s->vmcb_pa = frame_alloc_zeroed(1);
    if (!s->vmcb_pa)
        return -1;
    if (fpu_state_init(&s->fpu) != 0) {
        frame_free(s->vmcb_pa);
        return -1;
    }
    s->vmcb = (struct vmcb *)(uintptr_t)s->vmcb_pa;
    v->arch = s;
    return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
    struct svm_vcpu *s = v->arch;
    if (!s)
        return;
    frame_free(s->vmcb_pa);
    fpu_state_free(&s->fpu);
    dr_state_forget(&s->dr);
    memset(s, 0, sizeof(*s));
    v->arch = NULL;
}

static void set_seg(struct vmcb_seg *seg, uint16_t sel, uint16_t attr, uint32_t limit,
                    uint64_t base)
{
    seg->sel = sel;
    seg->attr = attr;
    seg->limit = limit;
    seg->base = base;
}

static void svm_vcpu_reset_multiboot(struct vcpu *v, uint32_t entry, uint32_t info_gpa,
                               uint64_t p2m_root)
{
    struct svm_vcpu *s = v->arch;
    struct vmcb *vmcb = s->vmcb;
    memset(vmcb, 0, sizeof(*vmcb));
    struct vmcb_control *c = &vmcb->control;
    c->intercept_cr = 1u << (16 + 4);   /* CR4 writes: see svm_cr.c */
    c->intercept_exceptions = 0;
    c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_SMI | INTERCEPT_INIT |
                         INTERCEPT_CPUID | INTERCEPT_HLT | INTERCEPT_INVLPGA | INTERCEPT_IOIO |
                         INTERCEPT_MSR | INTERCEPT_SHUTDOWN | INTERCEPT_INVD | INTERCEPT_TASKSW |
                         INTERCEPT_RDPMC;
    c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
                         INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
                         INTERCEPT_ICEBP | INTERCEPT_MONITOR | INTERCEPT_MWAIT |
                         INTERCEPT_XSETBV | INTERCEPT_RDTSCP;
    fpu_state_reset(&s->fpu);
    dr_state_reset(&s->dr, false);
    vmsr_reset(&s->msrs);
    c->tsc_offset = s->msrs.tsc_offset;
    c->iopm_base_pa = iopm_pa;
    c->msrpm_base_pa = msrpm_pa;
    if (next_asid >= max_asid)
        next_asid = 1;
    c->asid = next_asid++;
    c->tlb_control = 1;                 /* flush this ASID on the first run */
    c->int_ctl = V_INTR_MASKING;        /* the guest's IF masks only virtual interrupts */
    c->np_enable = 1;
    c->n_cr3 = p2m_root;

    struct vmcb_save *g = &vmcb->save;
    set_seg(&g->cs, 0x08, 0xC9B, 0xFFFFFFFF, 0);
    set_seg(&g->ds, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&g->es, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&g->ss, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&g->fs, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&g->gs, 0x10, 0xC93, 0xFFFFFFFF, 0);
    set_seg(&g->gdtr, 0, 0, 0xFFFF, 0);
    set_seg(&g->idtr, 0, 0, 0xFFFF, 0);
    set_seg(&g->ldtr, 0, 0x082, 0xFFFF, 0);
    set_seg(&g->tr, 0, 0x08B, 0xFFFF, 0);
    g->cpl = 0;
    g->efer = EFER_SVME;
    s->guest_efer = 0;
    g->cr0 = 0x11;                      /* PE, ET: protected mode, paging off */
    g->cr4 = 0;
    g->cr3 = 0;
    g->dr6 = 0xFFFF0FF0;
    g->dr7 = 0x400;
    g->rflags = 0x2;
    g->rip = entry;
    g->rsp = 0;
    g->rax = 0x2BADB002;
    g->g_pat = 0x0007040600070406ULL;
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rax = 0x2BADB002;
    v->regs.rbx = info_gpa;
    v->regs.rip = entry;
    v->regs.rflags = 0x2;
    s->irq_window = false;
}

static void svm_vcpu_flush_tlb(struct vcpu *v)
{
    ((struct svm_vcpu *)v->arch)->vmcb->control.tlb_control = 1;    /* flush this ASID */
}

static bool svm_vcpu_interruptible(struct vcpu *v)
{
    struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
    return (vmcb->save.rflags & 0x200) && !(vmcb->control.int_state & 1) &&
           !(vmcb->control.event_inj & EVENT_VALID);
}

static void svm_vcpu_inject_irq(struct vcpu *v, uint8_t vector)
{
    struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
    vmcb->control.event_inj = EVENT_VALID | EVENT_TYPE_INTR | vector;
    v->injected_irqs++;
}

static void svm_vcpu_request_irq_window(struct vcpu *v)
{
    struct svm_vcpu *s = v->arch;
    struct vmcb *vmcb = s->vmcb;
    /* A virtual interrupt the guest can take only when interruptible, and an intercept of
     * the moment it would: that exit is the window. */
    vmcb->control.int_ctl |= V_IRQ | V_IGN_TPR | (0xFULL << V_INTR_PRIO_SHIFT);
    vmcb->control.intercept_misc1 |= INTERCEPT_VINTR;
    s->irq_window = true;
}

/* Close a requested window (after the VINTR exit or when injecting directly). */
static void clear_irq_window(struct svm_vcpu *s)
{
    s->vmcb->control.int_ctl &= ~(V_IRQ | V_IGN_TPR | (0xFULL << V_INTR_PRIO_SHIFT));
    s->vmcb->control.intercept_misc1 &= ~INTERCEPT_VINTR;
    s->irq_window = false;
}

static void copy_seg(struct vcpu_segment *d, const struct vmcb_seg *s)
{
    d->sel = s->sel;
    d->attr = s->attr;
    d->limit = s->limit;
    d->base = s->base;
}

static void svm_vcpu_get_sregs(struct vcpu *v, struct vcpu_sregs *r)
{
    struct svm_vcpu *s = v->arch;
    const struct vmcb_save *g = &s->vmcb->save;
    r->cr0 = g->cr0;
    r->cr2 = g->cr2;
    r->cr3 = g->cr3;
    r->cr4 = g->cr4;
    r->efer = g->efer & ~EFER_SVME;
    copy_seg(&r->cs, &g->cs);
    copy_seg(&r->ds, &g->ds);
    copy_seg(&r->es, &g->es);
    copy_seg(&r->fs, &g->fs);
    copy_seg(&r->gs, &g->gs);
    copy_seg(&r->ss, &g->ss);
    copy_seg(&r->tr, &g->tr);
    copy_seg(&r->ldtr, &g->ldtr);
    copy_seg(&r->gdtr, &g->gdtr);
    copy_seg(&r->idtr, &g->idtr);
    r->interrupt_shadow = s->vmcb->control.int_state & 1;
    r->pending_event = s->vmcb->control.event_inj;
}

static void *svm_gpa_to_hva(uint64_t p2m_root, uint64_t gpa)
{
    uint64_t pa;
    if (!pt_lookup(p2m_root, gpa, &pa, NULL, NULL))
        return NULL;
    return (void *)(uintptr_t)pa;
}

/* Inject #UD (the guest ran an instruction it may not have) or #GP(0). */
static void inject_exception(struct vmcb *vmcb, uint8_t vector, bool has_err, uint32_t err)
{
    vmcb->control.event_inj = EVENT_VALID | EVENT_TYPE_EXC | vector |
                            (has_err ? EVENT_ERR_VALID | ((uint64_t)err << 32) : 0);
}

/* EFER is intercepted so the guest never clears SVME (VMRUN would refuse the VMCB) and never
 * sees it set; its writes follow a real CPU's rules (vmsr_efer_check), and LMA, which
 * follows CR0.PG, reads as the VMCB has it. */
static int handle_efer(struct svm_vcpu *s, bool write, uint64_t *val)
{
    uint64_t lma = s->vmcb->save.efer & VMSR_EFER_LMA;
    if (!write) {
        *val = s->guest_efer | lma;
        return 0;
    }
    if (!vmsr_efer_check(s->guest_efer | lma, *val, s->vmcb->save.cr0 & (1ULL << 31)))
        return -1;
    s->guest_efer = *val & ~VMSR_EFER_LMA;
    s->vmcb->save.efer = lma | s->guest_efer | EFER_SVME;
    return 0;
}

/* RDMSR/WRMSR that exited (every MSR but the VMCB-resident ones): EFER here, the rest on
 * the vCPU's own MSR state; #GP where the CPU would give it. */
static void handle_msr(struct vcpu *v, struct svm_vcpu *s, bool write)
{
    uint32_t msr = (uint32_t)v->regs.rcx;
    uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
    int rc;
    if (msr == MSR_EFER)
        rc = handle_efer(s, write, &val);
    else if (write)
        rc = vmsr_write(&s->msrs, msr, val, rdtsc());
    else
        rc = vmsr_read(&s->msrs, msr, rdtsc(), &val);
    if (rc) {
        inject_exception(s->vmcb, 13, true, 0);
        return;
    }
    if (!write) {
        v->regs.rax = (uint32_t)val;
        v->regs.rdx = val >> 32;
    }
    s->vmcb->control.tsc_offset = s->msrs.tsc_offset;
    v->regs.rip += 2;
}

/* Decode one #VMEXIT and complete it. */
static void handle_exit(struct vcpu *v, struct svm_vcpu *s)
{
    struct vmcb *vmcb = s->vmcb;
    uint64_t code = vmcb->control.exit_code;
    uint64_t info1 = vmcb->control.exit_info_1, info2 = vmcb->control.exit_info_2;

    switch (code) {
    case VMEXIT_INTR:
    case VMEXIT_NMI:
    case VMEXIT_SMI:
    case VMEXIT_INIT:
        v->exits[EXIT_INTR]++;
        return;     /* the host takes it after STGI */
    case VMEXIT_VINTR:
        v->exits[EXIT_VINTR]++;
        clear_irq_window(s);
        return;
    case VMEXIT_CPUID: {
        uint32_t out[4];
        v->exits[EXIT_CPUID]++;
        vcpu_handle_cpuid(v, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, out);
        v->regs.rax = out[0];
        v->regs.rbx = out[1];
        v->regs.rcx = out[2];
        v->regs.rdx = out[3];
        v->regs.rip += 2;
        return;
    }
    case VMEXIT_XSETBV: {           /* XCR0 is not in the VMCB: each vCPU keeps its own */
        v->exits[EXIT_OTHER]++;
        uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
        int vec = fpu_xsetbv(&s->fpu, vmcb->save.cr4, (uint32_t)v->regs.rcx, val);
        if (vec)
            inject_exception(vmcb, (uint8_t)vec, vec == 13, 0);
        else
            v->regs.rip += 3;                           /* 0F 01 D1 */
        return;
    }
    case VMEXIT_HLT:
        v->exits[EXIT_HLT]++;
        v->regs.rip += 1;
        vcpu_handle_hlt(v);
        return;
    case VMEXIT_IOIO: {
        v->exits[EXIT_IO]++;
        uint16_t port = (uint16_t)(info1 >> 16);
        bool in = info1 & 1;
        unsigned size = (info1 & 0x10) ? 1 : (info1 & 0x20) ? 2 : 4;
        if (info1 & 0x4) {          /* INS/OUTS */
            struct string_io sio = { port, size, in, info1 & 0x8, info2 };
            if (vcpu_handle_string_io(v, &sio) == STRING_IO_FAULT)
                inject_exception(vmcb, 13, true, 0);
            return;
        }
        vcpu_handle_pio(v, port, size, in);
        v->regs.rip = info2;
        return;
    }
    case VMEXIT_MSR:
        v->exits[EXIT_MSR]++;
        handle_msr(v, s, info1 & 1);
        return;
    case VMEXIT_RDPMC:                  /* no performance counters: every index is invalid */
        inject_exception(vmcb, 13, true, 0);
        return;
    case VMEXIT_RDTSCP:                 /* not offered (CPUID hides it) */
        inject_exception(vmcb, 6, false, 0);
        return;
    case VMEXIT_VMMCALL:
        v->exits[EXIT_HYPERCALL]++;
        v->regs.rip += 3;
        vcpu_handle_hypercall(v);
        return;
    case VMEXIT_NPF:
        v->exits[EXIT_NPF]++;
        if (npt_fault_in(vmcb->control.n_cr3, info2, false))
            return;             /* first touch of lazily cleared memory: retry */
        vcpu_handle_bad_gpa(v, info2, (info1 >> 1) & 1);
        return;
    case VMEXIT_SHUTDOWN:
        v->exits[EXIT_SHUTDOWN]++;
        vcpu_handle_fatal(v, "triple fault (shutdown)");
        return;
    case VMEXIT_VMRUN: case VMEXIT_VMLOAD: case VMEXIT_VMSAVE: case VMEXIT_STGI:
    case VMEXIT_CLGI: case VMEXIT_SKINIT: case VMEXIT_INVLPGA: case VMEXIT_ICEBP:
    case VMEXIT_MONITOR: case VMEXIT_MWAIT:
        v->exits[EXIT_VIRT_INSN]++;
        inject_exception(vmcb, 6, false, 0);
        return;
    case VMEXIT_CR4_WRITE:
        v->exits[EXIT_OTHER]++;
        switch (svm_handle_cr4_write(vmcb, v)) {
        case CR4_DONE:
            return;
        case CR4_FAULT:
            inject_exception(vmcb, 13, true, 0);
            return;
        case CR4_UNDECODED:
            vcpu_handle_fatal(v, "a CR4 write that could not be decoded");
            return;
        }
        return;
    case VMEXIT_INVD:
        v->exits[EXIT_OTHER]++;
        v->regs.rip += 2;
        return;
    case VMEXIT_TASK_SWITCH:
        v->exits[EXIT_OTHER]++;
        vcpu_handle_fatal(v, "hardware task switch (not supported)");
        return;
    case VMEXIT_INVALID:
    case 0xffffffffULL:         /* some implementations store -1 as 32 bits */
        v->exits[EXIT_INVALID]++;
        vcpu_handle_fatal(v, "the CPU refused the guest state (VMEXIT_INVALID)");
        return;
    default:
        if (code >= VMEXIT_EXCP_BASE && code < VMEXIT_EXCP_BASE + 32) {
            v->exits[EXIT_EXCEPTION]++;
            inject_exception(vmcb, (uint8_t)(code - VMEXIT_EXCP_BASE), false, 0);
            return;
        }
        v->exits[EXIT_OTHER]++;
        {
            char why[64];
            snprintf(why, sizeof(why), "unexpected #VMEXIT %#llx", (unsigned long long)code);
            vcpu_handle_fatal(v, why);
        }
        return;
    }
}

static void svm_vcpu_run_once(struct vcpu *v)
{
    struct svm_vcpu *s = v->arch;
    struct vmcb *vmcb = s->vmcb;

    vmcb->save.rax = v->regs.rax;
    vmcb->save.rsp = v->regs.rsp;
    vmcb->save.rip = v->regs.rip;
    vmcb->save.rflags = v->regs.rflags;

    fpu_enter(&s->fpu);
    dr_enter(&s->dr);
    /* GIF clear from before the guest's state is loaded until the host's is back; host IF
     * set so a physical interrupt during the guest becomes an INTR exit. */
    __asm__ volatile("clgi; sti" ::: "memory");
    do
        svm_world_switch(s->vmcb_pa, &v->regs, host_vmcb_pa);
    while (svm_fastpath(vmcb, &v->regs));
    __asm__ volatile("cli; stgi" ::: "memory");

    v->regs.rax = vmcb->save.rax;
    v->regs.rsp = vmcb->save.rsp;
    v->regs.rip = vmcb->save.rip;
    v->regs.rflags = vmcb->save.rflags;
    v->long_mode = (vmcb->save.efer & 0x400) && (vmcb->save.cs.attr & 0x200);
    vmcb->control.tlb_control = 0;
    /* An event that was being delivered when the exit happened must be delivered again. */
    if (vmcb->control.exit_int_info & EVENT_VALID) {
        vmcb->control.event_inj = vmcb->control.exit_int_info;
        vmcb->control.exit_int_info = 0;
    } else {
        vmcb->control.event_inj = 0;
    }
    handle_exit(v, s);
    vmcb->save.rax = v->regs.rax;
    /* Pending host interrupts (the tick) are taken here. */
    __asm__ volatile("sti; nop; cli" ::: "memory");
}

const struct virt_backend svm_backend = {
    .name = "AMD SVM with NPT",
    .hypercall_insn = "vmmcall",
    .init = svm_init,
    .vcpu_create = svm_vcpu_create,
    .vcpu_destroy = svm_vcpu_destroy,
    .vcpu_reset_multiboot = svm_vcpu_reset_multiboot,
    .vcpu_run_once = svm_vcpu_run_once,
    .vcpu_interruptible = svm_vcpu_interruptible,
    .vcpu_inject_irq = svm_vcpu_inject_irq,
    .vcpu_request_irq_window = svm_vcpu_request_irq_window,
    .vcpu_get_sregs = svm_vcpu_get_sregs,
    .vcpu_flush_tlb = svm_vcpu_flush_tlb,
    .p2m_create = npt_create,
    .p2m_map = npt_map,
    .p2m_map_lazy = npt_map_lazy,
    .p2m_fault_in = npt_fault_in,
    .p2m_unmap_4k = npt_unmap_4k,
    .p2m_destroy = npt_destroy,
    .p2m_table_pages = npt_table_pages,
    .gpa_to_hva = svm_gpa_to_hva,
};
