/* Bench-only build (build/kestrel-floor.elf): the floor of a VMX world switch. VMCALL and
 * CPUID exits are finished right here - RIP advanced by the exit's instruction length,
 * nothing else looked at - and the guest is resumed at once, so a guest timing them
 * measures bare VM exit/VMRESUME cost. The VMX twin of svm_fastpath_floor.c; never linked
 * into the real image. */
#include <stdbool.h>
#include "core/vcpu.h"
#include "vmcs.h"
#include "vmx.h"

/* Contract: called right after a VM exit of the current VMCS (a successful entry: an entry
 * failure has bit 31 of the reason set and is left to the full handler), with the guest's
 * registers. VMCALL: RIP past it, RAX = 0 (HC_NOP's result); CPUID: RIP past it, the
 * registers left as they were. True for those two (re-enter the guest now), else false. */
bool vmx_fastpath(struct vcpu_regs *regs)
{
    uint64_t reason = vmread(EXIT_REASON);
    if (reason == VMX_EXIT_VMCALL) {
        vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(EXIT_INSN_LEN));
        regs->rax = 0;
        return true;
    }
    if (reason == VMX_EXIT_CPUID) {
        vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(EXIT_INSN_LEN));
        return true;
    }
    return false;
}
