# Unit tests for the split virtqueue walker (src/vdev/virtq.c): a fake guest memory and a
# driver side that builds rings as Linux does, against every malformed ring we know of.
UNIT_TESTS += test_virtq
test_virtq_SRCS := src/vdev/virtq.c tests/unit/virtq_driver.c tests/unit/test_virtq.c
