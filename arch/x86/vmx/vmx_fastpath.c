/* The normal build's VMX exit fast path: none. Every VM exit goes through the full exit
 * handling and back to the scheduler. (vmx_fastpath_floor.c is the bench-only variant.) */
#include <stdbool.h>
#include "core/vcpu.h"
#include "vmcs.h"
#include "vmx.h"

/* Contract: called right after a VM exit of the current VMCS, with the guest's registers;
 * true when the exit was finished here and the guest may be re-entered at once. Here:
 * never, the exit goes to the full handler. */
bool vmx_fastpath(struct vcpu_regs *regs)
{
    (void)regs;
    return false;
}
