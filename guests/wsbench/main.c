/* wsbench: the world-switch benchmark guest (make bench). Times with rdtsc, one sample per
 * round trip, `iters=N` (default 2000, at most 8192) of each of:
 *   - an empty rdtsc pair (the measurement's own cost, reported as `rdtsc`),
 *   - HC_NOP, a null hypercall (exit, dispatch, resume), through the guest runtime: VMMCALL
 *     on AMD SVM, VMCALL on Intel VMX, as Kestrel's CPUID leaf 0x40000001 says,
 *   - CPUID leaf 0x40000000 (an intercepted instruction: exit, emulate, resume),
 * after `warmup=N` (default 200) untimed round trips of each. Prints
 *   wsbench: rdtsc min <c> median <c> cycles
 *   wsbench: <insn> min <c> median <c> mean <c> cycles; cpuid min <c> median <c> mean <c> cycles (<n> samples)
 * where <insn> is `vmmcall` or `vmcall`, and powers off. Bare (no Kestrel) it times CPUID
 * only and says vmmcall n/a, unless `vmmcall=1` or `vmcall=1` forces the hypercall test with
 * that instruction: the bench-only floor image does not emulate CPUID, so the guest cannot
 * detect Kestrel (nor ask it which instruction) there. A forced instruction is used on both
 * sides of a bench pair, so both time the very same guest code.
 * The samples include the host tick's interrupt exits now and then; the median ignores them. */
#include "guest.h"

#define MAX_SAMPLES 8192

static uint32_t samples[MAX_SAMPLES];

/* Shell sort: the guest has no qsort, and n log^2 n is plenty for 8192 samples. */
static void sort_u32(uint32_t *a, uint32_t n)
{
    static const uint32_t gaps[] = { 1750, 701, 301, 132, 57, 23, 10, 4, 1 };
    for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
        uint32_t gap = gaps[g];
        for (uint32_t i = gap; i < n; i++) {
            uint32_t t = a[i], j = i;
            for (; j >= gap && a[j - gap] > t; j -= gap)
                a[j] = a[j - gap];
            a[j] = t;
        }
    }
}

enum op { OP_EMPTY, OP_HYPERCALL, OP_CPUID };

/* How OP_HYPERCALL is issued: by the runtime's hypercall() (the instruction Kestrel named)
 * unless the command line forced one (forced_hc), then by hypercall_insn(forced_vmcall). */
static bool forced_hc, forced_vmcall;

/* One timed round trip of op, in TSC cycles (saturated at 2^32 - 1). */
static inline uint32_t once(enum op op)
{
    uint32_t a, b, c, d;
    uint64_t t0 = rdtsc();
    switch (op) {
    case OP_HYPERCALL:
        if (forced_hc)
            (void)hypercall_insn(forced_vmcall, HC_NOP, 0, 0, 0, 0);
        else
            (void)hypercall(HC_NOP, 0, 0, 0, 0);
        break;
    case OP_CPUID:
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                         : "a"(KESTREL_CPUID_BASE), "c"(0) : "memory");
        break;
    default:
        break;
    }
    uint64_t t1 = rdtsc();
    uint64_t dt = t1 - t0;
    return dt > 0xffffffffull ? 0xffffffffu : (uint32_t)dt;
}

struct stats { uint32_t min, median, mean; };

/* The name of the instruction Kestrel asks hypercalls to use (CPUID 0x40000001 EBX, as the
 * runtime's hypercall() reads it): "vmcall" on Intel VMX, else "vmmcall". For the report
 * only; call it under Kestrel. */
static const char *hv_insn_name(void)
{
    uint32_t r[4];
    cpuid(KESTREL_CPUID_INFO, r);
    return r[1] == KESTREL_HC_INSN_VMCALL ? "vmcall" : "vmmcall";
}

/* warmup untimed round trips of op, then n timed ones; their min, median and mean. */
static struct stats measure(enum op op, uint32_t warmup, uint32_t n)
{
    for (uint32_t i = 0; i < warmup; i++)
        (void)once(op);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        samples[i] = once(op);
        sum += samples[i];
    }
    sort_u32(samples, n);
    struct stats s = { samples[0], samples[n / 2], (uint32_t)(sum / n) };
    return s;
}

/* Parse iters/warmup/vmmcall/vmcall, time the three operations, print, power off. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "wsbench";
    uint32_t n = (uint32_t)cmdline_num("iters", 2000);
    uint32_t warmup = (uint32_t)cmdline_num("warmup", 200);
    forced_vmcall = cmdline_num("vmcall", 0) != 0;
    forced_hc = forced_vmcall || cmdline_num("vmmcall", 0) != 0;
    bool hv = under_kestrel || forced_hc;
    /* The instruction the hypercalls go through: forced, or Kestrel's (the runtime asked
     * CPUID 0x40000001; the answer names the backend's instruction). */
    const char *insn = forced_hc ? (forced_vmcall ? "vmcall" : "vmmcall") : hv_insn_name();
    if (n < 1)
        n = 1;
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    printf("wsbench: %u samples each, %u warm-up, %s\n", (unsigned)n, (unsigned)warmup,
           under_kestrel ? "under Kestrel" : forced_vmcall ? "VMCALL forced" :
           forced_hc ? "VMMCALL forced" : "no hypervisor");
    struct stats e = measure(OP_EMPTY, warmup, n);
    printf("wsbench: rdtsc min %u median %u cycles\n", (unsigned)e.min, (unsigned)e.median);
    struct stats c = measure(OP_CPUID, warmup, n);
    if (hv) {
        struct stats v = measure(OP_HYPERCALL, warmup, n);
        printf("wsbench: %s min %u median %u mean %u cycles; cpuid min %u median %u "
               "mean %u cycles (%u samples)\n", insn, (unsigned)v.min, (unsigned)v.median,
               (unsigned)v.mean, (unsigned)c.min, (unsigned)c.median, (unsigned)c.mean,
               (unsigned)n);
    } else {
        printf("wsbench: vmmcall n/a; cpuid min %u median %u mean %u cycles (%u samples)\n",
               (unsigned)c.min, (unsigned)c.median, (unsigned)c.mean, (unsigned)n);
    }
    return 0;
}
