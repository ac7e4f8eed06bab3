/* What the domain commands of the shell (src/core/cmd_domain.c) give the other command
 * files: `reboot <dom>` for the machine's `reboot` command (src/core/cmd_boot.c). */
#ifndef KESTREL_CORE_CMD_DOMAIN_H
#define KESTREL_CORE_CMD_DOMAIN_H

/* `reboot <dom>`: that domain's on_reboot action. */
int domain_cmd_reboot(int argc, char **argv);

#endif
