/* Log levels shared by the logger, the log ring and the boot options.
 * The order is Xen's: a smaller number is more severe, and a threshold of N lets through
 * every message whose level is <= N. LOG_NONE as a threshold lets nothing through;
 * LOG_ALL lets everything through. */
#ifndef KESTREL_CONSOLE_LOGLEVEL_H
#define KESTREL_CONSOLE_LOGLEVEL_H

#include <stddef.h>

#define LOG_NONE    0
#define LOG_ERR     1
#define LOG_WARNING 2
#define LOG_INFO    3
#define LOG_DEBUG   4
#define LOG_ALL     5

/* Level for a Xen level name (none, error, warning, info, debug, all; exact, lower case).
 * Returns LOG_NONE..LOG_ALL, or -1 for anything else (including NULL). */
int loglevel_parse(const char *name);

/* Same, for the first n bytes of name (no NUL needed), so "info/debug" can be split in place. */
int loglevel_parse_n(const char *name, size_t n);

/* Xen name of a level ("none".."all"); "?" for a value outside LOG_NONE..LOG_ALL. Never NULL. */
const char *loglevel_name(int level);

#endif
