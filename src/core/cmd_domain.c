/* The xl-style domain commands of the (XEN) shell: list, info, create, destroy, pause,
 * unpause, shutdown, reboot <dom>, mem-set, mem-max, vcpu-list, console, and the `q` key.
 * Domains are named by name or id; TAB completes their names. */
#include "core/domain.h"
#include "core/cpulist.h"
#include "core/dom_console.h"
#include "core/cmd_domain.h"
#include "core/boot.h"
#include "core/version.h"
#include "sched/sched.h"
#include "console/shell.h"
#include "console/console.h"
#include "mm/frame.h"
#include "arch/time.h"
#include "arch/smp.h"
#include "lib/string.h"
#include "lib/format.h"

/* Contract in core/cmd_domain.h. */
struct domain *arg_domain_named(const char *name_or_id)
{
    struct domain *d = domain_lookup(name_or_id);
    if (!d)
        shell_printf("no domain '%s'\n", name_or_id);
    return d;
}

/* Contract in core/cmd_domain.h. */
struct domain *arg_domain_range(int argc, char **argv, int min, int max)
{
    if (argc < min || argc > max) {
        shell_usage(shell_find(argv[0]));
        return NULL;
    }
    return arg_domain_named(argv[1]);
}

/* The domain named by argv[1] of a command that takes exactly want words. */
static struct domain *arg_domain(int argc, char **argv, int want)
{
    return arg_domain_range(argc, argv, want, want);
}

/* "12.3" style seconds with one decimal, right-aligned in width. */
static void fmt_seconds(char *buf, size_t n, uint64_t ns)
{
    snprintf(buf, n, "%llu.%llu", (unsigned long long)(ns / 1000000000ULL),
             (unsigned long long)(ns / 100000000ULL % 10));
}

static int cmd_list(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
    for (struct domain *d = domain_first(); d; d = domain_next(d)) {
        char st[7], t[24];
        domain_state_letters(d, st);
        uint64_t ran = 0;
        for (unsigned i = 0; i < d->nr_vcpus; i++)
            ran += domain_vcpu(d, i)->se.ran_ns;
        fmt_seconds(t, sizeof(t), ran);
        shell_printf("%-40s %5d %5llu %5u     %s  %8s\n", d->name, d->id,
                     (unsigned long long)(d->mem_pages / 256), d->nr_vcpus, st, t);
    }
    return 0;
}
SHELL_COMMAND(cmd_list_entry, "list", 0, "", "list domains (xl list)", cmd_list);

static int cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct frame_stats fs;
    frame_stats(&fs);
    shell_printf("host                   : kestrel\n");
    shell_printf("machine                : x86_64\n");
    char online[64];
    smp_online_list(online, sizeof(online));
    shell_printf("nr_cpus                : %u\n", smp_cpus_online());
    shell_printf("online_cpus            : %s\n", online);
    shell_printf("cpu_mhz                : %llu\n", (unsigned long long)(tsc_hz() / 1000000));
    if (virt_available())
        shell_printf("virt_caps              : hvm hap (%s)\n", arch_virt_name());
    else
        shell_printf("virt_caps              : none (%s)\n", virt_unavailable_reason());
    shell_printf("total_memory           : %llu\n", (unsigned long long)(fs.total / 256));
    shell_printf("free_memory            : %llu\n", (unsigned long long)(fs.free / 256));
    shell_printf("nr_domains             : %u\n", domain_count());
    shell_printf("sched_slice_ms         : %llu\n", (unsigned long long)(sched_slice_ns() / 1000000));
    shell_printf("kestrel_version        : %s\n", kestrel_version);
    shell_printf("kestrel_commandline    : %s\n", boot_info.cmdline);
    shell_printf("cc_compiler            : %s\n", kestrel_compiler);
    return 0;
}
SHELL_COMMAND(cmd_info_entry, "info", 0, "", "host information (xl info)", cmd_info);

/* Completer: the cfg modules of the boot image. */
static const char *complete_cfg(const char *line, unsigned word, unsigned i)
{
    (void)line;
    if (word != 1)
        return NULL;
    for (size_t m = 0; m < boot_info.mod_count; m++) {
        size_t n = strlen(boot_info.mods[m].name);
        if (n > 4 && strcmp(boot_info.mods[m].name + n - 4, ".cfg") == 0 && i-- == 0)
            return boot_info.mods[m].name;
    }
    return NULL;
}

