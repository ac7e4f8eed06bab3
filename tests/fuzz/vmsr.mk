# libFuzzer target for the guest MSR model: random RDMSR/WRMSR sequences on both vendors.
FUZZ_TARGETS += fuzz_vmsr
fuzz_vmsr_SRCS := arch/x86/vmsr.c tests/fuzz/fuzz_vmsr.c
