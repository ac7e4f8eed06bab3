# libFuzzer target for the Multiboot v1 info parser.
FUZZ_TARGETS += fuzz_multiboot
fuzz_multiboot_SRCS := src/core/multiboot.c tests/fuzz/fuzz_multiboot.c
