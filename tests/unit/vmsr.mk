# The guest MSR model (arch/x86/vmsr.c): every emulated MSR's reads, accepted writes and
# #GP cases, on both vendors.
UNIT_TESTS += test_vmsr
test_vmsr_SRCS := arch/x86/vmsr.c tests/unit/test_vmsr.c
