/* The DSDT's AML (ACPI 6.x, 5.2.11.1 and 19.6): only what the domain's motherboard has.
 * \_S5 tells the OS which SLP_TYP means soft-off (the PM device, vdev/acpi_pm.h, powers the
 * domain off on it); the optional \_SB.PCI0 is the PCI root bridge of vdev/pci.h, whose
 * _CRS claims bus 0, the configuration ports 0xCF8-0xCFF, every other I/O port (forwarded
 * to the ISA devices) and the 32-bit memory window where BARs may go. Each virtio-mmio
 * device (vdev/virtio_mmio.h) is a \_SB.VRnn with _HID "LNRO0005" (what Linux's
 * virtio_mmio driver matches through ACPI), its register window and its edge, active-high
 * GSI. No processor objects: Linux takes the vCPUs from the MADT alone. */
#include "core/acpi_dsdt.h"
#include "core/aml.h"
#include "vdev/acpi_pm.h"

/* A small buffer for a resource template, appended to with put(). */
struct res {
    uint8_t b[128];
    size_t n;
};

static void put(struct res *r, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes && r->n < sizeof(r->b); i++)
        r->b[r->n++] = (uint8_t)(v >> (8 * i));
}

/* Word Address Space Descriptor (6.4.3.5.3): type 1 I/O or 2 bus number, producer,
 * MinFixed | MaxFixed, positive decode; for I/O, EntireRange. */
static void word_space(struct res *r, uint8_t type, uint16_t min, uint16_t max)
{
    put(r, 0x88, 1);
    put(r, 13, 2);
    put(r, type, 1);
    put(r, 0x0c, 1);                        /* general flags: MaxFixed, MinFixed */
    put(r, type == 1 ? 0x03 : 0x00, 1);     /* I/O: _RNG = EntireRange */
    put(r, 0, 2);                           /* granularity */
    put(r, min, 2);
    put(r, max, 2);
    put(r, 0, 2);                           /* translation */
    put(r, (uint32_t)max - min + 1, 2);
}

/* DWord Address Space Descriptor (6.4.3.5.2), memory, read/write, non-cacheable. */
static void dword_memory(struct res *r, uint32_t min, uint32_t max)
{
    put(r, 0x87, 1);
    put(r, 23, 2);
    put(r, 0, 1);                           /* memory */
    put(r, 0x0c, 1);
    put(r, 0x01, 1);                        /* ReadWrite, NonCacheable */
    put(r, 0, 4);
    put(r, min, 4);
    put(r, max, 4);
    put(r, 0, 4);
    put(r, (uint64_t)max - min + 1, 4);
}

/* The root bridge's _CRS resource template. */
static void pci_crs(const struct acpi_config *c, struct res *r)
{
    word_space(r, 2, 0, 0);                 /* bus 0 only */
    put(r, 0x47, 1);                        /* IO (Decode16, 0xCF8, 0xCF8, 1, 8) */
    put(r, 0x01, 1);
    put(r, 0xcf8, 2);
    put(r, 0xcf8, 2);
    put(r, 1, 1);
    put(r, 8, 1);
    word_space(r, 1, 0x0000, 0x0cf7);
    word_space(r, 1, 0x0d00, 0xffff);
    dword_memory(r, c->pci_mem_base, c->pci_mem_end);
    put(r, 0x79, 1);                        /* End Tag, checksum 0 (as iasl) */
    put(r, 0x00, 1);
}

/* Device(PCI0) { ... }, inside \_SB. */
static void pci_root(struct aml *a, const struct acpi_config *c)
{
    struct res crs = { .n = 0 };
    size_t dev = aml_device_begin(a, "PCI0");

    aml_name(a, "_HID");
    aml_integer(a, aml_eisaid("PNP0A03"));
    aml_name(a, "_UID");
    aml_integer(a, 0);
    aml_name(a, "_CRS");
    pci_crs(c, &crs);
    aml_buffer(a, crs.b, crs.n);
    aml_close(a, dev);
}

/* A virtio-mmio device's _CRS: Memory32Fixed (6.4.3.4, ReadWrite) and an Extended
 * Interrupt Descriptor (6.4.3.6) for one GSI: consumer, edge, active high, exclusive. The
 * device's line is high while its InterruptStatus is not 0; its driver reads and acks that
 * status before it walks the used ring, so each new event after an ack is a rising edge and
 * none is lost. Edge rather than level spares Linux's level-acknowledge path one exit per
 * interrupt (ioapic_ack_level reads the local APIC's TMR before the EOI, an x2APIC MSR). */
static void virtio_mmio_crs(const struct acpi_virtio_mmio *v, struct res *r)
{
    put(r, 0x86, 1);
    put(r, 9, 2);
    put(r, 0x01, 1);                        /* ReadWrite */
    put(r, v->base, 4);
    put(r, ACPI_VIRTIO_MMIO_SIZE, 4);
    put(r, 0x89, 1);
    put(r, 6, 2);
    put(r, 0x03, 1);                        /* ResourceConsumer, edge; high, exclusive: 0 */
    put(r, 1, 1);                           /* one interrupt */
    put(r, v->gsi, 4);
    put(r, 0x79, 1);
    put(r, 0x00, 1);
}

/* Device(VRnn) { _HID "LNRO0005", _UID n, _CRS }, inside \_SB. */
static void virtio_mmio_device(struct aml *a, const struct acpi_virtio_mmio *v, unsigned n)
{
    char name[5] = { 'V', 'R', (char)('0' + n / 10 % 10), (char)('0' + n % 10), 0 };
    struct res crs = { .n = 0 };
    size_t dev = aml_device_begin(a, name);

    aml_name(a, "_HID");
    aml_string(a, "LNRO0005");
    aml_name(a, "_UID");
    aml_integer(a, n);
    aml_name(a, "_CRS");
    virtio_mmio_crs(v, &crs);
    aml_buffer(a, crs.b, crs.n);
    aml_close(a, dev);
}

/* Scope(\_SB) { the PCI root, the virtio-mmio devices }, if there is any of them. */
static void system_bus(struct aml *a, const struct acpi_config *c)
{
    size_t sb;

    if (!c->pci && c->n_virtio_mmio == 0)
        return;
    sb = aml_scope_begin(a, "\\_SB");
    if (c->pci)
        pci_root(a, c);
    for (unsigned i = 0; i < c->n_virtio_mmio && i < ACPI_MAX_VIRTIO_MMIO; i++)
        virtio_mmio_device(a, &c->virtio_mmio[i], i);
    aml_close(a, sb);
}

/* Contract: see acpi_dsdt.h. */
size_t acpi_dsdt_aml(const struct acpi_config *c, uint8_t *buf, size_t cap)
{
    struct aml a;
    size_t pkg;

    aml_init(&a, buf, cap);
    aml_name(&a, "\\_S5");
    pkg = aml_package_begin(&a, 4);
    aml_integer(&a, VACPI_PM_SLP_TYP_S5);   /* SLP_TYPa */
    aml_integer(&a, VACPI_PM_SLP_TYP_S5);   /* SLP_TYPb (no PM1b block) */
    aml_integer(&a, 0);
    aml_integer(&a, 0);
    aml_close(&a, pkg);
    system_bus(&a, c);
    return a.failed ? 0 : a.len;
}
