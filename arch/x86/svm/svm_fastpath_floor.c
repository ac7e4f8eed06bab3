/* Bench-only build (build/kestrel-floor.elf): the floor of a world switch. VMMCALL and
 * CPUID exits are finished right here - RIP advanced, nothing else looked at - and the
 * guest is resumed at once, so a guest timing them measures bare VMRUN/#VMEXIT cost.
 * Never linked into the real image. */
#include <stdbool.h>
#include "core/vcpu.h"
#include "vmcb.h"

bool svm_fastpath(struct vmcb *vm, struct vcpu_regs *regs);
bool svm_fastpath(struct vmcb *vm, struct vcpu_regs *regs)
{
    (void)regs;
    if (vm->control.exit_code == VMEXIT_VMMCALL) {
        vm->save.rip += 3;
        vm->save.rax = 0;
        return true;
    }
    if (vm->control.exit_code == VMEXIT_CPUID) {
        vm->save.rip += 2;
        return true;
    }
    return false;
}
