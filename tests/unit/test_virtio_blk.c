/* Unit tests for virtio-blk (src/vdev/virtio_blk.c): requests built by a Linux-like driver
 * side in real split rings (fake_virtio.c), against a disk array in host memory: config
 * space and features, IN/OUT/FLUSH/GET_ID, the read-only disk, and every malformed request
 * answered IOERR or, without a status byte, breaking the queue. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_virtio.h"
#include "vdev/virtio_blk.h"

#define DISK_SECTORS 64u
#define STATUS_NONE 0xeeu               /* what a status byte holds until the device writes */

struct fixture {
    struct virtio_transport t;
    struct vblk b;
    uint8_t disk[DISK_SECTORS * VBLK_SECTOR];
};

static struct fixture *setup_disk(bool ro, uint64_t size)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    for (size_t i = 0; i < sizeof(f->disk); i++)
        f->disk[i] = (uint8_t)(i * 7 + i / VBLK_SECTOR);
    struct vblk_backing bk = { f->disk, size, ro };
    vblk_init(&f->b, &bk, "rootfs.img");
    fv_init(&f->t, vblk_dev_ops(&f->b), &f->b);
    return f;
}

static int setup_rw(void **state)
{
    *state = setup_disk(false, sizeof(((struct fixture *)0)->disk));
    return 0;
}

static int setup_ro(void **state)
{
    *state = setup_disk(true, sizeof(((struct fixture *)0)->disk));
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    fv_fini(&f->t);
    free(f);
    return 0;
}

/* A 16-byte request header in guest memory. */
static uint64_t header(struct fixture *f, uint32_t type, uint64_t sector)
{
    uint64_t g = fv_alloc(&f->t, VBLK_HDR_LEN);
    uint8_t *p = fv_ptr(&f->t, g);
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(type >> (8 * i));
    for (unsigned i = 0; i < 8; i++)
        p[8 + i] = (uint8_t)(sector >> (8 * i));
    return g;
}

static uint64_t status_byte(struct fixture *f)
{
    uint64_t g = fv_alloc(&f->t, 1);
    *(uint8_t *)fv_ptr(&f->t, g) = STATUS_NONE;
    return g;
}

/* Submit header + one data buffer (direction write; none if len 0) + status, kick, and
 * return the status the device wrote; *used_len gets the used element's length. */
static uint8_t request(struct fixture *f, uint32_t type, uint64_t sector, uint64_t data,
                       uint32_t len, bool write, uint32_t *used_len)
{
    struct fv_buf bufs[3];
    unsigned n = 0;
    uint64_t st = status_byte(f);
    uint16_t before = fv_used_idx(&f->t, 0), head;
    uint32_t id, ulen;

    bufs[n++] = (struct fv_buf){ header(f, type, sector), VBLK_HDR_LEN, false };
    if (len)
        bufs[n++] = (struct fv_buf){ data, len, write };
    bufs[n++] = (struct fv_buf){ st, 1, true };
    head = fv_add(&f->t, 0, bufs, n);
    fv_kick(&f->t, 0);
    assert_int_equal(fv_used_idx(&f->t, 0), (uint16_t)(before + 1));
    fv_used_elem(&f->t, 0, before, &id, &ulen);
    assert_int_equal(id, head);
    if (used_len)
        *used_len = ulen;
    return *(uint8_t *)fv_ptr(&f->t, st);
}