static int cmd_create(int argc, char **argv)
{
    if (argc != 2) {
        shell_usage(shell_find("create"));
        return SHELL_EUSAGE;
    }
    for (size_t m = 0; m < boot_info.mod_count; m++) {
        if (strcmp(boot_info.mods[m].name, argv[1]) != 0)
            continue;
        char err[192];
        struct domain *d = domain_create_from_module((int)m, err, sizeof(err));
        if (!d) {
            shell_printf("%s\n", err);
            return SHELL_EUSAGE;
        }
        shell_printf("created d%d (%s)\n", d->id, d->name);
        return 0;
    }
    shell_printf("create: no boot module '%s'\n", argv[1]);
    return SHELL_EUSAGE;
}
SHELL_COMMAND_COMPLETE(cmd_create_entry, "create", 0, "<cfg module>",
                       "create a domain from a boot-time cfg module", cmd_create, complete_cfg);

static int cmd_destroy(int argc, char **argv)
{
    struct domain *d = arg_domain(argc, argv, 2);
    if (!d)
        return SHELL_EUSAGE;
    int id = d->id;
    domain_destroy(d);
    shell_printf("destroyed d%d\n", id);
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_destroy_entry, "destroy", 0, "<dom>", "destroy a domain at once",
                       cmd_destroy, domain_name_candidate);

static int cmd_pause(int argc, char **argv)
{
    struct domain *d = arg_domain(argc, argv, 2);
    if (!d)
        return SHELL_EUSAGE;
    if (domain_pause(d) != 0) {
        shell_printf(d->state == DOMAIN_PAUSED ? "dom %d is already paused\n"
                                               : "dom %d is not running\n", d->id);
        return SHELL_EUSAGE;
    }
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_pause_entry, "pause", 0, "<dom>", "pause a domain", cmd_pause,
                       domain_name_candidate);

static int cmd_unpause(int argc, char **argv)
{
    struct domain *d = arg_domain(argc, argv, 2);
    if (!d)
        return SHELL_EUSAGE;
    if (domain_unpause(d) != 0) {
        shell_printf("dom %d is not paused\n", d->id);
        return SHELL_EUSAGE;
    }
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_unpause_entry, "unpause", 0, "<dom>", "unpause a paused domain",
                       cmd_unpause, domain_name_candidate);

/* shutdown and `reboot <dom>`: the cfg's on_poweroff / on_reboot action follows. */
static int shutdown_common(int argc, char **argv, enum shutdown_reason why)
{
    struct domain *d = arg_domain(argc, argv, 2);
    if (!d)
        return SHELL_EUSAGE;
    if (d->state != DOMAIN_RUNNING && d->state != DOMAIN_PAUSED) {
        shell_printf("dom %d is not running\n", d->id);
        return SHELL_EUSAGE;
    }
    domain_shutdown(d, why, "requested from the shell");
    domains_reap();
    return 0;
}

static int cmd_shutdown(int argc, char **argv)
{
    return shutdown_common(argc, argv, SHUTDOWN_POWEROFF);
}
SHELL_COMMAND_COMPLETE(cmd_shutdown_entry, "shutdown", 0, "<dom>",
                       "shut a domain down (then its on_poweroff action)", cmd_shutdown,
                       domain_name_candidate);

int domain_cmd_reboot(int argc, char **argv)
{
    return shutdown_common(argc, argv, SHUTDOWN_REBOOT);
}

/* mem-set and mem-max: `<cmd> <dom> <MiB>`, applied by setter (which words its own error). */
static int mem_command(int argc, char **argv,
                       int (*setter)(struct domain *, uint64_t, char *, size_t))
{
    uint64_t mib;
    char err[128];
    struct domain *d = arg_domain(argc, argv, 3);
    if (!d)
        return SHELL_EUSAGE;
    if (shell_parse_u64(argv[2], &mib) != 0) {
        shell_printf("%s: bad size '%s' (MiB)\n", argv[0], argv[2]);
        return SHELL_EUSAGE;
    }
    if (setter(d, mib, err, sizeof(err)) != 0) {
        shell_printf("%s\n", err);
        return SHELL_EUSAGE;
    }
    return 0;
}

