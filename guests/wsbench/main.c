/* wsbench: the world-switch benchmark guest (make bench). Times with rdtsc, one sample per
 * round trip, `iters=N` (default 2000, at most 8192) of each of:
 *   - an empty rdtsc pair (the measurement's own cost, reported as `rdtsc`),
 *   - HC_NOP through VMMCALL (a null hypercall: exit, dispatch, resume),
 *   - CPUID leaf 0x40000000 (an intercepted instruction: exit, emulate, resume),
 * after `warmup=N` (default 200) untimed round trips of each. Prints
 *   wsbench: rdtsc min <c> median <c> cycles
 *   wsbench: vmmcall min <c> median <c> mean <c> cycles; cpuid min <c> median <c> mean <c> cycles (<n> samples)
 * and powers off. Bare (no Kestrel) it times CPUID only and says vmmcall n/a, unless
 * `vmmcall=1` forces the VMMCALL test: the bench-only floor image does not emulate CPUID, so
 * the guest cannot detect Kestrel there.
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

enum op { OP_EMPTY, OP_VMMCALL, OP_CPUID };

/* One timed round trip of op, in TSC cycles. */
static inline uint32_t once(enum op op)
{
    uint32_t a, b, c, d;
    uint64_t t0 = rdtsc();
    switch (op) {
    case OP_VMMCALL:
        __asm__ volatile("vmmcall" : "=a"(a) : "a"(HC_NOP), "b"(0), "c"(0), "d"(0), "S"(0)
                         : "memory");
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

int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "wsbench";
    uint32_t n = (uint32_t)cmdline_num("iters", 2000);
    uint32_t warmup = (uint32_t)cmdline_num("warmup", 200);
    bool hv = under_kestrel || cmdline_num("vmmcall", 0);
    if (n < 1)
        n = 1;
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    printf("wsbench: %u samples each, %u warm-up, %s\n", (unsigned)n, (unsigned)warmup,
           under_kestrel ? "under Kestrel" : hv ? "VMMCALL forced" : "no hypervisor");
    struct stats e = measure(OP_EMPTY, warmup, n);
    printf("wsbench: rdtsc min %u median %u cycles\n", (unsigned)e.min, (unsigned)e.median);
    struct stats c = measure(OP_CPUID, warmup, n);
    if (hv) {
        struct stats v = measure(OP_VMMCALL, warmup, n);
        printf("wsbench: vmmcall min %u median %u mean %u cycles; cpuid min %u median %u "
               "mean %u cycles (%u samples)\n", (unsigned)v.min, (unsigned)v.median,
               (unsigned)v.mean, (unsigned)c.min, (unsigned)c.median, (unsigned)c.mean,
               (unsigned)n);
    } else {
        printf("wsbench: vmmcall n/a; cpuid min %u median %u mean %u cycles (%u samples)\n",
               (unsigned)c.min, (unsigned)c.median, (unsigned)c.mean, (unsigned)n);
    }
    return 0;
}