static void test_config_and_features(void **state)
{
    struct fixture *f = *state;
    const struct virtio_dev_ops *ops = vblk_dev_ops(&f->b);

    assert_int_equal(ops->device_id, VIRTIO_ID_BLOCK);
    assert_int_equal(ops->num_queues, 1);
    assert_true(ops->features & VIRTIO_BLK_F_SEG_MAX);
    assert_true(ops->features & VIRTIO_BLK_F_BLK_SIZE);
    assert_true(ops->features & VIRTIO_BLK_F_FLUSH);
    assert_false(ops->features & VIRTIO_BLK_F_RO);
    assert_int_equal(ops->config_read(&f->b, VBLK_CFG_CAPACITY, 4), DISK_SECTORS);
    assert_int_equal(ops->config_read(&f->b, VBLK_CFG_CAPACITY + 4, 4), 0);
    assert_int_equal(ops->config_read(&f->b, VBLK_CFG_CAPACITY, 1), DISK_SECTORS);
    assert_int_equal(ops->config_read(&f->b, VBLK_CFG_SEG_MAX, 4), VBLK_SEG_MAX);
    assert_int_equal(ops->config_read(&f->b, VBLK_CFG_SIZE_MAX, 4), VBLK_SIZE_MAX);
    assert_int_equal(ops->config_read(&f->b, VBLK_CFG_BLK_SIZE, 4), 512);
    assert_int_equal(ops->config_read(&f->b, VBLK_CFG_BLK_SIZE, 2), 512);
    assert_int_equal(ops->config_read(&f->b, 32, 4), 0);
    assert_int_equal(ops->config_read(&f->b, VBLK_CONFIG_SIZE - 2, 4), 0);
    assert_int_equal(ops->config_read(&f->b, 0xffffffffu, 4), 0);
}

static void test_ro_features(void **state)
{
    struct fixture *f = *state;
    assert_true(vblk_dev_ops(&f->b)->features & VIRTIO_BLK_F_RO);
}

static void test_capacity_rounds_down(void **state)
{
    (void)state;
    struct fixture *f = setup_disk(false, 3 * VBLK_SECTOR + 100);
    assert_int_equal(f->b.capacity, 3);
    uint64_t buf = fv_alloc(&f->t, 2 * VBLK_SECTOR);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 2, buf, VBLK_SECTOR, true, NULL),
                     VIRTIO_BLK_S_OK);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 2, buf, 2 * VBLK_SECTOR, true, NULL),
                     VIRTIO_BLK_S_IOERR);
    void *st = f;
    teardown(&st);
}

static void test_read(void **state)
{
    struct fixture *f = *state;
    uint64_t buf = fv_alloc(&f->t, 2 * VBLK_SECTOR);
    uint32_t len;

    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 3, buf, 2 * VBLK_SECTOR, true, &len),
                     VIRTIO_BLK_S_OK);
    assert_memory_equal(fv_ptr(&f->t, buf), f->disk + 3 * VBLK_SECTOR, 2 * VBLK_SECTOR);
    assert_int_equal(len, 2 * VBLK_SECTOR + 1);
    assert_int_equal(f->b.stats.reads, 1);
    assert_int_equal(f->b.stats.bytes_read, 1024);
    assert_int_equal(f->b.stats.errors, 0);
    assert_int_equal(f->t.used_calls, 1);
}

static void test_write(void **state)
{
    struct fixture *f = *state;
    uint64_t buf = fv_alloc(&f->t, VBLK_SECTOR);
    uint32_t len;

    memset(fv_ptr(&f->t, buf), 0xa5, VBLK_SECTOR);
    assert_int_equal(request(f, VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, buf, VBLK_SECTOR, false,
                             &len), VIRTIO_BLK_S_OK);
    assert_int_equal(len, 1);
    for (unsigned i = 0; i < VBLK_SECTOR; i++)
        assert_int_equal(f->disk[(DISK_SECTORS - 1) * VBLK_SECTOR + i], 0xa5);
    assert_int_not_equal(f->disk[(DISK_SECTORS - 2) * VBLK_SECTOR + 511], 0xa5);
    assert_int_equal(f->b.stats.writes, 1);
    assert_int_equal(f->b.stats.bytes_written, 512);
}

