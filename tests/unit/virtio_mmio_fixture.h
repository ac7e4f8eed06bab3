/* The test fixture of the virtio-mmio transport's unit tests (test_virtio_mmio.c,
 * test_virtio_mmio_events.c): a fake device with a config space that is not a multiple of
 * 4, a fake guest memory, the transport under test, register accessors and a driver side
 * that negotiates and sets queues up as Linux's virtio_mmio driver does. Included by each
 * test program, so its definitions are static. */
#ifndef KESTREL_TESTS_VIRTIO_MMIO_FIXTURE_H
#define KESTREL_TESTS_VIRTIO_MMIO_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_virtq.h"
#include "vdev/virtio_mmio.h"

#define CONFIG_SIZE 10u                 /* deliberately not a multiple of 4 */
#define DEV_FEATURES ((1ull << 5) | (1ull << 9) | (1ull << 34) /* RING_PACKED: dropped */)
#define OFFERED ((1ull << 5) | (1ull << 9) | VIRTIO_MMIO_TRANSPORT_FEATURES)

struct fake_dev {
    uint8_t config[CONFIG_SIZE];
    unsigned config_reads, config_writes, resets, driver_oks;
    unsigned last_coff, last_csize;
    uint64_t ok_features;
    unsigned notifies[VIRTIO_MAX_QUEUES], notify_total;
    enum { NOTIFY_NOTHING, NOTIFY_USED, NOTIFY_ERROR } on_notify;
};

static inline uint32_t cfg_read(void *dev, unsigned off, unsigned size)
{
    struct fake_dev *d = dev;
    uint32_t v = 0;

    assert_true(off + size <= CONFIG_SIZE);
    d->config_reads++;
    d->last_coff = off;
    d->last_csize = size;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->config[off + i] << (8 * i);
    if (size < 4)
        v |= 0xA5u << (8 * size);       /* junk above the size: the transport cuts it */
    return v;
}

static inline void cfg_write(void *dev, unsigned off, unsigned size, uint32_t val)
{
    struct fake_dev *d = dev;

    assert_true(off + size <= CONFIG_SIZE);
    d->config_writes++;
    for (unsigned i = 0; i < size; i++)
        d->config[off + i] = (uint8_t)(val >> (8 * i));
}

static inline void dev_notify(void *dev, struct virtio_transport *t, unsigned q)
{
    struct fake_dev *d = dev;

    assert_true(q < VIRTIO_MAX_QUEUES);
    d->notifies[q]++;
    d->notify_total++;
    if (d->on_notify == NOTIFY_USED)
        virtio_used(t, q, 0);
    else if (d->on_notify == NOTIFY_ERROR)
        virtio_device_error(t);
}

static inline void dev_reset(void *dev)
{
    ((struct fake_dev *)dev)->resets++;
}

static inline void dev_driver_ok(void *dev, struct virtio_transport *t, uint64_t features)
{
    struct fake_dev *d = dev;

    (void)t;
    d->driver_oks++;
    d->ok_features = features;
}

static const struct virtio_dev_ops fake_ops = {
    .name = "virtio-fake", .device_id = VIRTIO_ID_BLOCK, .features = DEV_FEATURES,
    .num_queues = 2, .queue_max = 256, .config_size = CONFIG_SIZE,
    .config_read = cfg_read, .config_write = cfg_write, .notify = dev_notify,
    .reset = dev_reset, .driver_ok = dev_driver_ok,
};

static inline int mem_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    (void)ctx, (void)gpa, (void)dst, (void)len;
    return -1;
}

static inline int mem_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    (void)ctx, (void)gpa, (void)src, (void)len;
    return -1;
}

static const struct virtq_mem fake_mem = { mem_read, mem_write, (void *)0x1234 };

static struct virtio_transport tr;
static struct fake_dev dev;

static int setup(void **state)
{
    (void)state;
    memset(&dev, 0, sizeof(dev));
    memset(&fake_virtq, 0, sizeof(fake_virtq));
    for (unsigned i = 0; i < CONFIG_SIZE; i++)
        dev.config[i] = (uint8_t)(0x10 + i);
    assert_int_equal(virtio_mmio_init(&tr, &fake_ops, &dev, &fake_mem), 0);
    return 0;
}

static inline uint32_t rd(uint32_t off)
{
    return virtio_mmio_read(&tr, off, 4);
}

static inline void wr(uint32_t off, uint32_t val)
{
    virtio_mmio_write(&tr, off, 4, val);
}

static inline void add_status(uint32_t bits)
{
    wr(VIRTIO_MMIO_STATUS, rd(VIRTIO_MMIO_STATUS) | bits);
}

/* Linux's vm_get_features, then vm_finalize_features writing back `features`, then
 * virtio_features_ok: FEATURES_OK and read it back. Returns whether it stuck. */
static inline bool linux_negotiate(uint64_t features)
{
    uint64_t offered;

    wr(VIRTIO_MMIO_STATUS, 0);                              /* virtio_reset_device */
    add_status(VIRTIO_STATUS_ACKNOWLEDGE);
    add_status(VIRTIO_STATUS_DRIVER);
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    offered = (uint64_t)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    offered |= rd(VIRTIO_MMIO_DEVICE_FEATURES);
    assert_int_equal(offered, OFFERED);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
    add_status(VIRTIO_STATUS_FEATURES_OK);
    return rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK;
}

/* Linux's vm_setup_vq for queue q of size num with its areas at base. */
static inline void linux_setup_queue(unsigned q, unsigned num, uint64_t base)
{
    uint64_t desc = base, avail = base + 16 * num, used = (avail + 6 + 2 * num + 3) & ~3ull;

    wr(VIRTIO_MMIO_QUEUE_SEL, q);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    assert_true(rd(VIRTIO_MMIO_QUEUE_NUM_MAX) >= num);
    wr(VIRTIO_MMIO_QUEUE_NUM, num);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
    wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
    assert_int_equal(tr.vq[q].num, num);
    assert_int_equal(tr.vq[q].desc, desc);
    assert_int_equal(tr.vq[q].avail, avail);
    assert_int_equal(tr.vq[q].used, used);
}

/* A driver brought all the way up: features, both queues, DRIVER_OK. */
static inline void bring_up(uint64_t features)
{
    assert_true(linux_negotiate(features));
    linux_setup_queue(0, 128, 0x100000);
    linux_setup_queue(1, 256, 0x123450000ull);
    add_status(VIRTIO_STATUS_DRIVER_OK);
    assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK);
}


#endif
