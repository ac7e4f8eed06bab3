/* Version identification and the `version` command. */
#include "core/version.h"
#include "console/shell.h"

#ifndef KESTREL_VERSION
#define KESTREL_VERSION "0.1-unknown"
#endif

const char kestrel_version[] = KESTREL_VERSION;
const char kestrel_compiler[] = "gcc " __VERSION__;

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("Kestrel %s (x86-64), built with %s\n", kestrel_version, kestrel_compiler);
    return 0;
}
SHELL_COMMAND(cmd_version_entry, "version", 0, "", "show the hypervisor version", cmd_version);