static void test_write_ro_refused(void **state)
{
    struct fixture *f = *state;
    uint64_t buf = fv_alloc(&f->t, VBLK_SECTOR);
    uint8_t before[VBLK_SECTOR];

    memcpy(before, f->disk, VBLK_SECTOR);
    memset(fv_ptr(&f->t, buf), 0xa5, VBLK_SECTOR);
    assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, buf, VBLK_SECTOR, false, NULL),
                     VIRTIO_BLK_S_IOERR);
    assert_memory_equal(f->disk, before, VBLK_SECTOR);
    assert_int_equal(f->b.stats.errors, 1);
    assert_int_equal(f->b.stats.writes, 0);
    /* Reads still work. */
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, buf, VBLK_SECTOR, true, NULL),
                     VIRTIO_BLK_S_OK);
}

static void test_flush_get_id_unsupp(void **state)
{
    struct fixture *f = *state;
    uint64_t id = fv_alloc(&f->t, VBLK_ID_BYTES);
    uint32_t len;
    char want[VBLK_ID_BYTES] = "rootfs.img";

    assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, &len), VIRTIO_BLK_S_OK);
    assert_int_equal(len, 1);
    assert_int_equal(f->b.stats.flushes, 1);
    memset(fv_ptr(&f->t, id), 0xff, VBLK_ID_BYTES);
    assert_int_equal(request(f, VIRTIO_BLK_T_GET_ID, 0, id, VBLK_ID_BYTES, true, &len),
                     VIRTIO_BLK_S_OK);
    assert_memory_equal(fv_ptr(&f->t, id), want, VBLK_ID_BYTES);
    assert_int_equal(len, VBLK_ID_BYTES + 1);
    assert_int_equal(request(f, 11 /* DISCARD */, 0, 0, 0, false, NULL), VIRTIO_BLK_S_UNSUPP);
    assert_int_equal(request(f, 0xffffffffu, 0, 0, 0, false, NULL), VIRTIO_BLK_S_UNSUPP);
    assert_int_equal(f->b.stats.unsupported, 2);
    assert_int_equal(f->b.stats.errors, 0);
}

static void test_long_serial_is_cut(void **state)
{
    (void)state;
    struct vblk b;
    struct vblk_backing bk = { NULL, 12345, false };
    vblk_init(&b, &bk, "a-module-name-longer-than-twenty.img");
    assert_memory_equal(b.serial, "a-module-name-longer", VBLK_ID_BYTES);
    assert_int_equal(b.capacity, 0);    /* no data: no disk */
}

static void test_out_of_range(void **state)
{
    struct fixture *f = *state;
    uint64_t buf = fv_alloc(&f->t, 2 * VBLK_SECTOR);

    assert_int_equal(request(f, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, buf, 2 * VBLK_SECTOR, true,
                             NULL), VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, DISK_SECTORS, buf, VBLK_SECTOR, true, NULL),
                     VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, UINT64_MAX, buf, VBLK_SECTOR, true, NULL),
                     VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_OUT, UINT64_MAX / 512 + 1, buf, VBLK_SECTOR, false,
                             NULL), VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, buf, 100, true, NULL), VIRTIO_BLK_S_IOERR);
    assert_int_equal(f->b.stats.errors, 5);
    assert_int_equal(f->b.stats.reads + f->b.stats.writes, 0);
}

static void test_too_large(void **state)
{
    struct fixture *f = *state;
    struct fv_buf bufs[20];
    uint64_t big = fv_alloc(&f->t, 1u << 20);
    unsigned n = 0;

    /* 17 MiB in one request: more than VBLK_REQ_MAX, and more than the disk. */
    bufs[n++] = (struct fv_buf){ header(f, VIRTIO_BLK_T_IN, 0), VBLK_HDR_LEN, false };
    for (unsigned i = 0; i < 17; i++)
        bufs[n++] = (struct fv_buf){ big, 1u << 20, true };
    uint64_t st = status_byte(f);
    bufs[n++] = (struct fv_buf){ st, 1, true };
    fv_add(&f->t, 0, bufs, n);
    fv_kick(&f->t, 0);
    assert_int_equal(*(uint8_t *)fv_ptr(&f->t, st), VIRTIO_BLK_S_IOERR);
}

