# Unit tests for the boot options, log levels, conring and the CTRL-a x3 switch.
# Included by the top-level Makefile, which builds each to build/unit/<name>.
UNIT_TESTS += test_bootopts test_conswitch test_conring
test_bootopts_SRCS := src/core/bootopts.c src/core/cmdline_words.c src/core/uart_config.c \
                      console/loglevel.c tests/unit/test_bootopts.c
test_conswitch_SRCS := console/conswitch.c tests/unit/test_conswitch.c
test_conring_SRCS := console/conring.c console/loglevel.c tests/unit/test_conring.c
# Console routing: console.c with the real switch, line editor, log and per-domain consoles
# (src/core/dom_console.c); the shell and the UART FIFO are stubs in the test.
UNIT_TESTS += test_console_routing
test_console_routing_SRCS := console/console.c console/conswitch.c console/lineedit.c \
                             console/log.c console/conring.c console/loglevel.c \
                             src/core/dom_console.c tests/unit/test_console_routing.c
