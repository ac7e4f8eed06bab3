/* The VGA text screen (80x25 at 0xB8000) as a second console output (console=com1,vga). */
#ifndef KESTREL_ARCH_VGA_H
#define KESTREL_ARCH_VGA_H

#include <stddef.h>

void vga_init(void);
/* Write text: printable characters, CR, LF, backspace; escape sequences are skipped. */
void vga_write(const char *s, size_t n);

#endif
