# libFuzzer target for the interrupt controllers: a local APIC and an I/O APIC wired
# together, driven by random MMIO/MSR accesses, pin changes, acks, EOIs and clock steps.
FUZZ_TARGETS += fuzz_apic
fuzz_apic_SRCS := src/vdev/lapic.c src/vdev/lapic_irq.c src/vdev/lapic_timer.c \
                  src/vdev/ioapic.c src/vdev/bus.c tests/fuzz/fuzz_apic.c
