/* The virtio-mmio transport with the real split-virtqueue walker (src/vdev/virtq.c) over a
 * small fake guest RAM: a driver doing what Linux's virtio_mmio and virtio_ring do (queue
 * setup through the registers, a descriptor, the available ring, a kick) and a device that
 * echoes each request back: the used ring in guest memory, InterruptStatus and the line,
 * NO_INTERRUPT honoured, and a malformed ring ending in DEVICE_NEEDS_RESET with a
 * configuration interrupt. Built only once src/vdev/virtq.c is in the tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/virtio_mmio.h"

#define RAM_SIZE 0x10000u
#define DESC  0x1000u
#define AVAIL 0x2000u
#define USED  0x3000u
#define BUF   0x8000u
#define QNUM  8u

static uint8_t ram[RAM_SIZE];
static struct virtio_transport tr;
static unsigned served, errors;

static int mem_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
    (void)ctx;
    if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
        return -1;
    memcpy(dst, ram + gpa, len);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
    (void)ctx;
    if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
        return -1;
    memcpy(ram + gpa, src, len);
    return 0;
}

static const struct virtq_mem mem = { mem_read, mem_write, NULL };

static uint32_t cfg_read(void *dev, unsigned off, unsigned size)
{
    (void)dev, (void)off, (void)size;
    return 0;
}

/* The echo device: every request comes back with its writable bytes filled with 0xEE. */
static void echo_notify(void *dev, struct virtio_transport *t, unsigned qi)
{
    struct virtq *q = virtio_queue(t, qi);
    static struct virtq_req req;
    uint8_t fill[64];
    uint16_t old = q->used_idx;
    int r;

    (void)dev;
    memset(fill, 0xEE, sizeof(fill));
    while ((r = virtq_pop(q, virtio_mem(t), &req)) == 1) {
        size_t n = virtq_scatter(&req, virtio_mem(t), 0, fill,
                                 req.in_len < sizeof(fill) ? req.in_len : sizeof(fill));
        virtq_push(q, virtio_mem(t), req.head, (uint32_t)n);
        served++;
    }
    if (r < 0) {
        errors++;
        virtio_device_error(t);
        return;
    }
    virtio_used(t, qi, old);
}

static void echo_reset(void *dev)
{
    (void)dev;
}

static const struct virtio_dev_ops echo_ops = {
    .name = "virtio-echo", .device_id = VIRTIO_ID_RNG, .num_queues = 1, .queue_max = 64,
    .config_read = cfg_read, .notify = echo_notify, .reset = echo_reset,
};

static void wr(uint32_t off, uint32_t val) { virtio_mmio_write(&tr, off, 4, val); }
static uint32_t rd(uint32_t off) { return virtio_mmio_read(&tr, off, 4); }

static void put16(uint64_t gpa, uint16_t v) { memcpy(ram + gpa, &v, 2); }
static uint16_t get16(uint64_t gpa) { uint16_t v; memcpy(&v, ram + gpa, 2); return v; }
static uint32_t get32(uint64_t gpa) { uint32_t v; memcpy(&v, ram + gpa, 4); return v; }

/* Descriptor i: a device-writable buffer of len bytes at addr. */
static void put_desc(unsigned i, uint64_t addr, uint32_t len)
{
    uint8_t d[16] = { 0 };

    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    d[12] = VIRTQ_DESC_F_WRITE;
    memcpy(ram + DESC + 16 * i, d, 16);
}

/* Offer descriptor head in the available ring and kick queue 0. */
static void offer_and_kick(uint16_t head)
{
    uint16_t idx = get16(AVAIL + 2);

    put16(AVAIL + 4 + 2 * (idx % QNUM), head);
    put16(AVAIL + 2, (uint16_t)(idx + 1));
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static int setup(void **state)
{
    (void)state;
    memset(ram, 0, sizeof(ram));
    served = errors = 0;
    assert_int_equal(virtio_mmio_init(&tr, &echo_ops, NULL, &mem), 0);
    wr(VIRTIO_MMIO_STATUS, 0);
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);                     /* VERSION_1 */
    wr(VIRTIO_MMIO_STATUS, 0x0b);
    wr(VIRTIO_MMIO_QUEUE_SEL, 0);
    wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    wr(VIRTIO_MMIO_STATUS, 0x0f);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0f);
    return 0;
}

static void test_request_round_trip(void **state)
{
    (void)state;
    put_desc(0, BUF, 16);
    offer_and_kick(0);
    assert_int_equal(served, 1);
    assert_int_equal(get16(USED + 2), 1);                   /* used idx */
    assert_int_equal(get32(USED + 4), 0);                   /* used elem id */
    assert_int_equal(get32(USED + 8), 16);                  /* bytes written */
    assert_int_equal(ram[BUF], 0xEE);
    assert_int_equal(ram[BUF + 15], 0xEE);
    assert_int_equal(ram[BUF + 16], 0);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
    assert_true(virtio_mmio_irq_line(&tr));
    wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    assert_false(virtio_mmio_irq_line(&tr));
    /* The driver asks for no interrupt: the buffer comes back silently. */
    put16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
    put_desc(1, BUF + 0x100, 8);
    offer_and_kick(1);
    assert_int_equal(get16(USED + 2), 2);
    assert_int_equal(get32(USED + 4 + 8), 1);
    assert_false(virtio_mmio_irq_line(&tr));
}

static void test_malformed_ring_needs_reset(void **state)
{
    (void)state;
    put16(AVAIL + 4, QNUM + 3);                             /* a head past the table */
    put16(AVAIL + 2, 1);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    assert_int_equal(errors, 1);
    assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
    assert_true(virtio_mmio_irq_line(&tr));
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);                        /* ignored until reset */
    assert_int_equal(errors, 1);
    /* The driver resets and starts over: the queue works again. */
    memset(ram, 0, sizeof(ram));
    setup(NULL);
    put_desc(0, BUF, 4);
    offer_and_kick(0);
    assert_int_equal(served, 1);
    assert_int_equal(get16(USED + 2), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_request_round_trip, setup),
        cmocka_unit_test_setup(test_malformed_ring_needs_reset, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
