# libFuzzer targets for the boot options and the console ring.
FUZZ_TARGETS += fuzz_bootopts fuzz_conring
fuzz_bootopts_SRCS := src/core/bootopts.c src/core/cmdline_words.c src/core/uart_config.c \
                      console/loglevel.c tests/fuzz/fuzz_bootopts.c
fuzz_conring_SRCS := console/conring.c tests/fuzz/fuzz_conring.c
