/* libFuzzer target for the hypercall dispatcher (src/core/hypercall.c): arbitrary register
 * values from a hostile guest. The domain's memory is a 64 KiB fake with the real bounds
 * rule; every result must be one of the documented values and no copy may leave the fake
 * memory. The rest of the hypervisor is stubbed: only the argument checks are under test. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/domain.h"
#include "core/dom_console.h"
#include "core/guestmem.h"
#include "sched/sched.h"
#include "public/kestrel.h"

#define GUEST_MEM (64u << 10)
static uint8_t guest[GUEST_MEM];
static struct domain dom;
static struct domain_vcpu dom_vcpu0;
static uint64_t console_bytes;

int domain_copy_to(struct domain *d, uint64_t gpa, const void *src, size_t n)
{
    (void)d;
    if (gpa >= GUEST_MEM || n > GUEST_MEM - gpa)
        return -1;
    memcpy(guest + gpa, src, n);
    return 0;
}

int domain_copy_from(struct domain *d, void *dst, uint64_t gpa, size_t n)
{
    (void)d;
    if (gpa >= GUEST_MEM || n > GUEST_MEM - gpa)
        return -1;
    memcpy(dst, guest + gpa, n);
    return 0;
}

void domain_console_out(struct domain *d, uint8_t byte) { (void)d; (void)byte; console_bytes++; }
void domain_shutdown(struct domain *d, enum shutdown_reason why, const char *detail)
{
    (void)detail;
    if ((unsigned)why > SHUTDOWN_CRASH)
        abort();
    d->shutdown_pending = true;
}
int64_t guestmem_decrease(struct domain *d, uint64_t gpa, uint64_t pages)
{
    if (gpa & 0xfff || pages > d->max_pages || gpa + pages * 4096 > d->max_pages * 4096)
        return -1;
    return 0;
}
int64_t guestmem_increase(struct domain *d, uint64_t gpa, uint64_t pages)
{
    return guestmem_decrease(d, gpa, pages);
}
void sched_vcpu_block(struct vcpu *v) { v->blocked = true; }
void sched_vcpu_yield(struct vcpu *v) { v->stop = true; }
bool vcpu_should_wake(struct vcpu *v, uint64_t now) { (void)v; return now & 1; }
void arch_vcpu_skip_insn(struct vcpu *v) { v->regs.rip += 3; }  /* VMMCALL/VMCALL */
uint64_t time_now_ns(void) { return 123456789; }
uint64_t tsc_hz(void) { return 2000000000; }

static uint64_t take(const uint8_t **p, size_t *n)
{
    uint64_t v = 0;
    size_t k = *n < 8 ? *n : 8;
    memcpy(&v, *p, k);
    *p += k;
    *n -= k;
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&dom, 0, sizeof(dom));
    dom.id = 1;
    dom.max_pages = dom.target_pages = dom.mem_pages = GUEST_MEM / 4096;
    memcpy(dom.name, "fuzz", 5);
    dom_vcpu0.vcpu.dom = &dom;
    dom.vcpus[0] = &dom_vcpu0;
    dom.nr_vcpus = 1;
    while (size) {
        uint8_t mode = (uint8_t)take(&data, &size);
        struct vcpu_regs *r = &dom_vcpu0.vcpu.regs;
        dom_vcpu0.vcpu.long_mode = mode & 1;
        r->rax = take(&data, &size) % 16;   /* mostly real numbers, some unknown ones */
        if (mode & 2)
            r->rax |= take(&data, &size);
        r->rbx = take(&data, &size);
        r->rcx = take(&data, &size);
        r->rdx = take(&data, &size);
        if (mode & 4) {                     /* small values hit the interesting paths */
            r->rbx %= GUEST_MEM + 64;
            r->rcx %= 8192;
            r->rdx %= 64;
        }
        vcpu_handle_hypercall(&dom_vcpu0.vcpu);
        int64_t ret = (int64_t)(dom_vcpu0.vcpu.long_mode ? r->rax : (uint64_t)(int32_t)r->rax);
        if (ret < 0 && ret != KESTREL_EPERM && ret != KESTREL_ENOMEM && ret != KESTREL_EFAULT &&
            ret != KESTREL_EINVAL && ret != KESTREL_ENOSYS)
            abort();
    }
    return 0;
}
