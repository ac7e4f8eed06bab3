/* msrpoke (hostile): for `count=N` iterations (default 20000) reads an MSR and writes it
 * back with one of four values: a random one, the value read with one bit flipped, 0, or
 * all ones. Indexes come half from a list of architectural, vendor and hypervisor MSRs
 * (the ones that configure a CPU or its virtualization) and half from the whole 32-bit
 * space. Each #GP is caught and counted (rdmsr_try, wrmsr_try). Prints
 * `msrpoke: <n> iterations, <gp> #GP, <ok> writes accepted` every `report=N` iterations
 * (default 5000), `msrpoke: wrmsr 0x<msr> <- 0x<val> accepted` for the first `show=N`
 * accepted writes to a listed MSR (default 16), and `msrpoke: done ...` before powering off.
 * `seed=N` picks the sequence; `trace_from=N` prints every access from iteration N on.
 * The writes may well end this guest (EFER, the segment bases); whatever it does must not
 * reach another domain or the host. */
#include "guest.h"

/* The MSRs that matter: the TSC, the APIC base and x2APIC registers, the syscall and
 * segment-base MSRs, debug and machine-check control, PAT and the MTRRs, AMD's HWCR,
 * SYSCFG, VM_CR, VM_HSAVE_PA and OSVW, and the hypervisor ranges (KVM's included). */
static const uint32_t listed[] = {
    0x00000010, 0x0000001b, 0x0000003a, 0x0000003b, 0x00000048, 0x00000049, 0x0000008b,
    0x000000e7, 0x000000e8, 0x000000fe, 0x00000174, 0x00000175, 0x00000176, 0x00000179,
    0x0000017a, 0x0000017b, 0x00000186, 0x000001a0, 0x000001d9, 0x000001db, 0x00000200,
    0x00000201, 0x0000020e, 0x0000020f, 0x00000250, 0x00000258, 0x00000268, 0x0000026f,
    0x00000277, 0x000002ff, 0x00000400, 0x00000480, 0x000006e0, 0x00000802, 0x00000808,
    0x0000080b, 0x0000080f, 0x00000830, 0x00000838, 0x00000da0, 0xc0000080, 0xc0000081,
    0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,
    0xc0010000, 0xc0010004, 0xc0010010, 0xc0010015, 0xc0010016, 0xc0010017, 0xc001001f,
    0xc0010114, 0xc0010115, 0xc0010117, 0xc0010140, 0xc0010141, 0x40000000, 0x40000001,
    0x40000010, 0x4b564d00, 0x4b564d01, 0x4b564d02, 0x4b564d03, 0x4b564d04,
};
#define N_LISTED (sizeof(listed) / sizeof(listed[0]))

/* The next index: a listed MSR, one of the three ranges SVM's permission map covers, or
 * anything. */
static uint32_t pick_msr(uint32_t *seed, bool *is_listed)
{
    uint32_t r = xorshift32(seed);
    *is_listed = (r & 3) < 2;
    if (*is_listed)
        return listed[(r >> 8) % N_LISTED];
    switch ((r >> 2) & 3) {
    case 0: return (r >> 8) & 0x1fff;
    case 1: return 0xc0000000u | ((r >> 8) & 0x1fff);
    case 2: return 0xc0010000u | ((r >> 8) & 0x1fff);
    default: return xorshift32(seed);
    }
}

/* One of the four values to write, given what was read. */
static uint64_t pick_value(uint32_t *seed, uint64_t read)
{
    uint32_t r = xorshift32(seed);
    switch (r & 3) {
    case 0: return ((uint64_t)xorshift32(seed) << 32) | xorshift32(seed);
    case 1: return read ^ (1ULL << ((r >> 8) & 63));
    case 2: return 0;
    default: return ~0ULL;
    }
}

/* Poke MSRs. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "msrpoke";
    uint32_t seed = (uint32_t)cmdline_num("seed", 1) * 2654435761u | 1;
    uint64_t count = cmdline_num("count", 20000), report = cmdline_num("report", 5000);
    uint64_t show = cmdline_num("show", 16);
    uint64_t trace_from = cmdline_num("trace_from", ~0ULL);
    if (!report)
        report = 5000;
    printf("msrpoke: %llu iterations, seed 0x%08x\n", (unsigned long long)count,
           (unsigned)seed);
    cli();
    uint32_t accepted = 0;
    for (uint64_t n = 1; n <= count; n++) {
        bool is_listed;
        uint32_t msr = pick_msr(&seed, &is_listed);
        uint64_t v = 0;
        if (n >= trace_from)
            printf("msrpoke: %llu: rdmsr 0x%08x\n", (unsigned long long)n, (unsigned)msr);
        rdmsr_try(msr, &v);
        uint64_t w = pick_value(&seed, v);
        if (n >= trace_from)
            printf("msrpoke: %llu: wrmsr 0x%08x <- 0x%016llx\n", (unsigned long long)n,
                   (unsigned)msr, (unsigned long long)w);
        if (wrmsr_try(msr, w)) {
            accepted++;
            if (is_listed && show) {
                show--;
                printf("msrpoke: wrmsr 0x%08x <- 0x%016llx accepted\n", (unsigned)msr,
                       (unsigned long long)w);
            }
        }
        if (n % report == 0)
            printf("msrpoke: %llu iterations, %u #GP, %u writes accepted\n",
                   (unsigned long long)n, (unsigned)last_trap.count, (unsigned)accepted);
    }
    printf("msrpoke: done, %u #GP, %u writes accepted\n", (unsigned)last_trap.count,
           (unsigned)accepted);
    return 0;
}
