/* ifspin (hostile): disables interrupts and spins forever, printing `ifspin: <count>`
 * every `report=N` loop iterations (default 50000000) so tests see it is still running.
 * Under Kestrel the host timer must still preempt it. */
#include "guest.h"

/* cli; spin. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "ifspin";
    uint32_t report = (uint32_t)cmdline_num("report", 50000000);
    printf("ifspin: cli and spin forever\n");
    cli();
    for (uint32_t n = 1;; n++) {
        for (volatile uint32_t i = 0; i < report; i++)
            ;
        printf("ifspin: %u\n", (unsigned)n);
    }
}
