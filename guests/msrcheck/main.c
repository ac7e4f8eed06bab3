/* msrcheck: does the vCPU's MSR interface behave as a real CPU's would? Each check prints
 * `msrcheck: <what>: ok` or `msrcheck: <what>: WRONG (<detail>)`, then
 * `msrcheck: <n> checks, <m> wrong` and the guest powers off. The checks follow
 * docs/msrs.md: invalid values and reserved bits are #GP and change nothing, valid writes
 * stick, a TSC write moves RDTSC too (through TSC_ADJUST), MSRs of features the vCPU does
 * not offer are #GP, RDPMC is #GP and RDTSCP #UD, and CPUID agrees with all of it (it hides
 * VMX, SVM, the APIC and the speculation controls, and sets the hypervisor bit).
 * `efer_lme=1` adds a last check: with EFER.LME set and paging off, a #GP is still
 * delivered (QEMU's TCG once broke that under SVM: see sync_efer in arch/x86/svm/svm.c). */
#include "guest.h"

static unsigned checks, wrong;

static void check(bool ok, const char *what, const char *fmt, unsigned long long a,
                  unsigned long long b)
{
    checks++;
    if (ok) {
        printf("msrcheck: %s: ok\n", what);
        return;
    }
    wrong++;
    printf("msrcheck: %s: WRONG (", what);
    printf(fmt, a, b);
    printf(")\n");
}

/* A write the CPU refuses: #GP, and the MSR reads as before. */
static void refused(uint32_t msr, uint64_t val, const char *what)
{
    uint64_t before = 0, after = 0;
    bool readable = rdmsr_try(msr, &before);
    bool took = wrmsr_try(msr, val);
    rdmsr_try(msr, &after);
    check(!took && (!readable || after == before), what,
          "write accepted or value now %#llx, was %#llx", after, before);
}

/* A write the CPU accepts, and reads back. */
static void kept(uint32_t msr, uint64_t val, const char *what)
{
    uint64_t back = 0;
    bool took = wrmsr_try(msr, val);
    bool readable = rdmsr_try(msr, &back);
    check(took && readable && back == val, what, "read back %#llx after writing %#llx", back,
          val);
}

static void not_offered(uint32_t msr, const char *what)
{
    uint64_t v;
    bool r = rdmsr_try(msr, &v), w = wrmsr_try(msr, 0);
    check(!r && !w, what, "read %s, write %s", (unsigned long long)r, (unsigned long long)w);
}

static bool amd;

static void check_tsc(void)
{
    uint64_t target = 0x123456789000ULL, adj0 = 0, adj1 = 0, t = 0;
    rdmsr_try(0x3b, &adj0);
    uint64_t before = rdtsc();
    bool took = wrmsr_try(0x10, target);
    uint64_t now = rdtsc();
    rdmsr_try(0x3b, &adj1);
    check(took && now >= target && now - target < (1ULL << 36), "TSC write moves RDTSC",
          "RDTSC %#llx after writing %#llx", now, target);
    check((int64_t)(adj1 - adj0 - (target - before)) < (1LL << 36) &&
          (int64_t)(adj1 - adj0 - (target - before)) > -(1LL << 36),
          "TSC_ADJUST moved by the TSC's jump", "moved by %#llx, TSC by ~%#llx", adj1 - adj0,
          target - before);
    wrmsr_try(0x3b, adj0);                         /* undo through TSC_ADJUST */
    t = rdtsc();
    check(t < target, "TSC_ADJUST write moves RDTSC back", "RDTSC %#llx, jumped to %#llx", t,
          target);
}

static void check_instructions(void)
{
    uint32_t before = last_trap.count;
    __asm__ volatile("movl $1f, recover_eip\n\trdpmc\n1:\tmovl $0, recover_eip"
                     :: "c"(0) : "eax", "edx", "memory");
    check(last_trap.count == before + 1 && last_trap.vector == 13,
          "RDPMC is #GP (no counters)", "faults %llu, vector %llu", last_trap.count - before,
          last_trap.vector);
    /* RDTSCP is #UD. QEMU's TCG ignores SVM's RDTSCP intercept: there it runs, and must
     * show no TSC_AUX (nobody's, since no guest can write the MSR). */
    before = last_trap.count;
    uint32_t aux = 0;
    __asm__ volatile("movl $1f, recover_eip\n\trdtscp\n1:\tmovl $0, recover_eip"
                     : "+c"(aux) :: "eax", "edx", "memory");
    bool ud = last_trap.count == before + 1 && last_trap.vector == 6;
    check(ud || (last_trap.count == before && aux == 0), "RDTSCP is #UD (or shows no TSC_AUX)",
          "#UD %llu, TSC_AUX %#llx", ud, aux);
    uint32_t r[4];
    cpuid(0x80000001, r);
    check(!((r[3] >> 27) & 1), "CPUID hides RDTSCP", "edx %#llx%llx", r[3], 0);
    cpuid(0, r);
    if (r[0] >= 0xa) {
        cpuid(0xa, r);
        check(r[0] == 0, "CPUID leaf 0xA: no PMU", "eax %#llx%llx", r[0], 0);
    }
    cpuid(1, r);
    check(((r[3] >> 12) & 1) && ((r[3] >> 16) & 1), "CPUID offers MTRR and PAT",
          "edx %#llx%llx", r[3], 0);
}

