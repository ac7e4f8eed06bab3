# Unit tests of tools/mbootpack: kernel parser, image writer/reader and
# the boot-time planning code shared with the 32-bit loader.
UNIT_TESTS += test_mbootpack_kernel test_mbootpack_image test_mbootpack_bootplan
test_mbootpack_kernel_SRCS := tools/mbootpack/kernel.c tests/unit/test_mbootpack_kernel.c
test_mbootpack_kernel_LDLIBS := -lz
test_mbootpack_image_SRCS := tools/mbootpack/image.c tools/mbootpack/kernel.c tests/unit/test_mbootpack_image.c
test_mbootpack_image_LDLIBS := -lz
test_mbootpack_bootplan_SRCS := tools/mbootpack/bootplan.c tests/unit/test_mbootpack_bootplan.c
test_mbootpack_bootplan_LDLIBS := -lz
