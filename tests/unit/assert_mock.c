/* assert_failed for unit tests built with -DKESTREL_DEBUG: an ASSERT() that fires becomes
 * cmocka's mock_assert, so a test expecting it (expect_assert_failure) sees it and any
 * other test fails with the expression, file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/debug.h"

void assert_failed(const char *expr, const char *file, int line)
{
    mock_assert(0, expr, file, line);
    abort();    /* not reached: mock_assert jumps back to the test or fails it */
}
