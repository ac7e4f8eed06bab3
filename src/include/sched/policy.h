/* The scheduler's policy, with no hardware in it: weighted fair sharing in the manner of
 * Xen's credit scheduler, implemented as a virtual-runtime (stride) policy because that is
 * easy to reason about. Each runnable entity's vruntime advances by ran_ns * 256 / weight;
 * the runnable entity with the smallest vruntime runs next (ties: lowest id); a woken
 * entity's vruntime is raised to at least (min vruntime of the runnable set - one slice), so
 * sleeping earns no large credit; blocked entities cost nothing and are never picked.
 *
 * Made for several pCPUs: each CPU has its own struct sched_runq and an entity records the
 * `cpu` whose queue it belongs to, even though only CPU 0 is used now. The caller serialises
 * access to a run queue (one lock per queue later). */
#ifndef KESTREL_SCHED_POLICY_H
#define KESTREL_SCHED_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_SLICE_NS_DEFAULT 10000000ULL   /* 10 ms, as Xen's credit scheduler */
#define SCHED_MIN_SLICE_NS     1000000ULL    /* 1 ms: the shortest share (switch cost bound) */
#define SCHED_WEIGHT_DEFAULT   256u
#define SCHED_WEIGHT_MIN       1u
#define SCHED_WEIGHT_MAX       65535u

struct sched_entity {
    uint64_t vruntime;           /* weighted ns; meaningful relative to its queue's */
    uint32_t weight;             /* 1..65535 */
    int id;                      /* domain/vCPU id: tie breaker */
    bool runnable;               /* on its queue */
    unsigned cpu;                /* which CPU's queue it belongs to */
    uint64_t ran_ns;             /* total time charged, for `list`'s Time(s) */
    struct sched_entity *next;   /* run queue link */
};

struct sched_runq {
    struct sched_entity *head;   /* runnable entities, sorted by (vruntime, id) */
    uint64_t min_vruntime;       /* never decreases; floor for woken entities */
    unsigned nr_runnable;
    uint64_t total_weight;       /* sum of the runnable entities' weights */
};

/* Empty queue. */
void sched_runq_init(struct sched_runq *q);
/* Blocked entity with vruntime 0, cpu 0; weight clamped to 1..65535 (0 means default). */
void sched_entity_init(struct sched_entity *e, int id, uint32_t weight);
/* Make e runnable on q (wake). Its vruntime is raised to at least min_vruntime - one slice.
 * No effect if already runnable. */
void sched_enqueue(struct sched_runq *q, struct sched_entity *e);
/* Take e off q (block / pause / destroy). No effect if not runnable. */
void sched_dequeue(struct sched_runq *q, struct sched_entity *e);
/* The runnable entity to run next (smallest vruntime, then lowest id), left on the queue;
 * NULL when none is runnable. */
struct sched_entity *sched_pick(struct sched_runq *q);
/* Account ns of CPU time to e: ran_ns += ns, vruntime += ns * 256 / weight (also for an
 * entity that blocked during the slice), and keep q ordered. */
void sched_charge(struct sched_runq *q, struct sched_entity *e, uint64_t ns);
/* Change e's weight (clamped to 1..65535, 0 means default) from now on. */
void sched_set_weight(struct sched_runq *q, struct sched_entity *e, uint32_t weight);
/* How long e (runnable, just picked) may run before the others get their turn: its weight's
 * share of the slice among the runnable set, so that every runnable entity runs within one
 * slice (three equal domains that just booted each get a third, not a whole slice in turn),
 * but at least SCHED_MIN_SLICE_NS, and the whole slice when e runs alone. */
uint64_t sched_slice_for(const struct sched_runq *q, const struct sched_entity *e);
/* Set the slice: the wake-up floor and the period sched_slice_for shares out (0 means the
 * default). */
void sched_set_slice(uint64_t ns);
/* The current slice in ns. */
uint64_t sched_get_slice(void);

#endif
