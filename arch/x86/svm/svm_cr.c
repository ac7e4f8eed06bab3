/* CR4 writes under SVM: intercepted so that a guest cannot set a bit this CPU does not
 * allow (VMXE on AMD, for one), which would make the next VMRUN refuse the whole VMCB;
 * the guest gets #GP instead, as on bare hardware. CR0 writes: intercepted only in the
 * window where svm.c keeps the guest's EFER.LME out of the VMCB (paging and PAE off), so
 * that turning paging on there activates long mode as the CPU would. Without decode
 * assists the instruction is decoded from the guest's own bytes, reached through its page
 * tables. Also the host's CR4 bits that follow the guest's, to spare an emulated CPU's TLB.
 */
#include <stdbool.h>
#include "core/vcpu.h"
#include "arch/guest_walk.h"
#include "arch/processor.h"
#include "arch/cpu.h"
#include "lib/string.h"
#include "vmcb.h"
#include "svm_cr.h"

/* CR4 bits a guest may set: VME..UMIP (0-11), FSGSBASE, PCIDE, OSXSAVE (16-18), SMEP, SMAP,
 * PKE (20-22). VMXE, SMXE, LA57 and the reserved bits raise #GP. */
#define CR4_GUEST_ALLOWED 0x770FFFULL

/* The guest's paging as the VMCB holds it. */
static struct guest_paging paging_of(const struct vmcb *vmcb, struct domain *dom)
{
    return (struct guest_paging){ vmcb->save.cr0, vmcb->save.cr3, vmcb->save.cr4, vmcb->save.efer,
                                  dom };
}

/* Decode MOV CRn, reg (n = want) at the guest's RIP: the source register's value and the
 * length. For CR0, CLTS too (*val: CR0 with TS clear). */
static bool decode_mov_to_cr(const struct vmcb *vmcb, const struct vcpu *v, unsigned want,
                             uint64_t *val, unsigned *len)
{
    uint8_t insn[15] = { 0 };
    struct guest_paging pg = paging_of(vmcb, v->dom);
    size_t have = guest_fetch_insn(&pg, vmcb->save.cs.base + v->regs.rip, insn);
    unsigned i = 0, rex = 0;
    while (i < 4 && (insn[i] == 0x66 || insn[i] == 0x67 || insn[i] == 0x2e ||
                     insn[i] == 0x3e || insn[i] == 0x26 || insn[i] == 0x36))
        i++;
    if (v->long_mode && (insn[i] & 0xf0) == 0x40)
        rex = insn[i++];
    if (want == 0 && i + 2 <= have && insn[i] == 0x0f && insn[i + 1] == 0x06) {
        *val = vmcb->save.cr0 & ~(1ULL << 3);                 /* CLTS */
        *len = i + 2;
        return true;
    }
    if (i + 3 > have || insn[i] != 0x0f || insn[i + 1] != 0x22)
        return false;
    uint8_t modrm = insn[i + 2];
    unsigned cr = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
    if ((modrm >> 6) != 3 || cr != want)
        return false;
    unsigned gpr = (modrm & 7) | ((rex & 1) ? 8 : 0);
    const uint64_t *regs[16] = {
        &v->regs.rax, &v->regs.rcx, &v->regs.rdx, &v->regs.rbx, &v->regs.rsp, &v->regs.rbp,
        &v->regs.rsi, &v->regs.rdi, &v->regs.r8, &v->regs.r9, &v->regs.r10, &v->regs.r11,
        &v->regs.r12, &v->regs.r13, &v->regs.r14, &v->regs.r15,
    };
    *val = *regs[gpr];
    if (!v->long_mode)
        *val &= 0xffffffffULL;
    *len = i + 3;
    return true;
}

enum svm_cr_result svm_handle_cr4_write(struct vmcb *vmcb, struct vcpu *v)
{
    uint64_t val;
    unsigned len;
    if (!decode_mov_to_cr(vmcb, v, 4, &val, &len))
        return CR_UNDECODED;
    if (val & ~CR4_GUEST_ALLOWED)
        return CR_FAULT;
    vmcb->save.cr4 = val;
    v->regs.rip += len;
    vmcb->control.tlb_control = 1;    /* paging bits may have changed: flush this ASID */
    return CR_DONE;
}

#define CR0_NW  (1ULL << 29)
#define CR0_CD  (1ULL << 30)

enum svm_cr_result svm_handle_cr0_write(struct vmcb *vmcb, struct vcpu *v, bool lme)
{
    uint64_t val;
    unsigned len;
    if (!decode_mov_to_cr(vmcb, v, 0, &val, &len))
        return CR_UNDECODED;
    if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
        ((val & CR0_NW) && !(val & CR0_CD)))
        return CR_FAULT;
    if ((val & CR0_PG) && !(vmcb->save.cr0 & CR0_PG) && lme) {
        if (!(vmcb->save.cr4 & CR4_PAE))
            return CR_FAULT;                   /* long mode needs PAE */
        vmcb->save.efer |= EFER_LME | EFER_LMA;   /* paging on with LME: long mode is active */
    }
    vmcb->save.cr0 = val | CR0_ET;                /* ET is fixed at 1 */
    v->regs.rip += len;
    vmcb->control.tlb_control = 1;                /* paging may have changed: flush this ASID */
    return CR_DONE;
}

/* The CR4 bits that change no host behaviour (the host's tables have no global and no user
 * pages, and long mode ignores PSE) but whose difference between the host and the guest
 * makes an emulated CPU flush its TLB at each VMRUN and #VMEXIT: QEMU's TCG flushes its
 * whole software TLB, and with it the translated-code lookup cache, whenever PGE, PSE, SMEP
 * or SMAP change, on top of the flush of the CR3 load. The host takes the guest's values
 * of these before each run (svm_host_cr4_follow), so a round trip costs two flushes, not four. */
static uint64_t cr4_follow_mask;

static void host_cr4_follow_init(void)
{
    cr4_follow_mask = CR4_PSE;          /* nonzero: done */
    if ((cpuid(1, 0).edx >> 13) & 1)
        cr4_follow_mask |= CR4_PGE;
    if (cpuid(0, 0).eax >= 7) {
        uint32_t ebx = cpuid(7, 0).ebx;
        cr4_follow_mask |= ((ebx >> 7) & 1 ? CR4_SMEP : 0) | ((ebx >> 20) & 1 ? CR4_SMAP : 0);
    }
}

/* Contract in svm_cr.h. */
void svm_host_cr4_follow(uint64_t guest_cr4)
{
    if (!cr4_follow_mask)
        host_cr4_follow_init();
    uint64_t cr4 = read_cr4();
    uint64_t want = (cr4 & ~cr4_follow_mask) | (guest_cr4 & cr4_follow_mask);
    if (want != cr4)
        write_cr4(want);
}
