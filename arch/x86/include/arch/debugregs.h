/* Each vCPU's own breakpoint registers, for both backends. MOV to and from DR0-DR3 does not
 * exit, and neither SVM nor VMX switches those registers (nor DR6 on VMX, where only DR7 is
 * in the VMCS; SVM keeps DR6 and DR7 in the VMCB), so the CPU holds whichever guest's values
 * were written last. As with the extended state (arch/fpu.h), the registers have one owner
 * at a time: dr_enter, before every entry, saves the owner's values and loads the next
 * vCPU's when the CPU changes hands. The host never uses them (its DR7 is 0x400 after every
 * exit, so nothing a guest leaves there can fire in the host). Private to arch/x86. */
#ifndef KESTREL_ARCH_DEBUGREGS_H
#define KESTREL_ARCH_DEBUGREGS_H

#include <stdbool.h>
#include <stdint.h>

struct dr_state {
    uint64_t db[4];             /* DR0-DR3: breakpoint addresses */
    uint64_t dr6;               /* kept here only where the backend's state area lacks it */
    bool with_dr6;
};

/* The values after RESET (DR0-3 zero, DR6 0xFFFF0FF0); with_dr6: the backend does not switch
 * DR6 itself (VMX). The registers are no longer taken for d's if they were. */
void dr_state_reset(struct dr_state *d, bool with_dr6);
/* d is going away: the registers are no longer anyone's if they were d's. */
void dr_state_forget(struct dr_state *d);
/* Before entering the guest whose registers d holds (interrupts off). */
void dr_enter(struct dr_state *d);

#endif
