/* Unit tests for the CTRL-<letter>x3 input switch (console/conswitch.c): the switch on the
 * third press, replay of held presses to the owner that held them, letters, owner cycles,
 * explicit switches and the placeholder cycle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "console/conswitch.h"

#define CTRL(c) ((unsigned char)((c) - 'a' + 1))

/* Everything the callbacks saw, as a flat log "owner:byte" / "announce" entries. */
struct rec {
    int owners[256];          /* owner of each delivered byte */
    unsigned char bytes[256]; /* delivered bytes in order */
    size_t nbytes;
    size_t ncalls;            /* deliver calls */
    int ann_owner[16];
    char ann_msg[16][128];
    size_t nann;
    int ndomains;             /* for next_fn: domains 0..ndomains-1 exist */
};

static void deliver(void *ctx, int owner, const unsigned char *b, size_t n)
{
    struct rec *r = ctx;

    r->ncalls++;
    for (size_t i = 0; i < n; i++) {
        r->owners[r->nbytes] = owner;
        r->bytes[r->nbytes++] = b[i];
    }
}

static void announce(void *ctx, int owner, const char *msg)
{
    struct rec *r = ctx;

    r->ann_owner[r->nann] = owner;
    snprintf(r->ann_msg[r->nann], sizeof(r->ann_msg[0]), "%s", msg);
    r->nann++;
}

/* Xen -> 0 -> 1 -> ... -> ndomains-1 -> Xen. */
static int next_n(void *ctx, int cur)
{
    struct rec *r = ctx;

    if (cur + 1 < r->ndomains)
        return cur + 1;
    return CONSWITCH_XEN;
}

static void feed_str(struct conswitch *cs, const char *s)
{
    while (*s)
        conswitch_feed(cs, (unsigned char)*s++);
}

static void test_plain_bytes_go_to_xen(void **state)
{
    struct rec r = { .ndomains = 1 };
    struct conswitch cs;

    (void)state;
    conswitch_init(&cs, 'a', next_n, deliver, announce, &r);
    assert_int_equal(conswitch_owner(&cs), CONSWITCH_XEN);
    feed_str(&cs, "ls\r");
    assert_int_equal(r.nbytes, 3);
    assert_memory_equal(r.bytes, "ls\r", 3);
    assert_int_equal(r.owners[0], CONSWITCH_XEN);
    assert_int_equal(r.nann, 0);
}

static void test_three_presses_switch(void **state)
{
    struct rec r = { .ndomains = 1 };
    struct conswitch cs;

    (void)state;
    conswitch_init(&cs, 'a', next_n, deliver, announce, &r);
    conswitch_feed(&cs, CTRL('a'));
    conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(r.nann, 0);
    conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(r.nann, 1);
    assert_int_equal(r.ann_owner[0], 0);
    assert_string_equal(r.ann_msg[0],
                        "*** Serial input to DOM0 (type 'CTRL-a' three times to switch input)");
    assert_int_equal(conswitch_owner(&cs), 0);
    assert_int_equal(r.nbytes, 0);     /* presses are eaten */
    conswitch_feed(&cs, 'x');
    assert_int_equal(r.nbytes, 1);
    assert_int_equal(r.owners[0], 0);
    /* and back */
    for (int i = 0; i < 3; i++)
        conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(conswitch_owner(&cs), CONSWITCH_XEN);
    assert_string_equal(r.ann_msg[1],
                        "*** Serial input to Xen (type 'CTRL-a' three times to switch input)");
}

