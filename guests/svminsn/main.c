/* svminsn (hostile): executes every SVM instruction (VMRUN, VMLOAD, VMSAVE, STGI, CLGI,
 * SKINIT, INVLPGA, VMMCALL with a bad hypercall number) and the VMX ones (VMXON, VMPTRLD,
 * VMCLEAR, VMPTRST, VMREAD, VMWRITE, VMLAUNCH, VMRESUME, VMXOFF, VMCALL, VMFUNC, INVEPT,
 * INVVPID), plus (under Kestrel only) sets EFER.SVME and, last, CR4.VMXE. A #UD handler (and the runtime's
 * recovery for other faults) skips each one; it prints `svminsn: <insn> -> #UD` or
 * `-> <eax>` and finally `svminsn: done, <n> faulted, <m> ran` and powers off. */
#include "guest.h"

static uint8_t scratch[2][4096] __attribute__((aligned(4096)));
static uint64_t desc[2];
static uint32_t faulted, ran;
static const char *const vec_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9", "#TS", "#NP",
    "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

/* #UD: record it and resume after the instruction. */
static void on_ud(struct trap_frame *f)
{
    if (!recover_eip) {
        printf("svminsn: unexpected #UD at eip 0x%08x\n", (unsigned)f->eip);
        shutdown(KESTREL_SHUTDOWN_CRASH);
    }
    last_trap.vector = 6;
    last_trap.eip = f->eip;
    last_trap.count++;
    f->eip = recover_eip;
    recover_eip = 0;
}

/* Print the outcome of one attempt: the fault if the count moved, else eax. */
static void report(const char *insn, uint32_t before, uint32_t eax)
{
    if (last_trap.count != before) {
        unsigned v = last_trap.vector;
        printf("svminsn: %s -> %s\n", insn, v < 22 ? vec_names[v] : "fault");
        faulted++;
    } else {
        printf("svminsn: %s -> 0x%08x\n", insn, (unsigned)eax);
        ran++;
    }
}

/* Run one instruction (asm text) with EAX=a, ECX=c, EBX=b, EDX=0, resuming after a fault. */
#define TRY(name, text, a, c, b) do {                                                   \
        uint32_t before_ = last_trap.count, eax_ = (a);                                  \
        __asm__ volatile("movl $1f, recover_eip\n\t" text "\n1:\tmovl $0, recover_eip"  \
                         : "+a"(eax_) : "c"(c), "b"(b), "d"(0), "S"(0) : "memory", "cc"); \
        report(name, before_, eax_);                                                     \
    } while (0)

/* Try them all. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "svminsn";
    trap_set_handler(6, on_ud);
    uint32_t page = (uint32_t)scratch[0], page2 = (uint32_t)scratch[1], d = (uint32_t)desc;
    printf("svminsn: executing SVM and VMX instructions from the guest\n");
    cli();
    TRY("vmrun", "vmrun", page, 0, 0);
    TRY("vmload", "vmload", page, 0, 0);
    TRY("vmsave", "vmsave", page, 0, 0);
    TRY("stgi", "stgi", 0, 0, 0);
    TRY("clgi", "clgi", 0, 0, 0);
    TRY("skinit", "skinit", page, 0, 0);
    TRY("invlpga", "invlpga", page, 0, 0);
    TRY("vmmcall(0xdead)", "vmmcall", 0xdead, 0, 0);
    TRY("vmmcall(-1)", "vmmcall", 0xffffffffu, 0, 0);
    TRY("vmcall(0xdead)", "vmcall", 0xdead, 0, 0);
    TRY("vmxon", "vmxon (%%ebx)", 0, 0, d);
    TRY("vmptrld", "vmptrld (%%ebx)", 0, 0, d);
    TRY("vmclear", "vmclear (%%ebx)", 0, 0, d);
    TRY("vmptrst", "vmptrst (%%ebx)", 0, 0, d);
    TRY("vmread", "vmread %%eax, %%ebx", 0x4400, 0, 0);
    TRY("vmwrite", "vmwrite %%ebx, %%eax", 0x681e, 0, 0);
    TRY("vmlaunch", "vmlaunch", 0, 0, 0);
    TRY("vmresume", "vmresume", 0, 0, 0);
    TRY("vmxoff", "vmxoff", 0, 0, 0);
    TRY("vmfunc", "vmfunc", 0, 0, 0);
    TRY("invept", "invept (%%ebx), %%eax", 1, 0, d);
    TRY("invvpid", "invvpid (%%ebx), %%eax", 1, 0, d);
    if (under_kestrel) {
        /* Not bare: with SVME set, VMRUN under TCG would really enter a nested guest. */
        TRY("wrmsr EFER.SVME", "rdmsr\n\tor $0x1000, %%eax\n\twrmsr", 0, 0xc0000080u, 0);
        TRY("vmrun (after SVME)", "vmrun", page2, 0, 0);
        TRY("stgi (after SVME)", "stgi", 0, 0, 0);
    }
    printf("svminsn: done, %u faulted, %u ran\n", (unsigned)faulted, (unsigned)ran);
    if (under_kestrel) {
        /* Last, as it may end the domain: nested under QEMU 7.2 TCG this is a VMEXIT_INVALID
         * for the hypervisor; bare, TCG loops forever on it. */
        printf("svminsn: last: mov cr4.VMXE (may end this domain)\n");
        TRY("mov cr4.VMXE", "mov %%cr4, %%eax\n\tor $0x2000, %%eax\n\tmov %%eax, %%cr4", 0, 0, 0);
    }
    return 0;
}
