FUZZ_TARGETS += fuzz_hypercall
fuzz_hypercall_SRCS := src/core/hypercall.c tests/fuzz/fuzz_hypercall.c
