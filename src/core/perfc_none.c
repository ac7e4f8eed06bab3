/* Software performance counters, the default build's half: no counters are compiled in
 * (core/perfc.h's macros expand to nothing), and Xen's keys `p` and `P` (the commands
 * `perfc`, `perfc-reset`) say so and how to get them. make PERFC=1 links perfc.c instead. */
#include "console/shell.h"

/* Contract: prints one line; changes nothing. */
static int cmd_perfc_none(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("performance counters are not built in this image (build with make PERFC=1)\n");
    return 0;
}

SHELL_COMMAND(cmd_perfc_entry, "perfc", 'p', "", "print performance counters", cmd_perfc_none);
SHELL_COMMAND(cmd_perfc_reset_entry, "perfc-reset", 'P', "", "reset performance counters",
              cmd_perfc_none);
