# libFuzzer target for the virtio-net device model (src/vdev/virtio_net.c): a hostile
# driver's rings and a switch's frames over the test transport of tests/unit
# (fake_virtio.c) and the real virtqueue walker.
FUZZ_TARGETS += fuzz_virtio_net
fuzz_virtio_net_SRCS := src/vdev/virtio_net.c tests/unit/fake_virtio.c src/vdev/virtq.c \
                        tests/fuzz/fuzz_virtio_net.c
fuzz_virtio_net_CFLAGS := -Itests/unit -DFV_RAM_SIZE='(1ull << 20)'
