/* The AMD SVM backend: enabling SVM, one VMCB per vCPU with nested paging, loaded with the
 * entry state the core gives, event injection, and the exit dispatcher that decodes each
 * #VMEXIT and hands it to the shared handler that finishes it (arch/x86/vcpu_x86.c: CPUID,
 * MSR, XSETBV, I/O; src/core: hypercall, HLT, bad GPA, fatal). */
#include <stdbool.h>
#include <stddef.h>
#include "core/vcpu.h"
#include "core/perfc.h"
#include "arch/cpu.h"
#include "arch/paging.h"
#include "mm/frame.h"
#include "arch/string_io.h"
#include "arch/processor.h"
#include "arch/vcpu_x86.h"
#include "lib/string.h"
#include "lib/format.h"
#include "vmcb.h"
#include "arch/virt_backend.h"
#include "npt.h"
#include "svm_cr.h"
#include "svm.h"

struct svm_vcpu {
    struct vcpu_x86 x86;     /* first: the shared x86 state (DR6 and DR7 are in the VMCB) */
    struct vmcb *vmcb;
    uint64_t vmcb_pa;
    uint64_t guest_efer;     /* what the guest believes (SVME hidden) */
    bool irq_window;
};
_Static_assert(offsetof(struct svm_vcpu, x86) == 0, "vcpu_x86() reads v->arch as its x86 state");


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

/* SVM on an application processor: the host-save area and host VMCB are its own (the
 * VMCB's saved TR and GS differ per CPU); the bitmaps and ASIDs stay the boot CPU's. */
static bool svm_cpu_enable(uint64_t area_pa, char *why, size_t whysz)
{
    if (rdmsr(MSR_VM_CR) & (1ULL << 4)) {
        snprintf(why, whysz, "SVM is disabled by the firmware (VM_CR.SVMDIS)");
        return false;
    }
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, area_pa);
    svm_vmsave(area_pa + FRAME_SIZE);
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
    if (fpu_state_init(&s->x86.fpu) != 0) {
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
    fpu_state_free(&s->x86.fpu);
    dr_state_forget(&s->x86.dr);
    memset(s, 0, sizeof(*s));
    v->arch = NULL;
}

/* One segment of the entry state into the VMCB (whose attributes have the same 12-bit form). */
static void load_seg(struct vmcb_seg *d, const struct vcpu_segment *s)
{
    d->sel = s->sel;
    d->attr = s->attr;
    d->limit = s->limit;
    d->base = s->base;
}

/* A fresh VMCB: the intercepts, the I/O and MSR permission maps, a new ASID, nested paging
 * over p2m_root; the guest state loaded from e as the core gave it. */
static void svm_vcpu_reset(struct vcpu *v, const struct vcpu_entry *e, uint64_t p2m_root)
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
    fpu_state_reset(&s->x86.fpu);
    dr_state_reset(&s->x86.dr, false);
    vmsr_reset(&s->x86.msrs);
    s->x86.pv = (struct pvclock_state){ 0 };
    c->tsc_offset = s->x86.msrs.tsc_offset;
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
    load_seg(&g->cs, &e->cs);
    load_seg(&g->ds, &e->ds);
    load_seg(&g->es, &e->es);
    load_seg(&g->ss, &e->ss);
    load_seg(&g->fs, &e->fs);
    load_seg(&g->gs, &e->gs);
    load_seg(&g->gdtr, &e->gdtr);
    load_seg(&g->idtr, &e->idtr);
    load_seg(&g->ldtr, &e->ldtr);
    load_seg(&g->tr, &e->tr);
    g->cpl = (e->ss.attr >> 5) & 3;     /* SS.DPL */
    s->guest_efer = e->efer & ~EFER_LMA;
    g->efer = e->efer | EFER_SVME;      /* SVME hidden from the guest: see svm_vcpu_efer */
    g->cr0 = e->cr0;
    g->cr4 = e->cr4;
    g->cr3 = e->cr3;
    g->dr6 = DR6_RESET;
    g->dr7 = DR7_RESET;
    g->rflags = e->regs.rflags;
    g->rip = e->regs.rip;
    g->rsp = e->regs.rsp;
    g->rax = e->regs.rax;
    g->g_pat = 0x0007040600070406ULL;   /* PAT after RESET */
    v->regs = e->regs;
    v->long_mode = (e->efer & EFER_LMA) && (e->cs.attr & 0x200);
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

