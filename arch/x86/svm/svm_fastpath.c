/* The normal build's exit fast path: none. Every #VMEXIT goes through the full exit
 * handling and back to the scheduler. (svm_fastpath_floor.c is the bench-only variant.) */
#include <stdbool.h>
#include "core/vcpu.h"
#include "vmcb.h"
#include "svm.h"

bool svm_fastpath(struct vmcb *vmcb, struct vcpu_regs *regs)
{
    (void)vmcb;
    (void)regs;
    return false;
}
