/* The Intel VMX backend: enabling VMX (IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, VMXON),
 * the control settings every VMCS gets (from the TRUE capability MSRs), one VMCS per vCPU
 * with EPT, a VPID and an unrestricted guest put in the entry state the core gives, event
 * injection and the interrupt window, and `dump`'s view of the guest. The run loop and the
 * exit dispatcher are in vmx_exit.c; the extended page tables in ept.c. */
#include <stdbool.h>
#include "core/vcpu.h"
#include "arch/cpu.h"
#include "arch/processor.h"
#include "arch/gdt.h"
#include "arch/time.h"
#include "arch/virt_backend.h"
#include "mm/frame.h"
#include "lib/string.h"
#include "lib/format.h"
#include "vmcs.h"
#include "vmx.h"
#include "ept.h"


struct vmx_caps vmx_caps;

static uint32_t vmcs_revision;
static uint64_t vmxon_pa, io_bitmap_pa, msr_bitmap_pa, current_vmcs;
static uint64_t host_msr_area_pa;      /* the host's values of the swapped MSRs, loaded at exit */
static uint16_t next_vpid = 1;

extern char vmx_exit_point[];

/* Control value from a capability MSR (low half: bits that must be 1, high half: bits
 * that may be 1): the required bits `need` plus whichever of `want` are allowed. False
 * when one of `need` is not allowed. */
static bool adjust(uint32_t msr, uint32_t need, uint32_t want, uint32_t *out)
{
    uint64_t cap = rdmsr(msr);
    uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);
    if ((need & may) != need)
        return false;
    *out = (must | need | (want & may)) & may;
    return true;
}

/* Let the guest read and write an MSR without an exit (read bitmaps at 0 and 1024,
 * write bitmaps at 2048 and 3072; low MSRs first, then 0xC0000000..). */
