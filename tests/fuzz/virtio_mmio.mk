# libFuzzer target for the virtio-mmio transport: a device of random shape driven by random
# register and raw accesses, device calls and resets (tests/fuzz/fuzz_virtio_mmio.c).
FUZZ_TARGETS += fuzz_virtio_mmio
fuzz_virtio_mmio_SRCS := src/vdev/virtio_mmio.c tests/unit/fake_virtq.c \
                         tests/fuzz/fuzz_virtio_mmio.c
fuzz_virtio_mmio_CFLAGS := -Itests/unit
