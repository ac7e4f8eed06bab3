# Unit tests for the virtual devices (src/vdev): each device's register model driven
# through the I/O-port bus, as a guest would.
UNIT_TESTS += test_vdev_bus test_vdev_uart test_vdev_pic test_vdev_pit test_vdev_rtc test_vdev_misc
test_vdev_bus_SRCS := src/vdev/bus.c tests/unit/test_vdev_bus.c
test_vdev_uart_SRCS := src/vdev/uart.c src/vdev/bus.c tests/unit/test_vdev_uart.c
test_vdev_pic_SRCS := src/vdev/pic.c src/vdev/bus.c tests/unit/test_vdev_pic.c
test_vdev_pit_SRCS := src/vdev/pit.c src/vdev/bus.c tests/unit/test_vdev_pit.c
test_vdev_rtc_SRCS := src/vdev/rtc.c src/vdev/bus.c src/lib/civil.c tests/unit/test_vdev_rtc.c
test_vdev_misc_SRCS := src/vdev/i8042.c src/vdev/port80.c src/vdev/bus.c tests/unit/test_vdev_misc.c
# The MMIO bus (guest-physical ranges of device registers).
UNIT_TESTS += test_vdev_mmio
test_vdev_mmio_SRCS := src/vdev/mmio.c tests/unit/test_vdev_mmio.c