/* CPUID hides what the vCPU does not have (arch/x86/vcpu_x86.c): no VMX or SVM (their
 * MSRs and instructions fault), no SVM feature leaf, no x2APIC or local APIC, no
 * speculation-control MSRs; and it says a hypervisor is there. */
static void check_cpuid_hides(void)
{
    uint32_t r[4];
    cpuid(1, r);
    check(!((r[2] >> 5) & 1), "CPUID hides VMX", "leaf 1 ecx %#llx edx %#llx", r[2], r[3]);
    check((r[2] >> 31) & 1, "CPUID sets the hypervisor bit", "leaf 1 ecx %#llx edx %#llx",
          r[2], r[3]);
    check(((r[2] >> 21) & 1) && ((r[3] >> 9) & 1) && ((r[2] >> 24) & 1),
          "CPUID offers the emulated APIC, x2APIC and TSC-deadline timer",
          "leaf 1 ecx %#llx edx %#llx", r[2], r[3]);
    cpuid(0, r);
    if (r[0] >= 7) {
        cpuid(7, r);
        check(!(r[3] & 0xfc000000u), "CPUID leaf 7: no speculation-control MSRs",
              "ebx %#llx edx %#llx", r[1], r[3]);
    }
    cpuid(0x80000000, r);
    uint32_t max_ext = r[0];
    if (max_ext >= 0x80000001) {
        cpuid(0x80000001, r);
        check(!((r[2] >> 2) & 1), "CPUID hides SVM", "leaf 0x80000001 ecx %#llx edx %#llx",
              r[2], r[3]);
    }
    if (max_ext >= 0x8000000a) {
        cpuid(0x8000000a, r);
        check(!(r[0] | r[1] | r[2] | r[3]), "CPUID leaf 0x8000000A: no SVM features",
              "eax %#llx edx %#llx", r[0], r[3]);
    }
}

/* EFER.LME may be set while paging is off (long mode is only armed, not active), and the
 * vCPU keeps working: a #GP is still delivered through the guest's own IDT. */
static void check_efer_lme(void)
{
    uint64_t efer = 0, v;
    rdmsr_try(0xc0000080, &efer);
    bool took = wrmsr_try(0xc0000080, efer | (1ULL << 8));
    uint64_t back = 0;
    rdmsr_try(0xc0000080, &back);
    uint32_t before = last_trap.count;
    rdmsr_try(0x4b564d02, &v);                      /* a #GP to deliver */
    check(took && back == (efer | (1ULL << 8)) && last_trap.count == before + 1,
          "EFER.LME with paging off: kept, #GP still delivered", "EFER read %#llx, #GP %llu",
          back, last_trap.count - before);
    wrmsr_try(0xc0000080, efer);
}

/* Check. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "msrcheck";
    uint32_t r[4];
    cpuid(0, r);
    amd = r[1] == 0x68747541;
    printf("msrcheck: %s CPU\n", amd ? "AMD" : "Intel");
    cli();

    refused(0x277, ~0ULL, "PAT all ones is #GP");
    refused(0x277, 0x0007040600070402ULL, "PAT reserved type 2 is #GP");
    kept(0x277, 0x0007010600070406ULL, "PAT valid value kept");
    refused(0x2ff, ~0ULL, "MTRR_DEF_TYPE all ones is #GP");
    refused(0x2ff, 0x1006, "MTRR_DEF_TYPE reserved bit is #GP");
    kept(0x2ff, 0xc06, "MTRR_DEF_TYPE valid value kept");
    kept(0x200, 0x80000006ULL, "MTRR_PHYSBASE0 valid value kept");
    refused(0x200, 0x80000102ULL, "MTRR_PHYSBASE0 reserved bits are #GP");
    refused(0xfe, 0, "MTRRCAP is read-only");
    refused(0x1b, ~0ULL, "APIC_BASE all ones is #GP");
    refused(0x1b, 0xFEE00500ULL, "APIC_BASE x2APIC enable is #GP");
    kept(0x1b, 0xFEE00900ULL, "APIC_BASE valid value kept");
    refused(0x179, 0, "MCG_CAP is read-only");
    refused(0x1d9, 1, "DEBUGCTL LBR is #GP");
    refused(0xc0000080, 1ULL << 12, "EFER.SVME is #GP");
    not_offered(0xc0010117, "VM_HSAVE_PA not offered");
    not_offered(0xc0000103, "TSC_AUX not offered");
    not_offered(0x4b564d02, "KVM async page faults not offered (only its clock)");
    not_offered(0x40000000, "hypervisor MSR range not offered");
    not_offered(0x00000830, "x2APIC ICR is #GP outside x2APIC mode");
    not_offered(0x000000c1, "PMC0 not offered");
    if (amd) {
        refused(0xc0010015, ~0ULL, "HWCR all ones is #GP");
        refused(0xc0010010, 1ULL << 23, "SYSCFG memory encryption is #GP");
        refused(0xc0010114, 0, "VM_CR is locked");
        not_offered(0x1a0, "MISC_ENABLE not on AMD");
    } else {
        refused(0x1a0, ~0ULL, "MISC_ENABLE all ones is #GP");
        refused(0x3a, 5, "FEATURE_CONTROL is locked");
        not_offered(0xc0010015, "HWCR not on Intel");
    }
    check_tsc();
    check_instructions();
    check_cpuid_hides();
    if (cmdline_num("efer_lme", 0))
        check_efer_lme();
    printf("msrcheck: %u checks, %u wrong\n", checks, wrong);
    return 0;
}