static void msr_pass(uint8_t *bm, uint32_t msr)
{
    uint32_t base = 0;
    if (msr >= 0xC0000000) {
        base = 1024;
        msr -= 0xC0000000;
    }
    bm[base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
    bm[2048 + base + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

/* Check what Kestrel needs of the CPU and pick every control; false with a reason. */
static bool vmx_probe(char *why, size_t whysz)
{
    if (!((cpuid(1, 0).ecx >> 5) & 1)) {
        snprintf(why, whysz, "this CPU has no Intel VMX");
        return false;
    }
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON);
    else if (!(fc & FEATURE_CONTROL_VMXON)) {
        snprintf(why, whysz, "VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked)");
        return false;
    }
    uint64_t basic = rdmsr(MSR_VMX_BASIC);
    vmcs_revision = (uint32_t)basic & 0x7fffffff;
    if (!((basic >> 55) & 1)) {
        snprintf(why, whysz, "this CPU's VMX has no TRUE control MSRs");
        return false;
    }
    if (!((rdmsr(MSR_VMX_PROCBASED) >> 63) & 1)) {
        snprintf(why, whysz, "this CPU's VMX has no secondary controls (no EPT)");
        return false;
    }
    uint32_t may2 = (uint32_t)(rdmsr(MSR_VMX_PROCBASED2) >> 32);
    const char *missing = !(may2 & PROC2_EPT) ? "EPT" :
                          !(may2 & PROC2_UNRESTRICTED) ? "unrestricted guest" :
                          !(may2 & PROC2_VPID) ? "VPID" : NULL;
    uint64_t cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
    if (!missing && (!(cap & EPT_CAP_WALK4) || !(cap & EPT_CAP_WB)))
        missing = "4-level write-back EPT";
    if (!missing && (!(cap & EPT_CAP_2M)))
        missing = "2 MiB EPT pages";
    if (!missing && (!(cap & EPT_CAP_INVEPT) ||
                     !(cap & (EPT_CAP_INVEPT_CTX | EPT_CAP_INVEPT_ALL))))
        missing = "INVEPT";
    if (missing) {
        snprintf(why, whysz, "this CPU's VMX has no %s", missing);
        return false;
    }
    ept_set_invept_type((cap & EPT_CAP_INVEPT_CTX) ? 1 : 2);
    vmx_caps.invvpid_type = !(cap & VPID_CAP_INVVPID) ? 0 : (cap & VPID_CAP_CTX) ? 1 :
                            (cap & VPID_CAP_ALL) ? 2 : 0;

    struct vmx_caps *c = &vmx_caps;
    bool ok = adjust(MSR_VMX_TRUE_PINBASED, PIN_EXT_INTR | PIN_NMI, PIN_PREEMPT_TIMER,
                     &c->pin) &&
              adjust(MSR_VMX_TRUE_PROCBASED, PROC_HLT | PROC_IO_BITMAPS | PROC_MSR_BITMAPS |
                     PROC_SECONDARY | PROC_CR8_LOAD | PROC_CR8_STORE | PROC_TSC_OFFSETTING |
                     PROC_RDPMC, PROC_MWAIT | PROC_MONITOR,
                     &c->proc) &&
              adjust(MSR_VMX_PROCBASED2, PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED, 0,
                     &c->proc2) &&          /* no RDTSCP/RDPID: TSC_AUX is the host's (#UD) */
              adjust(MSR_VMX_TRUE_EXIT, EXIT_CTL_HOST_64 | EXIT_CTL_SAVE_EFER |
                     EXIT_CTL_LOAD_EFER, EXIT_CTL_SAVE_DEBUG, &c->exit) &&
              adjust(MSR_VMX_TRUE_ENTRY, ENTRY_CTL_LOAD_EFER, ENTRY_CTL_LOAD_DEBUG, &c->entry);
    if (!ok || !((rdmsr(MSR_VMX_TRUE_PROCBASED) >> 32) & PROC_INTR_WINDOW)) {
        snprintf(why, whysz, "this CPU's VMX lacks a control Kestrel needs");
        return false;
    }
    c->exit &= ~EXIT_CTL_ACK_INTR;      /* the host's IDT takes the interrupt after the exit */
    /* A backstop for the tick: the VMX-preemption timer ends a guest's run after 1 ms of
     * TSC time even if no external-interrupt exit came (Bochs loses them for a guest that
     * runs with IF=0). It counts down once every 2^MISC[4:0] TSC cycles. */
    if (c->pin & PIN_PREEMPT_TIMER) {
        uint64_t per_ms = (tsc_hz() / 1000) >> (rdmsr(MSR_VMX_MISC) & 31);
        c->preempt_ticks = per_ms ? (per_ms > 0xFFFFFFFFULL ? 0xFFFFFFFFu : (uint32_t)per_ms) : 1;
    }
    c->proc &= ~(PROC_INTR_WINDOW | PROC_CR3_LOAD | PROC_CR3_STORE);
    c->entry &= ~ENTRY_CTL_IA32E;
    c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
    c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
    c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
    c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
    return true;
}

/* Fix this CPU's CR0/CR4 for VMX and enter VMX operation with the VMXON region at pa
 * (vmx_probe has filled vmx_caps); false with a reason. */
static bool vmx_on(uint64_t pa, char *why, size_t whysz)
{
    uint64_t cr0 = (read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1;
    uint64_t cr4 = (read_cr4() | vmx_caps.cr4_fixed0 | CR4_VMXE) & vmx_caps.cr4_fixed1;
    write_cr0(cr0);
    write_cr4(cr4);
    *(uint32_t *)(uintptr_t)pa = vmcs_revision;
    bool bad;
    __asm__ volatile("vmxon %1; setbe %0" : "=q"(bad) : "m"(pa) : "cc", "memory");
    if (bad) {
        snprintf(why, whysz, "VMXON failed");
        return false;
    }
    if (vmx_caps.invvpid_type)
        invvpid(2, 0);
    return true;
}

/* Enable VMX on this CPU: probe, fix CR0/CR4, VMXON, and build the shared bitmaps. */
static bool vmx_init(char *why, size_t whysz)
{
    if (!vmx_probe(why, whysz))
        return false;
    vmxon_pa = frame_alloc_zeroed(1);
    io_bitmap_pa = frame_alloc_zeroed(2);
    msr_bitmap_pa = frame_alloc_zeroed(1);
    host_msr_area_pa = frame_alloc_zeroed(1);
    if (!vmxon_pa || !io_bitmap_pa || !msr_bitmap_pa || !host_msr_area_pa) {
        snprintf(why, whysz, "no memory for the VMX host areas");
        return false;
    }
    memset((void *)(uintptr_t)io_bitmap_pa, 0xff, 2 * FRAME_SIZE);   /* every port exits */
    uint8_t *bm = (uint8_t *)(uintptr_t)msr_bitmap_pa;
    memset(bm, 0xff, FRAME_SIZE);                                  /* every MSR exits ... */
    for (size_t i = 0; i < vmsr_passthrough_count; i++)           /* ... but those the VMCS */
        msr_pass(bm, vmsr_passthrough[i]);                        /* or the MSR areas switch */
    struct vmx_msr_entry *host = (struct vmx_msr_entry *)(uintptr_t)host_msr_area_pa;
    for (unsigned i = 0; i < VMX_SWAPPED_MSRS; i++)
        host[i] = (struct vmx_msr_entry){ .index = vmx_swapped_msrs[i],
                                          .value = rdmsr(vmx_swapped_msrs[i]) };

    return vmx_on(vmxon_pa, why, whysz);
}

/* VMX on an application processor: its own VMXON region; the controls, bitmaps and VPIDs
 * stay the boot CPU's (the same model of CPU). */
static bool vmx_cpu_enable(uint64_t area_pa, char *why, size_t whysz)
{
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON);
    else if (!(fc & FEATURE_CONTROL_VMXON)) {
        snprintf(why, whysz, "VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked)");
        return false;
    }
    return vmx_on(area_pa, why, whysz);
}

void vmx_load(struct vmx_vcpu *s)
{
    if (current_vmcs != s->vmcs_pa) {
        vmptrld(s->vmcs_pa);
        current_vmcs = s->vmcs_pa;
    }
}

uint64_t vmx_cr0_mask(void)
{
    return (vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1) & ~(CR0_PE | CR0_PG);
}

uint64_t vmx_cr4_mask(void)
{
    return vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1 | CR4_VMXE;
}

uint64_t vmx_cr0_real(uint64_t guest)
{
    return (guest | (vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & vmx_caps.cr0_fixed1;
}

uint64_t vmx_cr4_real(uint64_t guest)
{
    return (guest | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
}

static int vmx_vcpu_create(struct vcpu *v)
{
    static struct vmx_vcpu pool[256];
    struct vmx_vcpu *s = NULL;
    for (unsigned i = 0; i < 256 && !s; i++)
        if (!pool[i].in_use)
            s = &pool[i];
    if (!s)
        return -1;
    memset(s, 0, sizeof(*s));
    s->vmcs_pa = frame_alloc_zeroed(1);
    s->msr_area_pa = frame_alloc_zeroed(1);
    if (!s->vmcs_pa || !s->msr_area_pa || fpu_state_init(&s->x86.fpu) != 0) {
        if (s->vmcs_pa)
            frame_free(s->vmcs_pa);
        if (s->msr_area_pa)
            frame_free(s->msr_area_pa);
        return -1;
    }
    *(uint32_t *)(uintptr_t)s->vmcs_pa = vmcs_revision;
    vmclear(s->vmcs_pa);
    s->in_use = true;
    v->arch = s;
    return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
    struct vmx_vcpu *s = v->arch;
    if (!s)
        return;
    vmclear(s->vmcs_pa);
    if (current_vmcs == s->vmcs_pa)
        current_vmcs = 0;
    frame_free(s->vmcs_pa);
    frame_free(s->msr_area_pa);
    fpu_state_free(&s->x86.fpu);
    dr_state_forget(&s->x86.dr);
    memset(s, 0, sizeof(*s));
    v->arch = NULL;
}

/* Read a segment register's selector. */
#define READ_SEL(seg) ({ uint16_t s_; __asm__ volatile("mov %%" #seg ", %0" : "=r"(s_)); s_; })

/* The host state every exit returns to: this CPU's control registers, segments, TSS,
 * descriptor tables and EFER, resuming at vmx_exit_point. */
static void write_host_state(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr, idtr;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    uint16_t tr;
    __asm__ volatile("str %0" : "=r"(tr));
    const uint64_t *gdt = (const uint64_t *)(uintptr_t)gdtr.base;
    uint64_t lo = gdt[tr / 8], hi = gdt[tr / 8 + 1];
    uint64_t tr_base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (hi << 32);

    vmwrite(HOST_CR0, read_cr0());
    vmwrite(HOST_CR3, read_cr3());
    vmwrite(HOST_CR4, read_cr4());
    vmwrite(HOST_CS_SEL, READ_SEL(cs) & ~7);
    vmwrite(HOST_SS_SEL, READ_SEL(ss) & ~7);
    vmwrite(HOST_DS_SEL, READ_SEL(ds) & ~7);
    vmwrite(HOST_ES_SEL, READ_SEL(es) & ~7);
    vmwrite(HOST_FS_SEL, READ_SEL(fs) & ~7);
    vmwrite(HOST_GS_SEL, READ_SEL(gs) & ~7);
    vmwrite(HOST_TR_SEL, tr & ~7);
    vmwrite(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    vmwrite(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    vmwrite(HOST_TR_BASE, tr_base);
    vmwrite(HOST_GDTR_BASE, gdtr.base);
    vmwrite(HOST_IDTR_BASE, idtr.base);
    vmwrite(HOST_SYSENTER_CS, 0);
    vmwrite(HOST_SYSENTER_ESP, 0);
    vmwrite(HOST_SYSENTER_EIP, 0);
    vmwrite(HOST_EFER, rdmsr(MSR_EFER));
    vmwrite(HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_point);
}

/* One segment of the entry state into guest segment n (ES CS SS DS FS GS LDTR TR): its
 * 12-bit attributes spread into VMX access rights; an LDTR with a null selector is marked
 * unusable, as VM entry wants it. */
static void guest_seg(unsigned n, const struct vcpu_segment *seg)
{
    uint32_t ar = (seg->attr & 0xffu) | ((uint32_t)(seg->attr & 0xf00u) << 4);
    if (n == 6 && seg->sel == 0)
        ar |= 1u << 16;                 /* unusable */
    vmwrite(GUEST_ES_SEL + 2 * n, seg->sel);
    vmwrite(GUEST_ES_BASE + 2 * n, seg->base);
    vmwrite(GUEST_ES_LIMIT + 2 * n, seg->limit);
    vmwrite(GUEST_ES_AR + 2 * n, ar);
}

/* A cleared VMCS: the controls every VMCS gets, the bitmaps and MSR areas, EPT over
 * p2m_root, a new VPID, the host state; the guest state loaded from e as the core gave it. */
static void vmx_vcpu_reset(struct vcpu *v, const struct vcpu_entry *e, uint64_t p2m_root)
{
    struct vmx_vcpu *s = v->arch;
    vmclear(s->vmcs_pa);                /* launch state "clear": VMLAUNCH next */
    current_vmcs = 0;
    s->launched = false;
    s->p2m_root = p2m_root;
    s->cr2 = 0;
    fpu_state_reset(&s->x86.fpu);           /* registers as after RESET, XCR0 = x87 only */
    vmsr_reset(&s->x86.msrs);
    s->x86.pv = (struct pvclock_state){ 0 };
    dr_state_reset(&s->x86.dr, true);
    vmx_load(s);
    if (next_vpid == 0)
        next_vpid = 1;
    s->vpid = next_vpid++;

    const struct vmx_caps *c = &vmx_caps;
    vmwrite(PIN_CONTROLS, c->pin);
    vmwrite(PROC_CONTROLS, c->proc);
    vmwrite(PROC2_CONTROLS, c->proc2);
    vmwrite(EXIT_CONTROLS, c->exit);
    vmwrite(ENTRY_CONTROLS, (e->efer & EFER_LMA) ? c->entry | ENTRY_CTL_IA32E : c->entry);
    vmwrite(EXCEPTION_BITMAP, 0);
    vmwrite(PF_ERR_MASK, 0);
    vmwrite(PF_ERR_MATCH, 0);
    vmwrite(CR3_TARGET_COUNT, 0);
    vmwrite(TPR_THRESHOLD, 0);
    vmwrite(IO_BITMAP_A, io_bitmap_pa);
    vmwrite(IO_BITMAP_B, io_bitmap_pa + FRAME_SIZE);
    vmwrite(MSR_BITMAP, msr_bitmap_pa);
    vmwrite(EPT_POINTER, ept_pointer(p2m_root));
    vmwrite(VPID, s->vpid);

    struct vmx_msr_entry *area = (struct vmx_msr_entry *)(uintptr_t)s->msr_area_pa;
    for (unsigned i = 0; i < VMX_SWAPPED_MSRS; i++)
        area[i] = (struct vmx_msr_entry){ .index = vmx_swapped_msrs[i] };
    vmwrite(EXIT_MSR_STORE_ADDR, s->msr_area_pa);
    vmwrite(EXIT_MSR_STORE_COUNT, VMX_SWAPPED_MSRS);
    vmwrite(ENTRY_MSR_LOAD_ADDR, s->msr_area_pa);
    vmwrite(ENTRY_MSR_LOAD_COUNT, VMX_SWAPPED_MSRS);
    vmwrite(EXIT_MSR_LOAD_ADDR, host_msr_area_pa);       /* the host's own back at exit */
    vmwrite(EXIT_MSR_LOAD_COUNT, VMX_SWAPPED_MSRS);
    vmwrite(TSC_OFFSET, s->x86.msrs.tsc_offset);
    vmwrite(ENTRY_INTR_INFO, 0);
    write_host_state();

    const struct vcpu_segment *segs[8] = { &e->es, &e->cs, &e->ss, &e->ds, &e->fs, &e->gs,
                                           &e->ldtr, &e->tr };
    for (unsigned n = 0; n < 8; n++)
        guest_seg(n, segs[n]);
    vmwrite(GUEST_GDTR_BASE, e->gdtr.base);
    vmwrite(GUEST_GDTR_LIMIT, e->gdtr.limit);
    vmwrite(GUEST_IDTR_BASE, e->idtr.base);
    vmwrite(GUEST_IDTR_LIMIT, e->idtr.limit);
    vmwrite(CR0_MASK, vmx_cr0_mask());
    vmwrite(CR0_SHADOW, e->cr0);
    vmwrite(GUEST_CR0, vmx_cr0_real(e->cr0));
    vmwrite(CR4_MASK, vmx_cr4_mask());
    vmwrite(CR4_SHADOW, e->cr4);
    vmwrite(GUEST_CR4, vmx_cr4_real(e->cr4));
    vmwrite(GUEST_CR3, e->cr3);
    vmwrite(GUEST_DR7, DR7_RESET);
    vmwrite(GUEST_DEBUGCTL, 0);
    vmwrite(GUEST_RSP, e->regs.rsp);
    vmwrite(GUEST_RIP, e->regs.rip);
    vmwrite(GUEST_RFLAGS, e->regs.rflags);
    vmwrite(GUEST_PENDING_DBG, 0);
    vmwrite(GUEST_SYSENTER_CS, 0);
    vmwrite(GUEST_SYSENTER_ESP, 0);
    vmwrite(GUEST_SYSENTER_EIP, 0);
    vmwrite(GUEST_EFER, e->efer);
    vmwrite(GUEST_INTERRUPTIBILITY, 0);
    vmwrite(GUEST_ACTIVITY, 0);
    vmwrite(VMCS_LINK_PTR, ~0ULL);

    v->regs = e->regs;
    v->long_mode = (e->efer & EFER_LMA) && (e->cs.attr & 0x200);
    ept_flush(p2m_root);                /* nothing cached from an earlier user of the root */
    if (vmx_caps.invvpid_type)
        invvpid(vmx_caps.invvpid_type, s->vpid);
}

static void vmx_vcpu_flush_tlb(struct vcpu *v)
{
    struct vmx_vcpu *s = v->arch;
    ept_flush(s->p2m_root);
    if (vmx_caps.invvpid_type)
        invvpid(vmx_caps.invvpid_type, s->vpid);
}

static bool vmx_vcpu_interruptible(struct vcpu *v)
{
    vmx_load(v->arch);
    return (v->regs.rflags & 0x200) && !(vmread(GUEST_INTERRUPTIBILITY) & 3) &&
           !(vmread(ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

static void vmx_vcpu_inject_irq(struct vcpu *v, uint8_t vector)
{
    vmx_load(v->arch);
    vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT | vector);
    v->injected_irqs++;
}

static void vmx_vcpu_request_irq_window(struct vcpu *v)
{
    vmx_load(v->arch);
    vmwrite(PROC_CONTROLS, vmread(PROC_CONTROLS) | PROC_INTR_WINDOW);
}

/* A guest segment for `dump`, its access rights in the SVM-style 12-bit form. */
static void read_seg(struct vcpu_segment *d, unsigned n)
{
    uint32_t ar = (uint32_t)vmread(GUEST_ES_AR + 2 * n);
    d->sel = (uint16_t)vmread(GUEST_ES_SEL + 2 * n);
    d->attr = (uint16_t)((ar & 0xff) | ((ar >> 4) & 0xf00));
    d->limit = (uint32_t)vmread(GUEST_ES_LIMIT + 2 * n);
    d->base = vmread(GUEST_ES_BASE + 2 * n);
}

static void vmx_vcpu_get_sregs(struct vcpu *v, struct vcpu_sregs *r)
{
    vmx_load(v->arch);
    uint64_t m0 = vmread(CR0_MASK), m4 = vmread(CR4_MASK);
    r->cr0 = (vmread(GUEST_CR0) & ~m0) | (vmread(CR0_SHADOW) & m0);
    r->cr4 = (vmread(GUEST_CR4) & ~m4) | (vmread(CR4_SHADOW) & m4);
    r->cr3 = vmread(GUEST_CR3);
    r->cr2 = ((struct vmx_vcpu *)v->arch)->cr2;
    r->efer = vmread(GUEST_EFER);
    read_seg(&r->es, 0);
    read_seg(&r->cs, 1);
    read_seg(&r->ss, 2);
    read_seg(&r->ds, 3);
    read_seg(&r->fs, 4);
    read_seg(&r->gs, 5);
    read_seg(&r->ldtr, 6);
    read_seg(&r->tr, 7);
    r->gdtr = (struct vcpu_segment){ .limit = (uint32_t)vmread(GUEST_GDTR_LIMIT),
                                     .base = vmread(GUEST_GDTR_BASE) };
    r->idtr = (struct vcpu_segment){ .limit = (uint32_t)vmread(GUEST_IDTR_LIMIT),
                                     .base = vmread(GUEST_IDTR_BASE) };
    r->interrupt_shadow = vmread(GUEST_INTERRUPTIBILITY) & 3;
    uint64_t ev = vmread(ENTRY_INTR_INFO);
    r->pending_event = (ev & INTR_INFO_VALID) ? ev : 0;
}

const struct virt_backend vmx_backend = {
    .name = "Intel VMX with EPT",
    .hypercall_insn = "vmcall",
    .init = vmx_init,
    .cpu_enable = vmx_cpu_enable,
    .vcpu_create = vmx_vcpu_create,
    .vcpu_destroy = vmx_vcpu_destroy,
    .vcpu_reset = vmx_vcpu_reset,
    .vcpu_run_once = vmx_vcpu_run_once,
    .vcpu_interruptible = vmx_vcpu_interruptible,
    .vcpu_inject_irq = vmx_vcpu_inject_irq,
    .vcpu_request_irq_window = vmx_vcpu_request_irq_window,
    .vcpu_get_sregs = vmx_vcpu_get_sregs,
    .vcpu_flush_tlb = vmx_vcpu_flush_tlb,
    .vcpu_skip_insn = vmx_vcpu_skip_insn,
    .vcpu_advance = vmx_vcpu_advance,
    .vcpu_inject_exception = vmx_vcpu_inject_exception,
    .vcpu_efer = vmx_vcpu_efer,
    .vcpu_set_tsc_offset = vmx_vcpu_set_tsc_offset,
    .p2m_create = ept_create,
    .p2m_map = ept_map,
    .p2m_unmap_4k = ept_unmap_4k,
    .p2m_destroy = ept_destroy,
    .p2m_table_pages = ept_table_pages,
    .gpa_to_hva = ept_gpa_to_hva,
};
