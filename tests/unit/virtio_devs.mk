# Unit tests for the virtio device models (src/vdev/virtio_blk.c, virtio_balloon.c,
# virtio_rng.c) over a test transport with real split rings (tests/unit/fake_virtio.c),
# through the real virtqueue walker (src/vdev/virtq.c).
VIRTIO_DEVS_TEST_SRCS := tests/unit/fake_virtio.c src/vdev/virtq.c
UNIT_TESTS += test_virtio_blk
test_virtio_blk_SRCS := src/vdev/virtio_blk.c $(VIRTIO_DEVS_TEST_SRCS) tests/unit/test_virtio_blk.c
test_virtio_blk_CFLAGS := -Itests/unit
UNIT_TESTS += test_virtio_balloon
test_virtio_balloon_SRCS := src/vdev/virtio_balloon.c $(VIRTIO_DEVS_TEST_SRCS) \
                            tests/unit/test_virtio_balloon.c
test_virtio_balloon_CFLAGS := -Itests/unit
UNIT_TESTS += test_virtio_rng
test_virtio_rng_SRCS := src/vdev/virtio_rng.c $(VIRTIO_DEVS_TEST_SRCS) tests/unit/test_virtio_rng.c
test_virtio_rng_CFLAGS := -Itests/unit
