/* Unit tests for the scheduler policy (src/sched/policy.c), by simulation on the host: a
 * virtual CPU hands out slices to whatever sched_pick returns and charges it, and the tests
 * check the shares that come out (equal, weighted, many entities, weights changed at run
 * time), that blocked entities cost nothing, that a waking entity neither starves the others
 * nor is starved, the queue's basic rules (ties by id, floors, per-CPU queues), and how the
 * slice is shared out among the runnable set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "sched/policy.h"

#define SLICE SCHED_SLICE_NS_DEFAULT
#define SEC 1000000000ULL

static struct sched_entity ents[1000];
static struct sched_runq q;

/* n entities with the given weights (NULL: all default), all runnable. */
static void setup(unsigned n, const uint32_t *weights)
{
    sched_set_slice(0);
    sched_runq_init(&q);
    for (unsigned i = 0; i < n; i++) {
        sched_entity_init(&ents[i], (int)i, weights ? weights[i] : 0);
        sched_enqueue(&q, &ents[i]);
    }
}

/* Run the CPU for total ns in slices of slice ns; returns how many picks were made. */
static unsigned run(uint64_t total, uint64_t slice)
{
    unsigned picks = 0;

    for (uint64_t t = 0; t < total; t += slice) {
        struct sched_entity *e = sched_pick(&q);

        if (!e)
            break;
        sched_charge(&q, e, slice);
        picks++;
    }
    return picks;
}

/* Assert e's share of total is pct +- tol percent (integer maths: no floating point). */
static void share_is(const struct sched_entity *e, uint64_t total, unsigned pct, unsigned tol)
{
    uint64_t lo = total * (pct - tol) / 100, hi = total * (pct + tol) / 100;

    if (e->ran_ns < lo || e->ran_ns > hi)
        fail_msg("entity %d ran %llu ns of %llu, wanted %u +- %u %%", e->id,
                 (unsigned long long)e->ran_ns, (unsigned long long)total, pct, tol);
}

static void test_two_equal(void **state)
{
    (void)state;
    setup(2, NULL);
    assert_int_equal(run(10 * SEC, SLICE), 1000);
    share_is(&ents[0], 10 * SEC, 50, 5);
    share_is(&ents[1], 10 * SEC, 50, 5);
    assert_int_equal(ents[0].ran_ns + ents[1].ran_ns, 10 * SEC);
}

static void test_weights_1_to_2(void **state)
{
    static const uint32_t w[] = { 256, 512 };

    (void)state;
    setup(2, w);
    run(10 * SEC, SLICE);
    share_is(&ents[0], 10 * SEC, 33, 5);
    share_is(&ents[1], 10 * SEC, 67, 5);
}

static void test_four_equal_and_odd_weights(void **state)
{
    static const uint32_t w[] = { 1, 3, 65535, 65535 };

    (void)state;
    setup(4, NULL);
    run(10 * SEC, SLICE);
    for (unsigned i = 0; i < 4; i++)
        share_is(&ents[i], 10 * SEC, 25, 5);
    setup(4, w);                         /* extremes: 1 and 3 get almost nothing, fairly */
    run(10 * SEC, SLICE);
    share_is(&ents[2], 10 * SEC, 50, 1);
    share_is(&ents[3], 10 * SEC, 50, 1);
    assert_true(ents[0].ran_ns <= ents[1].ran_ns);
}

static void test_blocked_costs_nothing(void **state)
{
    (void)state;
    setup(3, NULL);
    sched_dequeue(&q, &ents[1]);
    assert_false(ents[1].runnable);
    assert_int_equal(q.nr_runnable, 2);
    run(10 * SEC, SLICE);
    assert_int_equal(ents[1].ran_ns, 0);
    share_is(&ents[0], 10 * SEC, 50, 5);
    share_is(&ents[2], 10 * SEC, 50, 5);
    sched_dequeue(&q, &ents[1]);         /* twice: no effect */
    assert_int_equal(q.nr_runnable, 2);
    sched_dequeue(&q, &ents[0]);
    sched_dequeue(&q, &ents[2]);
    assert_null(sched_pick(&q));         /* all blocked: idle */
    assert_int_equal(run(SEC, SLICE), 0);
}

/* C sleeps 5 s while A and B run, then wakes: it gets no 5 s of credit (A and B keep
 * running within a few slices) and is not starved either (a third of the rest). */
