/* Shell commands about the log: `dmesg [-c] [N]` (key w, Xen's "synchronously dump console
 * ring buffer"), `loglvl [level]`, and Xen's `+`/`-` keys that move the threshold. */
#include "console/shell.h"
#include "console/log.h"
#include "console/conring.h"
#include "lib/string.h"

static int cmd_dmesg(int argc, char **argv)
{
    static char line[600];
    int clear = 0;
    uint64_t want = ~0ULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0)
            clear = 1;
        else if (shell_parse_u64(argv[i], &want) != 0) {
            shell_printf("dmesg: bad line count '%s'\n", argv[i]);
            return SHELL_EUSAGE;
        }
    }
    struct conring *r = log_ring();
    size_t held = conring_lines(r);
    size_t skip = (want < held) ? held - (size_t)want : 0;
    if (argv[0][0] == 'w' && argv[0][1] == '\0')
        shell_printf("'w' pressed -> dumping console ring buffer (dmesg)\n");
    if (conring_dropped(r))
        shell_printf("[%llu older lines dropped: conring_size=%zu]\n",
                     (unsigned long long)conring_dropped(r), log_ring_size());
    struct conring_iter it;
    int level;
    conring_iter_start(r, &it);
    for (size_t i = 0; conring_iter_next(r, &it, &level, line, sizeof(line), NULL) >= 0; i++)
        if (i >= skip)
            shell_printf("%s\n", line);
    if (clear)
        conring_clear(r);
    return 0;
}
SHELL_COMMAND(cmd_dmesg_entry, "dmesg", 'w', "[-c] [N]",
              "synchronously dump console ring buffer (dmesg)", cmd_dmesg);

static int cmd_loglvl(int argc, char **argv)
{
    if (argc > 2) {
        shell_usage(shell_find("loglvl"));
        return SHELL_EUSAGE;
    }
    if (argc == 2) {
        int lvl = loglevel_parse(argv[1]);
        if (lvl < 0) {
            shell_printf("loglvl: bad level '%s' (none error warning info debug all)\n", argv[1]);
            return SHELL_EUSAGE;
        }
        log_set_threshold(lvl);
    }
    shell_printf("console log threshold: %s\n", loglevel_name(log_threshold()));
    return 0;
}
SHELL_COMMAND(cmd_loglvl_entry, "loglvl", 0, "[none|error|warning|info|debug|all]",
              "show or set the console log level", cmd_loglvl);

/* Move the threshold one step, as Xen's + and - keys do. */
static int step_loglvl(int delta)
{
    int lvl = log_threshold() + delta;
    if (lvl < LOG_NONE)
        lvl = LOG_NONE;
    if (lvl > LOG_ALL)
        lvl = LOG_ALL;
    log_set_threshold(lvl);
    shell_printf("%s log level threshold: now %s\n", delta > 0 ? "raised" : "lowered",
                 loglevel_name(lvl));
    return 0;
}

static int cmd_loglvl_up(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return step_loglvl(1);
}
SHELL_COMMAND(cmd_loglvl_up_entry, "loglvl-up", '+', "", "increase log level threshold",
              cmd_loglvl_up);

static int cmd_loglvl_down(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return step_loglvl(-1);
}
SHELL_COMMAND(cmd_loglvl_down_entry, "loglvl-down", '-', "", "decrease log level threshold",
              cmd_loglvl_down);
