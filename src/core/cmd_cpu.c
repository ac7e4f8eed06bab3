/* Shell commands about the CPU: `cpuinfo` (vendor, model, the features that decide what
 * Kestrel can do: SVM, NPT, VMX, EPT, and the host's own MSRs that guests must never reach)
 * and `regs` (key d, Xen's "dump registers"). */
#include <stdbool.h>
#include "console/shell.h"
#include "console/log.h"
#include "arch/cpu.h"
#include "arch/trap.h"
#include "core/vcpu.h"
#include "core/domain.h"
#include "lib/string.h"

/* The host's MSRs a guest must never reach (its configuration, its virtualization, the
 * state the world switch restores), as `cpuinfo` lists them: a test compares them before and
 * after a guest hammers its own MSRs. */
struct host_msr { uint32_t index; const char *name; };
static const struct host_msr host_msrs_common[] = {
    { 0x0000001b, "APIC_BASE" }, { 0x0000003b, "TSC_ADJUST" }, { 0x00000174, "SYSENTER_CS" },
    { 0x00000175, "SYSENTER_ESP" }, { 0x00000176, "SYSENTER_EIP" },
    { 0x0000017a, "MCG_STATUS" }, { 0x000001d9, "DEBUGCTL" }, { 0x00000200, "MTRR_PHYSBASE0" },
    { 0x00000201, "MTRR_PHYSMASK0" }, { 0x00000250, "MTRR_FIX64K" }, { 0x00000277, "PAT" },
    { 0x000002ff, "MTRR_DEF_TYPE" }, { 0xc0000080, "EFER" }, { 0xc0000081, "STAR" },
    { 0xc0000082, "LSTAR" }, { 0xc0000083, "CSTAR" }, { 0xc0000084, "SFMASK" },
    { 0xc0000100, "FS_BASE" }, { 0xc0000101, "GS_BASE" }, { 0xc0000102, "KERNEL_GS_BASE" },
    { 0xc0000103, "TSC_AUX" },
};
static const struct host_msr host_msrs_amd[] = {
    { 0xc0010010, "SYSCFG" }, { 0xc0010015, "HWCR" }, { 0xc0010114, "VM_CR" },
    { 0xc0010117, "VM_HSAVE_PA" }, { 0xc0010140, "OSVW_ID_LENGTH" },
    { 0xc0010141, "OSVW_STATUS" },
};
static const struct host_msr host_msrs_intel[] = {
    { 0x0000003a, "FEATURE_CONTROL" }, { 0x000001a0, "MISC_ENABLE" },
};

static void print_host_msrs(const struct host_msr *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t val;
        if (rdmsr_safe(m[i].index, &val) == 0)
            shell_printf("  %#010x %-16s %016llx\n", (unsigned)m[i].index, m[i].name,
                         (unsigned long long)val);
        else
            shell_printf("  %#010x %-16s (#GP)\n", (unsigned)m[i].index, m[i].name);
    }
}

static int cmd_cpuinfo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char vendor[13], brand[49];
    struct cpuid_regs r = cpuid(0, 0);
    uint32_t max_leaf = r.eax;
    memcpy(vendor, &r.ebx, 4);
    memcpy(vendor + 4, &r.edx, 4);
    memcpy(vendor + 8, &r.ecx, 4);
    vendor[12] = '\0';

    struct cpuid_regs f = cpuid(1, 0);
    unsigned family = (f.eax >> 8) & 0xf, model = (f.eax >> 4) & 0xf, stepping = f.eax & 0xf;
    if (family == 0xf)
        family += (f.eax >> 20) & 0xff;
    if (family >= 6)
        model |= ((f.eax >> 16) & 0xf) << 4;

    uint32_t max_ext = cpuid(0x80000000, 0).eax;
    brand[0] = '\0';
    if (max_ext >= 0x80000004) {
        for (uint32_t i = 0; i < 3; i++) {
            struct cpuid_regs b = cpuid(0x80000002 + i, 0);
            memcpy(brand + i * 16, &b, 16);
        }
        brand[48] = '\0';
    }
    struct cpuid_regs ext = max_ext >= 0x80000001 ? cpuid(0x80000001, 0) : (struct cpuid_regs){0};
    bool svm = (ext.ecx >> 2) & 1;
    bool npt = svm && max_ext >= 0x8000000a && (cpuid(0x8000000a, 0).edx & 1);
    bool vmx = (f.ecx >> 5) & 1;
    bool ept = false;
    if (vmx) {
        uint64_t procbased = rdmsr(0x482);          /* IA32_VMX_PROCBASED_CTLS */
        if ((procbased >> 63) & 1)                  /* secondary controls allowed */
            ept = (rdmsr(0x48B) >> 33) & 1;         /* IA32_VMX_PROCBASED_CTLS2: EPT */
    }
    const char *b = brand;
    while (*b == ' ')
        b++;
    shell_printf("vendor:    %s (max leaf %#x, extended %#x)\n", vendor, max_leaf, max_ext);
    shell_printf("model:     %s\n", *b ? b : "(no brand string)");
    shell_printf("family %u model %u stepping %u\n", family, model, stepping);
    shell_printf("features:  long mode %s, NX %s, APIC %s, 1G pages %s, TSC %s\n",
                 (ext.edx >> 29) & 1 ? "yes" : "no", (ext.edx >> 20) & 1 ? "yes" : "no",
                 (f.edx >> 9) & 1 ? "yes" : "no", (ext.edx >> 26) & 1 ? "yes" : "no",
                 (f.edx >> 4) & 1 ? "yes" : "no");
    shell_printf("virt:      SVM %s, NPT %s, VMX %s, EPT %s\n", svm ? "yes" : "no",
                 npt ? "yes" : "no", vmx ? "yes" : "no", ept ? "yes" : "no");
    if (virt_available())
        shell_printf("backend:   %s\n", arch_virt_name());
    else
        shell_printf("backend:   none: %s\n", virt_unavailable_reason());
    shell_printf("host MSRs:\n");
    print_host_msrs(host_msrs_common, sizeof(host_msrs_common) / sizeof(host_msrs_common[0]));
    if (memcmp(vendor, "AuthenticAMD", 12) == 0)
        print_host_msrs(host_msrs_amd, sizeof(host_msrs_amd) / sizeof(host_msrs_amd[0]));
    else
        print_host_msrs(host_msrs_intel, sizeof(host_msrs_intel) / sizeof(host_msrs_intel[0]));
    return 0;
}
SHELL_COMMAND(cmd_cpuinfo_entry, "cpuinfo", 0, "", "CPU vendor, model and virtualization features",
              cmd_cpuinfo);

static int cmd_regs(int argc, char **argv)
{
    (void)argc;
    struct trap_frame tf;
    trap_capture(&tf);
    if (argv[0][0] == 'd' && argv[0][1] == '\0')
        printk("'d' pressed -> dumping registers");
    printk("*** Dumping CPU0 host state: ***");
    trap_dump_frame(&tf);
    return 0;
}
SHELL_DIAG_COMMAND(cmd_regs_entry, "regs", 'd', "dump registers", cmd_regs, 5);