static void test_wakeup_fair(void **state)
{
    struct sched_entity *last = NULL;
    unsigned run_len = 0, max_run_c = 0, max_wait_ab = 0, wait[2] = { 0, 0 };
    uint64_t before_a, before_b;

    (void)state;
    setup(3, NULL);
    sched_dequeue(&q, &ents[2]);
    run(5 * SEC, SLICE);
    before_a = ents[0].ran_ns;
    before_b = ents[1].ran_ns;
    sched_enqueue(&q, &ents[2]);
    assert_true(ents[2].vruntime + SLICE >= q.min_vruntime);   /* the floor */
    for (unsigned i = 0; i < 600; i++) {   /* 6 s */
        struct sched_entity *e = sched_pick(&q);

        run_len = e == last ? run_len + 1 : 1;
        last = e;
        if (e == &ents[2] && run_len > max_run_c)
            max_run_c = run_len;
        for (unsigned k = 0; k < 2; k++) {
            wait[k] = e == &ents[k] ? 0 : wait[k] + 1;
            if (wait[k] > max_wait_ab)
                max_wait_ab = wait[k];
        }
        sched_charge(&q, e, SLICE);
    }
    assert_true(max_run_c <= 2);         /* no burst of stored-up credit */
    assert_true(max_wait_ab <= 3);
    share_is(&ents[2], 6 * SEC, 33, 5);
    assert_true(ents[0].ran_ns - before_a >= 6 * SEC * 28 / 100);
    assert_true(ents[1].ran_ns - before_b >= 6 * SEC * 28 / 100);
}

/* An I/O-bound entity (runs 1 ms, then blocks until the next slice) beside a CPU hog:
 * every time it wakes it is picked first, and the hog gets the rest. */
static void test_io_bound_not_starved(void **state)
{
    unsigned io_picks = 0;

    (void)state;
    setup(2, NULL);
    for (unsigned i = 0; i < 1000; i++) {
        struct sched_entity *e = sched_pick(&q);

        if (e == &ents[1]) {
            io_picks++;
            sched_dequeue(&q, e);        /* blocks after 1 ms: charge what it used */
            sched_charge(&q, e, SLICE / 10);
            e = sched_pick(&q);
        }
        assert_ptr_equal(e, &ents[0]);
        sched_charge(&q, e, SLICE);
        sched_enqueue(&q, &ents[1]);     /* its I/O completes */
    }
    assert_true(io_picks >= 999);
    assert_int_equal(ents[1].ran_ns, io_picks * (SLICE / 10));
}

static void test_weight_change_at_run_time(void **state)
{
    uint64_t a0, b0;

    (void)state;
    setup(2, NULL);
    run(5 * SEC, SLICE);
    share_is(&ents[0], 5 * SEC, 50, 5);
    a0 = ents[0].ran_ns;
    b0 = ents[1].ran_ns;
    sched_set_weight(&q, &ents[0], 768);
    assert_int_equal(ents[0].weight, 768);
    run(8 * SEC, SLICE);
    assert_true((ents[0].ran_ns - a0) >= 8 * SEC * 70 / 100);   /* 75 % +- 5 */
    assert_true((ents[0].ran_ns - a0) <= 8 * SEC * 80 / 100);
    assert_int_equal(ents[0].ran_ns - a0 + ents[1].ran_ns - b0, 8 * SEC);
    sched_set_weight(&q, &ents[0], 0);
    assert_int_equal(ents[0].weight, 256);
    sched_set_weight(&q, &ents[0], 100000);
    assert_int_equal(ents[0].weight, 65535);
}

static void test_thousand_entities(void **state)
{
    uint64_t lo = UINT64_MAX, hi = 0;

    (void)state;
    setup(1000, NULL);
    assert_int_equal(q.nr_runnable, 1000);
    run(100 * SEC, SLICE);               /* 10000 slices: 10 each */
    for (unsigned i = 0; i < 1000; i++) {
        lo = ents[i].ran_ns < lo ? ents[i].ran_ns : lo;
        hi = ents[i].ran_ns > hi ? ents[i].ran_ns : hi;
    }
    assert_true(lo >= 9 * SLICE && hi <= 11 * SLICE);
    /* the list stays sorted by (vruntime, id) */
    for (struct sched_entity *e = q.head; e && e->next; e = e->next)
        assert_true(e->vruntime < e->next->vruntime ||
                    (e->vruntime == e->next->vruntime && e->id < e->next->id));
}

