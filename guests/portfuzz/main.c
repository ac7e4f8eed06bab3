/* portfuzz (hostile): random port I/O over all 65536 ports, both directions, sizes 1, 2
 * and 4, with interrupts off, excluding only writes to the two registers that reset or power
 * off the machine by design (the reset control register 0xCF9 and the ACPI PM1 control
 * register at 0x604): a guest resetting itself is no containment failure, and it would end
 * the run at a seed-determined point. Re-initialises its UART before each
 * progress line `portfuzz: <ops> ops (last: out 0x<port>)` every `report=N` ops (default
 * 65536) so output survives its own damage. `seed=N` picks the sequence; `count=N` powers
 * off after N ops (default: forever). Bare, it usually resets or exits QEMU by itself. */
#include "guest.h"

/* One random port access; returns a word describing it for the progress line. */
static uint32_t fuzz_one(uint32_t *seed)
{
    uint32_t r = xorshift32(seed), v = xorshift32(seed);
    uint16_t port = (uint16_t)r;
    unsigned kind = (r >> 16) % 6;
    /* A write whose bytes cover machine control (0xCF9, 0x604-0x605): fuzz another port. */
    unsigned size = kind == 3 ? 1 : kind == 4 ? 2 : 4;
    if (kind >= 3 && ((port <= 0xcf9 && port + size > 0xcf9) ||
                      (port <= 0x605 && port + size > 0x604)))
        port ^= 0x8000;
    switch (kind) {
    case 0: (void)inb(port); break;
    case 1: (void)inw(port); break;
    case 2: (void)inl(port); break;
    case 3: outb(port, (uint8_t)v); break;
    case 4: outw(port, (uint16_t)v); break;
    default: outl(port, v); break;
    }
    return (uint32_t)port | (kind << 16);
}

/* Fuzz the ports. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "portfuzz";
    uint32_t seed = (uint32_t)cmdline_num("seed", 0x2545f491u) | 1;
    uint64_t report = cmdline_num("report", 65536), count = cmdline_num("count", 0);
    if (!report)
        report = 65536;
    printf("portfuzz: random in/out on all 65536 ports, seed 0x%08x\n", (unsigned)seed);
    cli();
    static const char *const kinds[6] = { "inb", "inw", "inl", "outb", "outw", "outl" };
    uint32_t last = 0;
    for (uint64_t n = 1; !count || n <= count; n++) {
        last = fuzz_one(&seed);
        if (n % report == 0) {
            cli();
            uart_init();
            printf("portfuzz: %llu ops (last: %s 0x%04x)\n", (unsigned long long)n,
                   kinds[last >> 16], (unsigned)(last & 0xffff));
        }
    }
    uart_init();
    printf("portfuzz: done\n");
    return 0;
}
