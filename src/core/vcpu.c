/* The vCPU's shared exit handlers that are not x86-specific (I/O to the domain's device
 * bus, HLT, bad guest-physical accesses, fatal guest states) and the per-exit device
 * bookkeeping: PIT edges and the UART line into the PIC, and interrupt injection. */
#include "core/domain.h"
#include "core/perfc.h"
#include "core/dom_console.h"
#include "core/irq.h"
#include "sched/sched.h"
#include "console/log.h"
#include "arch/time.h"
#include "lib/string.h"

#define COM1_LO 0x3f8u      /* where domain_build.c puts the domain's UART */

static const char *const exit_names[EXIT_COUNT] = {
    [EXIT_CPUID] = "cpuid", [EXIT_HLT] = "hlt", [EXIT_IO] = "io", [EXIT_MSR] = "msr",
    [EXIT_HYPERCALL] = "hypercall", [EXIT_NPF] = "npf", [EXIT_SHUTDOWN] = "shutdown",
    [EXIT_INTR] = "intr", [EXIT_VINTR] = "vintr", [EXIT_VIRT_INSN] = "virt-insn",
    [EXIT_EXCEPTION] = "exception", [EXIT_INVALID] = "invalid", [EXIT_OTHER] = "other",
};

const char *vcpu_exit_name(enum vcpu_exit e)
{
    return (unsigned)e < EXIT_COUNT ? exit_names[e] : "?";
}

/* Contract in core/domain.h. */
enum seen_once_result seen_once_note(struct seen_once *s, uint32_t key)
{
    s->accesses++;
    for (unsigned i = 0; i < s->count; i++)
        if (s->keys[i] == key)
            return SEEN_BEFORE;
    if (s->count >= DOMAIN_UNKNOWN_PORTS)
        return SEEN_BEFORE;
    s->keys[s->count++] = key;
    return s->count == DOMAIN_UNKNOWN_PORTS ? SEEN_NEW_LAST : SEEN_NEW;
}

/* Say once per port, for the first few ports only, that a port is not emulated. */
static void note_unknown_port(struct domain *d, uint16_t port, bool in)
{
    enum seen_once_result r = seen_once_note(&d->unknown_ports, port);
    if (r != SEEN_BEFORE)
        gprintk(LOG_INFO, "d%d: %s of unemulated port %#x (reads all ones, writes ignored)",
                d->id, in ? "read" : "write", port);
    if (r == SEEN_NEW_LAST)
        gprintk(LOG_INFO, "d%d: further unemulated ports are not logged", d->id);
}

void vcpu_handle_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
    struct domain *d = v->dom;
    if (!vdev_bus_io(&d->bus, port, size, in, val)) {
        note_unknown_port(d, port, in);
        if (in)
            *val = size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu;
    }
    /* Device lines and queued console input are brought up to date once, by
     * vcpu_prepare_entry, before the guest runs again. */
}

bool vcpu_fast_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
    struct domain *d = v->dom;
    if (port >= COM1_LO && port <= COM1_LO + 7 && size == 1) {
        if (!vuart_fast_io(&d->uart, port, in, val))
            return false;
        PERFC_DEV(vuart_ops.name);
    } else if (port >= VPCI_PORT_LO && port <= VPCI_PORT_HI) {
        if (!vpci_fast_io(&d->pci, port, size, in, val))
            return false;
        PERFC_DEV(vpci_ops.name);
    } else {
        return false;
    }
    v->exits[EXIT_IO]++;
    return true;
}

void vcpu_handle_hlt(struct vcpu *v)
{
    struct domain *d = v->dom;
    arch_vcpu_skip_insn(v);
    domain_update_irqs(d);
    if ((v->regs.rflags & 0x200) && vcpu_irq_pending(v) >= 0)
        return;     /* an interrupt is deliverable: HLT ends at once */
    v->wake_at_ns = 0;
    sched_vcpu_block(v);
}

void vcpu_handle_bad_gpa(struct vcpu *v, uint64_t gpa, bool write)
{
    domain_crash(v->dom, "%s of guest-physical %#llx outside its %llu MiB at rip %#llx",
                 write ? "write" : "access", (unsigned long long)gpa,
                 (unsigned long long)(v->dom->cfg.memory_mb), (unsigned long long)v->regs.rip);
}

void vcpu_handle_fatal(struct vcpu *v, const char *why)
{
    domain_crash(v->dom, "%s at rip %#llx", why, (unsigned long long)v->regs.rip);
}

/* The state a SIPI gives an application processor (SDM 8.4.4 and table 9-1): real mode,
 * CS selector vector << 8 and base vector << 12, IP 0, the rest as after INIT. */
static void sipi_entry(uint8_t vector, struct vcpu_entry *e)
{
    const struct vcpu_segment data = { .sel = 0, .attr = 0x93, .limit = 0xFFFF, .base = 0 };
    memset(e, 0, sizeof(*e));
    e->regs.rflags = 0x2;
    e->cs = (struct vcpu_segment){ .sel = (uint16_t)(vector << 8), .attr = 0x9B,
                                   .limit = 0xFFFF, .base = (uint64_t)vector << 12 };
    e->ds = e->es = e->fs = e->gs = e->ss = data;
    e->tr = (struct vcpu_segment){ .attr = 0x8B, .limit = 0xFFFF };
    e->ldtr = (struct vcpu_segment){ .attr = 0x82, .limit = 0xFFFF };
    e->gdtr.limit = e->idtr.limit = 0xFFFF;
    e->cr0 = 0x60000010;                /* CD, NW, ET */
}

/* Before entering the guest: an AP a SIPI started takes its real-mode entry state; then
 * deliver the highest interrupt request if the guest can take it, else ask for an exit
 * when it can. */
void vcpu_prepare_entry(struct vcpu *v)
{
    struct domain *d = v->dom;
    uint8_t sipi;
    if (vcpu_take_sipi(v, &sipi)) {
        struct vcpu_entry e;
        sipi_entry(sipi, &e);
        arch_vcpu_reset(v, &e, d->p2m_root);
    }
    domain_console_pump(d);
    domain_update_irqs(d);
    if (vcpu_irq_pending(v) < 0)
        return;
    if (arch_vcpu_interruptible(v)) {
        int vec = vcpu_irq_ack(v);
        if (vec >= 0) {
            PERFC_INC(irqs_injected);
            arch_vcpu_inject_irq(v, (uint8_t)vec);
        }
    } else {
        arch_vcpu_request_irq_window(v);
    }
}

uint64_t vcpu_next_event_ns(const struct vcpu *v)
{
    uint64_t t = v->wake_at_ns ? v->wake_at_ns : UINT64_MAX;
    if (!v->blocked || (v->regs.rflags & 0x200)) {
        uint64_t dev = vcpu_irq_next_event_ns(v);
        if (dev < t)
            t = dev;
    }
    return t;
}

bool vcpu_should_wake(struct vcpu *v, uint64_t now)
{
    struct domain *d = v->dom;
    if (v->wake_at_ns && now >= v->wake_at_ns)
        return true;
    domain_console_pump(d);
    domain_update_irqs(d);
    return (v->regs.rflags & 0x200) && vcpu_irq_pending(v) >= 0;
}
