/* Extended page tables for the VMX backend (arch/x86/vmx/ept.c); private to arch/x86/vmx. */
#ifndef KESTREL_ARCH_VMX_EPT_H
#define KESTREL_ARCH_VMX_EPT_H

#include <stdbool.h>
#include <stdint.h>

/* How stale translations are dropped: INVEPT type 1 (single context) or 2 (all). Set once
 * by vmx_init before any table exists. */
void ept_set_invept_type(uint64_t type);
/* The EPT pointer for a root: 4-level walk, write-back paging structures. */
uint64_t ept_pointer(uint64_t root);
/* Drop every cached translation made through root's tables. */
void ept_flush(uint64_t root);

uint64_t ept_create(void);
int ept_map(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool large);
uint64_t ept_unmap_4k(uint64_t root, uint64_t gpa);
void ept_destroy(uint64_t root, void (*free_leaf)(uint64_t hpa, uint64_t size));
uint64_t ept_table_pages(uint64_t root);
void *ept_gpa_to_hva(uint64_t root, uint64_t gpa);

#endif
