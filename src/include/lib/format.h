/* Kestrel's freestanding formatted output (src/lib/format.c).
 * Standard names and contracts: %d %i %u %x %X %o %c %s %p %% with flags '-', '0', ' ', '+',
 * field width and precision (also '*'), and length modifiers hh h l ll z j t.
 * No floating point (the hypervisor is built with -mgeneral-regs-only).
 * On the host, glibc provides the same functions, so host-tested modules use these names freely. */
#ifndef KESTREL_LIB_FORMAT_H
#define KESTREL_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