/* Raise an exception in the guest at the next VMRUN (#UD for an instruction it may not
 * have, #GP(0), ...). */
static void inject_exception(struct vmcb *vmcb, uint8_t vector, bool has_err, uint32_t err)
{
    vmcb->control.event_inj = EVENT_VALID | EVENT_TYPE_EXC | vector |
                              (has_err ? EVENT_ERR_VALID | ((uint64_t)err << 32) : 0);
}

static void svm_vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
                                      uint32_t err)
{
    inject_exception(((struct svm_vcpu *)v->arch)->vmcb, vector, has_err, err);
}

/* Past the instruction that exited. Without the next-RIP feature the length is the
 * instruction's own (the ones Kestrel emulates have one encoding), except for IN/OUT/INS/OUTS,
 * whose exit gives the next RIP in EXITINFO2. */
static void svm_vcpu_skip_insn(struct vcpu *v)
{
    const struct vmcb_control *c = &((struct svm_vcpu *)v->arch)->vmcb->control;
    switch (c->exit_code) {
    case VMEXIT_IOIO:
        v->regs.rip = c->exit_info_2;
        return;
    case VMEXIT_HLT:
        v->regs.rip += 1;                       /* F4 */
        return;
    case VMEXIT_CPUID:                          /* 0F A2 */
    case VMEXIT_MSR:                            /* 0F 32, 0F 30 */
    case VMEXIT_INVD:                           /* 0F 08 */
        v->regs.rip += 2;
        return;
    case VMEXIT_VMMCALL:                        /* 0F 01 D9 */
    case VMEXIT_XSETBV:                         /* 0F 01 D1 */
        v->regs.rip += 3;
        return;
    default:
        return;
    }
}

/* Past an instruction of len bytes decoded by the hypervisor, out of any interrupt
 * shadow (the instruction completed). */
static void svm_vcpu_advance(struct vcpu *v, unsigned len)
{
    struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
    v->regs.rip += len;
    if (!v->long_mode)
        v->regs.rip &= 0xFFFFFFFFULL;
    vmcb->control.int_state &= ~1ULL;
}

/* The guest's EFER into the VMCB, with one exception: while its paging and PAE are both off,
 * EFER.LME is kept here only and CR0 writes are intercepted, so that turning paging on
 * still activates long mode (svm_handle_cr0_write). LME has no effect in that state, but
 * QEMU's TCG mishandles it: a #VMEXIT from a guest with EFER.LME set, CR0.PG and CR4.PAE
 * clear leaves the host's CR0 unrestored (its cpu_x86_update_cr0 returns early), and the
 * host then runs with paging "off" until QEMU aborts. Call after every change of the
 * guest's EFER, CR0 or CR4. */
static void sync_efer(struct svm_vcpu *s)
{
    struct vmcb *vmcb = s->vmcb;
    bool hide = (s->guest_efer & EFER_LME) && !(vmcb->save.cr0 & CR0_PG) &&
                !(vmcb->save.cr4 & CR4_PAE);
    uint64_t efer = s->guest_efer & ~EFER_LMA;
    if (hide)
        efer &= ~EFER_LME;
    vmcb->save.efer = (vmcb->save.efer & EFER_LMA) | efer | EFER_SVME;   /* LMA: the CPU's */
    if (hide)
        vmcb->control.intercept_cr |= 1u << 16;           /* CR0 writes */
    else
        vmcb->control.intercept_cr &= ~(1u << 16);
}

/* After an emulated control-register write: EFER follows the new CR0/CR4, a refused value
 * is #GP, an instruction that could not be decoded ends the domain. */
