/* The I/O-port bus of one domain: a small table of port ranges, each owned by one device
 * (ops + state). The exit handler calls vdev_bus_io() for every IN/OUT; the table is tiny
 * (a PC has a handful of legacy devices), so a linear search is both simplest and fast. */
#include "vdev/vdev.h"
#include "core/perfc.h"
#include "lib/string.h"

/* Contract: empties the bus. */
void vdev_bus_init(struct vdev_bus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

/* Contract: see vdev.h. Overlap is refused rather than resolved because two devices on one
 * port is a configuration bug we want to see at domain build time, not at the first IN. */
int vdev_bus_register(struct vdev_bus *bus, uint16_t lo, uint16_t hi,
                      const struct vdev_ops *ops, void *dev)
{
    unsigned i;

    if (lo > hi || !ops || !ops->read || !ops->write || bus->n >= VDEV_MAX_RANGES)
        return -1;
    for (i = 0; i < bus->n; i++)
        if (lo <= bus->ranges[i].hi && bus->ranges[i].lo <= hi)
            return -1;
    bus->ranges[bus->n].lo = lo;
    bus->ranges[bus->n].hi = hi;
    bus->ranges[bus->n].ops = ops;
    bus->ranges[bus->n].dev = dev;
    bus->n++;
    return 0;
}

/* The range holding port, or NULL. bus->n is clamped so a corrupted count cannot make us
 * read beyond the table. */
static const struct vdev_range *find(const struct vdev_bus *bus, uint32_t port)
{
    unsigned i, n = bus->n < VDEV_MAX_RANGES ? bus->n : VDEV_MAX_RANGES;

    for (i = 0; i < n; i++)
        if (port >= bus->ranges[i].lo && port <= bus->ranges[i].hi)
            return &bus->ranges[i];
    return NULL;
}

static uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Contract: see vdev.h. An access goes whole to a device when it lies inside one range of a
 * device that takes wide accesses; otherwise it is split into byte accesses (what the ISA
 * bridge does), each byte going to whichever device owns its port. Ports past 0xFFFF are
 * unclaimed. */
bool vdev_bus_io(struct vdev_bus *bus, uint16_t port, unsigned size, bool in, uint32_t *val)
{
    const struct vdev_range *r;
    uint32_t result = 0, mask;
    bool claimed = false;
    unsigned i;

    if (size != 1 && size != 2 && size != 4) {
        if (in)
            *val = 0xffffffffu;
        return false;
    }
    mask = size_mask(size);
    r = find(bus, port);
    if (r && !r->ops->bytewise && (uint32_t)port + size - 1 <= r->hi) {
        PERFC_DEV(r->ops->name);
        if (in)
            *val = r->ops->read(r->dev, port, size) & mask;
        else
            r->ops->write(r->dev, port, size, *val & mask);
        return true;
    }
    for (i = 0; i < size; i++) {
        uint32_t p = (uint32_t)port + i, byte = 0xff;

        r = p <= 0xffff ? find(bus, p) : NULL;
        if (!r)
            goto next;
        claimed = true;
        PERFC_DEV(r->ops->name);
        if (in)
            byte = r->ops->read(r->dev, (uint16_t)p, 1) & 0xff;
        else
            r->ops->write(r->dev, (uint16_t)p, 1, (*val >> (8 * i)) & 0xff);
next:
        result |= byte << (8 * i);
    }
    if (!claimed)
        PERFC_INC(io_unclaimed);
    if (in)
        *val = claimed ? result : mask;
    return claimed;
}

/* True if an earlier range than idx has the same device, so it was handled already. */
static bool seen_before(const struct vdev_bus *bus, unsigned idx)
{
    unsigned i;

    for (i = 0; i < idx; i++)
        if (bus->ranges[i].ops == bus->ranges[idx].ops && bus->ranges[i].dev == bus->ranges[idx].dev)
            return true;
    return false;
}

/* Contract: see vdev.h. */
void vdev_bus_reset(struct vdev_bus *bus)
{
    unsigned i, n = bus->n < VDEV_MAX_RANGES ? bus->n : VDEV_MAX_RANGES;

    for (i = 0; i < n; i++)
        if (bus->ranges[i].ops->reset && !seen_before(bus, i))
            bus->ranges[i].ops->reset(bus->ranges[i].dev);
}

/* Contract: see vdev.h. */
size_t vdev_put_str(char *buf, size_t len, size_t pos, const char *s)
{
    if (len == 0)
        return 0;
    if (pos > len - 1)
        pos = len - 1;
    while (s && *s && pos < len - 1)
        buf[pos++] = *s++;
    buf[pos] = '\0';
    return pos;
}

/* Contract: see vdev.h. digits is clamped to 1..16. */
size_t vdev_put_hex(char *buf, size_t len, size_t pos, uint64_t val, unsigned digits)
{
    char tmp[17];
    unsigned i;

    if (digits < 1)
        digits = 1;
    if (digits > 16)
        digits = 16;
    for (i = 0; i < digits; i++)
        tmp[i] = "0123456789abcdef"[(val >> (4 * (digits - 1 - i))) & 0xf];
    tmp[digits] = '\0';
    return vdev_put_str(buf, len, pos, tmp);
}

/* Contract: see vdev.h. Shows each device once, with the range it was first registered at. */
size_t vdev_bus_dump(const struct vdev_bus *bus, char *buf, size_t len)
{
    unsigned i, n = bus->n < VDEV_MAX_RANGES ? bus->n : VDEV_MAX_RANGES;
    size_t pos = vdev_put_str(buf, len, 0, "");

    for (i = 0; i < n; i++) {
        const struct vdev_range *r = &bus->ranges[i];

        if (seen_before(bus, i))
            continue;
        pos = vdev_put_str(buf, len, pos, r->ops->name ? r->ops->name : "?");
        pos = vdev_put_str(buf, len, pos, " ");
        pos = vdev_put_hex(buf, len, pos, r->lo, 4);
        pos = vdev_put_str(buf, len, pos, "-");
        pos = vdev_put_hex(buf, len, pos, r->hi, 4);
        if (r->ops->dump && len > pos + 3) {
            pos = vdev_put_str(buf, len, pos, ": ");
            size_t n = r->ops->dump(r->dev, buf + pos, len - pos);

            pos += n < len - pos ? n : len - pos - 1;   /* trust no dump's count */
        }
        pos = vdev_put_str(buf, len, pos, "\n");
    }
    return pos;
}
