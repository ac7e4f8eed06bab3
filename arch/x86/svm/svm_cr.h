/* CR0 and CR4 for the SVM backend (arch/x86/svm/svm_cr.c): the guest's writes emulated,
 * and the host's CR4 kept close to the guest's; private to svm/. */
#ifndef KESTREL_ARCH_SVM_CR_H
#define KESTREL_ARCH_SVM_CR_H

struct vmcb;
struct vcpu;

#include <stdbool.h>
#include <stdint.h>

enum svm_cr_result { CR_DONE, CR_FAULT, CR_UNDECODED };

/* Emulate the intercepted MOV to CR4 at the guest's RIP: CR_DONE (written, RIP advanced),
 * CR_FAULT (a bit the guest may not set: inject #GP), CR_UNDECODED (not a MOV to CR4
 * from a register, or its bytes are unreachable). */
enum svm_cr_result svm_handle_cr4_write(struct vmcb *vmcb, struct vcpu *v);
/* The same for an intercepted MOV to CR0 or CLTS (the CR0 write intercept is on only while
 * the guest's EFER.LME is kept out of the VMCB, see svm.c): the CPU's checks (#GP for PG
 * without PE, NW without CD, bits 32-63, and for turning paging on with lme set but PAE
 * off); with lme and PAE, turning paging on activates long mode (EFER.LME and LMA set in
 * the VMCB). */
enum svm_cr_result svm_handle_cr0_write(struct vmcb *vmcb, struct vcpu *v, bool lme);

/* Before a VMRUN: give the host's CR4 the guest's values of the bits that change no host
 * behaviour but would make an emulated CPU flush its TLB at each world switch (PGE, PSE,
 * SMEP, SMAP; see svm_cr.c). A CR4 write only when they differ. */
void svm_host_cr4_follow(uint64_t guest_cr4);

#endif
