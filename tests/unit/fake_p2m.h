/* A host stand-in for the frame allocator and the nested page tables, so src/core/guestmem.c
 * (and hypercall.c through it) run unchanged in a unit test. Frames come from one mmap'd
 * arena and are host pointers (hpa == hva, as in Kestrel's identity map). Every arena page
 * that is not an allocated frame is PROT_NONE, and fake_p2m_seal() makes a domain's frames
 * PROT_NONE too: any read or write the code under test makes outside the memory it may
 * touch kills the test with SIGSEGV (cmocka reports it as a failure). Frames (and 2 MiB
 * runs) are handed out from the top down with a free PROT_NONE page on either side, so
 * guest-physical neighbours are never host neighbours and running off a frame faults. */
#ifndef TESTS_UNIT_FAKE_P2M_H
#define TESTS_UNIT_FAKE_P2M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_ARENA_PAGES 16384u     /* 64 MiB of "host RAM" */
#define FAKE_GPA_PAGES   8192u      /* 32 MiB of guest-physical space per root */

/* Reset everything: all frames free (PROT_NONE), no roots, every switch back on. */
void fake_p2m_reset(void);
/* A new empty p2m root (non-zero). */
uint64_t fake_p2m_new(void);
/* The host page behind gpa whatever its state (NULL when unmapped); for the test's own
 * checks, it does not fault anything in. */
uint8_t *fake_p2m_peek(uint64_t root, uint64_t gpa);
bool fake_p2m_is_lazy(uint64_t root, uint64_t gpa);
/* Make every frame mapped by root inaccessible (PROT_NONE) / accessible again. */
void fake_p2m_seal(uint64_t root, bool sealed);

/* Switches: frame_alloc_contig gives 2 MiB runs; arch_p2m_map_lazy accepts them; the
 * allocator has at most this many frames left to give (UINT64_MAX: the whole arena). */
extern bool fake_contig_ok, fake_lazy_ok;
extern uint64_t fake_frames_left;
/* Counters. */
extern unsigned fake_frames_used, fake_flush_tlb_calls, fake_fault_in_calls, fake_bad_frees;

#endif
