/* What the files of the SVM backend share (svm.c: setup, the vCPU interface and the exit
 * dispatcher; svm_entry.S: the world switch; svm_fastpath*.c: the per-build fast path);
 * private to arch/x86/svm. */
#ifndef KESTREL_ARCH_SVM_SVM_H
#define KESTREL_ARCH_SVM_SVM_H

#include <stdbool.h>
#include <stdint.h>

struct vmcb;
struct vcpu_regs;
struct vcpu;

/* svm_entry.S: VMLOAD/VMRUN/VMSAVE around the guest, its registers in and out of regs. */
void svm_world_switch(uint64_t vmcb_pa, struct vcpu_regs *regs, uint64_t host_vmcb_pa);
void svm_vmsave(uint64_t pa);
/* Chosen at link time: svm_fastpath.c (port accesses complete in themselves) or
 * svm_fastpath_floor.c (the bench-only floor that resumes the guest at once after VMMCALL
 * and CPUID). Called right after a #VMEXIT, GIF still clear, the guest's RAX, RSP, RIP and
 * RFLAGS in the VMCB; true when it finished the exit (there) and the guest may be
 * re-entered at once. */
bool svm_fastpath(struct vcpu *v, struct vmcb *vmcb);

#endif
