/* The interrupt wiring of a domain (contract in core/irq.h). The 8259 pair and the I/O
 * APIC both see every ISA line, as on a PC with an I/O APIC: the guest decides which one
 * it uses by masking the other. Each vCPU has its own local APIC (APIC ID = vCPU id); IPIs
 * go between them here. */
#include "core/irq.h"
#include "core/domain.h"
#include "core/acpi_tables.h"
#include "core/domain_virtio.h"
#include "core/domain_net.h"
#include "arch/time.h"
#include "sched/sched.h"

/* ---- the local APICs' view of their vCPUs and of each other ------------------------------ */

static uint64_t lapic_now(void *ctx)
{
    (void)ctx;
    return time_now_ns();
}

static uint64_t lapic_tsc(void *ctx)
{
    struct domain_vcpu *dv = ctx;
    return arch_vcpu_tsc(&dv->vcpu);
}

static void lapic_eoi_level(void *ctx, uint8_t vector)
{
    struct domain_vcpu *dv = ctx;
    vioapic_eoi(&dv->vcpu.dom->ioapic, vector);
}

/* Something arrived in dv's local APIC from outside (an IPI or the I/O APIC). INIT stops
 * the vCPU and resets its APIC: it waits for a SIPI. A SIPI to a waiting vCPU starts it at
 * vector * 4 KiB in real mode (vcpu_prepare_entry loads that state when it next runs, on
 * its own backend state). An interrupt wakes it if it sits in HLT with interrupts on. */
static void lapic_arrived(struct domain_vcpu *dv)
{
    struct vcpu *v = &dv->vcpu;
    uint8_t vector;
    if (vlapic_take_init(&dv->lapic)) {
        dv->wait_for_sipi = true;
        dv->sipi_pending = false;
        vlapic_reset(&dv->lapic);
        if (v->dom->state == DOMAIN_RUNNING)
            sched_vcpu_stop(v);
    }
    if (vlapic_take_sipi(&dv->lapic, &vector) && dv->wait_for_sipi) {
        dv->wait_for_sipi = false;
        dv->sipi_pending = true;
        dv->sipi_vector = vector;
        if (v->dom->state == DOMAIN_RUNNING)
            sched_vcpu_start(v);
    }
    if (v->blocked && (v->regs.rflags & 0x200) && vlapic_pending_vector(&dv->lapic) >= 0)
        sched_vcpu_kick(v);
}

/* An IPI that dv's local APIC could not keep to itself (vlapic_send_icr): to the other
 * vCPUs it names, by the ICR's shorthand and destination. Lowest priority goes to the
 * first vCPU named (a fixed choice is one the SDM allows). */
static void lapic_send_ipi(void *ctx, uint64_t icr, bool x2apic)
{
    struct domain_vcpu *from = ctx;
    struct domain *d = from->vcpu.dom;
    uint32_t lo = (uint32_t)icr;
    unsigned dm = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
    bool logical = lo & (1u << 11), level = lo & (1u << 15);
    uint32_t dest = x2apic ? (uint32_t)(icr >> 32) : (uint32_t)(icr >> 56);
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct domain_vcpu *to = d->vcpus[i];
        if (to == from || (shorthand == 0 && !vlapic_match_dest(&to->lapic, dest, logical)))
            continue;
        if (vlapic_deliver(&to->lapic, dm, (uint8_t)lo, level))
            lapic_arrived(to);
        if (dm == VLAPIC_DM_LOWEST)
            break;
    }
}

/* The I/O APIC's message, to every local APIC it names (lowest priority: the first). An
 * 8-bit broadcast reaches an x2APIC-mode APIC as its 32-bit broadcast. */
static bool ioapic_deliver(void *ctx, uint8_t vector, uint8_t dest, bool logical,
                           unsigned delivery_mode, bool level)
{
    struct domain *d = ctx;
    bool any = false;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct domain_vcpu *to = d->vcpus[i];
        uint32_t id = dest == 0xFF && vlapic_x2apic(&to->lapic) ? 0xFFFFFFFFu : dest;
        if (!vlapic_match_dest(&to->lapic, id, logical) ||
            !vlapic_deliver(&to->lapic, delivery_mode, vector, level))
            continue;
        lapic_arrived(to);
        any = true;
        if (delivery_mode == VLAPIC_DM_LOWEST)
            break;
    }
    return any;
}

/* ---- MMIO pages ------------------------------------------------------------------------ */

/* The local APIC's page: 32-bit registers; a narrower access reads the bytes of its
 * register, a wider one two registers' worth of nothing (reserved), as the model's rules
 * for unaligned offsets say. A page that does not answer (x2APIC mode, disabled) reads all
 * ones and ignores writes. */
/* The local APIC page is at one address for every vCPU; each sees its own APIC there. */
static struct vlapic *accessing_lapic(struct domain *d)
{
    struct vcpu *v = sched_current();
    return vcpu_lapic(v && v->dom == d ? v : domain_vcpu(d, 0));
}

static uint64_t lapic_mmio_read(void *dev, uint64_t off, unsigned size)
{
    struct vlapic *a = accessing_lapic(dev);
    if (!vlapic_mmio_enabled(a))
        return ~0ull;
    uint32_t reg = vlapic_mmio_read(a, (uint32_t)(off & ~3ull));
    return size >= 4 ? reg : reg >> (8 * (off & 3));
}

