/* slicegap: sees the scheduler's slices from inside. It spins reading the TSC; a jump of
 * more than 1 ms between two reads is a gap (time the vCPU did not run). Every `ms=`
 * (default 8000) ms of TSC time it prints
 *   slicegap: <ms> ms: <g> gaps over 1 ms, <l> over <long_ms> ms, longest <x> ms
 * (long_ms= default 300) and starts a new window. Beside another CPU hog, a gap is the
 * other's slice (plus any time the host took): long slices give long gaps. */
#include "guest.h"

int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "slicegap";
    uint64_t window_ms = cmdline_num("ms", 8000), long_ms = cmdline_num("long_ms", 300);
    uint64_t per_ms = tsc_hz() / 1000;
    printf("slicegap: windows of %llu ms, long gaps over %llu ms\n",
           (unsigned long long)window_ms, (unsigned long long)long_ms);
    for (;;) {
        uint64_t start = rdtsc(), last = start, end = start + window_ms * per_ms;
        uint32_t gaps = 0, longs = 0;
        uint64_t longest = 0;
        while (last < end) {
            uint64_t t = rdtsc(), d = t - last;
            if (d > per_ms) {
                gaps++;
                if (d > long_ms * per_ms)
                    longs++;
                if (d > longest)
                    longest = d;
            }
            last = t;
        }
        printf("slicegap: %llu ms: %u gaps over 1 ms, %u over %llu ms, longest %llu ms\n",
               (unsigned long long)window_ms, (unsigned)gaps, (unsigned)longs,
               (unsigned long long)long_ms, (unsigned long long)(longest / per_ms));
    }
}
