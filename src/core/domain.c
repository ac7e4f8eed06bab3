/* The domain table and the whole domain life cycle, in one place: create (from the boot
 * image's cfg modules or the shell's `create`; the building itself is the leaf
 * domain_build.c), run and pause, shut down with the cfg's on_poweroff/on_reboot/on_crash
 * action (chosen once, in action_for), reap outside any vCPU exit (destroy, restart,
 * preserve, rename-restart), crash with a log line, destroy; lookup by id or name, and the
 * balloon's target and ceiling. */
#include <stdarg.h>
#include "core/domain.h"
#include "core/domain_build.h"
#include "core/domain_devices.h"
#include "core/boot.h"
#include "sched/sched.h"
#include "console/log.h"
#include "console/console.h"
#include "console/conswitch.h"
#include "lib/civil.h"
#include "lib/string.h"
#include "lib/format.h"
#include "arch/time.h"
#include "arch/rtc.h"

/* A domain restarted by its on_* action starts again no sooner than this after it was
 * built: a guest that crashes at once must not restart in a tight loop, which would keep
 * the scheduler busy building it and starve every other domain. */
#define RESTART_MIN_INTERVAL_NS 1000000000ULL

static struct domain domains[DOMAIN_MAX];
static int next_id = 1;
static bool virt_ok;
static char virt_why[96];

bool virt_available(void) { return virt_ok; }
const char *virt_unavailable_reason(void) { return virt_why; }

struct domain *domain_alloc_slot(void)
{
    for (int i = 0; i < DOMAIN_MAX; i++)
        if (!domains[i].used) {
            memset(&domains[i], 0, sizeof(domains[i]));
            domains[i].used = true;
            domains[i].id = next_id++;
            return &domains[i];
        }
    return NULL;
}

void domain_free_slot(struct domain *d)
{
    d->used = false;
}

struct domain *domain_by_id(int id)
{
    for (int i = 0; i < DOMAIN_MAX; i++)
        if (domains[i].used && domains[i].id == id)
            return &domains[i];
    return NULL;
}

struct domain *domain_lookup(const char *s)
{
    if (!s || !*s)
        return NULL;
    for (int i = 0; i < DOMAIN_MAX; i++)
        if (domains[i].used && strcmp(domains[i].name, s) == 0)
            return &domains[i];
    char *end;
    long id = strtol(s, &end, 10);
    if (*end == '\0' && id > 0 && id < 0x7fffffff)
        return domain_by_id((int)id);
    return NULL;
}

struct domain *domain_first(void)
{
    return domain_next(NULL);
}

/* The live domain with the smallest id above d's (ids are not in slot order). */
struct domain *domain_next(const struct domain *d)
{
    int after = d ? d->id : 0;
    struct domain *best = NULL;
    for (int i = 0; i < DOMAIN_MAX; i++)
        if (domains[i].used && domains[i].id > after && (!best || domains[i].id < best->id))
            best = &domains[i];
    return best;
}

unsigned domain_count(void)
{
    unsigned n = 0;
    for (int i = 0; i < DOMAIN_MAX; i++)
        n += domains[i].used;
    return n;
}

const char *domain_name_candidate(const char *line, unsigned word, unsigned i)
{
    (void)line;
    if (word != 1)
        return NULL;
    for (struct domain *d = domain_first(); d; d = domain_next(d))
        if (i-- == 0)
            return d->name;
    return NULL;
}

/* Every vCPU of d on or off the run queue (an AP waiting for its SIPI stays off). */
static void start_vcpus(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (!d->vcpus[i]->wait_for_sipi)
            sched_vcpu_start(domain_vcpu(d, i));
}

static void stop_vcpus(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sched_vcpu_stop(domain_vcpu(d, i));
}

/* xl's 'b': no vCPU of d can run now (each is in HLT or waits for a SIPI). */
static bool all_vcpus_blocked(const struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (!d->vcpus[i]->vcpu.blocked && !d->vcpus[i]->wait_for_sipi)
            return false;
    return true;
}

void domain_state_letters(const struct domain *d, char out[7])
{
    memcpy(out, "------", 7);
    if (d->shutdown_pending) {          /* waiting for its on_* action (see domains_reap) */
        out[d->last_shutdown == SHUTDOWN_CRASH ? 4 : 3] = d->last_shutdown == SHUTDOWN_CRASH ? 'c' : 's';
        return;
    }
    switch (d->state) {
    case DOMAIN_RUNNING:
        if (all_vcpus_blocked(d))
            out[1] = 'b';
        else
            out[0] = 'r';
        break;
    case DOMAIN_PAUSED: out[2] = 'p'; break;
    case DOMAIN_SHUTDOWN: out[3] = 's'; break;
    case DOMAIN_CRASHED: out[4] = 'c'; break;
    case DOMAIN_DYING: out[5] = 'd'; break;
    }
}

int domain_pause(struct domain *d)
{
    if (d->state != DOMAIN_RUNNING)
        return -1;
    d->state = DOMAIN_PAUSED;
    stop_vcpus(d);
    return 0;
}

