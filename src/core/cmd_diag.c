/* Xen's remaining diagnostic keys, as far as they mean something before domains exist:
 * `q` (domain info), `r` (run queues), `0` (dom0 registers) and `*` (all diagnostics). */
#include "console/shell.h"
#include "lib/string.h"

static int cmd_domains(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("'q' pressed -> dumping domain info (now = %s)\n", "boot");
    shell_printf("no domains\n");
    return 0;
}
SHELL_COMMAND(cmd_domains_entry, "domain-info", 'q', "", "dump domain (and guest debug) info",
              cmd_domains);

static int cmd_runq(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("'r' pressed -> dumping run queues\n");
    shell_printf("CPU[00] current=idle, runq empty\n");
    return 0;
}
SHELL_COMMAND(cmd_runq_entry, "runq", 'r', "", "dump run queues", cmd_runq);

static int cmd_dom0_regs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("'0' pressed -> dumping Dom0's registers\n");
    shell_printf("no domain 0: Kestrel runs without a dom0\n");
    return 0;
}
SHELL_COMMAND(cmd_dom0_regs_entry, "dom0-regs", '0', "", "dump Dom0 registers", cmd_dom0_regs);

/* Run every diagnostic key's command (not the ones that change state). */
static int cmd_all(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static const char keys[] = "mqrtd0";
    shell_printf("'*' pressed -> firing all diagnostic keyhandlers\n");
    for (const char *k = keys; *k; k++) {
        char word[2] = { *k, '\0' };
        shell_execute(word);
    }
    shell_printf("'*' pressed -> done\n");
    return 0;
}
SHELL_COMMAND(cmd_all_entry, "diag", '*', "", "print all diagnostics", cmd_all);