static void finish_cr_write(struct vcpu *v, struct svm_vcpu *s, enum svm_cr_result r,
                            const char *cr)
{
    if (r == CR_DONE) {
        sync_efer(s);
    } else if (r == CR_FAULT) {
        inject_exception(s->vmcb, X86_EXC_GP, true, 0);
    } else {
        char why[48];
        snprintf(why, sizeof(why), "a %s write that could not be decoded", cr);
        vcpu_handle_fatal(v, why);
    }
}

/* EFER is intercepted so the guest never clears SVME (VMRUN would refuse the VMCB) and never
 * sees it set; its writes follow a real CPU's rules (vmsr_efer_check), and LMA, which
 * follows CR0.PG, reads as the VMCB has it. */
static int svm_vcpu_efer(struct vcpu *v, bool write, uint64_t *val)
{
    struct svm_vcpu *s = v->arch;
    uint64_t lma = s->vmcb->save.efer & EFER_LMA;
    if (!write) {
        *val = s->guest_efer | lma;
        return 0;
    }
    if (!vmsr_efer_check(s->guest_efer | lma, *val, s->vmcb->save.cr0 & CR0_PG))
        return -1;
    s->guest_efer = *val & ~EFER_LMA;
    sync_efer(s);
    return 0;
}

static void svm_vcpu_set_tsc_offset(struct vcpu *v, uint64_t offset)
{
    ((struct svm_vcpu *)v->arch)->vmcb->control.tsc_offset = offset;
}

/* Decode one #VMEXIT and hand it to the handler that finishes it: the shared ones (CPUID,
 * MSR, XSETBV, I/O, HLT, hypercall, bad GPA, fatal) or, for what only SVM has, here. */
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
    case VMEXIT_CPUID:
        v->exits[EXIT_CPUID]++;
        vcpu_handle_cpuid(v);
        return;
    case VMEXIT_XSETBV:             /* XCR0 is not in the VMCB: each vCPU keeps its own */
        v->exits[EXIT_OTHER]++;
        vcpu_handle_xsetbv(v);
        return;
    case VMEXIT_HLT:
        v->exits[EXIT_HLT]++;
        vcpu_handle_hlt(v);
        return;
    case VMEXIT_IOIO: {
        v->exits[EXIT_IO]++;
        uint16_t port = (uint16_t)(info1 >> 16);
        bool in = info1 & 1;
        unsigned size = (info1 & 0x10) ? 1 : (info1 & 0x20) ? 2 : 4;
        if (info1 & 0x4) {          /* INS/OUTS */
            struct string_io sio = { port, size, in, info1 & 0x8 };
            vcpu_handle_string_io(v, &sio);
            return;
        }
        vcpu_handle_pio(v, port, size, in);
        return;
    }
    case VMEXIT_MSR:
        v->exits[EXIT_MSR]++;
        vcpu_handle_msr(v, info1 & 1);
        return;
    case VMEXIT_RDPMC:                  /* no performance counters: every index is invalid */
        inject_exception(vmcb, X86_EXC_GP, true, 0);
        return;
    case VMEXIT_RDTSCP:                 /* not offered (CPUID hides it) */
        inject_exception(vmcb, X86_EXC_UD, false, 0);
        return;
    case VMEXIT_VMMCALL:
        v->exits[EXIT_HYPERCALL]++;
        vcpu_handle_hypercall(v);
        return;
    case VMEXIT_NPF:
        v->exits[EXIT_NPF]++;
        if (npt_fault_in(vmcb->control.n_cr3, info2, false))
            return;             /* first touch of lazily cleared memory: retry */
        vcpu_handle_npf(v, info2, (info1 >> 1) & 1);
        return;
    case VMEXIT_SHUTDOWN:
        v->exits[EXIT_SHUTDOWN]++;
        vcpu_handle_fatal(v, "triple fault (shutdown)");
        return;
    case VMEXIT_VMRUN: case VMEXIT_VMLOAD: case VMEXIT_VMSAVE: case VMEXIT_STGI:
    case VMEXIT_CLGI: case VMEXIT_SKINIT: case VMEXIT_INVLPGA: case VMEXIT_ICEBP:
    case VMEXIT_MONITOR: case VMEXIT_MWAIT:
        v->exits[EXIT_VIRT_INSN]++;
        inject_exception(vmcb, X86_EXC_UD, false, 0);
        return;
    case VMEXIT_CR0_WRITE:
        v->exits[EXIT_OTHER]++;
        finish_cr_write(v, s, svm_handle_cr0_write(vmcb, v, s->guest_efer & EFER_LME), "CR0");
        return;
    case VMEXIT_CR4_WRITE:
        v->exits[EXIT_OTHER]++;
        finish_cr_write(v, s, svm_handle_cr4_write(vmcb, v), "CR4");
        return;
    case VMEXIT_INVD:
        v->exits[EXIT_OTHER]++;
        svm_vcpu_skip_insn(v);
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

    fpu_enter(&s->x86.fpu);
    dr_enter(&s->x86.dr);
    svm_host_cr4_follow(vmcb->save.cr4);
    /* GIF clear from before the guest's state is loaded until the host's is back; host IF
     * set so a physical interrupt during the guest becomes an INTR exit. */
    __asm__ volatile("clgi; sti" ::: "memory");
    do
        svm_world_switch(s->vmcb_pa, &v->regs, host_vmcb_pa);
    while (svm_fastpath(v, vmcb));
    __asm__ volatile("cli; stgi" ::: "memory");

    v->regs.rax = vmcb->save.rax;
    v->regs.rsp = vmcb->save.rsp;
    v->regs.rip = vmcb->save.rip;
    v->regs.rflags = vmcb->save.rflags;
    v->long_mode = (vmcb->save.efer & EFER_LMA) && (vmcb->save.cs.attr & 0x200);  /* CS.L */
    vmcb->control.tlb_control = 0;
    /* An event that was being delivered when the exit happened must be delivered again. */
    if (vmcb->control.exit_int_info & EVENT_VALID) {
        vmcb->control.event_inj = vmcb->control.exit_int_info;
        vmcb->control.exit_int_info = 0;
    } else {
        vmcb->control.event_inj = 0;
    }
    PERFC_INCA(exits_svm, vmcb->control.exit_code);
    handle_exit(v, s);
    vmcb->save.rax = v->regs.rax;
    /* Pending host interrupts (the tick) are taken here. */
    __asm__ volatile("sti; nop; cli" ::: "memory");
}

