# The MMIO instruction decoder (arch/x86/mmio_insn.c): vectors from the host assembler in
# every mode and addressing form, truncation at an unmapped page, refusals. The emulator
# (mmio_emul.c): by hand, and compared with the host CPU running the same bytes.
UNIT_TESTS += test_mmio_insn test_mmio_emul
test_mmio_insn_SRCS := arch/x86/mmio_insn.c tests/unit/test_mmio_insn.c
test_mmio_emul_SRCS := arch/x86/mmio_insn.c arch/x86/mmio_emul.c tests/unit/native_x86.c \
                       tests/unit/test_mmio_emul.c