static int cmd_mem_set(int argc, char **argv)
{
    return mem_command(argc, argv, domain_set_target);
}
SHELL_COMMAND_COMPLETE(cmd_mem_set_entry, "mem-set", 0, "<dom> <MiB>",
                       "set a domain's balloon target", cmd_mem_set, domain_name_candidate);

static int cmd_mem_max(int argc, char **argv)
{
    return mem_command(argc, argv, domain_set_max);
}
SHELL_COMMAND_COMPLETE(cmd_mem_max_entry, "mem-max", 0, "<dom> <MiB>",
                       "set a domain's memory ceiling", cmd_mem_max, domain_name_candidate);

/* xl's state of one vCPU: r (on the CPU), b (blocked: HLT, or an AP before its SIPI), -
 * (runnable), and p when the domain is paused. */
static const char *vcpu_state(const struct domain *d, struct vcpu *v)
{
    if (d->state != DOMAIN_RUNNING)
        return "-p-";
    if (v->blocked || domain_vcpu_of(v)->wait_for_sipi)
        return "-b-";
    return sched_current() == v ? "r--" : "-r-";
}

static int cmd_vcpu_list(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n");
    for (struct domain *d = domain_first(); d; d = domain_next(d))
        for (unsigned i = 0; i < d->nr_vcpus; i++) {
            struct vcpu *v = domain_vcpu(d, i);
            char t[24], hard[40];
            fmt_seconds(t, sizeof(t), v->se.ran_ns);
            cpulist_format(d->cfg.cpus[i], hard, sizeof(hard));   /* the cfg's `cpus` */
            shell_printf("%-32s %5d %5u %5d   %s %9s  %s / all\n", d->name, d->id, i, 0,
                         vcpu_state(d, v), t, hard);
        }
    return 0;
}
SHELL_COMMAND(cmd_vcpu_list_entry, "vcpu-list", 0, "", "list vCPUs (xl vcpu-list)",
              cmd_vcpu_list);

static int cmd_console(int argc, char **argv)
{
    struct domain *d = arg_domain(argc, argv, 2);
    if (!d)
        return SHELL_EUSAGE;
    if (d->state != DOMAIN_RUNNING && d->state != DOMAIN_PAUSED) {
        shell_printf("dom %d is not running\n", d->id);
        return SHELL_EUSAGE;
    }
    domain_console_backlog(d);
    console_switch_input(d->id);
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_console_entry, "console", 0, "<dom>",
                       "attach to a domain's console (CTRL-a x3 to come back)", cmd_console,
                       domain_name_candidate);

static int cmd_domain_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("'q' pressed -> dumping domain info (now = %llu ms)\n",
                 (unsigned long long)(time_now_ns() / 1000000));
    if (!domain_first())
        shell_printf("no domains%s%s\n", virt_available() ? "" : ": ",
                     virt_available() ? "" : virt_unavailable_reason());
    for (struct domain *d = domain_first(); d; d = domain_next(d)) {
        char st[7];
        domain_state_letters(d, st);
        shell_printf("General information for domain %d (%s):\n", d->id, d->name);
        shell_printf("    state=%s pages=%llu max_pages=%llu target=%llu weight=%u\n", st,
                     (unsigned long long)d->mem_pages, (unsigned long long)d->max_pages,
                     (unsigned long long)d->target_pages, domain_vcpu(d, 0)->se.weight);
        shell_printf("    on_poweroff=%s on_reboot=%s on_crash=%s console %llu bytes out\n",
                     domain_action_name(d->cfg.on_poweroff),
                     domain_action_name(d->cfg.on_reboot), domain_action_name(d->cfg.on_crash),
                     (unsigned long long)d->con_bytes);
        for (unsigned i = 0; i < d->nr_vcpus; i++) {
            struct vcpu *v = domain_vcpu(d, i);
            shell_printf("    VCPU%u: rip=%016llx %s, %llu irqs injected\n", i,
                         (unsigned long long)v->regs.rip,
                         v->blocked ? "blocked" : d->vcpus[i]->wait_for_sipi
                         ? "waiting for SIPI" : "runnable",
                         (unsigned long long)v->injected_irqs);
        }
    }
    return 0;
}
SHELL_DIAG_COMMAND(cmd_domain_info_entry, "domain-info", 'q',
                   "dump domain (and guest debug) info", cmd_domain_info, 2);
