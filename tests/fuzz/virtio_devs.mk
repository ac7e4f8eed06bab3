# libFuzzer target for the virtio device models: a hostile driver's requests and ring
# contents for virtio-blk (read-write and read-only), virtio-balloon and virtio-rng, over
# the test transport of tests/unit (fake_virtio.c) and the real virtqueue walker.
FUZZ_TARGETS += fuzz_virtio_devs
fuzz_virtio_devs_SRCS := src/vdev/virtio_blk.c src/vdev/virtio_balloon.c src/vdev/virtio_rng.c \
                         tests/unit/fake_virtio.c src/vdev/virtq.c tests/fuzz/fuzz_virtio_devs.c
fuzz_virtio_devs_CFLAGS := -Itests/unit -DFV_RAM_SIZE='(1ull << 20)'
