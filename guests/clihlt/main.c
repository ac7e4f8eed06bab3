/* clihlt (hostile): `cli; hlt` forever. Prints `clihlt: <n>` before each hlt, so a second
 * line means something (an NMI, a buggy hypervisor) woke a vCPU that should sleep forever. */
#include "guest.h"

/* cli; hlt. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "clihlt";
    printf("clihlt: cli; hlt forever\n");
    for (uint32_t n = 1;; n++) {
        printf("clihlt: %u\n", (unsigned)n);
        __asm__ volatile("cli; hlt" ::: "memory");
    }
}
