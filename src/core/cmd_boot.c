/* Shell commands about how the machine was booted and how to stop it: `cmdline`,
 * `modules`, `reboot` (key R) and `crash` (key C, a deliberate panic). */
#include "core/boot.h"
#include "core/cmd_domain.h"
#include "core/panic.h"
#include "console/shell.h"
#include "arch/reboot.h"
#include "arch/uart.h"

static void describe_line(void *ctx, const char *text)
{
    (void)ctx;
    shell_printf("  %s\n", text);
}

static int cmd_cmdline(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("command line: %s\n", boot_info.cmdline);
    shell_printf("parsed values:\n");
    bootopts_describe(&boot_opts, describe_line, NULL);
    return 0;
}
SHELL_COMMAND(cmd_cmdline_entry, "cmdline", 0, "", "show the boot command line and parsed options",
              cmd_cmdline);

static int cmd_modules(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (boot_info.mod_count == 0) {
        shell_printf("no modules\n");
        return 0;
    }
    shell_printf(" #  start            end              size      name             string\n");
    for (size_t i = 0; i < boot_info.mod_count; i++) {
        const struct boot_module *m = &boot_info.mods[i];
        shell_printf("%2zu  %016llx %016llx %-9llu %-16s %s\n", i,
                     (unsigned long long)m->start, (unsigned long long)m->end,
                     (unsigned long long)(m->end - m->start), m->name, m->string);
    }
    return 0;
}
SHELL_COMMAND(cmd_modules_entry, "modules", 0, "", "list the boot modules", cmd_modules);

/* `reboot` alone (or key R) resets the machine; `reboot <dom>` reboots that domain. */
static int cmd_reboot(int argc, char **argv)
{
    if (argc > 1)
        return domain_cmd_reboot(argc, argv);
    shell_printf("rebooting the machine\n");
    uart_flush();
    machine_restart();
}
SHELL_COMMAND(cmd_reboot_entry, "reboot", 'R', "[dom]",
              "reboot machine (or, with a domain, that domain)", cmd_reboot);

static int cmd_crash(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    panic("'%s' pressed -> triggering crash", argv[0]);
}
SHELL_COMMAND(cmd_crash_entry, "crash", 'C', "", "trigger a crash (a deliberate panic)",
              cmd_crash);
