/* Guard pages under every hypervisor stack, in the debug build: the page below the boot
 * stack (boot/head.S) and below each IST stack (gdt.c) is taken out of the host's page
 * tables, so a stack that overflows faults at once. A fault on the boot stack cannot push
 * its frame there either, so it becomes a double fault, which runs on its own IST stack
 * and panics with the registers; an IST stack that overflows ends in a triple fault, which
 * at least stops the machine instead of corrupting it. */
#include <stdint.h>
#include "arch/stack_guard.h"
#include "arch/gdt.h"
#include "arch/cpu.h"
#include "core/debug.h"
#include "console/log.h"

extern char boot_stack_guard[];

/* Take the page at va out of the host's tables; false if it could not be. */
static bool unmap_guard(const void *va, pt_alloc_fn alloc)
{
    uint64_t root = read_cr3() & PTE_ADDR;
    return pt_unmap_4k(root, (uint64_t)(uintptr_t)va, alloc) != 0;
}

static pt_alloc_fn guard_alloc;         /* for stack_guard_page, after stack_guards_init */

void stack_guards_init(pt_alloc_fn alloc)
{
    if (!DEBUG_BUILD)
        return;
    guard_alloc = alloc;
    const void *guards[] = { boot_stack_guard, gdt_ist_stack_guard(IST_DOUBLE_FAULT),
                             gdt_ist_stack_guard(IST_NMI) };
    const char *names[] = { "boot", "double fault", "NMI" };
    for (unsigned i = 0; i < sizeof(guards) / sizeof(guards[0]); i++)
        if (!unmap_guard(guards[i], alloc))
            log_warn("stack guard: could not unmap the page below the %s stack", names[i]);
    write_cr3(read_cr3());      /* flush the TLB: the guards must fault from now on */
    log_info("Stack guard pages: boot %p, double fault %p, NMI %p", guards[0], guards[1],
             guards[2]);
}

void stack_guard_page(const void *va, const char *what)
{
    if (!DEBUG_BUILD || !guard_alloc)
        return;
    if (!unmap_guard(va, guard_alloc))
        log_warn("stack guard: could not unmap the page below the %s stack", what);
    invlpg((uint64_t)(uintptr_t)va);
}
