/* Bench-only build (build/kestrel-floor.elf): the floor of a world switch. VMMCALL and
 * CPUID exits are finished right here - RIP advanced, nothing else looked at - and the
 * guest is resumed at once, so a guest timing them measures bare VMRUN/#VMEXIT cost.
 * Never linked into the real image. */
#include <stdbool.h>
#include "core/vcpu.h"
#include "vmcb.h"
#include "svm.h"

bool svm_fastpath(struct vcpu *v, struct vmcb *vmcb)
{
    (void)v;
    if (vmcb->control.exit_code == VMEXIT_VMMCALL) {
        vmcb->save.rip += 3;
        vmcb->save.rax = 0;
        return true;
    }
    if (vmcb->control.exit_code == VMEXIT_CPUID) {
        vmcb->save.rip += 2;
        return true;
    }
    return false;
}
