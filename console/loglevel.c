/* Log level names, shared by the logger and the boot options (loglvl=, guest_loglvl=).
 * The names are Xen's, so a Xen command line means the same here. */
#include "console/loglevel.h"
#include "lib/string.h"

/* Indexed by level: LOG_NONE..LOG_ALL. */
static const char *const level_names[] = {
    "none", "error", "warning", "info", "debug", "all",
};

/* Level named by name[0..n) exactly, or -1. Compares lengths first so "in" is not "info". */
int loglevel_parse_n(const char *name, size_t n)
{
    if (!name)
        return -1;
    for (int i = LOG_NONE; i <= LOG_ALL; i++) {
        if (strlen(level_names[i]) == n && strncmp(name, level_names[i], n) == 0)
            return i;
    }
    return -1;
}

/* Level named by the NUL-terminated name, or -1. */
int loglevel_parse(const char *name)
{
    if (!name)
        return -1;
    return loglevel_parse_n(name, strlen(name));
}

/* Name of level; "?" rather than NULL so callers can print it unchecked. */
const char *loglevel_name(int level)
{
    if (level < LOG_NONE || level > LOG_ALL)
        return "?";
    return level_names[level];
}
