/*
 * tramp.h - the parameter block of the final-move trampoline, shared by
 * stage32.c (which fills it) and head32.S (whose trampoline reads it).
 */
#ifndef MBOOTPACK_TRAMP_H
#define MBOOTPACK_TRAMP_H

#define TP_GDT 0            /* 4 descriptors */
#define TP_GDT_LIMIT 34     /* lgdt operand: limit, then base */
#define TP_FAR_OFF 40       /* ljmp operand: offset, then selector */
#define TP_FAR_SEL 44
#define TP_ENTRY 48
#define TP_MBI 52
#define TP_STACK 56
#define TP_NMOVES 60
#define TP_MOVES 64         /* struct tramp_move[] */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct tramp_move {
	uint32_t dst, src, len, zero;
};

struct tramp_params {
	uint64_t gdt[4];
	uint16_t pad;
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint32_t far_off;
	uint32_t far_sel;
	uint32_t entry;
	uint32_t mbi;
	uint32_t stack;
	uint32_t nmoves;
	struct tramp_move moves[];
};

_Static_assert(__builtin_offsetof(struct tramp_params, gdt_limit) ==
	       TP_GDT_LIMIT, "tramp layout");
_Static_assert(__builtin_offsetof(struct tramp_params, far_off) ==
	       TP_FAR_OFF, "tramp layout");
_Static_assert(__builtin_offsetof(struct tramp_params, moves) == TP_MOVES,
	       "tramp layout");
#endif
#endif
