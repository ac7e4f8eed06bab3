/* The virtio-mmio transport, version 2 (contract and access rules in vdev/virtio_mmio.h):
 * the register window a driver sees, feature negotiation, queue setup, notifications to
 * the device and the interrupt status it raises. The device (vdev/virtio.h) never sees a
 * register; the queues' rings are walked by vdev/virtq.h. Every value the guest writes is
 * checked before it is used: selectors are bounded by the device's counts, queue sizes and
 * ring addresses are checked when the queue is made ready, and a malformed access is
 * answered with 0 or dropped, never with another field's contents. */
#include "vdev/virtio_mmio.h"
#include <stdarg.h>

#include "lib/format.h"
#include "lib/string.h"

#define STATUS_DRIVER_BITS (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
                            VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK | \
                            VIRTIO_STATUS_FAILED)

/* The selected queue, or NULL when QueueSel names none. */
static struct virtq *selected(struct virtio_transport *t)
{
    return t->queue_sel < t->ops->num_queues ? &t->vq[t->queue_sel] : NULL;
}

/* Whether the negotiated features include f (only once FEATURES_OK was accepted). */
static bool negotiated(const struct virtio_transport *t, uint64_t f)
{
    return (t->status & VIRTIO_STATUS_FEATURES_OK) && (t->driver_features & f);
}

/* Contract: see virtio_mmio.h. */
void virtio_mmio_reset(struct virtio_transport *t)
{
    t->ops->reset(t->dev);
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
        virtq_reset(&t->vq[q]);
    t->driver_features = 0;
    t->driver_features_stray = false;
    t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
    t->status = 0;
    t->interrupt_status = 0;
    t->kick_pending = 0;
}

/* Contract: see virtio_mmio.h. */
int virtio_mmio_init(struct virtio_transport *t, const struct virtio_dev_ops *ops, void *dev,
                     const struct virtq_mem *mem)
{
    memset(t, 0, sizeof(*t));
    if (!ops || !ops->config_read || !ops->notify || !ops->reset || ops->num_queues == 0 ||
        ops->num_queues > VIRTIO_MAX_QUEUES || ops->queue_max == 0 ||
        ops->queue_max > VIRTQ_MAX_NUM || !mem || !mem->read || !mem->write)
        return -1;
    t->ops = ops;
    t->dev = dev;
    t->mem = *mem;
    t->offered = (ops->features & ~VIRTIO_TRANSPORT_FEATURE_MASK) |
                 VIRTIO_MMIO_TRANSPORT_FEATURES;
    virtio_mmio_reset(t);
    return 0;
}

/* FEATURES_OK is accepted only for a subset of what was offered, with VERSION_1 (a
 * modern-only device refuses a legacy driver here, 6.1). */
static bool features_acceptable(const struct virtio_transport *t)
{
    return !t->driver_features_stray && !(t->driver_features & ~t->offered) &&
           (t->driver_features & VIRTIO_F_VERSION_1);
}

/* Hand the device the kicks that came before DRIVER_OK. Linux's virtio_balloon, for one,
 * kicks its stats queue before DRIVER_OK; the device may not take buffers until then
 * (3.1.1), so the kick waits instead of being lost. */
static void deliver_pending_kicks(struct virtio_transport *t)
{
    for (unsigned q = 0; q < t->ops->num_queues; q++) {
        if (!(t->kick_pending & (1u << q)))
            continue;
        t->kick_pending &= ~(1u << q);
        if (t->vq[q].ready)
            t->ops->notify(t->dev, t, q);
    }
}

