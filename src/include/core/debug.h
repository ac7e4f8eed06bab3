/* The debug build's checks (make DEBUG=1, Xen's debug=y): ASSERT() and the poison patterns
 * of freed memory. This header is the one place that knows which build it is compiled for:
 * the Makefile compiles the debug image's objects with -DKESTREL_DEBUG, and code elsewhere
 * tests DEBUG_BUILD in plain `if`s (a constant, so the default build drops that code) rather
 * than with #ifdef. In the default build ASSERT() generates no code, but its expression is
 * still compiled, so it cannot rot. */
#ifndef KESTREL_CORE_DEBUG_H
#define KESTREL_CORE_DEBUG_H

#include <stdbool.h>

#ifdef KESTREL_DEBUG
#define DEBUG_BUILD 1
#else
#define DEBUG_BUILD 0
#endif

/* Byte written over a freed heap block's payload and a freed frame; a block or frame handed
 * out again must still hold it all, or something wrote to memory after freeing it. Linux's
 * POISON_FREE for the heap; another value for frames so a dump tells them apart. */
#define HEAP_POISON  0x6b
#define FRAME_POISON 0xa5

/* Panic with Xen's text: "Assertion '<expr>' failed at <file>:<line>". Never returns. */
__attribute__((noreturn))
void assert_failed(const char *expr, const char *file, int line);

#if DEBUG_BUILD
#define ASSERT(p) \
    do { if (__builtin_expect(!(p), 0)) assert_failed(#p, __FILE__, __LINE__); } while (0)
#else
#define ASSERT(p) do { if (0 && (p)) {} } while (0)
#endif

#endif
