/* Guard pages under the hypervisor's stacks (the debug build's, make DEBUG=1). */
#ifndef KESTREL_ARCH_STACK_GUARD_H
#define KESTREL_ARCH_STACK_GUARD_H

#include "arch/paging.h"

/* Debug build: unmap the page below each stack (the boot stack, the double-fault and NMI
 * stacks), splitting the boot map's 2 MiB page with a table from alloc, and log where they
 * are; an overflow then faults instead of writing over what lies below. The default build:
 * nothing. Call once, after paging_init. */
void stack_guards_init(pt_alloc_fn alloc);
/* Debug build: unmap the page at va, below another stack (an application processor's, named
 * by what for the warning if it cannot be); the default build: nothing. Only while the other
 * CPUs cannot hold it in their TLBs (before they start). */
void stack_guard_page(const void *va, const char *what);

#endif
