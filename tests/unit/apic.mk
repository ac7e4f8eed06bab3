# Unit tests for the interrupt controllers of a PC guest: the local APIC (src/vdev/lapic*.c)
# and the I/O APIC (src/vdev/ioapic.c), alone and wired together.
UNIT_TESTS += test_vlapic test_vlapic_timer test_vioapic
VLAPIC_SRCS := src/vdev/lapic.c src/vdev/lapic_irq.c src/vdev/lapic_timer.c src/vdev/bus.c
test_vlapic_SRCS := $(VLAPIC_SRCS) tests/unit/test_vlapic.c
test_vlapic_timer_SRCS := $(VLAPIC_SRCS) tests/unit/test_vlapic_timer.c
test_vioapic_SRCS := $(VLAPIC_SRCS) src/vdev/ioapic.c tests/unit/test_vioapic.c
