/* Unit tests for the virtio-mmio transport (src/vdev/virtio_mmio.c) with a fake device and
 * the fake virtq walker (fake_virtq.c): the register map and its reset values, feature
 * negotiation and queue setup in the order Linux's virtio_mmio driver does them, notify
 * reaching the device, every kind of bad access, the MMIO bus, init's refusals and the
 * dump. Interrupts, reset and the config space are in test_virtio_mmio_events.c. */
#include "virtio_mmio_fixture.h"

static void test_identity_and_reset_values(void **state)
{
    (void)state;
    assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
    assert_int_equal(rd(VIRTIO_MMIO_VERSION_REG), 2);
    assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
    assert_int_equal(rd(VIRTIO_MMIO_VENDOR_ID), 0x4b53544c);
    assert_memory_equal(&(uint32_t){ rd(VIRTIO_MMIO_VENDOR_ID) }, "LTSK", 4);
    assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)OFFERED);
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)(OFFERED >> 32));
    assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES) & (1u << 2), 0);   /* bit 34 dropped */
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
    assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
    assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 256);             /* QueueSel 0 */
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
    assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
    assert_false(virtio_mmio_irq_line(&tr));
    /* Write-only registers read 0; no shared memory region (length all ones). */
    wr(VIRTIO_MMIO_QUEUE_NUM, 64);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM), 0);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_SEL), 0);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_ACK), 0);
    assert_int_equal(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
    assert_int_equal(rd(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
    /* Read-only registers ignore writes. */
    wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
    wr(VIRTIO_MMIO_DEVICE_ID, 9);
    wr(VIRTIO_MMIO_INTERRUPT_STATUS, 3);
    wr(VIRTIO_MMIO_CONFIG_GENERATION, 7);
    assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
    assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
}

static void test_linux_negotiation(void **state)
{
    uint64_t want = VIRTIO_F_VERSION_1 | VIRTIO_F_RING_EVENT_IDX | (1ull << 9);

    (void)state;
    assert_true(linux_negotiate(want));
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE |
                     VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    linux_setup_queue(0, 128, 0x100000);
    assert_true(tr.vq[0].event_idx);
    assert_int_equal(dev.driver_oks, 0);
    add_status(VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0f);
    assert_int_equal(dev.driver_oks, 1);
    assert_int_equal(dev.ok_features, want);
    /* Setting a bit again calls nothing again; bits are never cleared but by 0. */
    wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(dev.driver_oks, 1);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0f);
    /* Without EVENT_IDX the queues do not use it. */
    assert_true(linux_negotiate(VIRTIO_F_VERSION_1));
    linux_setup_queue(0, 128, 0x100000);
    assert_false(tr.vq[0].event_idx);
}

static void test_features_ok_refused(void **state)
{
    (void)state;
    assert_false(linux_negotiate(1ull << 9));                     /* no VERSION_1: legacy */
    assert_false(linux_negotiate(VIRTIO_F_VERSION_1 | (1ull << 3)));       /* not offered */
    assert_false(linux_negotiate(VIRTIO_F_VERSION_1 | (1ull << 34)));  /* the device's, dropped */
    /* A stray bit through a selector above 1 is a feature nobody offered. */
    wr(VIRTIO_MMIO_STATUS, 0);
    add_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 0x10);
    add_status(VIRTIO_STATUS_FEATURES_OK);
    assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
    /* DRIVER_OK without FEATURES_OK is refused, and the device never hears of it. */
    add_status(VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    assert_int_equal(dev.driver_oks, 0);
    /* After FEATURES_OK the driver's features are frozen. */
    assert_true(linux_negotiate(VIRTIO_F_VERSION_1));
    wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << 5);
    add_status(VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(dev.ok_features, VIRTIO_F_VERSION_1);
    /* The driver cannot set DEVICE_NEEDS_RESET; FAILED is recorded. */
    add_status(VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0f | VIRTIO_STATUS_FAILED);
}

static void test_queue_setup_rules(void **state)
{
    (void)state;
    assert_true(linux_negotiate(VIRTIO_F_VERSION_1));
    /* A queue the device does not have: everything reads 0, writes go nowhere. */
    wr(VIRTIO_MMIO_QUEUE_SEL, 2);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
    wr(VIRTIO_MMIO_QUEUE_NUM, 16);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_SEL, 0xffffffff);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
        assert_false(tr.vq[q].ready || tr.vq[q].num || tr.vq[q].desc);
    /* Sizes: 0, not a power of two, above QueueNumMax, above 16 bits are refused. */
    wr(VIRTIO_MMIO_QUEUE_SEL, 0);
    static const uint32_t bad_num[] = { 0, 3, 100, 512, 0x10000 + 64 };
    for (unsigned i = 0; i < sizeof(bad_num) / sizeof(bad_num[0]); i++) {
        wr(VIRTIO_MMIO_QUEUE_NUM, bad_num[i]);
        wr(VIRTIO_MMIO_QUEUE_READY, 1);
        assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    }
    /* Misaligned areas are refused: desc 16, driver 2, device 4. */
    wr(VIRTIO_MMIO_QUEUE_NUM, 64);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1008);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x2001);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x2002);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x3002);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x3004);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
    /* While ready, setup writes are ignored. */
    wr(VIRTIO_MMIO_QUEUE_NUM, 32);
    wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 1);
    wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0);
    wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 5);
    assert_int_equal(tr.vq[0].num, 64);
    assert_int_equal(tr.vq[0].desc, 0x1000);
    assert_int_equal(tr.vq[0].avail, 0x2002);
    assert_int_equal(tr.vq[0].used, 0x3004);
    /* Each queue has its own setup. */
    assert_false(tr.vq[1].ready);
    assert_int_equal(tr.vq[1].num, 0);
    /* QueueReady = 0 stops it (Linux's vm_del_vq checks it reads back 0); a new start
     * begins the ring from index 0. */
    tr.vq[0].last_avail = 7;
    tr.vq[0].used_idx = 7;
    tr.vq[0].broken = true;
    wr(VIRTIO_MMIO_QUEUE_READY, 0);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
    wr(VIRTIO_MMIO_QUEUE_NUM, 32);
    wr(VIRTIO_MMIO_QUEUE_READY, 1);
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
    assert_int_equal(tr.vq[0].num, 32);
    assert_int_equal(tr.vq[0].last_avail, 0);
    assert_int_equal(tr.vq[0].used_idx, 0);
    assert_false(tr.vq[0].broken);
    assert_ptr_equal(virtio_queue(&tr, 0), &tr.vq[0]);
    assert_ptr_equal(virtio_queue(&tr, 1), &tr.vq[1]);
    assert_null(virtio_queue(&tr, 2));
    assert_null(virtio_queue(&tr, 1000));
}

