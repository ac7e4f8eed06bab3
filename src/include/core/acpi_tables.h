/* The domain's ACPI tables (ACPI 6.x layouts): from a small description of the virtual
 * motherboard (vCPUs, local APIC and I/O APIC, the PM register ports, SCI, reset register,
 * an optional PCI root bridge, virtio-mmio devices), acpi_tables_build() writes a complete table set -- RSDP
 * (revision 2), RSDT, XSDT, FADT (revision 6), FACS, DSDT (hand-assembled AML holding \_S5
 * and, if asked, \_SB.PCI0 and \_SB.VRnn) and MADT -- into a caller's buffer that will be copied to
 * guest-physical address gpa. Pure: no hardware, no allocation; host-tested.
 *
 * Where to put it: gpa = ACPI_TABLES_GPA (0xE0000) puts every table, RSDP included, inside
 * the BIOS area Linux scans for "RSD PTR " (0xE0000-0xFFFFF, 16-byte steps), which a
 * bzImage E820 map already reserves; the loader also passes the RSDP's address in
 * boot_params.acpi_rsdp_addr. Elsewhere below 4 GiB works too: the RSDP holds absolute
 * addresses, so its 36 bytes may be copied on their own to any 16-byte boundary. */
#ifndef KESTREL_CORE_ACPI_TABLES_H
#define KESTREL_CORE_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_TABLES_GPA        0xE0000u     /* default place: the BIOS read-only area */
#define ACPI_TABLES_MAX_LEN    0x2000u      /* a buffer this big fits every valid config */
#define ACPI_MAX_VCPUS         254u         /* xAPIC IDs 0..253 (0xFF is broadcast) */

#define ACPI_LAPIC_ADDR        0xFEE00000u
#define ACPI_IOAPIC_ADDR       0xFEC00000u
#define ACPI_IOAPIC_PINS       24u
#define ACPI_SCI_IRQ           9u
#define ACPI_RESET_PORT        0xCF9u       /* PIIX4/ICH reset control register */
#define ACPI_RESET_VALUE       0x06u        /* bit 1 (hard reset) | bit 2 (do it) */
#define ACPI_PCI_MEM_BASE      0xC0000000u  /* default PCI memory window (32-bit BARs) */
#define ACPI_PCI_MEM_END       0xFDFFFFFFu  /* inclusive; below the virtio-mmio devices */
#define ACPI_MAX_VIRTIO_MMIO   8u           /* vdev/virtio_mmio.h: VIRTIO_MMIO_MAX_DEVICES */
#define ACPI_VIRTIO_MMIO_SIZE  0x200u       /* each device's register window */

/* One virtio-mmio device (vdev/virtio_mmio.h): Device (VRnn) { _HID "LNRO0005", _UID n,
 * _CRS: Memory32Fixed (ReadWrite, base, 0x200), Interrupt (ResourceConsumer, Level,
 * ActiveHigh, Exclusive) { gsi } } under \_SB, n its index in the config's list. */
struct acpi_virtio_mmio {
    uint32_t base;              /* 0x200-aligned */
    uint32_t gsi;               /* an I/O APIC pin 16..23 (no MADT override needed) */
};

/* E820 type the returned range should get: reserved (2), not ACPI reclaim (3), because the
 * FACS lives in it and must never be reused as RAM. */
#define ACPI_TABLES_E820_TYPE  2u

struct acpi_config {
    unsigned ncpus;             /* 1..ACPI_MAX_VCPUS; LAPIC IDs and processor UIDs 0..N-1 */
    uint32_t lapic_addr;
    uint8_t ioapic_id;          /* must not equal a LAPIC ID (< ncpus) */
    uint32_t ioapic_addr;
    uint32_t ioapic_gsi_base;
    uint16_t pm1a_evt_port;     /* PM1a_STS (2 bytes) + PM1a_EN (2 bytes) */
    uint16_t pm1a_cnt_port;     /* PM1a_CNT (2 bytes) */
    uint16_t pm_tmr_port;       /* PM timer, 32-bit (4 bytes) */
    uint8_t sci_irq;            /* ISA IRQ (< 16) of the SCI, identity-mapped to its GSI */
    uint16_t reset_port;        /* RESET_REG, an I/O port */
    uint8_t reset_value;
    bool power_button;          /* a fixed-feature power button exists (PWRBTN_STS works) */
    bool pci;                   /* describe \_SB.PCI0 (PNP0A03) with bus 0 and CF8-CFF */
    uint32_t pci_mem_base;      /* PCI memory window [base, end] for the _CRS, if pci */
    uint32_t pci_mem_end;
    unsigned n_virtio_mmio;     /* devices in virtio_mmio[] (<= ACPI_MAX_VIRTIO_MMIO) */
    struct acpi_virtio_mmio virtio_mmio[ACPI_MAX_VIRTIO_MMIO];
};

/* What the loader needs to place the tables. */
struct acpi_tables_layout {
    size_t length;              /* bytes of buf used, from offset 0 */
    size_t rsdp_offset;         /* the RSDP's offset in buf (16-byte aligned as a GPA) */
    uint64_t rsdp_gpa;          /* gpa + rsdp_offset: boot_params.acpi_rsdp_addr */
    uint64_t e820_addr;         /* the page-aligned range to keep out of RAM ... */
    uint64_t e820_size;
    uint32_t e820_type;         /* ... with this E820 type (ACPI_TABLES_E820_TYPE) */
    /* Each table's offset in buf (for tests and for the dump tool). */
    size_t rsdt, xsdt, fadt, facs, dsdt, madt;
};

/* Fill c with Kestrel's motherboard for ncpus vCPUs: the addresses above, I/O APIC ID
 * ncpus, GSI base 0, the PM block of src/include/vdev/acpi_pm.h at its default base, SCI
 * IRQ 9, reset register 0xCF9 = 0x06, no power button, no PCI, no virtio-mmio devices. */
void acpi_config_default(struct acpi_config *c, unsigned ncpus);

/* Set c's virtio-mmio list to n devices at Kestrel's places (vdev/virtio_mmio.h): device
 * i's window at VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE, its GSI c->ioapic_gsi_base +
 * VIRTIO_MMIO_GSI_BASE + i. Returns 0, or -1 (c unchanged) if n > ACPI_MAX_VIRTIO_MMIO. */
int acpi_config_virtio_mmio(struct acpi_config *c, unsigned n);

/* Write the table set for c into buf[0..cap) for guest-physical address gpa and describe it
 * in *out. Returns 0, or -1 with *err (if err is non-NULL) set to one static line when the
 * config is invalid (ncpus out of range, I/O APIC ID clashing with a LAPIC ID, SCI IRQ not
 * ISA, a PM port block wrapping past 0xFFFF, an empty PCI window; a virtio-mmio device
 * list too long, a window misaligned, overlapping another, the PCI window or the APICs'
 * pages, a GSI outside the I/O APIC's pins 16-23 or used twice), gpa is not below 4 GiB
 * minus ACPI_TABLES_MAX_LEN, or cap is too small. Never writes outside buf[0..cap); on
 * error the contents of buf are unspecified. */
int acpi_tables_build(const struct acpi_config *c, uint64_t gpa, uint8_t *buf, size_t cap,
                      struct acpi_tables_layout *out, const char **err);

#endif
