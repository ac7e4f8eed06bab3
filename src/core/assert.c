/* The debug build's assertion failure: a panic with Xen's text, so an operator or a test
 * reading the serial line sees the same words a Xen debug build prints. */
#include "core/debug.h"
#include "core/panic.h"

void assert_failed(const char *expr, const char *file, int line)
{
    panic("Assertion '%s' failed at %s:%d", expr, file, line);
}
