# Unit tests for the firmware tables (src/core/acpi_tables.c, acpi_dsdt.c, aml.c) and the
# platform devices they describe (src/vdev/acpi_pm.c, src/vdev/pci.c).
UNIT_TESTS += test_acpi_tables
test_acpi_tables_SRCS := src/core/acpi_tables.c src/core/acpi_dsdt.c src/core/aml.c \
                         tests/unit/test_acpi_tables.c
test_acpi_tables_CFLAGS := -D_GNU_SOURCE
UNIT_TESTS += test_vdev_acpi_pm
test_vdev_acpi_pm_SRCS := src/vdev/acpi_pm.c src/vdev/bus.c tests/unit/test_vdev_acpi_pm.c
UNIT_TESTS += test_vdev_pci
test_vdev_pci_SRCS := src/vdev/pci.c src/vdev/acpi_pm.c src/vdev/bus.c tests/unit/test_vdev_pci.c