static void test_notify_reaches_device(void **state)
{
    (void)state;
    assert_true(linux_negotiate(VIRTIO_F_VERSION_1));
    linux_setup_queue(0, 128, 0x100000);
    /* Kicks before DRIVER_OK wait for it (Linux's balloon kicks its stats queue early). */
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);                        /* not ready: dropped */
    assert_int_equal(dev.notify_total, 0);
    linux_setup_queue(1, 64, 0x200000);
    add_status(VIRTIO_STATUS_DRIVER_OK);
    assert_int_equal(dev.notifies[0], 1);
    assert_int_equal(dev.notifies[1], 0);
    /* After DRIVER_OK each kick reaches the device with its queue. */
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    assert_int_equal(dev.notifies[0], 2);
    assert_int_equal(dev.notifies[1], 2);
    /* Queues the device lacks, and not-ready queues, are never notified. */
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0x10000);
    wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    wr(VIRTIO_MMIO_QUEUE_READY, 0);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    assert_int_equal(dev.notify_total, 4);
    /* A device error stops notifications until reset. */
    dev.on_notify = NOTIFY_ERROR;
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    assert_int_equal(dev.notify_total, 5);
    assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    assert_int_equal(dev.notify_total, 5);
}

static void test_bad_register_accesses(void **state)
{
    (void)state;
    /* Registers take only aligned 32-bit accesses. */
    assert_int_equal(virtio_mmio_read(&tr, VIRTIO_MMIO_MAGIC_VALUE, 1), 0);
    assert_int_equal(virtio_mmio_read(&tr, VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
    assert_int_equal(virtio_mmio_read(&tr, VIRTIO_MMIO_MAGIC_VALUE + 1, 4), 0);
    assert_int_equal(virtio_mmio_read(&tr, VIRTIO_MMIO_MAGIC_VALUE, 8), 0);
    assert_int_equal(tr.bad_accesses, 4);
    virtio_mmio_write(&tr, VIRTIO_MMIO_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
    virtio_mmio_write(&tr, VIRTIO_MMIO_STATUS, 2, VIRTIO_STATUS_ACKNOWLEDGE);
    virtio_mmio_write(&tr, VIRTIO_MMIO_STATUS + 2, 4, VIRTIO_STATUS_ACKNOWLEDGE);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
    /* Offsets naming no register. */
    assert_int_equal(rd(0x018), 0);
    assert_int_equal(rd(0x0c0), 0);
    wr(0x040, 1);
    wr(0x0f8, 1);
    assert_int_equal(tr.bad_accesses, 7 + 4);
    /* 64-bit accesses through the bus ops are dropped too. */
    virtio_mmio_ops.write(&tr, VIRTIO_MMIO_STATUS, 8, 1);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
    assert_int_equal(tr.bad_accesses, 12);
    /* None of this reached the device. */
    assert_int_equal(dev.config_reads + dev.config_writes + dev.notify_total, 0);
}

static void test_on_the_mmio_bus(void **state)
{
    struct vdev_mmio_bus bus;
    uint64_t v = 0;

    (void)state;
    vdev_mmio_init(&bus);
    assert_int_equal(vdev_mmio_register(&bus, VIRTIO_MMIO_BASE, VIRTIO_MMIO_SIZE,
                                        &virtio_mmio_ops, &tr), 0);
    assert_true(vdev_mmio_access(&bus, VIRTIO_MMIO_BASE, 4, false, &v));
    assert_int_equal(v, VIRTIO_MMIO_MAGIC);
    v = VIRTIO_STATUS_ACKNOWLEDGE;
    assert_true(vdev_mmio_access(&bus, VIRTIO_MMIO_BASE + VIRTIO_MMIO_STATUS, 4, true, &v));
    assert_int_equal(tr.status, VIRTIO_STATUS_ACKNOWLEDGE);
    assert_true(vdev_mmio_access(&bus, VIRTIO_MMIO_BASE + 0x101, 1, false, &v));
    assert_int_equal(v, 0x11);
    assert_false(vdev_mmio_access(&bus, VIRTIO_MMIO_BASE + 0x200, 4, false, &v));
    assert_string_equal(virtio_mmio_ops.name, "virtio-mmio");
}

static void test_init_refuses_bad_ops(void **state)
{
    struct virtio_dev_ops o;
    struct virtq_mem m = fake_mem;

    (void)state;
    o = fake_ops, o.num_queues = 0;
    assert_int_equal(virtio_mmio_init(&tr, &o, &dev, &fake_mem), -1);
    o = fake_ops, o.num_queues = VIRTIO_MAX_QUEUES + 1;
    assert_int_equal(virtio_mmio_init(&tr, &o, &dev, &fake_mem), -1);
    o = fake_ops, o.queue_max = 0;
    assert_int_equal(virtio_mmio_init(&tr, &o, &dev, &fake_mem), -1);
    o = fake_ops, o.queue_max = VIRTQ_MAX_NUM + 1;
    assert_int_equal(virtio_mmio_init(&tr, &o, &dev, &fake_mem), -1);
    o = fake_ops, o.notify = NULL;
    assert_int_equal(virtio_mmio_init(&tr, &o, &dev, &fake_mem), -1);
    o = fake_ops, o.reset = NULL;
    assert_int_equal(virtio_mmio_init(&tr, &o, &dev, &fake_mem), -1);
    o = fake_ops, o.config_read = NULL;
    assert_int_equal(virtio_mmio_init(&tr, &o, &dev, &fake_mem), -1);
    assert_int_equal(virtio_mmio_init(&tr, NULL, &dev, &fake_mem), -1);
    assert_int_equal(virtio_mmio_init(&tr, &fake_ops, &dev, NULL), -1);
    m.read = NULL;
    assert_int_equal(virtio_mmio_init(&tr, &fake_ops, &dev, &m), -1);
    o = fake_ops, o.num_queues = VIRTIO_MAX_QUEUES, o.queue_max = VIRTQ_MAX_NUM;
    assert_int_equal(virtio_mmio_init(&tr, &o, &dev, &fake_mem), 0);
    assert_ptr_equal(virtio_mem(&tr)->ctx, fake_mem.ctx);
}

static void test_dump(void **state)
{
    char buf[256], small[16];

    (void)state;
    bring_up(VIRTIO_F_VERSION_1);
    virtio_mmio_dump(&tr, buf, sizeof(buf));
    assert_non_null(strstr(buf, "virtio-fake id=2 status=0xf feat=0x100000000"));
    assert_non_null(strstr(buf, " q0:num=128,avail=0,used=0"));
    assert_non_null(strstr(buf, " q1:num=256"));
    assert_int_equal(virtio_mmio_dump(&tr, small, sizeof(small)), sizeof(small) - 1);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(virtio_mmio_dump(&tr, small, 0), 0);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_identity_and_reset_values, setup),
        cmocka_unit_test_setup(test_linux_negotiation, setup),
        cmocka_unit_test_setup(test_features_ok_refused, setup),
        cmocka_unit_test_setup(test_queue_setup_rules, setup),
        cmocka_unit_test_setup(test_notify_reaches_device, setup),
        cmocka_unit_test_setup(test_bad_register_accesses, setup),
        cmocka_unit_test_setup(test_on_the_mmio_bus, setup),
        cmocka_unit_test_setup(test_init_refuses_bad_ops, setup),
        cmocka_unit_test_setup(test_dump, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
