/* Hypercalls (VMMCALL on AMD, VMCALL on Intel): a small ABI documented in
 * docs/hypercalls.md and src/include/public/kestrel.h. Every argument is checked; a bad
 * number or a guest-physical pointer outside the domain's memory returns an error code and
 * never reaches hypervisor memory. */
#include "core/domain.h"
#include "core/perfc.h"
#include "core/dom_console.h"
#include "core/guestmem.h"
#include "sched/sched.h"
#include "public/kestrel.h"
#include "arch/time.h"
#include "lib/string.h"

#define CONSOLE_WRITE_MAX 4096

/* Read the guest's len bytes at gpa in chunks, printing them to the domain's console when
 * out (else only checking); -1 as soon as a chunk is not all inside the domain. */
static int console_chunks(struct domain *d, uint64_t gpa, uint64_t len, bool out)
{
    char buf[256];
    for (uint64_t done = 0; done < len;) {
        size_t chunk = len - done > sizeof(buf) ? sizeof(buf) : (size_t)(len - done);
        if (domain_copy_from(d, buf, gpa + done, chunk) != 0)
            return -1;
        for (size_t i = 0; out && i < chunk; i++)
            domain_console_out(d, (uint8_t)buf[i]);
        done += chunk;
    }
    return 0;
}

/* The whole buffer is checked before a byte is written: a buffer that leaves the domain
 * anywhere is KESTREL_EFAULT with nothing printed, as documented. */
static int64_t hc_console_write(struct domain *d, uint64_t gpa, uint64_t len)
{
    if (len > CONSOLE_WRITE_MAX)
        return KESTREL_EINVAL;
    if (console_chunks(d, gpa, len, false) != 0)
        return KESTREL_EFAULT;
    console_chunks(d, gpa, len, true);
    return (int64_t)len;
}

static int64_t hc_block(struct vcpu *v, uint64_t timeout_us)
{
    uint64_t now = time_now_ns();
    v->wake_at_ns = timeout_us ? now + (timeout_us > 3600000000ULL ? 3600000000ULL : timeout_us) * 1000
                               : 0;
    if (vcpu_should_wake(v, now))
        return 0;
    sched_vcpu_block(v);
    return 0;
}

static int64_t hc_shutdown(struct domain *d, uint64_t reason)
{
    if (reason > KESTREL_SHUTDOWN_CRASH)
        return KESTREL_EINVAL;
    static const enum shutdown_reason map[] = { SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT,
                                                SHUTDOWN_CRASH };
    domain_shutdown(d, map[reason], "requested by the guest (HC_SHUTDOWN)");
    return 0;
}

static int64_t hc_memory_op(struct domain *d, uint64_t cmd, uint64_t gpa, uint64_t pages)
{
    switch (cmd) {
    case KESTREL_MEMOP_DECREASE: {
        int64_t n = guestmem_decrease(d, gpa, pages);
        return n < 0 ? KESTREL_EINVAL : n;
    }
    case KESTREL_MEMOP_INCREASE: {
        int64_t n = guestmem_increase(d, gpa, pages);
        return n < 0 ? KESTREL_EINVAL : n;
    }
    case KESTREL_MEMOP_TARGET:
        return (int64_t)d->target_pages;
    case KESTREL_MEMOP_CURRENT:
        return (int64_t)d->mem_pages;
    default:
        return KESTREL_EINVAL;
    }
}

static int64_t hc_domain_info(struct domain *d, uint64_t gpa)
{
    struct kestrel_domain_info info;
    memset(&info, 0, sizeof(info));
    info.domid = (uint32_t)d->id;
    info.vcpus = d->nr_vcpus;
    info.memory_kb = d->mem_pages * 4;
    info.max_kb = d->max_pages * 4;
    info.target_kb = d->target_pages * 4;
    memcpy(info.name, d->name, sizeof(info.name) - 1);
    return domain_copy_to(d, gpa, &info, sizeof(info)) ? KESTREL_EFAULT : 0;
}

static int64_t hc_time(struct domain *d, uint64_t gpa)
{
    struct kestrel_time t;
    t.uptime_ns = time_now_ns();
    t.domain_ns = t.uptime_ns - d->created_ns;
    t.tsc_hz = tsc_hz();
    return domain_copy_to(d, gpa, &t, sizeof(t)) ? KESTREL_EFAULT : 0;
}

void vcpu_handle_hypercall(struct vcpu *v)
{
    struct domain *d = v->dom;
    struct vcpu_regs *r = &v->regs;
    /* 32-bit guests pass 32-bit values: only the low halves count then. */
    uint64_t mask = v->long_mode ? ~0ULL : 0xFFFFFFFFULL;
    uint64_t nr = r->rax & mask, a1 = r->rbx & mask, a2 = r->rcx & mask, a3 = r->rdx & mask;
    int64_t ret;

    arch_vcpu_skip_insn(v);
    PERFC_INCA(hypercalls, nr);
    switch (nr) {
    case HC_CONSOLE_WRITE: ret = hc_console_write(d, a1, a2); break;
    case HC_YIELD: sched_vcpu_yield(v); ret = 0; break;
    case HC_BLOCK: ret = hc_block(v, a1); break;
    case HC_SHUTDOWN: ret = hc_shutdown(d, a1); break;
    case HC_MEMORY_OP: ret = hc_memory_op(d, a1, a2, a3); break;
    case HC_DOMAIN_INFO: ret = hc_domain_info(d, a1); break;
    case HC_TIME: ret = hc_time(d, a1); break;
    case HC_NOP: ret = 0; break;
    default: ret = KESTREL_ENOSYS; break;
    }
    r->rax = (uint64_t)ret;     /* a 32-bit guest reads EAX: the same value, sign and all */
}
