# Unit tests for the paravirtual clock's ABI half (arch/x86/pvclock_abi.c).
UNIT_TESTS += test_pvclock
test_pvclock_SRCS := arch/x86/pvclock_abi.c tests/unit/test_pvclock.c
