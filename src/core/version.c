/* Version identification and the `version` command. */
#include "core/version.h"
#include "core/debug.h"
#include "core/perfc.h"
#include "console/shell.h"

#ifndef KESTREL_VERSION
#define KESTREL_VERSION "0.1-unknown"
#endif

const char kestrel_version[] = KESTREL_VERSION;
const char kestrel_compiler[] = "gcc " __VERSION__;
/* Xen's words for its build options, on the version lines of a debug or counters build;
 * empty in the default build, whose lines stay as they always were. */
const char *const kestrel_build_flags = DEBUG_BUILD ? (PERFC_BUILD ? " debug=y perfc=y" : " debug=y")
                                                 : (PERFC_BUILD ? " perfc=y" : "");

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("Kestrel %s (x86-64), built with %s%s\n", kestrel_version, kestrel_compiler,
                 kestrel_build_flags);
    return 0;
}
SHELL_COMMAND(cmd_version_entry, "version", 0, "", "show the hypervisor version", cmd_version);
