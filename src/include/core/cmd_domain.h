/* What the domain commands of the shell (src/core/cmd_domain.c) give the other command
 * files: a "<dom>" argument looked up with one error line, and `reboot <dom>` for the
 * machine's `reboot` command (src/core/cmd_boot.c). */
#ifndef KESTREL_CORE_CMD_DOMAIN_H
#define KESTREL_CORE_CMD_DOMAIN_H

struct domain;

/* The domain a "<dom>" argument names (by name or id), or NULL after printing
 * "no domain '<arg>'". */
struct domain *arg_domain_named(const char *name_or_id);
/* The domain argv[1] names, for a command of min..max words (the command's own included);
 * NULL after printing its usage (argc out of range) or "no domain '<arg>'". */
struct domain *arg_domain_range(int argc, char **argv, int min, int max);
/* `reboot <dom>`: that domain's on_reboot action. */
int domain_cmd_reboot(int argc, char **argv);

#endif
