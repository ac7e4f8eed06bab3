# tests/unit/miniterm.mk - unit tests for tools/miniterm (cmocka).
# Included by the top-level Makefile; each test builds from its SRCS.
UNIT_TESTS += test_miniterm_escape test_miniterm_unescape \
              test_miniterm_options test_miniterm_render \
              test_miniterm_match
test_miniterm_escape_SRCS := tools/miniterm/escape.c \
	tests/unit/test_miniterm_escape.c
test_miniterm_escape_LDLIBS :=
test_miniterm_unescape_SRCS := tools/miniterm/unescape.c \
	tests/unit/test_miniterm_unescape.c
test_miniterm_unescape_LDLIBS :=
test_miniterm_options_SRCS := tools/miniterm/options.c \
	tools/miniterm/params.c tools/miniterm/unescape.c \
	tests/unit/test_miniterm_options.c
test_miniterm_options_LDLIBS :=
test_miniterm_render_SRCS := tools/miniterm/render.c \
	tests/unit/test_miniterm_render.c
test_miniterm_render_LDLIBS :=
test_miniterm_match_SRCS := tools/miniterm/script.c tools/miniterm/options.c \
	tools/miniterm/params.c tools/miniterm/unescape.c \
	tools/miniterm/device.c tools/miniterm/logfile.c \
	tools/miniterm/render.c tests/unit/test_miniterm_match.c
test_miniterm_match_LDLIBS :=
