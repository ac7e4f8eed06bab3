/* hello: the first guest. Prints its boot information (magic, loader name, command line,
 * mem_lower/mem_upper, every memory map entry, modules), its domain id and name when under
 * Kestrel, then `hello: tick N` about once a second forever.
 * Command line: ticks=N stops after N ticks and powers off. */
#include "guest.h"

/* Print the boot info and the heartbeat. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "hello";
    printf("hello: Kestrel in-tree guest starting\n");
    mbi_print("hello");
    if (under_kestrel) {
        static struct kestrel_domain_info di;
        long r = hypercall(HC_DOMAIN_INFO, (uint32_t)&di, 0, 0, 0);
        di.name[sizeof(di.name) - 1] = 0;
        if (r == 0)
            printf("hello: domain %u (%s), %u KiB of %u KiB\n", (unsigned)di.domid, di.name,
                   (unsigned)di.memory_kb, (unsigned)di.max_kb);
        else
            printf("hello: domain %u (HC_DOMAIN_INFO failed: %ld)\n", (unsigned)kestrel_domid, r);
    } else {
        printf("hello: no hypervisor (bare metal or plain QEMU)\n");
    }
    printf("hello: tsc %llu kHz\n", tsc_hz() / 1000);
    unsigned long long limit = cmdline_num("ticks", 0);
    for (unsigned long long n = 1; !limit || n <= limit; n++) {
        sleep_us(1000000);
        printf("hello: tick %llu\n", n);
    }
    printf("hello: %llu ticks done, powering off\n", limit);
    return 0;
}
