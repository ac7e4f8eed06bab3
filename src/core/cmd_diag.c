/* Xen's remaining diagnostic keys: `0` (dom0 registers: Kestrel has no dom0) and `*`
 * (all diagnostics: each key marked SHELL_DIAG_COMMAND in its own file - m, q, r, t, d, 0 -
 * in the rank its entry gives). */
#include "console/shell.h"
#include "lib/string.h"

static int cmd_dom0_regs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("'0' pressed -> dumping Dom0's registers\n");
    shell_printf("no domain 0: Kestrel runs without a dom0\n");
    return 0;
}
SHELL_DIAG_COMMAND(cmd_dom0_regs_entry, "dom0-regs", '0', "dump Dom0 registers", cmd_dom0_regs,
                   6);

/* Run every diagnostic key's command (not the ones that change state). */
static int cmd_all(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("'*' pressed -> firing all diagnostic keyhandlers\n");
    shell_run_diagnostics();
    shell_printf("'*' pressed -> done\n");
    return 0;
}
SHELL_COMMAND(cmd_all_entry, "diag", '*', "", "print all diagnostics", cmd_all);
