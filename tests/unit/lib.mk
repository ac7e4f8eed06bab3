# Unit tests for the freestanding lib (string.c, format.c, gprs.c) and the symbol lookup.
# The lib's functions have libc's names, so they are renamed k_* for the test binary:
# glibc's snprintf/strtoul stay available as the reference to compare against.
UNIT_TESTS += test_lib test_symbols
LIB_RENAME := $(foreach f,memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp \
                strchr strrchr strstr strspn strcspn strtoul strtoull strtol snprintf vsnprintf,\
                -D$(f)=k_$(f))
test_lib_SRCS := src/lib/string.c src/lib/format.c src/lib/gprs.c tests/unit/test_lib.c
test_lib_CFLAGS := -fno-builtin -fno-tree-loop-distribute-patterns -Wno-format $(LIB_RENAME)
test_symbols_SRCS := src/core/symbols.c tests/unit/test_symbols.c
# symbols.c also refers to the linker-made ksyms_* table; test_symbols.c defines an empty one.
test_symbols_CFLAGS :=