const struct virt_backend svm_backend = {
    .name = "AMD SVM with NPT",
    .hypercall_insn = "vmmcall",
    .init = svm_init,
    .cpu_enable = svm_cpu_enable,
    .vcpu_create = svm_vcpu_create,
    .vcpu_destroy = svm_vcpu_destroy,
    .vcpu_reset = svm_vcpu_reset,
    .vcpu_run_once = svm_vcpu_run_once,
    .vcpu_interruptible = svm_vcpu_interruptible,
    .vcpu_inject_irq = svm_vcpu_inject_irq,
    .vcpu_request_irq_window = svm_vcpu_request_irq_window,
    .vcpu_get_sregs = svm_vcpu_get_sregs,
    .vcpu_flush_tlb = svm_vcpu_flush_tlb,
    .vcpu_skip_insn = svm_vcpu_skip_insn,
    .vcpu_advance = svm_vcpu_advance,
    .vcpu_inject_exception = svm_vcpu_inject_exception,
    .vcpu_efer = svm_vcpu_efer,
    .vcpu_set_tsc_offset = svm_vcpu_set_tsc_offset,
    .p2m_create = npt_create,
    .p2m_map = npt_map,
    .p2m_map_lazy = npt_map_lazy,
    .p2m_fault_in = npt_fault_in,
    .p2m_unmap_4k = npt_unmap_4k,
    .p2m_destroy = npt_destroy,
    .p2m_table_pages = npt_table_pages,
    .gpa_to_hva = svm_gpa_to_hva,
};