/* A Status write: 0 resets; otherwise the driver's new bits are added, each one checked. */
static void write_status(struct virtio_transport *t, uint32_t val)
{
    uint32_t add = val & ~t->status & STATUS_DRIVER_BITS;

    if (val == 0) {
        virtio_mmio_reset(t);
        return;
    }
    if ((add & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(t))
        add &= ~VIRTIO_STATUS_FEATURES_OK;
    if ((add & VIRTIO_STATUS_DRIVER_OK) && !((t->status | add) & VIRTIO_STATUS_FEATURES_OK))
        add &= ~VIRTIO_STATUS_DRIVER_OK;
    t->status |= add;
    if (add & VIRTIO_STATUS_FEATURES_OK)
        for (unsigned q = 0; q < t->ops->num_queues; q++)
            t->vq[q].event_idx = negotiated(t, VIRTIO_F_RING_EVENT_IDX);
    if (add & VIRTIO_STATUS_DRIVER_OK) {
        if (t->ops->driver_ok)
            t->ops->driver_ok(t->dev, t, t->driver_features);
        if (!(t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
            deliver_pending_kicks(t);
    }
}

/* A queue may be made ready only with a size the device offers (a power of two, 2.7) and
 * areas aligned as 2.7 requires; whether they lie in guest RAM is virtq_pop's to check. */
static bool queue_setup_valid(const struct virtio_transport *t, const struct virtq *q)
{
    return q->num != 0 && (q->num & (q->num - 1)) == 0 && q->num <= t->ops->queue_max &&
           (q->desc & 15) == 0 && (q->avail & 1) == 0 && (q->used & 3) == 0;
}

static void write_queue_ready(struct virtio_transport *t, struct virtq *q, uint32_t val)
{
    if (!(val & 1)) {
        q->ready = false;
        t->kick_pending &= ~(1u << t->queue_sel);
        return;
    }
    if (q->ready || !queue_setup_valid(t, q))
        return;
    q->ready = true;
    q->last_avail = 0;
    q->used_idx = 0;
    q->broken = false;
    q->event_idx = negotiated(t, VIRTIO_F_RING_EVENT_IDX);
}

/* A QueueNotify write: the value is the queue's index (no NOTIFICATION_DATA offered). */
static void write_notify(struct virtio_transport *t, uint32_t q)
{
    if (q >= t->ops->num_queues || !t->vq[q].ready ||
        (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
        return;
    t->notifies++;
    if (!(t->status & VIRTIO_STATUS_DRIVER_OK)) {
        t->kick_pending |= 1u << q;
        return;
    }
    t->ops->notify(t->dev, t, q);
}

/* Replace the low or high half of *addr. */
static void set_half(uint64_t *addr, bool high, uint32_t val)
{
    if (high)
        *addr = (*addr & 0xffffffffull) | (uint64_t)val << 32;
    else
        *addr = (*addr & ~0xffffffffull) | val;
}

/* The queue setup registers: QueueNum and the three areas' addresses, written only while
 * the selected queue exists and is not ready. Returns false if off is not one of them. */
static bool write_queue_setup(struct virtio_transport *t, uint32_t off, uint32_t val)
{
    struct virtq *q = selected(t);
    uint64_t *addr;

    switch (off) {
    case VIRTIO_MMIO_QUEUE_NUM:
        if (q && !q->ready)
            q->num = val <= 0xffff ? (uint16_t)val : 0;
        return true;
    case VIRTIO_MMIO_QUEUE_DESC_LOW: case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        addr = q ? &q->desc : NULL;
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW: case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        addr = q ? &q->avail : NULL;
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW: case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        addr = q ? &q->used : NULL;
        break;
    default:
        return false;
    }
    if (addr && !q->ready)
        set_half(addr, off & 4, val);
    return true;
}

/* A 32-bit write to register off (below 0x100). Returns false if off names no writable
 * register. */
static bool write_register(struct virtio_transport *t, uint32_t off, uint32_t val)
{
    struct virtq *q = selected(t);

    switch (off) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL: t->device_features_sel = val; return true;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL: t->driver_features_sel = val; return true;
    case VIRTIO_MMIO_QUEUE_SEL:           t->queue_sel = val; return true;
    case VIRTIO_MMIO_QUEUE_NOTIFY:        write_notify(t, val); return true;
    case VIRTIO_MMIO_INTERRUPT_ACK:       t->interrupt_status &= ~val; return true;
    case VIRTIO_MMIO_STATUS:              write_status(t, val); return true;
    case VIRTIO_MMIO_SHM_SEL:             return true;     /* no shared memory regions */
    case VIRTIO_MMIO_DRIVER_FEATURES:
        if (t->status & VIRTIO_STATUS_FEATURES_OK)
            return true;                                    /* frozen once accepted */
        if (t->driver_features_sel < 2)
            set_half(&t->driver_features, t->driver_features_sel == 1, val);
        else if (val)
            t->driver_features_stray = true;
        return true;
    case VIRTIO_MMIO_QUEUE_READY:
        if (q)
            write_queue_ready(t, q, val);
        return true;
    default:
        return write_queue_setup(t, off, val);
    }
}

/* DeviceFeatures: the 32 bits the selector picks (0 above bit 63). */
static uint32_t device_features(const struct virtio_transport *t)
{
    if (t->device_features_sel >= 2)
        return 0;
    return (uint32_t)(t->offered >> (32 * t->device_features_sel));
}

/* A 32-bit read of register off (below 0x100); *ok false if off names no readable one. */
static uint32_t read_register(struct virtio_transport *t, uint32_t off, bool *ok)
{
    struct virtq *q = selected(t);

    *ok = true;
    switch (off) {
    case VIRTIO_MMIO_MAGIC_VALUE:       return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION_REG:       return VIRTIO_MMIO_VERSION;
    case VIRTIO_MMIO_DEVICE_ID:         return t->ops->device_id;
    case VIRTIO_MMIO_VENDOR_ID:         return VIRTIO_MMIO_VENDOR;
    case VIRTIO_MMIO_DEVICE_FEATURES:   return device_features(t);
    case VIRTIO_MMIO_QUEUE_NUM_MAX:     return q ? t->ops->queue_max : 0;
    case VIRTIO_MMIO_QUEUE_READY:       return q ? q->ready : 0;
    case VIRTIO_MMIO_INTERRUPT_STATUS:  return t->interrupt_status;
    case VIRTIO_MMIO_STATUS:            return t->status;
    case VIRTIO_MMIO_CONFIG_GENERATION: return t->config_generation;
    case VIRTIO_MMIO_SHM_LEN_LOW: case VIRTIO_MMIO_SHM_LEN_HIGH:
    case VIRTIO_MMIO_SHM_BASE_LOW: case VIRTIO_MMIO_SHM_BASE_HIGH:
        return 0xffffffffu;             /* region absent: length and base all ones (4.2.2) */
    default:
        *ok = false;
        return 0;
    }
}

/* Whether an access of size at off is a proper configuration-space one: 1, 2 or 4 bytes,
 * naturally aligned, wholly inside config_size. *coff gets the offset into the space. */
static bool config_access(const struct virtio_transport *t, uint64_t off, unsigned size,
                          unsigned *coff)
{
    uint64_t c = off - VIRTIO_MMIO_CONFIG;

    if (off < VIRTIO_MMIO_CONFIG || off >= VIRTIO_MMIO_SIZE ||
        (size != 1 && size != 2 && size != 4) || (off & (size - 1)) ||
        c + size > t->ops->config_size)
        return false;
    *coff = (unsigned)c;
    return true;
}

/* Whether an access of size at off is a proper register one: 4 bytes, aligned, below 0x100. */
static bool register_access(uint64_t off, unsigned size)
{
    return off < VIRTIO_MMIO_CONFIG && size == 4 && (off & 3) == 0;
}

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Contract: see virtio_mmio.h. */
uint32_t virtio_mmio_read(struct virtio_transport *t, uint64_t off, unsigned size)
{
    unsigned coff;
    bool ok = false;
    uint32_t v = 0;

    if (register_access(off, size))
        v = read_register(t, (uint32_t)off, &ok);
    else if (config_access(t, off, size, &coff)) {
        v = t->ops->config_read(t->dev, coff, size) & size_mask(size);
        ok = true;
    }
    if (!ok)
        t->bad_accesses++;
    return v;
}

/* Contract: see virtio_mmio.h. */
void virtio_mmio_write(struct virtio_transport *t, uint64_t off, unsigned size, uint32_t val)
{
    unsigned coff;
    bool ok = false;

    if (register_access(off, size))
        ok = write_register(t, (uint32_t)off, val);
    else if (config_access(t, off, size, &coff)) {
        ok = true;
        if (t->ops->config_write)
            t->ops->config_write(t->dev, coff, size, val & size_mask(size));
    }
    if (!ok)
        t->bad_accesses++;
}

/* Contract: see virtio_mmio.h. */
bool virtio_mmio_irq_line(const struct virtio_transport *t)
{
    return t->interrupt_status != 0;
}

/* Raise an interrupt reason (the line follows InterruptStatus). */
static void raise(struct virtio_transport *t, uint32_t why)
{
    t->interrupt_status |= why;
    t->interrupts++;
}

/* Contract: see virtio.h. */
struct virtq *virtio_queue(struct virtio_transport *t, unsigned q)
{
    return q < t->ops->num_queues ? &t->vq[q] : NULL;
}

/* Contract: see virtio.h. */
const struct virtq_mem *virtio_mem(struct virtio_transport *t)
{
    return &t->mem;
}

/* Contract: see virtio.h. */
void virtio_used(struct virtio_transport *t, unsigned q, uint16_t old_used)
{
    if (q < t->ops->num_queues && virtq_should_notify(&t->vq[q], &t->mem, old_used))
        raise(t, VIRTIO_MMIO_INT_VRING);
}

/* Contract: see virtio.h. The generation always moves (a driver reading the space must
 * retry); the interrupt only goes to a driver that is running (DRIVER_OK). */
void virtio_config_changed(struct virtio_transport *t)
{
    t->config_generation++;
    if (t->status & VIRTIO_STATUS_DRIVER_OK)
        raise(t, VIRTIO_MMIO_INT_CONFIG);
}

/* Contract: see virtio.h. A running driver is told through a configuration interrupt
 * (2.1.2); notifications are ignored until the driver resets the device. */
void virtio_device_error(struct virtio_transport *t)
{
    if (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
        return;
    t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    if (t->status & VIRTIO_STATUS_DRIVER_OK)
        raise(t, VIRTIO_MMIO_INT_CONFIG);
}

static uint64_t bus_read(void *dev, uint64_t off, unsigned size)
{
    return virtio_mmio_read(dev, off, size);
}

static void bus_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct virtio_transport *t = dev;

    if (size > 4) {                     /* no 64-bit register: dropped, as the rules say */
        t->bad_accesses++;
        return;
    }
    virtio_mmio_write(t, off, size, (uint32_t)val);
}

const struct vdev_mmio_ops virtio_mmio_ops = { "virtio-mmio", bus_read, bus_write };

/* Append to buf at *pos, cut to fit (vsnprintf's count past the end is clamped). */
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*pos + 1 >= len)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos = *pos + (size_t)n < len ? *pos + (size_t)n : len - 1;
}

/* Contract: see virtio_mmio.h. */
size_t virtio_mmio_dump(const struct virtio_transport *t, char *buf, size_t len)
{
    size_t pos = 0;

    if (len == 0)
        return 0;
    buf[0] = '\0';
    append(buf, len, &pos, "%s id=%u status=%#x feat=%#llx isr=%#x gen=%u",
           t->ops->name ? t->ops->name : "virtio", (unsigned)t->ops->device_id,
           (unsigned)t->status,
           (unsigned long long)((t->status & VIRTIO_STATUS_FEATURES_OK) ? t->driver_features
                                                                        : 0),
           (unsigned)t->interrupt_status, (unsigned)t->config_generation);
    append(buf, len, &pos, " notify=%llu irq=%llu bad=%llu", (unsigned long long)t->notifies,
           (unsigned long long)t->interrupts, (unsigned long long)t->bad_accesses);
    for (unsigned q = 0; q < t->ops->num_queues; q++) {
        const struct virtq *v = &t->vq[q];

        if (v->ready)
            append(buf, len, &pos, " q%u:num=%u,avail=%u,used=%u%s", q, (unsigned)v->num,
                   (unsigned)v->last_avail, (unsigned)v->used_idx, v->broken ? ",broken" : "");
    }
    return pos;
}