static void test_ties_floor_and_basics(void **state)
{
    struct sched_entity a, b, c;
    struct sched_runq q1;

    (void)state;
    sched_set_slice(0);
    assert_int_equal(sched_get_slice(), SCHED_SLICE_NS_DEFAULT);
    sched_runq_init(&q);
    sched_runq_init(&q1);
    assert_null(sched_pick(&q));
    sched_entity_init(&a, 5, 0);
    sched_entity_init(&b, 3, 256);
    assert_int_equal(a.weight, 256);
    assert_false(a.runnable);
    sched_enqueue(&q, &a);
    sched_enqueue(&q, &b);
    sched_enqueue(&q, &b);               /* twice: no effect */
    assert_int_equal(q.nr_runnable, 2);
    assert_ptr_equal(sched_pick(&q), &b);   /* tie: lowest id */
    sched_charge(&q, &b, 1);
    assert_ptr_equal(sched_pick(&q), &a);
    /* a long sleeper wakes at most one slice behind */
    sched_charge(&q, &a, 10 * SEC);
    sched_charge(&q, &b, 10 * SEC);
    sched_entity_init(&c, 1, 0);
    sched_enqueue(&q, &c);
    assert_int_equal(c.vruntime, q.min_vruntime - SLICE);
    assert_ptr_equal(sched_pick(&q), &c);
    sched_set_slice(1000);
    assert_int_equal(sched_get_slice(), 1000);
    sched_set_slice(0);
    /* per-CPU queues are independent */
    sched_entity_init(&a, 9, 0);
    a.cpu = 1;
    sched_enqueue(&q1, &a);
    assert_ptr_equal(sched_pick(&q1), &a);
    assert_int_equal(q1.nr_runnable, 1);
    assert_int_equal(q.nr_runnable, 3);
    /* charging a blocked entity counts its time but does not queue it */
    sched_dequeue(&q1, &a);
    sched_charge(&q1, &a, SLICE);
    assert_int_equal(a.ran_ns, SLICE);
    assert_null(sched_pick(&q1));
    /* enormous charges saturate instead of wrapping */
    sched_charge(&q1, &a, UINT64_MAX);
    sched_charge(&q1, &a, UINT64_MAX / 2);
    assert_int_equal(a.vruntime, UINT64_MAX);
}

/* sched_slice_for: the slice shared out by weight among the runnable set, floored at
 * SCHED_MIN_SLICE_NS (or the slice, when that is shorter), whole for an entity alone; and the
 * queue's total weight follows enqueue, dequeue and weight changes. */
static void test_slice_shares(void **state)
{
    (void)state;
    setup(1, NULL);
    assert_int_equal(q.total_weight, 256);
    assert_int_equal(sched_slice_for(&q, &ents[0]), SLICE);
    setup(3, NULL);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(sched_slice_for(&q, &ents[i]), SLICE / 3);
    sched_dequeue(&q, &ents[2]);
    assert_int_equal(q.total_weight, 512);
    assert_int_equal(sched_slice_for(&q, &ents[0]), SLICE / 2);
    assert_int_equal(sched_slice_for(&q, &ents[2]), SLICE);   /* not runnable: whole */
    sched_set_weight(&q, &ents[1], 512);
    assert_int_equal(q.total_weight, 768);
    assert_int_equal(sched_slice_for(&q, &ents[0]), SLICE / 3);
    assert_int_equal(sched_slice_for(&q, &ents[1]), SLICE * 2 / 3);
    sched_set_weight(&q, &ents[2], 1000);                      /* blocked: total unchanged */
    assert_int_equal(q.total_weight, 768);
    setup(20, NULL);                                           /* 0.5 ms each: floored */
    assert_int_equal(sched_slice_for(&q, &ents[7]), SCHED_MIN_SLICE_NS);
    sched_set_slice(SCHED_MIN_SLICE_NS / 2);                   /* floor never above slice */
    assert_int_equal(sched_slice_for(&q, &ents[7]), SCHED_MIN_SLICE_NS / 2);
    sched_set_slice(0);
    uint32_t w[2] = { 1, 65535 };                              /* no overflow, exact sum */
    setup(2, w);
    assert_int_equal(sched_slice_for(&q, &ents[1]), SLICE / 65536 * 65535 +
                     SLICE % 65536 * 65535 / 65536);
}

/* Domains that start together all get the CPU within one slice: each entity runs its
 * sched_slice_for share in turn, so the last of n equal ones starts at (n-1)/n of a slice
 * rather than after n-1 whole slices. */
static void test_all_start_within_one_slice(void **state)
{
    (void)state;
    uint64_t first[5], t = 0;
    setup(5, NULL);
    for (unsigned i = 0; i < 5; i++)
        first[i] = UINT64_MAX;
    for (unsigned picks = 0; picks < 5; picks++) {
        struct sched_entity *e = sched_pick(&q);
        if (first[e->id] == UINT64_MAX)
            first[e->id] = t;
        uint64_t ran = sched_slice_for(&q, e);
        sched_charge(&q, e, ran);
        t += ran;
    }
    for (unsigned i = 0; i < 5; i++)
        assert_true(first[i] < SLICE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_equal),
        cmocka_unit_test(test_weights_1_to_2),
        cmocka_unit_test(test_four_equal_and_odd_weights),
        cmocka_unit_test(test_blocked_costs_nothing),
        cmocka_unit_test(test_wakeup_fair),
        cmocka_unit_test(test_io_bound_not_starved),
        cmocka_unit_test(test_weight_change_at_run_time),
        cmocka_unit_test(test_thousand_entities),
        cmocka_unit_test(test_ties_floor_and_basics),
        cmocka_unit_test(test_slice_shares),
        cmocka_unit_test(test_all_start_within_one_slice),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
