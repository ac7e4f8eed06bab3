/* A domain's virtio devices on virtio-mmio (contract in core/domain_virtio.h). */
#include "core/domain_virtio.h"
#include "core/domain.h"
#include "core/guestmem.h"
#include "mm/heap.h"
#include "lib/format.h"
#include "lib/string.h"

static int mem_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    return domain_copy_from(ctx, dst, gpa, len);
}

static int mem_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    return domain_copy_to(ctx, gpa, src, len);
}

int domain_virtio_add(struct domain *d, const struct virtio_dev_ops *ops, void *dev,
                      char *err, size_t errsz)
{
    if (!d->virtio) {
        d->virtio = kzalloc(sizeof(*d->virtio));
        if (!d->virtio) {
            snprintf(err, errsz, "out of memory for the virtio devices");
            return -1;
        }
    }
    struct domain_virtio *v = d->virtio;
    if (v->n >= VIRTIO_MMIO_MAX_DEVICES) {
        snprintf(err, errsz, "%s: at most %u virtio devices per domain", ops->name,
                 VIRTIO_MMIO_MAX_DEVICES);
        return -1;
    }
    struct virtq_mem mem = { mem_read, mem_write, d };
    unsigned n = v->n;
    if (virtio_mmio_init(&v->t[n], ops, dev, &mem) != 0 ||
        vdev_mmio_register(&d->mmio, VIRTIO_MMIO_BASE + (uint64_t)n * VIRTIO_MMIO_STRIDE,
                           VIRTIO_MMIO_SIZE, &virtio_mmio_ops, &v->t[n]) != 0) {
        snprintf(err, errsz, "%s: cannot attach it to the domain's MMIO bus", ops->name);
        return -1;
    }
    v->n++;
    return (int)n;
}

unsigned domain_virtio_count(const struct domain *d)
{
    return d->virtio ? d->virtio->n : 0;
}

/* The GSIs are edge-triggered (the DSDT says so, as QEMU's microvm does): each interrupt
 * the device raised since the last look is a fresh edge, even when the line never fell in
 * between. An interrupt raised after the driver's ACK but before this look (a transmit
 * batch finished by domain_net_poll, say) would otherwise leave the line high with no new
 * edge, and the driver, which only ACKs what an interrupt shows it, would never be
 * interrupted again. */
void domain_virtio_lines(struct domain *d)
{
    for (unsigned i = 0; i < domain_virtio_count(d); i++) {
        struct virtio_transport *t = &d->virtio->t[i];
        bool line = virtio_mmio_irq_line(t);
        if (line && t->interrupts != d->virtio->signalled[i]) {
            d->virtio->signalled[i] = t->interrupts;
            vioapic_set_irq(&d->ioapic, VIRTIO_MMIO_GSI_BASE + i, false);
        }
        vioapic_set_irq(&d->ioapic, VIRTIO_MMIO_GSI_BASE + i, line);
    }
}

void domain_virtio_reset(struct domain *d)
{
    for (unsigned i = 0; i < domain_virtio_count(d); i++)
        virtio_mmio_reset(&d->virtio->t[i]);
}

void domain_virtio_free(struct domain *d)
{
    kfree(d->virtio);
    d->virtio = NULL;
}

size_t domain_virtio_dump(const struct domain *d, char *buf, size_t len)
{
    size_t pos = 0;
    if (len)
        buf[0] = '\0';
    for (unsigned i = 0; i < domain_virtio_count(d) && pos + 1 < len; i++) {
        pos += virtio_mmio_dump(&d->virtio->t[i], buf + pos, len - pos);
        if (pos + 1 < len) {
            buf[pos++] = '\n';
            buf[pos] = '\0';
        }
    }
    return pos;
}
