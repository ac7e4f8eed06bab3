/* The interrupt wiring of a domain (contract in core/irq.h). The 8259 pair and the I/O
 * APIC both see every ISA line, as on a PC with an I/O APIC: the guest decides which one
 * it uses by masking the other. */
#include "core/irq.h"
#include "core/domain.h"
#include "core/acpi_tables.h"
#include "core/domain_virtio.h"
#include "core/domain_net.h"
#include "arch/time.h"

/* ---- the local APIC's view of the vCPU and the I/O APIC -------------------------------- */

static uint64_t lapic_now(void *ctx)
{
    (void)ctx;
    return time_now_ns();
}

static uint64_t lapic_tsc(void *ctx)
{
    struct domain *d = ctx;
    return arch_vcpu_tsc(&d->vcpu);
}

static void lapic_eoi_level(void *ctx, uint8_t vector)
{
    struct domain *d = ctx;
    vioapic_eoi(&d->ioapic, vector);
}

/* An IPI the local APIC could not keep to itself: with one vCPU there is nobody else, so
 * it goes nowhere (as on a uniprocessor PC). */
static void lapic_send_ipi(void *ctx, uint64_t icr, bool x2apic)
{
    (void)ctx;
    (void)icr;
    (void)x2apic;
}

/* The I/O APIC's message, to every local APIC it names (the only one, if it is named). An
 * 8-bit broadcast reaches an x2APIC-mode APIC as its 32-bit broadcast. */
static bool ioapic_deliver(void *ctx, uint8_t vector, uint8_t dest, bool logical,
                           unsigned delivery_mode, bool level)
{
    struct domain *d = ctx;
    uint32_t to = dest;
    if (dest == 0xFF && vlapic_x2apic(&d->lapic))
        to = 0xFFFFFFFFu;
    if (!vlapic_match_dest(&d->lapic, to, logical))
        return false;
    return vlapic_deliver(&d->lapic, delivery_mode, vector, level);
}

/* ---- MMIO pages ------------------------------------------------------------------------ */

/* The local APIC's page: 32-bit registers; a narrower access reads the bytes of its
 * register, a wider one two registers' worth of nothing (reserved), as the model's rules
 * for unaligned offsets say. A page that does not answer (x2APIC mode, disabled) reads all
 * ones and ignores writes. */
static uint64_t lapic_mmio_read(void *dev, uint64_t off, unsigned size)
{
    struct vlapic *a = dev;
    if (!vlapic_mmio_enabled(a))
        return ~0ull;
    uint32_t reg = vlapic_mmio_read(a, (uint32_t)(off & ~3ull));
    return size >= 4 ? reg : reg >> (8 * (off & 3));
}

static void lapic_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct vlapic *a = dev;
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
    d->lapic_clock = (struct vlapic_clock){
        .now_ns = lapic_now, .tsc = lapic_tsc, .tsc_hz = tsc_hz(),
        .eoi_level = lapic_eoi_level, .send_ipi = lapic_send_ipi, .ctx = d,
    };
    vlapic_init(&d->lapic, 0, true, &d->lapic_clock);
    vlapic_virtual_wire(&d->lapic);
    vioapic_init(&d->ioapic, ioapic_deliver, d);
    d->ioapic.id = DOMAIN_IOAPIC_ID;
    vdev_mmio_init(&d->mmio);
    vdev_mmio_register(&d->mmio, DOMAIN_LAPIC_BASE, VLAPIC_MMIO_SIZE, &lapic_mmio_ops,
                       &d->lapic);
    vdev_mmio_register(&d->mmio, DOMAIN_IOAPIC_BASE, 0x1000, &ioapic_mmio_ops, &d->ioapic);
}

void domain_irq_reset(struct domain *d)
{
    vlapic_reset(&d->lapic);
    vlapic_virtual_wire(&d->lapic);
    vioapic_reset(&d->ioapic);
    d->ioapic.id = DOMAIN_IOAPIC_ID;
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
    vlapic_update(&d->lapic);
}

int domain_irq_pending(struct domain *d)
{
    int vec = vlapic_pending_vector(&d->lapic);
    if (vec >= 0)
        return vec;
    return vlapic_accepts_pic(&d->lapic) ? vpic_pending_vector(&d->pic) : -1;
}

int domain_irq_ack(struct domain *d)
{
    int vec = vlapic_pending_vector(&d->lapic);
    if (vec >= 0) {
        vlapic_ack(&d->lapic, (uint8_t)vec);
        return vec;
    }
    return vlapic_accepts_pic(&d->lapic) ? vpic_ack(&d->pic) : -1;
}

uint64_t domain_irq_next_event_ns(const struct domain *d)
{
    uint64_t t = vlapic_next_event_ns(&d->lapic), pm = vacpi_pm_next_event_ns(&d->pm);
    if (pm < t)
        t = pm;
    /* The PIT wakes the vCPU only if its edge can get through: IRQ 0 unmasked in the
     * 8259 with the APIC passing the 8259, or I/O APIC pin 2 unmasked. */
    bool via_pic = !(d->pic.chip[0].imr & 1) && vlapic_accepts_pic(&d->lapic);
    bool via_ioapic = !(d->ioapic.redir[DOMAIN_TIMER_GSI] & (1ull << 16));
    if (via_pic || via_ioapic) {
        uint64_t pit = vpit_next_event_ns(&d->pit);
        if (pit < t)
            t = pit;
    }
    return t;
}
