# Unit tests for the virtio-mmio transport (src/vdev/virtio_mmio.c) with a fake device and
# a stand-in virtq walker (tests/unit/fake_virtq.c), on the MMIO bus (src/vdev/mmio.c).
UNIT_TESTS += test_virtio_mmio test_virtio_mmio_events
test_virtio_mmio_SRCS := src/vdev/virtio_mmio.c src/vdev/mmio.c tests/unit/fake_virtq.c \
                         tests/unit/test_virtio_mmio.c
test_virtio_mmio_CFLAGS := -Itests/unit
test_virtio_mmio_events_SRCS := src/vdev/virtio_mmio.c src/vdev/mmio.c tests/unit/fake_virtq.c \
                                tests/unit/test_virtio_mmio_events.c
test_virtio_mmio_events_CFLAGS := -Itests/unit
# The transport with the real virtq walker over a fake guest RAM.
UNIT_TESTS += test_virtio_mmio_ring
test_virtio_mmio_ring_SRCS := src/vdev/virtio_mmio.c src/vdev/virtq.c \
                              tests/unit/test_virtio_mmio_ring.c
