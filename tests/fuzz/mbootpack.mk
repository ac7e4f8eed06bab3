# libFuzzer target for mbootpack's image reader/writer, kernel parser and
# boot-time planning code.
FUZZ_TARGETS += fuzz_mbootpack
fuzz_mbootpack_SRCS := tests/fuzz/fuzz_mbootpack.c tools/mbootpack/image.c tools/mbootpack/kernel.c tools/mbootpack/bootplan.c
fuzz_mbootpack_LDLIBS := -lz
