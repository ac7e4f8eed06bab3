/* Machine reset and halt. Several reset methods in turn, because firmware and emulators
 * each honour a different one; the triple fault always works. */
#include <stdint.h>
#include "arch/reboot.h"
#include "arch/io.h"
#include "arch/cpu.h"
#include "arch/time.h"

void machine_halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

void machine_restart(void)
{
    irq_disable();
    outb(0xCF9, 0x02);          /* PCI reset control: hard reset */
    udelay(50);
    outb(0xCF9, 0x06);
    udelay(50000);
    for (int i = 0; i < 10000 && (inb(0x64) & 0x02); i++)
        udelay(10);
    outb(0x64, 0xFE);           /* keyboard controller: pulse reset */
    udelay(50000);
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
    __asm__ volatile("lidt %0; int3" :: "m"(none));
    machine_halt();
}
