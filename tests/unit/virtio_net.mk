# Unit tests for the virtio-net device model (src/vdev/virtio_net.c) over the test
# transport with real split rings (tests/unit/fake_virtio.c) and the real virtqueue walker.
UNIT_TESTS += test_virtio_net
test_virtio_net_SRCS := src/vdev/virtio_net.c tests/unit/fake_virtio.c src/vdev/virtq.c \
                        tests/unit/test_virtio_net.c
test_virtio_net_CFLAGS := -Itests/unit