static void test_short_header(void **state)
{
    struct fixture *f = *state;
    uint64_t st = status_byte(f);
    struct fv_buf bufs[2] = { { header(f, VIRTIO_BLK_T_IN, 0), 8, false }, { st, 1, true } };

    fv_add(&f->t, 0, bufs, 2);
    fv_kick(&f->t, 0);
    assert_int_equal(*(uint8_t *)fv_ptr(&f->t, st), VIRTIO_BLK_S_IOERR);
    assert_int_equal(f->b.stats.errors, 1);
    assert_int_equal(fv_used_idx(&f->t, 0), 1);
}

static void test_wrong_directions(void **state)
{
    struct fixture *f = *state;
    uint64_t buf = fv_alloc(&f->t, VBLK_SECTOR);

    /* IN with its data device-readable; OUT with its data device-writable. */
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, buf, VBLK_SECTOR, false, NULL),
                     VIRTIO_BLK_S_IOERR);
    memset(fv_ptr(&f->t, buf), 0x11, VBLK_SECTOR);
    assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, buf, VBLK_SECTOR, true, NULL),
                     VIRTIO_BLK_S_IOERR);
    assert_int_not_equal(f->disk[0], 0x11);
    /* FLUSH with data either way. */
    assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, buf, 16, true, NULL),
                     VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_FLUSH, 0, buf, 16, false, NULL),
                     VIRTIO_BLK_S_IOERR);
    assert_int_equal(f->b.stats.errors, 4);
}

static void test_no_status_breaks_queue(void **state)
{
    struct fixture *f = *state;
    uint64_t buf = fv_alloc(&f->t, VBLK_SECTOR);
    struct fv_buf bufs[2] = { { header(f, VIRTIO_BLK_T_OUT, 0), VBLK_HDR_LEN, false },
                              { buf, VBLK_SECTOR, false } };

    fv_add(&f->t, 0, bufs, 2);
    fv_kick(&f->t, 0);
    assert_int_equal(f->t.device_errors, 1);
    assert_true(f->t.vq[0].broken);
    assert_int_equal(fv_used_idx(&f->t, 0), 0);
    assert_int_equal(f->b.stats.writes, 0);
    /* Nothing more is taken. */
    struct fv_buf ok[2] = { { header(f, VIRTIO_BLK_T_FLUSH, 0), VBLK_HDR_LEN, false },
                            { status_byte(f), 1, true } };
    fv_add(&f->t, 0, ok, 2);
    fv_kick(&f->t, 0);
    assert_int_equal(fv_used_idx(&f->t, 0), 0);
    assert_int_equal(f->b.stats.flushes, 0);
}

static void test_status_in_hole_and_data_in_hole(void **state)
{
    struct fixture *f = *state;
    uint64_t buf = fv_alloc(&f->t, 2 * VBLK_SECTOR);

    /* The second sector of the buffer is a hole: the read stops there. */
    f->t.hole_lo = buf + VBLK_SECTOR + 8;
    f->t.hole_hi = buf + VBLK_SECTOR + 16;
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, buf, 2 * VBLK_SECTOR, true, NULL),
                     VIRTIO_BLK_S_IOERR);
    assert_int_equal(request(f, VIRTIO_BLK_T_OUT, 0, buf, 2 * VBLK_SECTOR, false, NULL),
                     VIRTIO_BLK_S_IOERR);
    assert_int_equal(f->b.stats.errors, 2);
}

