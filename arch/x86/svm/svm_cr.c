/* CR4 writes under SVM: intercepted so that a guest cannot set a bit this CPU does not
 * allow (VMXE on AMD, for one), which would make the next VMRUN refuse the whole VMCB;
 * the guest gets #GP instead, as on bare hardware. Without decode assists the MOV to CR4
 * is decoded from the guest's own instruction bytes, reached through its page tables. */
#include <stdbool.h>
#include "core/vcpu.h"
#include "lib/string.h"
#include "vmcb.h"
#include "svm_cr.h"

/* CR4 bits a guest may set: VME..UMIP (0-11), FSGSBASE, PCIDE, OSXSAVE (16-18), SMEP, SMAP,
 * PKE (20-22). VMXE, SMXE, LA57 and the reserved bits raise #GP. */
#define CR4_GUEST_ALLOWED 0x770FFFULL

/* Read the guest-physical u64 at gpa; false when outside the guest. */
static bool read_gpa64(uint64_t p2m, uint64_t gpa, uint64_t *out)
{
    const uint8_t *h = arch_gpa_to_hva(p2m, gpa);
    if (!h || ((gpa & 0xfff) > 0xff8))
        return false;
    memcpy(out, h, 8);
    return true;
}

/* Guest linear -> guest physical through the guest's own paging (none, 32-bit, PAE, long). */
static bool linear_to_gpa(const struct vmcb *vm, uint64_t p2m, uint64_t lin, uint64_t *gpa)
{
    const struct vmcb_save *g = &vm->save;
    if (!(g->cr0 & 0x80000000ULL)) {
        *gpa = lin & 0xffffffffULL;
        return true;
    }
    uint64_t e;
    if (!(g->cr4 & 0x20)) {                                 /* 32-bit paging */
        uint64_t pde_pa = (g->cr3 & 0xfffff000ULL) + ((lin >> 22) & 0x3ff) * 4;
        uint64_t pte_pa;
        if (!read_gpa64(p2m, pde_pa & ~7ULL, &e))
            return false;
        e = (pde_pa & 4) ? e >> 32 : e & 0xffffffffULL;
        if (!(e & 1))
            return false;
        if ((e & 0x80) && (g->cr4 & 0x10)) {                /* 4 MiB page */
            *gpa = (e & 0xffc00000ULL) | (lin & 0x3fffff);
            return true;
        }
        pte_pa = (e & 0xfffff000ULL) + ((lin >> 12) & 0x3ff) * 4;
        if (!read_gpa64(p2m, pte_pa & ~7ULL, &e))
            return false;
        e = (pte_pa & 4) ? e >> 32 : e & 0xffffffffULL;
        if (!(e & 1))
            return false;
        *gpa = (e & 0xfffff000ULL) | (lin & 0xfff);
        return true;
    }
    bool lm = g->efer & 0x400;
    int levels = lm ? 4 : 3;
    uint64_t table = lm ? g->cr3 & 0x000ffffffffff000ULL : g->cr3 & 0xffffffe0ULL;
    for (int level = levels - 1; level >= 0; level--) {
        unsigned idx = (level == 2 && !lm) ? (unsigned)((lin >> 30) & 3)
                                            : (unsigned)((lin >> (12 + 9 * level)) & 511);
        if (!read_gpa64(p2m, table + idx * 8, &e) || !(e & 1))
            return false;
        uint64_t addr = e & 0x000ffffffffff000ULL;
        if (level > 0 && level < 3 && (e & 0x80)) {         /* 2 MiB or 1 GiB page */
            uint64_t span = 1ULL << (12 + 9 * level);
            *gpa = (addr & ~(span - 1)) | (lin & (span - 1));
            return true;
        }
        if (level == 0) {
            *gpa = addr | (lin & 0xfff);
            return true;
        }
        table = addr;
    }
    return false;
}

/* Decode MOV CR4, reg at the guest's RIP: the source register's value and the length. */
static bool decode_mov_to_cr4(const struct vmcb *vm, const struct vcpu *v, uint64_t p2m,
                              uint64_t *val, unsigned *len)
{
    uint8_t insn[15] = { 0 };
    uint64_t lin = vm->save.cs.base + v->regs.rip;
    unsigned have = 0;          /* bytes fetched: an instruction may end at memory's end */
    for (; have < sizeof(insn); have++) {
        uint64_t gpa;
        const uint8_t *h;
        if (!linear_to_gpa(vm, p2m, lin + have, &gpa) || !(h = arch_gpa_to_hva(p2m, gpa)))
            break;
        insn[have] = *h;
    }
    unsigned i = 0, rex = 0;
    while (i < 4 && (insn[i] == 0x66 || insn[i] == 0x67 || insn[i] == 0x2e ||
                     insn[i] == 0x3e || insn[i] == 0x26 || insn[i] == 0x36))
        i++;
    if (v->long_mode && (insn[i] & 0xf0) == 0x40)
        rex = insn[i++];
    if (i + 3 > have || insn[i] != 0x0f || insn[i + 1] != 0x22)
        return false;
    uint8_t modrm = insn[i + 2];
    unsigned cr = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
    if ((modrm >> 6) != 3 || cr != 4)
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

enum svm_cr4_result svm_handle_cr4_write(struct vmcb *vm, struct vcpu *v)
{
    uint64_t val;
    unsigned len;
    if (!decode_mov_to_cr4(vm, v, vm->control.n_cr3, &val, &len))
        return CR4_UNDECODED;
    if (val & ~CR4_GUEST_ALLOWED)
        return CR4_FAULT;
    vm->save.cr4 = val;
    v->regs.rip += len;
    vm->control.tlb_control = 1;    /* paging bits may have changed: flush this ASID */
    return CR4_DONE;
}
