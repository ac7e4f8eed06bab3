/* msrfuzz (hostile): random RDMSR and WRMSR (the value read back, or a random one) on
 * indexes drawn from the architectural, AMD and hypervisor ranges and the whole 32-bit
 * space. Each #GP is skipped and counted (rdmsr_try, wrmsr_try). Prints
 * `msrfuzz: <ops> ops, <gp> #GP` every `report=N` ops (default 4096); `count=N` powers
 * off after N ops with `msrfuzz: done ...`; `write=0` only reads; `seed=N`. */
#include "guest.h"

/* A random MSR index, mostly from ranges where MSRs exist. */
static uint32_t pick_msr(uint32_t *seed)
{
    uint32_t r = xorshift32(seed);
    switch (r & 7) {
    case 0: case 1: return (r >> 8) & 0x1fff;
    case 2: return 0xc0000000u | ((r >> 8) & 0x1fff);
    case 3: return 0xc0010000u | ((r >> 8) & 0x1fff);
    case 4: return 0x40000000u | ((r >> 8) & 0xff);
    default: return xorshift32(seed);
    }
}

/* Fuzz MSRs. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "msrfuzz";
    uint32_t seed = (uint32_t)cmdline_num("seed", 0x9e3779b9u) | 1;
    uint64_t report = cmdline_num("report", 4096), count = cmdline_num("count", 0);
    bool write = cmdline_num("write", 1) != 0;
    if (!report)
        report = 4096;
    printf("msrfuzz: random rdmsr/wrmsr, seed 0x%08x, writes %s\n", (unsigned)seed,
           write ? "on" : "off");
    cli();
    uint32_t ok = 0;
    for (uint64_t n = 1; !count || n <= count; n++) {
        uint32_t msr = pick_msr(&seed), op = xorshift32(&seed) & 3;
        uint64_t v = 0;
        bool good = rdmsr_try(msr, &v);
        if (write && op == 2)
            good = wrmsr_try(msr, v);
        else if (write && op == 3)
            good = wrmsr_try(msr, ((uint64_t)xorshift32(&seed) << 32) | xorshift32(&seed));
        ok += good;
        if (n % report == 0)
            printf("msrfuzz: %llu ops, %u #GP, %u ok (last msr 0x%08x)\n",
                   (unsigned long long)n, (unsigned)last_trap.count, (unsigned)ok, (unsigned)msr);
    }
    printf("msrfuzz: done, %u #GP, %u ok\n", (unsigned)last_trap.count, (unsigned)ok);
    return 0;
}
