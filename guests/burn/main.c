/* burn: a CPU-bound guest for fairness tests and the compute benchmark.
 * Spins on pure register arithmetic (no I/O, no hypercalls inside a chunk) and prints
 * `burn: <count>` every `report=N` iterations (default 20000000; 0 = never).
 * With `work=N` it does exactly N iterations, prints
 * `burn: done <iterations> in <cycles> cycles` (rdtsc) and powers off. */
#include "guest.h"

/* n iterations of a xorshift/multiply mix on x: pure computation, no memory traffic. */
static uint32_t burn_chunk(uint32_t x, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x = x * 2654435761u + i;
        __asm__ volatile("" : "+r"(x));    /* keep every iteration */
    }
    return x;
}

/* Burn forever, or for work= iterations. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "burn";
    uint64_t work = cmdline_num("work", 0);
    uint64_t report = cmdline_num("report", work ? 0 : 20000000ull);
    printf("burn: starting, work=%llu report=%llu\n", (unsigned long long)work,
           (unsigned long long)report);
    uint64_t chunk = report ? report : 1000000000ull;
    if (chunk > 0xffffffffull)
        chunk = 0xffffffffull;
    uint64_t done = 0;
    uint32_t x = 0x12345678u;
    uint64_t t0 = rdtsc();
    while (!work || done < work) {
        uint64_t n = chunk;
        if (work && work - done < n)
            n = work - done;
        x = burn_chunk(x, (uint32_t)n);
        done += n;
        if (report && done % report == 0)
            printf("burn: %llu\n", (unsigned long long)done);
    }
    uint64_t cycles = rdtsc() - t0;
    printf("burn: done %llu in %llu cycles\n", (unsigned long long)done,
           (unsigned long long)cycles);
    printf("burn: result 0x%08x\n", (unsigned)x);
    return 0;
}