static void lapic_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct vlapic *a = accessing_lapic(dev);
    if (!vlapic_mmio_enabled(a) || size != 4)
        return;             /* the SDM leaves sub-dword writes undefined: dropped */
    vlapic_mmio_write(a, (uint32_t)off, (uint32_t)val);
}

static const struct vdev_mmio_ops lapic_mmio_ops = { "lapic", lapic_mmio_read,
                                                     lapic_mmio_write };

static uint64_t ioapic_mmio_read(void *dev, uint64_t off, unsigned size)
{
    uint32_t reg = vioapic_mmio_read(dev, (uint32_t)(off & ~3ull));
    return size >= 4 ? reg : reg >> (8 * (off & 3));
}

static void ioapic_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    if (size == 4)
        vioapic_mmio_write(dev, (uint32_t)off, (uint32_t)val);
}

static const struct vdev_mmio_ops ioapic_mmio_ops = { "ioapic", ioapic_mmio_read,
                                                      ioapic_mmio_write };

/* ---- the contract ---------------------------------------------------------------------- */

void domain_irq_init(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct domain_vcpu *dv = d->vcpus[i];
        dv->lapic_clock = (struct vlapic_clock){
            .now_ns = lapic_now, .tsc = lapic_tsc, .tsc_hz = tsc_hz(),
            .eoi_level = lapic_eoi_level, .send_ipi = lapic_send_ipi, .ctx = dv,
        };
        vlapic_init(&dv->lapic, i, i == 0, &dv->lapic_clock);
    }
    vlapic_virtual_wire(vcpu_lapic(domain_vcpu(d, 0)));
    vioapic_init(&d->ioapic, ioapic_deliver, d);
    d->ioapic.id = (uint8_t)d->nr_vcpus;     /* the MADT's (acpi_config_default) */
    vdev_mmio_init(&d->mmio);
    vdev_mmio_register(&d->mmio, DOMAIN_LAPIC_BASE, VLAPIC_MMIO_SIZE, &lapic_mmio_ops, d);
    vdev_mmio_register(&d->mmio, DOMAIN_IOAPIC_BASE, 0x1000, &ioapic_mmio_ops, &d->ioapic);
}

void domain_irq_reset(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        vlapic_reset(&d->vcpus[i]->lapic);
        d->vcpus[i]->wait_for_sipi = i != 0;
        d->vcpus[i]->sipi_pending = false;
    }
    vlapic_virtual_wire(vcpu_lapic(domain_vcpu(d, 0)));
    vioapic_reset(&d->ioapic);
    d->ioapic.id = (uint8_t)d->nr_vcpus;     /* the MADT's (acpi_config_default) */
}

/* An ISA line's level, to both interrupt controllers. */
static void isa_line(struct domain *d, unsigned irq, bool level)
{
    vpic_set_irq(&d->pic, irq, level);
    vioapic_set_irq(&d->ioapic, irq == 0 ? DOMAIN_TIMER_GSI : irq, level);
}

void domain_update_irqs(struct domain *d)
{
    if (vpit_irq0_edges(&d->pit)) {
        isa_line(d, 0, true);
        isa_line(d, 0, false);
    }
    isa_line(d, 4, vuart_irq_line(&d->uart));
    isa_line(d, ACPI_SCI_IRQ, vacpi_pm_sci(&d->pm));
    domain_net_poll(d);             /* unfinished transmit batches, before the lines */
    domain_virtio_lines(d);
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        vlapic_update(&d->vcpus[i]->lapic);
}

/* The 8259's INTR reaches the boot processor only: the APs' LINT0 stays masked, as a BIOS
 * leaves them. */
static bool takes_pic(const struct vcpu *v)
{
    return v->id == 0 && vlapic_accepts_pic(vcpu_lapic_const(v));
}

int vcpu_irq_pending(struct vcpu *v)
{
    int vec = vlapic_pending_vector(vcpu_lapic(v));
    if (vec >= 0)
        return vec;
    return takes_pic(v) ? vpic_pending_vector(&v->dom->pic) : -1;
}

int vcpu_irq_ack(struct vcpu *v)
{
    struct vlapic *a = vcpu_lapic(v);
    int vec = vlapic_pending_vector(a);
    if (vec >= 0) {
        vlapic_ack(a, (uint8_t)vec);
        return vec;
    }
    return takes_pic(v) ? vpic_ack(&v->dom->pic) : -1;
}

uint64_t vcpu_irq_next_event_ns(const struct vcpu *v)
{
    const struct domain *d = v->dom;
    uint64_t t = vlapic_next_event_ns(vcpu_lapic_const(v)), pm = vacpi_pm_next_event_ns(&d->pm);
    if (pm < t)
        t = pm;
    /* The PIT wakes a vCPU only if its edge can get through: IRQ 0 unmasked in the 8259
     * with the APIC passing the 8259, or I/O APIC pin 2 unmasked. */
    bool via_pic = !(d->pic.chip[0].imr & 1) && takes_pic(v);
    bool via_ioapic = !(d->ioapic.redir[DOMAIN_TIMER_GSI] & (1ull << 16));
    if (via_pic || via_ioapic) {
        uint64_t pit = vpit_next_event_ns(&d->pit);
        if (pit < t)
            t = pit;
    }
    return t;
}

bool vcpu_take_sipi(struct vcpu *v, uint8_t *vector)
{
    struct domain_vcpu *dv = domain_vcpu_of(v);
    if (!dv->sipi_pending)
        return false;
    dv->sipi_pending = false;
    *vector = dv->sipi_vector;
    return true;
}
