/* triplefault (hostile): loads an empty IDT and executes int3, which escalates to a triple
 * fault (under Kestrel: a shutdown exit and the domain's on_crash; bare QEMU -no-reboot
 * exits). Prints `triplefault: loading an empty IDT and int3` first. */
#include "guest.h"

/* Triple-fault. */
int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "triplefault";
    printf("triplefault: loading an empty IDT and int3\n");
    cli();
    idt_clear();
    __asm__ volatile("int3");
    printf("triplefault: survived int3?!\n");
    return 1;
}
