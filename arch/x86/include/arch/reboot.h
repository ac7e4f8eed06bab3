/* Resetting the machine. */
#ifndef KESTREL_ARCH_REBOOT_H
#define KESTREL_ARCH_REBOOT_H

/* Reset through the chipset (port 0xCF9), then the keyboard controller, then a triple fault. */
__attribute__((noreturn)) void machine_restart(void);
/* Stop this CPU for good with interrupts off. */
__attribute__((noreturn)) void machine_halt(void);

#endif