static void test_split_header_indirect_and_batch(void **state)
{
    struct fixture *f = *state;
    uint64_t h = header(f, VIRTIO_BLK_T_IN, 5);
    uint64_t d1 = fv_alloc(&f->t, 512), d2 = fv_alloc(&f->t, 1024);
    uint64_t st1 = status_byte(f), st2 = status_byte(f), st3 = status_byte(f);
    struct fv_buf split[4] = { { h, 4, false }, { h + 4, 12, false }, { d1, 512, true },
                               { st1, 1, true } };
    struct fv_buf ind[4] = { { header(f, VIRTIO_BLK_T_IN, 10), 16, false }, { d2, 512, true },
                             { d2 + 512, 512, true }, { st2, 1, true } };
    struct fv_buf fl[2] = { { header(f, VIRTIO_BLK_T_FLUSH, 0), 16, false }, { st3, 1, true } };

    fv_add(&f->t, 0, split, 4);
    fv_add_indirect(&f->t, 0, ind, 4);
    fv_add(&f->t, 0, fl, 2);
    fv_kick(&f->t, 0);
    assert_int_equal(fv_used_idx(&f->t, 0), 3);
    assert_int_equal(f->t.used_calls, 1);      /* one interrupt decision per kick */
    assert_int_equal(*(uint8_t *)fv_ptr(&f->t, st1), VIRTIO_BLK_S_OK);
    assert_int_equal(*(uint8_t *)fv_ptr(&f->t, st2), VIRTIO_BLK_S_OK);
    assert_int_equal(*(uint8_t *)fv_ptr(&f->t, st3), VIRTIO_BLK_S_OK);
    assert_memory_equal(fv_ptr(&f->t, d1), f->disk + 5 * 512, 512);
    assert_memory_equal(fv_ptr(&f->t, d2), f->disk + 10 * 512, 1024);
}

static void test_malformed_ring(void **state)
{
    struct fixture *f = *state;

    /* A head beyond the table, then a chain that loops. */
    fv_make_avail(&f->t, 0, 1000);
    fv_kick(&f->t, 0);
    assert_int_equal(f->t.device_errors, 1);
    assert_true(f->t.vq[0].broken);
    assert_int_equal(fv_used_idx(&f->t, 0), 0);
    f->t.vq[0].broken = false;
    f->t.vq[0].last_avail = f->t.avail_idx[0];
    fv_put_desc(&f->t, 0, 0, header(f, 0, 0), 16, VIRTQ_DESC_F_NEXT, 1);
    fv_put_desc(&f->t, 0, 1, status_byte(f), 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
    fv_make_avail(&f->t, 0, 0);
    fv_kick(&f->t, 0);
    assert_int_equal(f->t.device_errors, 2);
    assert_int_equal(fv_used_idx(&f->t, 0), 0);
}

static void test_other_queue_and_reset(void **state)
{
    struct fixture *f = *state;
    const struct virtio_dev_ops *ops = vblk_dev_ops(&f->b);
    uint64_t buf = fv_alloc(&f->t, 512);

    ops->notify(&f->b, &f->t, 1);       /* no such queue: ignored */
    ops->notify(&f->b, &f->t, 0xffffffffu);
    ops->reset(&f->b);
    assert_int_equal(request(f, VIRTIO_BLK_T_IN, 0, buf, 512, true, NULL), VIRTIO_BLK_S_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_config_and_features, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_ro_features, setup_ro, teardown),
        cmocka_unit_test(test_capacity_rounds_down),
        cmocka_unit_test(test_long_serial_is_cut),
        cmocka_unit_test_setup_teardown(test_read, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_write, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_write_ro_refused, setup_ro, teardown),
        cmocka_unit_test_setup_teardown(test_flush_get_id_unsupp, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_too_large, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_short_header, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_directions, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_no_status_breaks_queue, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_status_in_hole_and_data_in_hole, setup_rw,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_split_header_indirect_and_batch, setup_rw,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_malformed_ring, setup_rw, teardown),
        cmocka_unit_test_setup_teardown(test_other_queue_and_reset, setup_rw, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