static void test_broken_sequence_replays(void **state)
{
    struct rec r = { .ndomains = 1 };
    struct conswitch cs;

    (void)state;
    conswitch_init(&cs, 'a', next_n, deliver, announce, &r);
    conswitch_feed(&cs, CTRL('a'));
    conswitch_feed(&cs, CTRL('a'));
    conswitch_feed(&cs, 'q');
    assert_int_equal(r.nann, 0);
    assert_int_equal(r.nbytes, 3);
    assert_int_equal(r.bytes[0], CTRL('a'));
    assert_int_equal(r.bytes[1], CTRL('a'));
    assert_int_equal(r.bytes[2], 'q');
    assert_int_equal(r.owners[0], CONSWITCH_XEN);
    assert_int_equal(r.owners[2], CONSWITCH_XEN);
    /* one press then a byte */
    conswitch_feed(&cs, CTRL('a'));
    conswitch_feed(&cs, 'z');
    assert_int_equal(r.nbytes, 5);
    assert_int_equal(r.bytes[3], CTRL('a'));
    assert_int_equal(r.bytes[4], 'z');
    /* the count starts over: two held + one new press do not make three */
    conswitch_feed(&cs, CTRL('a'));
    conswitch_feed(&cs, CTRL('a'));
    conswitch_feed(&cs, 'y');
    conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(r.nann, 0);
    assert_int_equal(conswitch_owner(&cs), CONSWITCH_XEN);
}

static void test_four_presses_switch_then_hold_one(void **state)
{
    struct rec r = { .ndomains = 1 };
    struct conswitch cs;

    (void)state;
    conswitch_init(&cs, 'a', next_n, deliver, announce, &r);
    for (int i = 0; i < 4; i++)
        conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(conswitch_owner(&cs), 0);
    assert_int_equal(r.nbytes, 0);
    conswitch_feed(&cs, 'k');
    /* the fourth press belongs to DOM0, the new owner */
    assert_int_equal(r.nbytes, 2);
    assert_int_equal(r.bytes[0], CTRL('a'));
    assert_int_equal(r.owners[0], 0);
    assert_int_equal(r.owners[1], 0);
}

static void test_switch_mid_stream(void **state)
{
    struct rec r = { .ndomains = 1 };
    struct conswitch cs;
    const unsigned char in[] = { 'a', 'b', CTRL('a'), CTRL('a'), CTRL('a'), 'c', 'd' };

    (void)state;
    conswitch_init(&cs, 'a', next_n, deliver, announce, &r);
    for (size_t i = 0; i < sizeof(in); i++)
        conswitch_feed(&cs, in[i]);
    assert_int_equal(r.nbytes, 4);
    assert_memory_equal(r.bytes, "abcd", 4);
    assert_int_equal(r.owners[0], CONSWITCH_XEN);
    assert_int_equal(r.owners[1], CONSWITCH_XEN);
    assert_int_equal(r.owners[2], 0);
    assert_int_equal(r.owners[3], 0);
    assert_int_equal(r.nann, 1);
}

static void test_other_letter(void **state)
{
    struct rec r = { .ndomains = 1 };
    struct conswitch cs;

    (void)state;
    conswitch_init(&cs, 'x', next_n, deliver, announce, &r);
    for (int i = 0; i < 3; i++)
        conswitch_feed(&cs, CTRL('a'));     /* CTRL-a is ordinary input now */
    assert_int_equal(r.nbytes, 3);
    assert_int_equal(r.nann, 0);
    for (int i = 0; i < 3; i++)
        conswitch_feed(&cs, CTRL('x'));
    assert_int_equal(conswitch_owner(&cs), 0);
    assert_string_equal(r.ann_msg[0],
                        "*** Serial input to DOM0 (type 'CTRL-x' three times to switch input)");
    /* upper case is taken as the letter, junk falls back to 'a' */
    conswitch_init(&cs, 'B', next_n, deliver, announce, &r);
    assert_int_equal(cs.code, CTRL('b'));
    conswitch_init(&cs, '!', next_n, deliver, announce, &r);
    assert_int_equal(cs.letter, 'a');
}

static void test_cycle_several_owners(void **state)
{
    struct rec r = { .ndomains = 3 };
    struct conswitch cs;
    const int expect[] = { 0, 1, 2, CONSWITCH_XEN, 0 };

    (void)state;
    conswitch_init(&cs, 'a', next_n, deliver, announce, &r);
    for (int k = 0; k < 5; k++) {
        for (int i = 0; i < 3; i++)
            conswitch_feed(&cs, CTRL('a'));
        assert_int_equal(conswitch_owner(&cs), expect[k]);
        assert_int_equal(r.ann_owner[k], expect[k]);
    }
    assert_string_equal(r.ann_msg[2],
                        "*** Serial input to DOM2 (type 'CTRL-a' three times to switch input)");
    /* a domain added later joins the cycle */
    r.ndomains = 4;
    conswitch_set_owner(&cs, 2);
    for (int i = 0; i < 3; i++)
        conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(conswitch_owner(&cs), 3);
}

