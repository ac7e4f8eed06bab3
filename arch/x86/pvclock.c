/* The kvmclock-compatible paravirtual clock (contract in arch/pvclock.h). The guest's TSC
 * is the host's plus a constant offset, and runs at the rate Kestrel measured at boot, so
 * one structure written when the guest enables the clock stays true: it is written again
 * only when the guest moves its own TSC. System time counts from the domain's creation;
 * the wall clock says what the RTC said at that moment. */
#include "arch/pvclock.h"
#include "arch/vcpu_x86.h"
#include "arch/rtc.h"
#include "arch/time.h"
#include "core/domain.h"
#include "core/guestmem.h"

#define NS_PER_S            1000000000ull
#define TSC_STABLE_FLAG      0x01u          /* PVCLOCK_TSC_STABLE_BIT */

struct time_info {                          /* struct pvclock_vcpu_time_info */
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags, pad[2];
};
_Static_assert(sizeof(struct time_info) == 32, "the ABI's 32 bytes, naturally aligned");

struct wall_clock {                         /* struct pvclock_wall_clock */
    uint32_t version, sec, nsec;
};
_Static_assert(sizeof(struct wall_clock) == 12, "the ABI's 12 bytes");

/* Write the time structure at the enabled address; disable the clock if the guest's memory
 * cannot take it. The version is odd while the fields change, as the ABI asks. */
static void publish_time(struct vcpu *v)
{
    struct pvclock_state *pv = &vcpu_x86(v)->pv;
    struct domain *d = v->dom;
    uint64_t gpa = pv->system_time_msr & ~1ull;
    struct time_info t = { 0 };
    uint32_t version;
    if (!(pv->system_time_msr & 1))
        return;
    if (domain_copy_from(d, &version, gpa, sizeof(version)) != 0)
        goto bad;
    t.version = (version | 1) + 1;          /* the next even value */
    uint32_t odd = t.version - 1;
    if (domain_copy_to(d, gpa, &odd, sizeof(odd)) != 0)
        goto bad;
    uint64_t now = time_now_ns();
    t.tsc_timestamp = arch_vcpu_tsc(v);
    t.system_time = now > d->created_ns ? now - d->created_ns : 0;
    pvclock_scale(tsc_hz(), &t.tsc_shift, &t.tsc_to_system_mul);
    t.flags = TSC_STABLE_FLAG;
    if (domain_copy_to(d, gpa, &t, sizeof(t)) == 0)
        return;
bad:
    pv->system_time_msr = 0;
}

/* The wall clock at system time 0 (the domain's creation), at the address given. */
static void publish_wall_clock(struct vcpu *v, uint64_t gpa)
{
    struct domain *d = v->dom;
    struct wall_clock w = { 0 };
    uint32_t version;
    uint64_t at = rtc_boot_epoch() * NS_PER_S + d->created_ns;
    if (domain_copy_from(d, &version, gpa, sizeof(version)) != 0)
        return;
    w.version = (version | 1) + 1;
    w.sec = (uint32_t)(at / NS_PER_S);
    w.nsec = (uint32_t)(at % NS_PER_S);
    domain_copy_to(d, gpa, &w, sizeof(w));
}

int pvclock_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
    struct pvclock_state *pv = &vcpu_x86(v)->pv;
    if (msr == PVCLOCK_MSR_WALL_CLOCK) {
        if (write) {
            pv->wall_clock_msr = *val;
            publish_wall_clock(v, *val);
        } else {
            *val = pv->wall_clock_msr;
        }
        return 0;
    }
    if (msr == PVCLOCK_MSR_SYSTEM_TIME) {
        if (write) {
            pv->system_time_msr = *val;
            publish_time(v);
        } else {
            *val = pv->system_time_msr;
        }
        return 0;
    }
    return 1;
}

void pvclock_update(struct vcpu *v)
{
    publish_time(v);
}
