/* INS and OUTS (with or without REP) from a guest, emulated for both backends: the exit
 * tells the port, the element size, the address size and whether it repeats; the data
 * moves between the domain's devices and its memory at ES:rDI / seg:rSI, through its own
 * paging. Private to arch/x86. */
#ifndef KESTREL_ARCH_STRING_IO_H
#define KESTREL_ARCH_STRING_IO_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Elements moved per exit at most: a long REP goes on at the next entry (RIP unchanged,
 * registers advanced), so interrupts and the scheduler get in, as on hardware. */
#define STRING_IO_BATCH 4096

struct string_io {
    uint16_t port;
    unsigned size;              /* element: 1, 2 or 4 bytes */
    bool in;                    /* INS (else OUTS) */
    bool rep;
};
/* The address size and OUTS's segment are decoded from the instruction's own prefixes and
 * the guest's mode (exits differ in what they report, and emulators more so). */

enum string_io_result {
    STRING_IO_DONE,             /* done: RIP moved past it (arch_vcpu_skip_insn) */
    STRING_IO_AGAIN,            /* a REP batch done; RIP unchanged, the rest runs next entry */
    STRING_IO_FAULT,            /* memory that does not translate: #GP(0) raised, RIP unchanged */
    STRING_IO_CRASHED,          /* memory outside the domain: it was crashed (on_crash) */
};

/* Emulate the exiting INS/OUTS and finish the exit as the result says. */
enum string_io_result vcpu_handle_string_io(struct vcpu *v, const struct string_io *s);

#endif
