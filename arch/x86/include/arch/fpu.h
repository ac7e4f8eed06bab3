/* Each vCPU's own x87/SSE/AVX... register state and XCR0, for both backends. Neither SVM nor
 * VMX switches them, and the host never uses them (it is built general-registers-only), so
 * the registers hold whichever guest ran last: fpu_enter, before every entry, saves that
 * guest's state into its area and loads this one's when the CPU changes hands (XSAVE/XRSTOR
 * of every component the CPU has, or FXSAVE/FXRSTOR without XSAVE) and XCR0 with them.
 * Private to arch/x86. */
#ifndef KESTREL_ARCH_FPU_H
#define KESTREL_ARCH_FPU_H

#include <stdbool.h>
#include <stdint.h>

struct fpu_state {
    void *area;                 /* XSAVE (64-aligned) or FXSAVE (16-aligned) image */
    uint64_t area_pa;           /* its frames */
    uint64_t xcr0;              /* the guest's XCR0 (XSETBV); 1 after reset */
};

/* Probe XSAVE and the save area's size; call once at boot before any fpu_state_init. */
void fpu_init(void);
/* A vCPU's state as after RESET: x87 initialised (FCW 0x37F), XMM/YMM... zero, MXCSR
 * 0x1F80, XCR0 = 1. 0, or -1 when out of memory. */
int fpu_state_init(struct fpu_state *f);
/* Back to the RESET state (the vCPU is reset in place). */
void fpu_state_reset(struct fpu_state *f);
/* Free the area; the registers are no longer anyone's if they were f's. */
void fpu_state_free(struct fpu_state *f);
/* Before entering the guest whose state f is (interrupts off). */
void fpu_enter(struct fpu_state *f);
/* The guest's XSETBV of val into XCR[xcr], as the CPU does it: 6 (#UD) unless the guest's
 * CR4.OSXSAVE is set, 13 (#GP(0)) for an XCR other than 0 or a value XCR0 cannot take on
 * this CPU (the SDM's whole list), else 0: val is f's XCR0 from now on, in the CPU at once
 * if f owns it. The caller injects the exception or moves past the instruction. */
int fpu_xsetbv(struct fpu_state *f, uint64_t guest_cr4, uint32_t xcr, uint64_t val);
/* The guest's XCR0 now: the real one while f owns the CPU (a guest XSETBV that did not
 * exit, under an emulator that ignores SVM's intercept, is only there), else f's copy. */
uint64_t fpu_guest_xcr0(const struct fpu_state *f);
/* Whether the CPU has XSAVE (and so XCR0, XSETBV) at all. */
bool fpu_has_xsave(void);

#endif
