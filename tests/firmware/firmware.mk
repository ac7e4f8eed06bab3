# Host tool for the ACPI tables (src/core/acpi_tables.c): build/firmware/dump_acpi writes
# each table to a file so tests/system/test_acpi_iasl.py can have ACPICA's iasl decode them.
# Included by the top-level Makefile (tests/*/*.mk lines).
FIRMWARE_SRCS := tests/firmware/dump_acpi.c src/core/acpi_tables.c src/core/acpi_dsdt.c \
                 src/core/aml.c
$(BUILD)/firmware/dump_acpi: $(FIRMWARE_SRCS) src/include/core/acpi_tables.h \
                             src/include/core/acpi_dsdt.h src/include/core/aml.h \
                             src/include/vdev/acpi_pm.h src/include/vdev/virtio_mmio.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -g -O1 $(INCLUDES) $(FIRMWARE_SRCS) -o $@
