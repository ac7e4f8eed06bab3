/* Unit tests for the default build's side of core/debug.h and core/perfc.h: ASSERT() and
 * the counter macros compile to nothing - the expression is never evaluated, no
 * assert_failed or perfc_counters is referenced (this program does not link them), so a
 * false assertion passes silently and counting costs nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/debug.h"
#include "core/perfc.h"

static int evaluated;

static int side_effect(void)
{
    return ++evaluated;
}

static void test_assert_is_not_evaluated(void **state)
{
    (void)state;
    assert_int_equal(DEBUG_BUILD, 0);
    evaluated = 0;
    ASSERT(side_effect() == 42);
    ASSERT(0);
    assert_int_equal(evaluated, 0);
}

static void test_counters_are_not_built(void **state)
{
    (void)state;
    assert_int_equal(PERFC_BUILD, 0);
    evaluated = 0;
    PERFC_INC(frames_allocated);
    PERFC_ADD(frames_freed, side_effect());
    PERFC_INCA(hypercalls, side_effect());
    PERFC_DEV("uart16550");
    assert_int_equal(evaluated, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assert_is_not_evaluated),
        cmocka_unit_test(test_counters_are_not_built),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
