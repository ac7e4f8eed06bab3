/* The MMIO bus of one domain (contract in vdev/mmio.h): a handful of ranges, searched in a
 * line, as the port bus is. */
#include "vdev/mmio.h"
#include "core/perfc.h"
#include "lib/string.h"

void vdev_mmio_init(struct vdev_mmio_bus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

int vdev_mmio_register(struct vdev_mmio_bus *bus, uint64_t base, uint64_t size,
                       const struct vdev_mmio_ops *ops, void *dev)
{
    if (!size || base + size < base || !ops || !ops->read || !ops->write ||
        bus->n >= VDEV_MMIO_MAX_RANGES)
        return -1;
    for (unsigned i = 0; i < bus->n; i++) {
        const struct vdev_mmio_range *r = &bus->ranges[i];
        if (base < r->base + r->size && r->base < base + size)
            return -1;
    }
    bus->ranges[bus->n++] = (struct vdev_mmio_range){ base, size, ops, dev };
    return 0;
}

const struct vdev_mmio_range *vdev_mmio_find(const struct vdev_mmio_bus *bus, uint64_t gpa)
{
    unsigned n = bus->n < VDEV_MMIO_MAX_RANGES ? bus->n : VDEV_MMIO_MAX_RANGES;

    for (unsigned i = 0; i < n; i++)
        if (gpa >= bus->ranges[i].base && gpa - bus->ranges[i].base < bus->ranges[i].size)
            return &bus->ranges[i];
    return NULL;
}

bool vdev_mmio_access(struct vdev_mmio_bus *bus, uint64_t gpa, unsigned size, bool write,
                      uint64_t *val)
{
    const struct vdev_mmio_range *r = vdev_mmio_find(bus, gpa);
    uint64_t mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;

    if ((size != 1 && size != 2 && size != 4 && size != 8) || !r || size > r->size ||
        gpa - r->base > r->size - size) {
        bus->unclaimed++;
        if (!write)
            *val = mask;
        return false;
    }
    PERFC_DEV(r->ops->name);
    if (write)
        r->ops->write(r->dev, gpa - r->base, size, *val & mask);
    else
        *val = r->ops->read(r->dev, gpa - r->base, size) & mask;
    return true;
}
