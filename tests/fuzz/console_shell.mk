FUZZ_TARGETS += fuzz_lineedit_shell
fuzz_lineedit_shell_SRCS := console/lineedit.c console/shell.c tests/fuzz/fuzz_lineedit_shell.c
