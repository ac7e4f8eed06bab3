/* libFuzzer target for the virtio-mmio transport (src/vdev/virtio_mmio.c): a device whose
 * queue count, queue size, config size and features come from the input, driven by a
 * hostile driver's script through the MMIO bus ops -- register writes and reads picked from
 * the register map (so most hit one) and raw accesses at any offset and size -- mixed with
 * the device's own calls (used buffers on any queue index, config changes, errors, from its
 * notify handler too) and machine resets. The virtq walker is the tests' stand-in
 * (tests/unit/fake_virtq.c), its should_notify answer taken from the input. Besides
 * ASan/UBSan it checks after every step: the line is InterruptStatus != 0 and only its two
 * bits are ever set; FEATURES_OK implies a subset of the offered features with VERSION_1;
 * DRIVER_OK implies FEATURES_OK; every ready queue has a valid size and aligned areas;
 * queues the device lacks stay untouched; the magic and version always read right; the
 * device is asked only for proper config accesses and notified only for its ready queues
 * after DRIVER_OK and before DEVICE_NEEDS_RESET; the dump stays inside its buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_virtq.h"
#include "vdev/virtio_mmio.h"

struct cursor {
    const uint8_t *p;
    size_t n;
};

/* The next n (<= 8) input bytes little-endian; 0 once the input is used up. */
static uint64_t take(struct cursor *c, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n && c->n; i++, c->p++, c->n--)
        v |= (uint64_t)*c->p << (8 * i);
    return v;
}

struct fuzz_dev {
    struct virtio_dev_ops ops;
    struct virtio_transport t;
    uint8_t reaction;               /* what notify does: 0 nothing, 1 used, 2 error, 3 cfg */
};

static struct fuzz_dev fd;

static uint32_t cfg_read(void *dev, unsigned off, unsigned size)
{
    struct fuzz_dev *d = dev;

    if ((size != 1 && size != 2 && size != 4) || off % size || off + size > d->ops.config_size)
        abort();
    return 0xdeadbeefu ^ off;
}

static void cfg_write(void *dev, unsigned off, unsigned size, uint32_t val)
{
    struct fuzz_dev *d = dev;

    if ((size != 1 && size != 2 && size != 4) || off % size || off + size > d->ops.config_size)
        abort();
    if (size < 4 && val >> (8 * size))
        abort();                    /* the transport cuts a value to its size */
}

static void dev_notify(void *dev, struct virtio_transport *t, unsigned q)
{
    struct fuzz_dev *d = dev;

    if (t != &d->t || q >= d->ops.num_queues || !t->vq[q].ready ||
        !(t->status & VIRTIO_STATUS_DRIVER_OK) ||
        (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
        abort();
    switch (d->reaction & 3) {
    case 1: virtio_used(t, q, (uint16_t)(d->reaction >> 2)); break;
    case 2: virtio_device_error(t); break;
    case 3: virtio_config_changed(t); break;
    }
}

static void dev_reset(void *dev)
{
    (void)dev;
}

static void dev_driver_ok(void *dev, struct virtio_transport *t, uint64_t features)
{
    (void)dev;
    if (features & ~t->offered || !(features & VIRTIO_F_VERSION_1))
        abort();
}

static int mem_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    (void)ctx, (void)gpa, (void)dst, (void)len;
    return -1;
}

static int mem_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    (void)ctx, (void)gpa, (void)src, (void)len;
    return -1;
}

static const struct virtq_mem mem = { mem_read, mem_write, NULL };

/* Register offsets the script picks from. */
static const uint16_t regs[] = {
    0x000, 0x004, 0x008, 0x00c, 0x010, 0x014, 0x020, 0x024, 0x030, 0x034, 0x038, 0x044,
    0x050, 0x060, 0x064, 0x070, 0x080, 0x084, 0x090, 0x094, 0x0a0, 0x0a4, 0x0ac, 0x0b0,
    0x0b4, 0x0b8, 0x0bc, 0x0c0, 0x0fc, 0x100, 0x104, 0x108,
};

