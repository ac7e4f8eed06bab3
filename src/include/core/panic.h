/* Fatal errors: print Xen's panic block (message, registers, stack trace) and then reboot
 * after five seconds, or halt when `noreboot` was given. */
#ifndef KESTREL_CORE_PANIC_H
#define KESTREL_CORE_PANIC_H

struct trap_frame;

/* Panic with a message; registers are taken from the caller. Never returns. */
__attribute__((noreturn, format(printf, 1, 2)))
void panic(const char *fmt, ...);

/* Panic from a trap: the registers and stack trace are those of the interrupted code. */
__attribute__((noreturn, format(printf, 2, 3)))
void panic_trap(const struct trap_frame *tf, const char *fmt, ...);

/* Set by boot options: halt instead of rebooting after a panic. */
void panic_set_noreboot(int noreboot);

#endif
