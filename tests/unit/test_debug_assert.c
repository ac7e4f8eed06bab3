/* Unit tests for ASSERT()'s two builds: with -DKESTREL_DEBUG a false assertion panics with
 * Xen's text "Assertion '<expr>' failed at <file>:<line>" (src/core/assert.c, against a
 * panic() that records its message); without it (test_debug_off.c) nothing is evaluated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/debug.h"
#include "core/panic.h"

static char message[256];
static jmp_buf back;

/* The panic the hypervisor would print: kept here, then back to the test. */
void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    longjmp(back, 1);
}

static void test_assertion_text_is_xens(void **state)
{
    (void)state;
    volatile int line = 0;             /* set between setjmp and longjmp */
    message[0] = '\0';
    if (setjmp(back) == 0) {
        line = __LINE__; ASSERT(2 + 2 == 5);
        fail_msg("ASSERT did not panic");
    }
    char want[256];
    snprintf(want, sizeof(want), "Assertion '2 + 2 == 5' failed at %s:%d", __FILE__, line);
    assert_string_equal(message, want);
}

static void test_true_assertion_is_silent(void **state)
{
    (void)state;
    volatile int evaluated = 0;
    message[0] = '\0';
    if (setjmp(back) == 0)
        ASSERT(++evaluated == 1);
    assert_int_equal(evaluated, 1);     /* the debug build evaluates it once */
    assert_string_equal(message, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assertion_text_is_xens),
        cmocka_unit_test(test_true_assertion_is_silent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
