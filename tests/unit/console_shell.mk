UNIT_TESTS += test_lineedit test_shell
test_lineedit_SRCS := console/lineedit.c tests/unit/test_lineedit.c
test_shell_SRCS := console/shell.c tests/unit/test_shell.c
