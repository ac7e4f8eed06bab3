/* What the boot sequence learnt, for the shell commands that show it. */
#ifndef KESTREL_CORE_BOOT_H
#define KESTREL_CORE_BOOT_H

#include "core/bootopts.h"
#include "core/multiboot.h"

extern struct boot_info boot_info;
extern struct bootopts boot_opts;

/* Image bounds from the linker script. */
extern char __image_start[], __image_end[], __text_start[], __text_end[];

/* Identity map: physical address -> pointer (every RAM byte is mapped). */
void *phys_identity(uint64_t pa);

#endif
