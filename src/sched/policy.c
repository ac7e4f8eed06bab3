/* The scheduler's policy: weighted fair sharing by virtual runtime (stride scheduling).
 *
 * Why this shape: Xen's credit scheduler shares the CPU in proportion to weights, but its
 * credit refills and priority classes are hard to reason about. Virtual runtime gives the
 * same long-run shares with one invariant that is easy to check: an entity's vruntime grows
 * by real time * 256 / weight, and the smallest vruntime runs next, so over any interval
 * in which a set of entities stays runnable their vruntimes stay within one slice of each
 * other, and their real times are in the ratio of their weights.
 *
 * Each run queue is a singly linked list sorted by (vruntime, id): picking is O(1) and
 * charging or waking is O(n), which is fine for the tens of domains Kestrel runs (and the
 * unit tests run 1000). No allocation, no recursion; every walk is bounded by nr_runnable. */
#include "sched/policy.h"
#include "core/debug.h"

static uint64_t slice_ns = SCHED_SLICE_NS_DEFAULT;

/* Clamp a weight to the valid range; 0 means the default. */
static uint32_t clamp_weight(uint32_t w)
{
    if (w == 0)
        return SCHED_WEIGHT_DEFAULT;
    return w > SCHED_WEIGHT_MAX ? SCHED_WEIGHT_MAX : w;
}

/* True if a must run before b: smaller vruntime, then lower id (a stable, fair tie rule). */
static bool before(const struct sched_entity *a, const struct sched_entity *b)
{
    return a->vruntime < b->vruntime || (a->vruntime == b->vruntime && a->id < b->id);
}

/* Raise min_vruntime to the head's vruntime; it never goes down, so a queue that empties
 * and refills still remembers where "now" is for entities that wake later. */
static void update_min(struct sched_runq *q)
{
    if (q->head && q->head->vruntime > q->min_vruntime)
        q->min_vruntime = q->head->vruntime;
}

/* Debug build: is q what its counters say? Sorted by (vruntime, id), nr_runnable entities,
 * each runnable, their weights summing to total_weight. O(n). */
static bool runq_consistent(const struct sched_runq *q)
{
    unsigned n = 0;
    uint64_t weight = 0;
    for (const struct sched_entity *e = q->head; e; e = e->next) {
        if (++n > q->nr_runnable || !e->runnable || (e->next && before(e->next, e)))
            return false;
        weight += e->weight;
    }
    return n == q->nr_runnable && weight == q->total_weight;
}

/* Insert e at its sorted place. e must not be on q. */
static void insert_sorted(struct sched_runq *q, struct sched_entity *e)
{
    struct sched_entity **pp = &q->head;

    for (unsigned n = 0; *pp && n < q->nr_runnable && before(*pp, e); n++)
        pp = &(*pp)->next;
    e->next = *pp;
    *pp = e;
}

/* Unlink e from q's list; returns false if it was not there. */
static bool unlink_entity(struct sched_runq *q, struct sched_entity *e)
{
    struct sched_entity **pp = &q->head;

    for (unsigned n = 0; *pp && n < q->nr_runnable; n++, pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            e->next = NULL;
            return true;
        }
    }
    return false;
}

/* Contract in the header. */
void sched_runq_init(struct sched_runq *q)
{
    q->head = NULL;
    q->min_vruntime = 0;
    q->nr_runnable = 0;
    q->total_weight = 0;
}

/* Contract in the header. */
void sched_entity_init(struct sched_entity *e, int id, uint32_t weight)
{
    e->vruntime = 0;
    e->weight = clamp_weight(weight);
    e->id = id;
    e->runnable = false;
    e->cpu = 0;
    e->ran_ns = 0;
    e->next = NULL;
}

/* Contract in the header. The floor (min_vruntime - one slice) is what keeps a long sleeper
 * from coming back with a huge credit and owning the CPU, while the one slice of grace still
 * lets a briefly blocked (I/O-bound) entity run first when it wakes. */
void sched_enqueue(struct sched_runq *q, struct sched_entity *e)
{
    uint64_t floor;

    if (e->runnable)
        return;
    floor = q->min_vruntime > slice_ns ? q->min_vruntime - slice_ns : 0;
    if (e->vruntime < floor)
        e->vruntime = floor;
    insert_sorted(q, e);
    e->runnable = true;
    q->nr_runnable++;
    q->total_weight += e->weight;
    update_min(q);
    ASSERT(runq_consistent(q));
}

/* Contract in the header. */
void sched_dequeue(struct sched_runq *q, struct sched_entity *e)
{
    if (!e->runnable)
        return;
    bool was_queued = unlink_entity(q, e);
    ASSERT(was_queued);                 /* runnable means on the queue */
    if (was_queued) {
        q->nr_runnable--;
        q->total_weight -= e->weight;
    }
    e->runnable = false;
    update_min(q);
    ASSERT(runq_consistent(q));
}

/* Contract in the header. The list is sorted, so the head is the answer. */
struct sched_entity *sched_pick(struct sched_runq *q)
{
    ASSERT((q->head == NULL) == (q->nr_runnable == 0));
    ASSERT(q->head == NULL || q->head->runnable);
    return q->head;
}

/* Contract in the header. ns * 256 cannot overflow for any slice that fits in 2^56 ns
 * (2.3 years); longer charges are divided first, losing only rounding. */
void sched_charge(struct sched_runq *q, struct sched_entity *e, uint64_t ns)
{
    uint64_t delta;

    e->ran_ns += ns;
    if (ns <= UINT64_MAX / 256)
        delta = ns * 256 / e->weight;
    else
        delta = ns / e->weight * 256;
    e->vruntime = e->vruntime > UINT64_MAX - delta ? UINT64_MAX : e->vruntime + delta;
    if (e->runnable && unlink_entity(q, e)) {
        insert_sorted(q, e);             /* nr_runnable unchanged: it is still on q */
        update_min(q);
    }
    ASSERT(runq_consistent(q));
}

/* Contract in the header. Only future charges change: the past was paid at the old rate. */
void sched_set_weight(struct sched_runq *q, struct sched_entity *e, uint32_t weight)
{
    uint32_t w = clamp_weight(weight);   /* the order depends on vruntime only */
    if (e->runnable)
        q->total_weight = q->total_weight - e->weight + w;
    e->weight = w;
    ASSERT(runq_consistent(q));
}

/* Contract in the header. Xen's credit2 and Linux's CFS do the same in their own terms (a
 * slice bounded by the credit gap to the next vCPU; a latency target shared by weight). */
uint64_t sched_slice_for(const struct sched_runq *q, const struct sched_entity *e)
{
    if (!e->runnable || q->total_weight <= e->weight)
        return slice_ns;
    uint64_t share = slice_ns / q->total_weight * e->weight +
                     slice_ns % q->total_weight * e->weight / q->total_weight;
    uint64_t floor = SCHED_MIN_SLICE_NS < slice_ns ? SCHED_MIN_SLICE_NS : slice_ns;
    return share > floor ? share : floor;
}

/* Contract in the header. */
void sched_set_slice(uint64_t ns)
{
    slice_ns = ns ? ns : SCHED_SLICE_NS_DEFAULT;
}

/* Contract in the header. */
uint64_t sched_get_slice(void)
{
    return slice_ns;
}
