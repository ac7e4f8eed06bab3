# Unit tests for the guest's side of the hypervisor: guest memory (src/core/guestmem.c) and
# the hypercall dispatcher over it (src/core/hypercall.c), both on fake_p2m.c (frames and
# nested tables on the host, everything outside the domain PROT_NONE).
UNIT_TESTS += test_guestmem
test_guestmem_SRCS := src/core/guestmem.c tests/unit/fake_p2m.c tests/unit/test_guestmem.c
test_guestmem_CFLAGS := -Itests/unit
UNIT_TESTS += test_hypercall
test_hypercall_SRCS := src/core/hypercall.c src/core/guestmem.c tests/unit/fake_p2m.c \
                       tests/unit/test_hypercall.c
test_hypercall_CFLAGS := -Itests/unit
