/* The CPU state a planned bzImage is entered in (core/bzimage.h makes the plan): for the
 * 64-bit entry, the flat GDT the boot protocol asks for and identity page tables for the
 * low 4 GiB, as bytes for the domain builder to copy into the guest, and the struct
 * vcpu_entry that goes with them; for the 32-bit entry the same GDT with paging off. Pure:
 * nothing is copied or allocated here, so it is unit-tested on the host. */
#ifndef KESTREL_CORE_BZBOOT_H
#define KESTREL_CORE_BZBOOT_H

#include <stdint.h>
#include "core/bzimage.h"
#include "core/vcpu.h"

/* Where the boot tables go in guest-physical memory: low RAM, clear of the zero page
 * (0x7000), the command line (0x20000) and everything the plan puts at or above 1 MiB, the
 * places Firecracker uses too. The GDT has four 8-byte entries: null, null, __BOOT_CS
 * (0x10), __BOOT_DS (0x18). The page tables are one PML4, one PDPT and four page
 * directories of 2 MiB pages: 24 KiB from 0x9000. */
#define BZBOOT_GDT_ADDR   0x500ull
#define BZBOOT_GDT_SIZE   32u
#define BZBOOT_PT_ADDR    0x9000ull
#define BZBOOT_PT_SIZE    0x6000u

/* Write the GDT for an entry of `bits` (64 or 32: __BOOT_CS is a 64-bit or a 32-bit code
 * segment, matching the CS the vCPU starts with) into gdt[0..BZBOOT_GDT_SIZE) and the
 * identity page tables (every address below 4 GiB maps to itself, read/write/execute) into
 * pt[0..BZBOOT_PT_SIZE), laid out for BZBOOT_GDT_ADDR and BZBOOT_PT_ADDR. */
void bzboot_tables(unsigned bits, uint8_t gdt[BZBOOT_GDT_SIZE], uint8_t pt[BZBOOT_PT_SIZE]);

/* The entry state for ent (plan->entry, or plan->entry32 to force the 32-bit entry) with
 * the tables of bzboot_tables in place: 64-bit long mode with paging (CR3 at the PML4), or
 * 32-bit protected mode with paging off; CS = __BOOT_CS, the data segments __BOOT_DS, all
 * flat; interrupts off; RSI the zero page; the other registers 0. */
void bzboot_entry_state(const struct bzimage_entry *ent, struct vcpu_entry *e);

#endif
