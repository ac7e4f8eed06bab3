# libFuzzer target for the split virtqueue walker: random rings, tables and buffers in a
# small fake guest memory, popped, served and pushed in a bounded loop.
FUZZ_TARGETS += fuzz_virtq
fuzz_virtq_SRCS := src/vdev/virtq.c tests/fuzz/fuzz_virtq.c
