# Unit tests for multiboot info parsing, the frame allocator and the heap.
UNIT_TESTS += test_multiboot test_frame test_heap
test_multiboot_SRCS := src/core/multiboot.c tests/unit/test_multiboot.c
test_frame_SRCS := src/mm/frame.c tests/unit/test_frame.c
test_heap_SRCS := src/mm/frame.c src/mm/heap.c tests/unit/test_heap.c
