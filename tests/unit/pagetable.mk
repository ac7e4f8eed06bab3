UNIT_TESTS += test_pagetable
test_pagetable_SRCS := arch/x86/paging.c tests/unit/test_pagetable.c
