/* canary: the survivor the hostile tests watch. Prints `canary: <n>` about every 100 ms
 * forever (`period_ms=N` changes the period; `count=N` powers off after N lines). */
#include "guest.h"

/* Count. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "canary";
    uint64_t period = cmdline_num("period_ms", 100);
    uint64_t count = cmdline_num("count", 0);
    printf("canary: alive, a line every %llu ms\n", (unsigned long long)period);
    for (uint64_t n = 1; !count || n <= count; n++) {
        sleep_us(period * 1000);
        printf("canary: %llu\n", (unsigned long long)n);
    }
    return 0;
}
