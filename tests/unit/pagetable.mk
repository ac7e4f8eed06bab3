UNIT_TESTS += test_pagetable
test_pagetable_SRCS := arch/x86/paging.c tests/unit/test_pagetable.c
# The software walk of a guest's own page tables (arch/x86/guest_walk.c), against tables
# built in a buffer that stands for guest memory.
UNIT_TESTS += test_guest_walk
test_guest_walk_SRCS := arch/x86/guest_walk.c tests/unit/test_guest_walk.c
# INS/OUTS emulation (arch/x86/string_io.c) with the real walk, on a host buffer as memory.
UNIT_TESTS += test_string_io
test_string_io_SRCS := arch/x86/string_io.c arch/x86/guest_walk.c tests/unit/test_string_io.c
