# libFuzzer target for the firmware pieces: ACPI table configs (src/core/acpi_tables.c and
# its AML) and port I/O over the PM block, the PCI bus and the reset register.
FUZZ_TARGETS += fuzz_firmware
fuzz_firmware_SRCS := src/core/acpi_tables.c src/core/acpi_dsdt.c src/core/aml.c \
                      src/vdev/acpi_pm.c src/vdev/pci.c src/vdev/bus.c tests/fuzz/fuzz_firmware.c
