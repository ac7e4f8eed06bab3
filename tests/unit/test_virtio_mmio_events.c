/* Unit tests for the virtio-mmio transport (src/vdev/virtio_mmio.c), its events: the
 * interrupt status, acknowledge and line, none before DRIVER_OK, device reset, and the
 * config space's bounds and generation. */
#include "virtio_mmio_fixture.h"

static void test_interrupts(void **state)
{
    (void)state;
    bring_up(VIRTIO_F_VERSION_1);
    /* Used buffers interrupt only when the ring says so. */
    fake_virtq.should_notify = false;
    virtio_used(&tr, 1, 0x1234);
    assert_int_equal(fake_virtq.should_notify_calls, 1);
    assert_ptr_equal(fake_virtq.last_q, &tr.vq[1]);
    assert_ptr_equal(fake_virtq.last_mem, virtio_mem(&tr));
    assert_int_equal(fake_virtq.last_old_used, 0x1234);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    assert_false(virtio_mmio_irq_line(&tr));
    fake_virtq.should_notify = true;
    dev.on_notify = NOTIFY_USED;
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
    assert_true(virtio_mmio_irq_line(&tr));
    virtio_used(&tr, 5, 0);                                 /* no such queue: nothing */
    assert_int_equal(fake_virtq.should_notify_calls, 2);
    /* Acknowledging clears only the bits written. */
    virtio_config_changed(&tr);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 3);
    assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
    wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
    assert_true(virtio_mmio_irq_line(&tr));
    wr(VIRTIO_MMIO_INTERRUPT_ACK, 0xfffffffc);
    assert_true(virtio_mmio_irq_line(&tr));
    wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    assert_false(virtio_mmio_irq_line(&tr));
    /* A device error: DEVICE_NEEDS_RESET and a configuration interrupt, once. */
    virtio_device_error(&tr);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0f | VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
    wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
    virtio_device_error(&tr);
    assert_false(virtio_mmio_irq_line(&tr));
}

static void test_no_interrupt_before_driver_ok(void **state)
{
    (void)state;
    assert_true(linux_negotiate(VIRTIO_F_VERSION_1));
    virtio_config_changed(&tr);
    assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);  /* the generation still moves */
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    virtio_device_error(&tr);
    assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    assert_false(virtio_mmio_irq_line(&tr));
}

static void test_reset(void **state)
{
    unsigned resets_before;

    (void)state;
    bring_up(VIRTIO_F_VERSION_1 | VIRTIO_F_RING_EVENT_IDX);
    virtio_config_changed(&tr);
    virtio_device_error(&tr);
    wr(VIRTIO_MMIO_QUEUE_SEL, 1);
    wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    assert_true(virtio_mmio_irq_line(&tr));
    resets_before = dev.resets;
    wr(VIRTIO_MMIO_STATUS, 0);
    assert_int_equal(dev.resets, resets_before + 1);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
    assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
    assert_false(virtio_mmio_irq_line(&tr));
    assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)OFFERED);   /* sel back to 0 */
    assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);                       /* queue 0 */
    for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
        assert_false(tr.vq[q].ready);
        assert_int_equal(tr.vq[q].num, 0);
        assert_int_equal(tr.vq[q].desc | tr.vq[q].avail | tr.vq[q].used, 0);
        assert_false(tr.vq[q].event_idx);
    }
    assert_int_equal(tr.driver_features, 0);
    assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);  /* keeps counting */
    /* After a reset the device works again. */
    dev.notify_total = 0;
    bring_up(VIRTIO_F_VERSION_1);
    wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
    assert_int_equal(dev.notify_total, 1);
    /* The machine's reset does the same. */
    virtio_mmio_reset(&tr);
    assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
    assert_false(tr.vq[0].ready || tr.vq[1].ready);
}

static void test_config_space(void **state)
{
    (void)state;
    assert_int_equal(virtio_mmio_read(&tr, 0x100, 4), 0x13121110);
    assert_int_equal(virtio_mmio_read(&tr, 0x104, 4), 0x17161514);
    assert_int_equal(virtio_mmio_read(&tr, 0x108, 2), 0x1918);
    assert_int_equal(virtio_mmio_read(&tr, 0x109, 1), 0x19);
    assert_int_equal(virtio_mmio_read(&tr, 0x102, 2), 0x1312);
    assert_int_equal(dev.last_coff, 2);
    assert_int_equal(dev.last_csize, 2);
    /* Past config_size, misaligned, or a size other than 1/2/4: 0, and the device is not
     * asked. */
    dev.config_reads = 0;
    assert_int_equal(virtio_mmio_read(&tr, 0x108, 4), 0);
    assert_int_equal(virtio_mmio_read(&tr, 0x10a, 1), 0);
    assert_int_equal(virtio_mmio_read(&tr, 0x1fc, 4), 0);
    assert_int_equal(virtio_mmio_read(&tr, 0x101, 2), 0);
    assert_int_equal(virtio_mmio_read(&tr, 0x102, 4), 0);
    assert_int_equal(virtio_mmio_read(&tr, 0x100, 8), 0);
    assert_int_equal(virtio_mmio_read(&tr, 0x100, 3), 0);
    assert_int_equal(virtio_mmio_read(&tr, 0x200, 1), 0);
    assert_int_equal(virtio_mmio_read(&tr, ~0ull - 1, 2), 0);
    assert_int_equal(dev.config_reads, 0);
    /* Writes go to the device, cut to their size; bad ones never do. */
    virtio_mmio_write(&tr, 0x104, 2, 0xdeadbeef);
    assert_int_equal(dev.config[4], 0xef);
    assert_int_equal(dev.config[5], 0xbe);
    assert_int_equal(dev.config[6], 0x16);
    virtio_mmio_write(&tr, 0x109, 1, 0x77);
    assert_int_equal(dev.config[9], 0x77);
    assert_int_equal(dev.config_writes, 2);
    virtio_mmio_write(&tr, 0x10a, 1, 1);
    virtio_mmio_write(&tr, 0x108, 4, 1);
    virtio_mmio_write(&tr, 0x103, 2, 1);
    virtio_mmio_write(&tr, 0x100, 8, 1);
    assert_int_equal(dev.config_writes, 2);
    /* A device without config_write ignores writes. */
    struct virtio_dev_ops ro = fake_ops;
    ro.config_write = NULL;
    assert_int_equal(virtio_mmio_init(&tr, &ro, &dev, &fake_mem), 0);
    virtio_mmio_write(&tr, 0x100, 4, 0);
    assert_int_equal(dev.config[0], 0x10);
    assert_int_equal(tr.bad_accesses, 0);
    /* The generation moves with each change the device reports. */
    virtio_config_changed(&tr);
    virtio_config_changed(&tr);
    assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 2);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_interrupts, setup),
        cmocka_unit_test_setup(test_no_interrupt_before_driver_ok, setup),
        cmocka_unit_test_setup(test_reset, setup),
        cmocka_unit_test_setup(test_config_space, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