int domain_unpause(struct domain *d)
{
    if (d->state != DOMAIN_PAUSED)
        return -1;
    d->state = DOMAIN_RUNNING;
    start_vcpus(d);
    return 0;
}

/* ---- create --------------------------------------------------------------------------- */

static void cfg_warning(void *ctx, const char *line)
{
    (void)ctx;
    log_warn("%s", line);
}

/* A new domain from a parsed config: a slot with the next id, built by domain_build.c, then
 * started (autostart) or left paused. NULL with err set when any step fails. */
static struct domain *domain_create(const struct domain_config *cfg, int cfg_module,
                                    char *err, size_t errsz)
{
    const char *cfgname = boot_info.mods[cfg_module].name;
    if (!virt_ok) {
        snprintf(err, errsz, "%s: cannot start domains: %s", cfgname, virt_why);
        return NULL;
    }
    for (struct domain *o = domain_first(); o; o = domain_next(o))
        if (strcmp(o->name, cfg->name) == 0) {
            snprintf(err, errsz, "%s: name: a domain named '%s' exists (d%d)", cfgname,
                     cfg->name, o->id);
            return NULL;
        }
    struct domain *d = domain_alloc_slot();
    if (!d) {
        snprintf(err, errsz, "%s: too many domains (max %d)", cfgname, DOMAIN_MAX);
        return NULL;
    }
    d->cfg = *cfg;
    d->cfg_module = cfg_module;
    memcpy(d->name, cfg->name, sizeof(d->name));
    d->created_ns = time_now_ns();
    if (domain_build(d, cfgname, err, errsz) != 0) {
        domain_free_slot(d);
        return NULL;
    }
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        sched_vcpu_init(domain_vcpu(d, i), cfg->weight);
    if (cfg->autostart) {
        d->state = DOMAIN_RUNNING;
        start_vcpus(d);
    } else {
        d->state = DOMAIN_PAUSED;
    }
    printk("d%d (%s): built from %s: %u MiB, %u vCPU%s, weight %u, %s", d->id, d->name,
           cfgname, cfg->memory_mb, d->nr_vcpus, d->nr_vcpus == 1 ? "" : "s", cfg->weight,
           cfg->autostart ? "running" : "paused (autostart=0)");
    return d;
}

struct domain *domain_create_from_module(int cfg_module, char *err, size_t errsz)
{
    if (cfg_module < 0 || (size_t)cfg_module >= boot_info.mod_count) {
        snprintf(err, errsz, "no such boot module");
        return NULL;
    }
    const struct boot_module *m = &boot_info.mods[cfg_module];
    struct domain_config cfg;
    if (xlcfg_parse((const char *)(uintptr_t)m->start, (size_t)(m->end - m->start), m->name,
                    &cfg, err, errsz, cfg_warning, NULL) != 0)
        return NULL;
    return domain_create(&cfg, cfg_module, err, errsz);
}

/* Is this module a domain config? (its name ends in ".cfg") */
static bool is_cfg(const struct boot_module *m)
{
    size_t n = strlen(m->name);
    return n > 4 && strcmp(m->name + n - 4, ".cfg") == 0;
}

void domains_build_from_boot(void)
{
    virt_ok = arch_virt_init(virt_why, sizeof(virt_why));
    unsigned cfgs = 0;
    for (size_t i = 0; i < boot_info.mod_count; i++)
        cfgs += is_cfg(&boot_info.mods[i]);
    if (!virt_ok) {
        log_warn("no domain can start: %s", virt_why);
        return;
    }
    printk("Virtualization: %s", arch_virt_name());
    for (size_t i = 0; i < boot_info.mod_count; i++) {
        if (!is_cfg(&boot_info.mods[i]))
            continue;
        char err[192];
        if (!domain_create_from_module((int)i, err, sizeof(err)))
            log_err("%s; domain not built", err);
    }
    if (cfgs == 0)
        printk("No domain configs (.cfg modules) in the boot image");
}

/* ---- stop and reap ---------------------------------------------------------------------- */

void domain_destroy(struct domain *d)
{
    d->state = DOMAIN_DYING;
    stop_vcpus(d);
    if (console_input_owner() == d->id)
        console_switch_input(CONSWITCH_XEN);
    domain_unbuild(d);
    domain_free_slot(d);
}

/* Tear d down and build it again from the same cfg module (a new domain id, as in Xen). */
static void domain_restart(struct domain *d)
{
    int module = d->cfg_module;
    char name[32], err[160];
    memcpy(name, d->name, sizeof(name));
    int old = d->id;
    domain_destroy(d);
    struct domain *n = domain_create_from_module(module, err, sizeof(err));
    if (n)
        printk("d%d (%s): restarted as d%d", old, name, n->id);
    else
        log_err("d%d (%s): restart failed: %s", old, name, err);
}

