/* `sched-credit [dom] [weight]`, as xl's sched-credit: show every domain's weight, or set
 * one domain's weight at run time (its share of the CPU against the others). */
#include "core/domain.h"
#include "core/cmd_domain.h"
#include "sched/sched.h"
#include "sched/policy.h"
#include "console/shell.h"

static int cmd_sched_credit(int argc, char **argv)
{
    if (argc > 3) {
        shell_usage(shell_find("sched-credit"));
        return SHELL_EUSAGE;
    }
    if (argc == 3) {
        struct domain *d = arg_domain_named(argv[1]);
        uint64_t w;
        if (!d)
            return SHELL_EUSAGE;
        if (shell_parse_u64(argv[2], &w) != 0 || w < SCHED_WEIGHT_MIN || w > SCHED_WEIGHT_MAX) {
            shell_printf("sched-credit: bad weight '%s' (%u..%u)\n", argv[2], SCHED_WEIGHT_MIN,
                         SCHED_WEIGHT_MAX);
            return SHELL_EUSAGE;
        }
        for (unsigned i = 0; i < d->nr_vcpus; i++)     /* each vCPU has the domain's */
            sched_set_vcpu_weight(domain_vcpu(d, i), (uint32_t)w);
        d->cfg.weight = (uint32_t)w;
    }
    struct domain *only = argc >= 2 ? arg_domain_named(argv[1]) : NULL;
    if (argc == 2 && !only)
        return SHELL_EUSAGE;
    shell_printf("Name                                ID Weight  Cap\n");
    for (struct domain *d = domain_first(); d; d = domain_next(d))
        if (!only || d == only)
            shell_printf("%-32s %5d %6u %4d\n", d->name, d->id, d->cfg.weight, 0);
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_sched_credit_entry, "sched-credit", 0, "[dom [weight]]",
                       "show or set domains' scheduler weights", cmd_sched_credit,
                       domain_name_candidate);
