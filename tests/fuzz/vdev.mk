# libFuzzer target for the virtual devices: every device on one bus, driven by random
# port I/O, clock steps, INTA cycles and console input.
FUZZ_TARGETS += fuzz_vdev
fuzz_vdev_SRCS := src/vdev/bus.c src/vdev/uart.c src/vdev/pic.c src/vdev/pit.c \
                  src/vdev/rtc.c src/vdev/i8042.c src/vdev/port80.c src/lib/civil.c \
                  tests/fuzz/fuzz_vdev.c
