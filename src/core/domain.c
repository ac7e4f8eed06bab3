/* The domain table and life cycle: lookup by id or name, pause/unpause, shutdown with the
 * cfg's on_poweroff/on_reboot/on_crash actions, crash with a log line, destroy. */
#include <stdarg.h>
#include "core/domain.h"
#include "core/domain_build.h"
#include "core/guestmem.h"
#include "sched/sched.h"
#include "console/log.h"
#include "console/console.h"
#include "console/conswitch.h"
#include "mm/frame.h"
#include "lib/string.h"
#include "lib/format.h"
#include "arch/time.h"

/* A domain restarted by its on_* action starts again no sooner than this after it was
 * built: a guest that crashes at once must not restart in a tight loop, which would keep
 * the scheduler busy building it and starve every other domain. */
#define RESTART_MIN_INTERVAL_NS 1000000000ULL

static struct domain domains[DOMAIN_MAX];
static int next_id = 1;

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

void domain_state_letters(const struct domain *d, char out[7])
{
    memcpy(out, "------", 7);
    if (d->shutdown_pending) {          /* waiting for its on_* action (see domains_reap) */
        out[d->last_shutdown == SHUTDOWN_CRASH ? 4 : 3] = d->last_shutdown == SHUTDOWN_CRASH ? 'c' : 's';
        return;
    }
    switch (d->state) {
    case DOMAIN_RUNNING:
        if (d->vcpu.blocked)
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
    sched_vcpu_stop(&d->vcpu);
    return 0;
}

int domain_unpause(struct domain *d)
{
    if (d->state != DOMAIN_PAUSED)
        return -1;
    d->state = DOMAIN_RUNNING;
    sched_vcpu_start(&d->vcpu);
    return 0;
}

void domain_destroy(struct domain *d)
{
    d->state = DOMAIN_DYING;
    sched_vcpu_stop(&d->vcpu);
    if (console_input_owner() == d->id)
        console_switch_input(CONSWITCH_XEN);
    arch_vcpu_destroy(&d->vcpu);
    guestmem_release_all(d);
    if (d->con_ring)
        frame_free_contig((uint64_t)(uintptr_t)d->con_ring, DOMAIN_CONRING_SIZE / FRAME_SIZE);
    d->con_ring = NULL;
    domain_free_slot(d);
}

static const char *const reason_names[] = { "poweroff", "reboot", "crash" };

void domain_shutdown(struct domain *d, enum shutdown_reason why, const char *detail)
{
    if (d->state == DOMAIN_DYING || d->state == DOMAIN_SHUTDOWN ||
        d->state == DOMAIN_CRASHED || d->shutdown_pending)
        return;
    enum domain_action act = why == SHUTDOWN_POWEROFF ? d->cfg.on_poweroff
                           : why == SHUTDOWN_REBOOT ? d->cfg.on_reboot : d->cfg.on_crash;
    d->last_shutdown = why;
    printk("d%d (%s): %s%s%s; on_%s=%s", d->id, d->name, reason_names[why],
           detail ? ": " : "", detail ? detail : "", reason_names[why], domain_action_name(act));
    sched_vcpu_stop(&d->vcpu);
    d->vcpu.stop = true;
    d->shutdown_pending = true;
}

void domains_reap(void)
{
    for (int i = 0; i < DOMAIN_MAX; i++) {
        struct domain *d = &domains[i];
        if (!d->used || !d->shutdown_pending)
            continue;
        enum shutdown_reason why = d->last_shutdown;
        enum domain_action act = why == SHUTDOWN_POWEROFF ? d->cfg.on_poweroff
                               : why == SHUTDOWN_REBOOT ? d->cfg.on_reboot : d->cfg.on_crash;
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
