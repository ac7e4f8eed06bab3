/* Guest memory as the guest's own CPU sees it: linear addresses translated through its
 * paging (none, 32-bit, PAE, 4-level long mode) and then its nested/extended page tables.
 * Shared by both backends for the instructions the hypervisor decodes or emulates (MOV to
 * CR4 under SVM, string I/O). */
#ifndef KESTREL_ARCH_GUEST_WALK_H
#define KESTREL_ARCH_GUEST_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct domain;

struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
    struct domain *dom;             /* whose memory (domain_copy_from/_to) */
};

/* Guest linear -> guest physical through the guest's page tables; false if a table entry
 * is not present or a table lies outside the guest's memory (the access would #PF). No
 * permission checks: the hypervisor acts for the guest's own kernel. */
bool guest_linear_to_gpa(const struct guest_paging *pg, uint64_t lin, uint64_t *gpa);

/* Copy n bytes between the guest's linear memory at lin and buf (any alignment, across
 * pages; through domain_copy_from/_to, so guest memory not yet touched is faulted in). False, having copied a prefix, if a
 * page does not translate or lies outside the guest. */
bool guest_read_linear(const struct guest_paging *pg, uint64_t lin, void *buf, size_t n);
bool guest_write_linear(const struct guest_paging *pg, uint64_t lin, const void *buf,
                        size_t n);

/* Fetch up to 15 instruction bytes at lin; returns how many could be read (an instruction
 * may end just before unmapped memory). */
size_t guest_fetch_insn(const struct guest_paging *pg, uint64_t lin, uint8_t insn[15]);

#endif
