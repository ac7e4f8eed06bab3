# Unit tests for the domain-building core: the xl.cfg reader, the Multiboot guest image
# parser, the guest's Multiboot info builder and the scheduler policy (simulated).
# Included by the top-level Makefile, which builds each to build/unit/<name>.
UNIT_TESTS += test_xlcfg
test_xlcfg_SRCS := src/core/xlcfg.c tests/unit/test_xlcfg.c
UNIT_TESTS += test_mbimage
test_mbimage_SRCS := src/core/mbimage.c tests/unit/test_mbimage.c
UNIT_TESTS += test_mbinfo
test_mbinfo_SRCS := src/core/mbinfo.c src/core/multiboot.c tests/unit/test_mbinfo.c
UNIT_TESTS += test_sched_policy
test_sched_policy_SRCS := src/sched/policy.c tests/unit/test_sched_policy.c
