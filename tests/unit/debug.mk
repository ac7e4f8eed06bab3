# Unit tests for the build variants (make DEBUG=1, make PERFC=1; variants.mk): sources
# compiled as those images compile them. ASSERT's text and the default build's empty macros;
# the debug build's poisoned frames and heap blocks; the scheduler policy's and console
# ring's own tests again with their ASSERTs on (any that fires fails the test); the counters
# and the p / P keys.
UNIT_TESTS += test_debug_assert test_debug_off test_debug_mm test_sched_policy_debug \
              test_conring_debug test_perfc
test_debug_assert_SRCS := src/core/assert.c tests/unit/test_debug_assert.c
test_debug_assert_CFLAGS := -DKESTREL_DEBUG
test_debug_off_SRCS := tests/unit/test_debug_off.c
test_debug_mm_SRCS := src/mm/frame.c src/mm/heap.c tests/unit/assert_mock.c tests/unit/test_debug_mm.c
test_debug_mm_CFLAGS := -DKESTREL_DEBUG
test_sched_policy_debug_SRCS := src/sched/policy.c tests/unit/assert_mock.c tests/unit/test_sched_policy.c
test_sched_policy_debug_CFLAGS := -DKESTREL_DEBUG
test_conring_debug_SRCS := console/conring.c console/loglevel.c tests/unit/assert_mock.c \
                           tests/unit/test_conring.c
test_conring_debug_CFLAGS := -DKESTREL_DEBUG
test_perfc_SRCS := src/core/perfc.c console/shell.c tests/unit/test_perfc.c
test_perfc_CFLAGS := -DKESTREL_PERFC
