/* Inside the xl.cfg reader: `cpus`, the hard affinity of a domain's vCPUs, as a string for
 * all of them or a list with one string per vCPU (xl.cfg(5)). The syntax of each string is
 * core/cpulist.c's, shared with the shell's vcpu-pin. */
#include "xlcfg_priv.h"
#include "core/cpulist.h"

/* Contract in xlcfg_priv.h. */
int xlcfg_cpus_set(const struct xlcfg_spot *at, const char *s, size_t n,
                   struct domain_config *c, int vcpu)
{
    char why[96];
    uint64_t mask;

    if (vcpu >= XLCFG_VCPUS_MAX)
        return xlcfg_spot_fail(at, "cpus: more than %d lists (one per vCPU)", XLCFG_VCPUS_MAX);
    if (cpulist_parse(s, n, &mask, why, sizeof(why)) != 0)
        return xlcfg_spot_fail(at, "cpus: %s", why);
    if (vcpu >= 0) {
        c->cpus[vcpu] = mask;
    } else {
        for (unsigned i = 0; i < XLCFG_VCPUS_MAX; i++)
            c->cpus[i] = mask;
    }
    c->cpus_set = true;
    return 0;
}
