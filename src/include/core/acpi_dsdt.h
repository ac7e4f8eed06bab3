/* The DSDT's AML body (everything after its 36-byte header), built with core/aml.h from
 * the same config as the other tables (core/acpi_tables.h). */
#ifndef KESTREL_CORE_ACPI_DSDT_H
#define KESTREL_CORE_ACPI_DSDT_H

#include <stddef.h>
#include <stdint.h>

#include "core/acpi_tables.h"

/* Emit into buf[0..cap): Name(\_S5, Package(4){5, 5, 0, 0}) and, if c->pci or it has
 * virtio-mmio devices, Scope(\_SB) { Device(PCI0) { _HID PNP0A03, _UID 0, _CRS: bus 0,
 * ports 0xCF8-0xCFF, the rest of the I/O space, the memory window } (if c->pci), then
 * Device(VRnn) { _HID "LNRO0005", _UID n, _CRS: Memory32Fixed + Interrupt } for each
 * virtio-mmio device n }. The config is assumed checked (acpi_tables_build). Returns the bytes written, or 0 if they do not fit. */
size_t acpi_dsdt_aml(const struct acpi_config *c, uint8_t *buf, size_t cap);

#endif
