/* The normal build's exit fast path: the port accesses that are complete in themselves
 * (core's vcpu_fast_io: the UART's polled console output, PCI configuration reads) are
 * finished right here and the guest re-entered at once, without leaving the world-switch
 * loop for the run loop. Those are most of a Linux boot's exits (the 8250 console's LSR
 * read and THR write per character, the kernel's scans of PCI configuration space); every
 * other exit goes the full way. (svm_fastpath_floor.c is the bench-only variant.) */
#include <stdbool.h>
#include "core/vcpu.h"
#include "core/perfc.h"
#include "vmcb.h"
#include "svm.h"

bool svm_fastpath(struct vcpu *v, struct vmcb *vmcb)
{
    struct vmcb_control *c = &vmcb->control;
    if (c->exit_code != VMEXIT_IOIO || (c->exit_info_1 & 0x4) ||   /* not INS/OUTS */
        (c->exit_int_info & EVENT_VALID))                       /* no event to redeliver */
        return false;
    uint64_t info1 = c->exit_info_1;
    uint16_t port = (uint16_t)(info1 >> 16);
    bool in = info1 & 1;
    unsigned size = (info1 & 0x10) ? 1 : (info1 & 0x20) ? 2 : 4;
    uint32_t val = (uint32_t)vmcb->save.rax;
    if (!vcpu_fast_io(v, port, size, in, &val))
        return false;
    if (in && size == 4)
        vmcb->save.rax = val;               /* a 32-bit result zero-extends into RAX */
    else if (in)
        vmcb->save.rax = (vmcb->save.rax & ~(uint64_t)(size == 2 ? 0xFFFF : 0xFF)) | val;
    vmcb->save.rip = c->exit_info_2;        /* the next RIP */
    c->event_inj = 0;                       /* what this VMRUN injected was delivered */
    c->tlb_control = 0;
    PERFC_INCA(exits_svm, c->exit_code);
    PERFC_INC(exits_fast);
    return true;
}