/* xl's rename-restart, for d already preserved (shut down or crashed, kept for `dump` and
 * its console): rename it "<name>-<UTC yyyymmddThhmm>Z" as xl's preserve_domain does, and
 * build a new domain from the same cfg under the old name. The name is cut to fit when it
 * is long; should another domain already have the stamped name (two in one minute), the
 * old id is appended. */
static void domain_rename_restart(struct domain *d)
{
    char name[sizeof(d->name)], stamp[24], err[160];
    memcpy(name, d->name, sizeof(name));
    struct civil_time t = civil_from_epoch(rtc_boot_epoch() + time_now_ns() / 1000000000ULL);
    snprintf(stamp, sizeof(stamp), "-%04lld%02u%02uT%02u%02uZ", (long long)t.year, t.mon,
             t.mday, t.hour, t.min);
    size_t keep = sizeof(d->name) - 1 - strlen(stamp);
    snprintf(d->name, sizeof(d->name), "%.*s%s", (int)keep, name, stamp);
    for (struct domain *o = domain_first(); o; o = domain_next(o))
        if (o != d && strcmp(o->name, d->name) == 0) {
            char id[12];
            snprintf(id, sizeof(id), "-%d", d->id);
            snprintf(d->name, sizeof(d->name), "%.*s%s%s", (int)(keep - strlen(id)), name,
                     stamp, id);
            break;
        }
    printk("d%d (%s): preserved as '%s'", d->id, name, d->name);
    struct domain *n = domain_create_from_module(d->cfg_module, err, sizeof(err));
    if (n)
        printk("d%d (%s): restarted as d%d", d->id, name, n->id);
    else
        log_err("d%d (%s): restart failed: %s", d->id, name, err);
}

static const char *const reason_names[] = { "poweroff", "reboot", "crash" };

/* The cfg's action for this kind of shutdown (on_poweroff, on_reboot, on_crash). */
static enum domain_action action_for(const struct domain *d, enum shutdown_reason why)
{
    return why == SHUTDOWN_POWEROFF ? d->cfg.on_poweroff
         : why == SHUTDOWN_REBOOT ? d->cfg.on_reboot : d->cfg.on_crash;
}

void domain_shutdown(struct domain *d, enum shutdown_reason why, const char *detail)
{
    if (d->state == DOMAIN_DYING || d->state == DOMAIN_SHUTDOWN ||
        d->state == DOMAIN_CRASHED || d->shutdown_pending)
        return;
    enum domain_action act = action_for(d, why);
    d->last_shutdown = why;
    printk("d%d (%s): %s%s%s; on_%s=%s", d->id, d->name, reason_names[why],
           detail ? ": " : "", detail ? detail : "", reason_names[why], domain_action_name(act));
    stop_vcpus(d);                      /* (each leaves the CPU at its next exit) */
    d->shutdown_pending = true;
}

void domains_reap(void)
{
    for (int i = 0; i < DOMAIN_MAX; i++) {
        struct domain *d = &domains[i];
        if (!d->used || !d->shutdown_pending)
            continue;
        enum shutdown_reason why = d->last_shutdown;
        enum domain_action act = action_for(d, why);
        if ((act == ACTION_RESTART || act == ACTION_RENAME_RESTART) &&
            time_now_ns() - d->created_ns < RESTART_MIN_INTERVAL_NS)
            continue;                   /* not yet: see RESTART_MIN_INTERVAL_NS */
        d->shutdown_pending = false;
        switch (act) {
        case ACTION_PRESERVE:
        case ACTION_RENAME_RESTART:
            d->state = why == SHUTDOWN_CRASH ? DOMAIN_CRASHED : DOMAIN_SHUTDOWN;
            if (console_input_owner() == d->id)
                console_switch_input(CONSWITCH_XEN);
            if (act == ACTION_RENAME_RESTART)
                domain_rename_restart(d);
            break;
        case ACTION_RESTART:
            domain_restart(d);
            break;
        case ACTION_DESTROY:
        default:
            domain_destroy(d);
            break;
        }
    }
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    domain_shutdown(d, SHUTDOWN_CRASH, msg);
}

int domain_set_target(struct domain *d, uint64_t mib, char *err, size_t errsz)
{
    uint64_t pages = mib * 256;
    if (mib == 0 || pages > d->max_pages) {
        snprintf(err, errsz, "mem-set: %llu MiB is outside 1..%llu MiB (maxmem)",
                 (unsigned long long)mib, (unsigned long long)(d->max_pages / 256));
        return -1;
    }
    d->target_pages = pages;
    domain_devices_balloon_target(d);
    return 0;
}

int domain_set_max(struct domain *d, uint64_t mib, char *err, size_t errsz)
{
    uint64_t pages = mib * 256;
    if (mib == 0 || mib > 65536 || pages < d->mem_pages) {
        snprintf(err, errsz, "mem-max: %llu MiB is below what dom %d holds (%llu MiB)",
                 (unsigned long long)mib, d->id, (unsigned long long)(d->mem_pages / 256));
        return -1;
    }
    d->max_pages = pages;
    if (d->target_pages > pages)
        d->target_pages = pages;
    return 0;
}
