# libFuzzer target for the Linux bzImage boot planner (src/core/bzimage.c).
FUZZ_TARGETS += fuzz_bzimage
fuzz_bzimage_SRCS := src/core/bzimage.c tests/fuzz/fuzz_bzimage.c
