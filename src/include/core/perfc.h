/* Software performance counters (make PERFC=1, Xen's perfc=y): PERFC_INC(name) and
 * PERFC_INCA(name, index) count events where they happen; `p` / `perfc` prints the counters
 * and `P` / `perfc-reset` zeroes them (src/core/perfc.c). The counters are listed in
 * core/perfc_defn.h.
 *
 * This header is the one place that knows whether counters are built: the Makefile compiles
 * the perfc image's objects with -DKESTREL_PERFC and links src/core/perfc.o; every other
 * build links src/core/perfc_none.o (whose `p` says they are not built) and the macros
 * below expand to nothing, so the counters cost nothing there. One CPU, so plain
 * increments suffice; per-CPU counters come with SMP. */
#ifndef KESTREL_CORE_PERFC_H
#define KESTREL_CORE_PERFC_H

#include <stddef.h>
#include <stdint.h>
#include "public/kestrel.h"

#ifdef KESTREL_PERFC

#define PERFC_BUILD 1   /* for the version line: perfc=y */

enum perfc_id {
#define PERFCOUNTER(name, desc) PERFC_##name,
#define PERFCOUNTER_ARRAY(name, desc, n) PERFC_##name, PERFC_LAST_##name = PERFC_##name + (n),
#include "core/perfc_defn.h"
#undef PERFCOUNTER
#undef PERFCOUNTER_ARRAY
    PERFC_NUM
};

extern uint64_t perfc_counters[PERFC_NUM];

/* Count one event; n events. */
#define PERFC_INC(name) ((void)perfc_counters[PERFC_##name]++)
#define PERFC_ADD(name, n) ((void)(perfc_counters[PERFC_##name] += (uint64_t)(n)))

/* Count one event at index i of an array counter; an index past the array (a guest's
 * hypercall number, an exit code the table does not list) counts in its "other" slot. */
#define PERFC_INCA(name, i)                                                          \
    do {                                                                             \
        uint64_t perfc_i_ = (uint64_t)(i);                                           \
        uint64_t perfc_n_ = (uint64_t)(PERFC_LAST_##name - PERFC_##name);            \
        perfc_counters[PERFC_##name + (perfc_i_ < perfc_n_ ? perfc_i_ : perfc_n_)]++; \
    } while (0)

/* Count one access to the device named `name` (a vdev_ops name: counted by name, so a new
 * device needs no new counter); at most PERFC_MAX_DEVICES names, then "other". */
#define PERFC_MAX_DEVICES 24
void perfc_dev_access(const char *name);
#define PERFC_DEV(name) perfc_dev_access(name)

#else   /* counters not built: nothing is counted, nothing is kept */

#define PERFC_BUILD 0

#define PERFC_INC(name) do {} while (0)
#define PERFC_ADD(name, n) do { if (0) (void)(n); } while (0)
#define PERFC_INCA(name, i) do { if (0) (void)(i); } while (0)
#define PERFC_DEV(name) do { if (0) (void)(name); } while (0)

#endif

#endif