static void test_no_other_owner_stays_and_announces(void **state)
{
    struct rec r = { .ndomains = 0 };
    struct conswitch cs;

    (void)state;
    conswitch_init(&cs, 'a', next_n, deliver, announce, &r);
    for (int i = 0; i < 6; i++)
        conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(conswitch_owner(&cs), CONSWITCH_XEN);
    assert_int_equal(r.nann, 2);            /* each switch says where input is */
    assert_int_equal(r.nbytes, 0);
    /* NULL next: only Xen */
    r.nann = 0;
    conswitch_init(&cs, 'a', NULL, deliver, announce, &r);
    for (int i = 0; i < 3; i++)
        conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(conswitch_owner(&cs), CONSWITCH_XEN);
    assert_int_equal(r.nann, 1);
}

static void test_set_owner(void **state)
{
    struct rec r = { .ndomains = 3 };
    struct conswitch cs;

    (void)state;
    conswitch_init(&cs, 'a', next_n, deliver, announce, &r);
    conswitch_feed(&cs, CTRL('a'));         /* held by Xen */
    conswitch_set_owner(&cs, 2);
    assert_int_equal(r.nbytes, 1);          /* replayed to the old owner first */
    assert_int_equal(r.owners[0], CONSWITCH_XEN);
    assert_int_equal(conswitch_owner(&cs), 2);
    assert_int_equal(r.nann, 1);
    assert_string_equal(r.ann_msg[0],
                        "*** Serial input to DOM2 (type 'CTRL-a' three times to switch input)");
    conswitch_set_owner(&cs, 2);            /* announces even when unchanged */
    assert_int_equal(r.nann, 2);
    conswitch_set_owner(&cs, -7);           /* nonsense goes home */
    assert_int_equal(conswitch_owner(&cs), CONSWITCH_XEN);
    /* the press count restarted: two more presses do not switch */
    conswitch_feed(&cs, CTRL('a'));
    conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(conswitch_owner(&cs), CONSWITCH_XEN);
}

static void test_placeholder_and_null_callbacks(void **state)
{
    struct conswitch cs;
    char msg[16];

    (void)state;
    assert_int_equal(conswitch_placeholder_next(NULL, CONSWITCH_XEN), 0);
    assert_int_equal(conswitch_placeholder_next(NULL, 0), CONSWITCH_XEN);
    conswitch_init(&cs, 'a', conswitch_placeholder_next, NULL, NULL, NULL);
    conswitch_feed(&cs, 'x');
    for (int i = 0; i < 3; i++)
        conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(conswitch_owner(&cs), 0);
    conswitch_feed(&cs, CTRL('a'));
    conswitch_feed(&cs, 'y');
    for (int i = 0; i < 3; i++)
        conswitch_feed(&cs, CTRL('a'));
    assert_int_equal(conswitch_owner(&cs), CONSWITCH_XEN);
    conswitch_message(&cs, 0, msg, sizeof(msg));   /* cut, NUL-terminated */
    assert_int_equal(strlen(msg), sizeof(msg) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_bytes_go_to_xen),
        cmocka_unit_test(test_three_presses_switch),
        cmocka_unit_test(test_broken_sequence_replays),
        cmocka_unit_test(test_four_presses_switch_then_hold_one),
        cmocka_unit_test(test_switch_mid_stream),
        cmocka_unit_test(test_other_letter),
        cmocka_unit_test(test_cycle_several_owners),
        cmocka_unit_test(test_no_other_owner_stays_and_announces),
        cmocka_unit_test(test_set_owner),
        cmocka_unit_test(test_placeholder_and_null_callbacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
