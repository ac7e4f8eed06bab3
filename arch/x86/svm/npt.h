/* Nested page tables for SVM (arch/x86/svm/npt.c); private to the SVM backend. */
#ifndef KESTREL_ARCH_SVM_NPT_H
#define KESTREL_ARCH_SVM_NPT_H

#include <stdbool.h>
#include <stdint.h>

uint64_t npt_create(void);
int npt_map(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size, bool large);
uint64_t npt_unmap_4k(uint64_t root, uint64_t gpa);
/* Frames cleared on the guest's first touch (see pt_map_lazy), and that clearing. */
int npt_map_lazy(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t size);
bool npt_fault_in(uint64_t root, uint64_t gpa, bool small);
void npt_destroy(uint64_t root, void (*free_leaf)(uint64_t hpa, uint64_t size));
uint64_t npt_table_pages(uint64_t root);

#endif
