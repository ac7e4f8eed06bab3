# libFuzzer target for the MMIO instruction decoder and emulator: random bytes, mode,
# device failures and register file through decode and emulate.
FUZZ_TARGETS += fuzz_mmio_insn
fuzz_mmio_insn_SRCS := arch/x86/mmio_insn.c arch/x86/mmio_emul.c tests/fuzz/fuzz_mmio_insn.c