static void check(const struct fuzz_dev *d)
{
    const struct virtio_transport *t = &d->t;
    char line[512];
    struct virtq zero;

    if (virtio_mmio_irq_line(t) != (t->interrupt_status != 0) || (t->interrupt_status & ~3u))
        abort();
    if ((t->status & VIRTIO_STATUS_FEATURES_OK) &&
        ((t->driver_features & ~t->offered) || !(t->driver_features & VIRTIO_F_VERSION_1)))
        abort();
    if ((t->status & VIRTIO_STATUS_DRIVER_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK))
        abort();
    memset(&zero, 0, sizeof(zero));
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
        const struct virtq *v = &t->vq[q];

        if (q >= d->ops.num_queues && memcmp(v, &zero, sizeof(zero)))
            abort();
        if (v->ready && (v->num == 0 || (v->num & (v->num - 1)) || v->num > d->ops.queue_max ||
                         v->desc % 16 || v->avail % 2 || v->used % 4))
            abort();
    }
    line[sizeof(line) - 1] = 0x5a;
    if (virtio_mmio_dump(t, line, sizeof(line) - 1) >= sizeof(line) - 1 ||
        line[sizeof(line) - 1] != 0x5a)
        abort();
}

/* One step of the script. */
static void step(struct fuzz_dev *d, struct cursor *c)
{
    unsigned op = (unsigned)take(c, 1);
    uint64_t off, val;
    unsigned size;

    switch (op % 7) {
    case 0:                             /* a register write */
        off = regs[take(c, 1) % (sizeof(regs) / sizeof(regs[0]))];
        virtio_mmio_ops.write(&d->t, off, 4, take(c, 4));
        break;
    case 1:                             /* a register read */
        off = regs[take(c, 1) % (sizeof(regs) / sizeof(regs[0]))];
        val = virtio_mmio_ops.read(&d->t, off, 4);
        if (val >> 32)
            abort();
        break;
    case 2:                             /* a raw read anywhere in and past the window */
        off = take(c, 2) % 0x240;
        size = 1u << (take(c, 1) % 4);
        val = virtio_mmio_ops.read(&d->t, off, size);
        if (size < 8 && val >> (8 * size))
            abort();
        break;
    case 3:                             /* a raw write */
        off = take(c, 2) % 0x240;
        size = 1u << (take(c, 1) % 4);
        virtio_mmio_ops.write(&d->t, off, size, take(c, 8));
        break;
    case 4:                             /* the device's own calls */
        fake_virtq.should_notify = take(c, 1) & 1;
        switch (take(c, 1) % 3) {
        case 0: virtio_used(&d->t, (unsigned)take(c, 1) % 8, (uint16_t)take(c, 2)); break;
        case 1: virtio_config_changed(&d->t); break;
        default: virtio_device_error(&d->t); break;
        }
        if (virtio_queue(&d->t, d->ops.num_queues) != NULL)
            abort();
        break;
    case 5:                             /* what the device does when notified */
        d->reaction = (uint8_t)take(c, 1);
        fake_virtq.should_notify = take(c, 1) & 1;
        break;
    default:
        virtio_mmio_reset(&d->t);
        if (d->t.status || d->t.interrupt_status)
            abort();
        break;
    }
    if (virtio_mmio_ops.read(&d->t, VIRTIO_MMIO_MAGIC_VALUE, 4) != VIRTIO_MMIO_MAGIC ||
        virtio_mmio_ops.read(&d->t, VIRTIO_MMIO_VERSION_REG, 4) != VIRTIO_MMIO_VERSION)
        abort();
    check(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cursor c = { data, size };

    memset(&fd, 0, sizeof(fd));
    memset(&fake_virtq, 0, sizeof(fake_virtq));
    /* One field at a time: an initializer list's order of evaluation is unspecified. */
    fd.ops.name = "virtio-fuzz";
    fd.ops.device_id = (uint32_t)take(&c, 1);
    fd.ops.num_queues = 1 + (unsigned)take(&c, 1) % VIRTIO_MAX_QUEUES;
    fd.ops.queue_max = (uint16_t)(1 + take(&c, 2) % VIRTQ_MAX_NUM);
    fd.ops.config_size = (unsigned)take(&c, 2) % 0x180;
    fd.ops.features = take(&c, 8);
    fd.ops.config_read = cfg_read;
    fd.ops.config_write = (take(&c, 1) & 1) ? cfg_write : NULL;
    fd.ops.notify = dev_notify;
    fd.ops.reset = dev_reset;
    fd.ops.driver_ok = dev_driver_ok;
    if (virtio_mmio_init(&fd.t, &fd.ops, &fd, &mem) != 0)
        abort();
    while (c.n)
        step(&fd, &c);
    return 0;
}
