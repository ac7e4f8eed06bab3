# Unit tests for the Linux bzImage boot planner (src/core/bzimage.c): synthesized setup
# headers. Included by the top-level Makefile, which builds each to build/unit/<name>.
UNIT_TESTS += test_bzimage
test_bzimage_SRCS := src/core/bzimage.c tests/unit/test_bzimage.c
# The boot tables and entry state that go with a plan (src/core/bzboot.c).
UNIT_TESTS += test_bzboot
test_bzboot_SRCS := src/core/bzboot.c tests/unit/test_bzboot.c
