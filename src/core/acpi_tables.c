/* The domain's ACPI tables (see core/acpi_tables.h), laid out one after the other in the
 * caller's buffer: RSDP, FACS, DSDT, FADT, MADT, RSDT, XSDT, each aligned as a guest
 * address (RSDP 16, FACS 64, others 8). Field offsets are the ACPI 6.x specification's
 * (5.2.5 RSDP, 5.2.6 header, 5.2.7/8 RSDT/XSDT, 5.2.9 FADT, 5.2.10 FACS, 5.2.12 MADT).
 * Every byte is written through put() at an offset that place() has checked against the
 * buffer's size, so nothing is ever written outside it. */
#include "core/acpi_tables.h"
#include "core/acpi_dsdt.h"
#include "lib/string.h"
#include "vdev/acpi_pm.h"
#include "vdev/virtio_mmio.h"

_Static_assert(ACPI_MAX_VIRTIO_MMIO == VIRTIO_MMIO_MAX_DEVICES, "virtio-mmio device count");
_Static_assert(ACPI_VIRTIO_MMIO_SIZE == VIRTIO_MMIO_SIZE, "virtio-mmio window size");

#define HDR_LEN     36u
#define RSDP_LEN    36u
#define FACS_LEN    64u
#define FADT_LEN    276u        /* revision 6 */
#define MADT_FIXED  44u
#define FOUR_GIB    0x100000000ull

/* FADT flags (5.2.9, table 5.10) and IAPC_BOOT_ARCH (table 5.11). */
#define FADT_WBINVD         (1u << 0)
#define FADT_PROC_C1        (1u << 2)
#define FADT_PWR_BUTTON     (1u << 4)   /* 1: no fixed-feature power button */
#define FADT_SLP_BUTTON     (1u << 5)   /* 1: no fixed-feature sleep button */
#define FADT_FIX_RTC        (1u << 6)   /* 1: no RTC wake status in PM1 */
#define FADT_TMR_VAL_EXT    (1u << 8)
#define FADT_RESET_REG_SUP  (1u << 10)
#define BOOT_LEGACY_DEVICES (1u << 0)
#define BOOT_8042           (1u << 1)

/* MADT entry types and flags (5.2.12). */
#define MADT_PCAT_COMPAT    1u
#define MADT_LAPIC          0u
#define MADT_IOAPIC         1u
#define MADT_ISO            2u
#define MADT_LAPIC_NMI      4u
#define MPS_HIGH_EDGE       0x0005u     /* active high, edge-triggered */
#define MPS_HIGH_LEVEL      0x000du     /* active high, level-triggered */

#define GAS_SYSTEM_IO       1u

struct builder {
    uint8_t *buf;
    size_t cap, len;
    uint64_t gpa;
    bool full;
};

/* Reserve size bytes (zeroed) at the next offset whose guest address is align-aligned;
 * returns the offset, or sets b->full (and returns 0) if they do not fit. */
static size_t place(struct builder *b, size_t size, size_t align)
{
    size_t off = b->len + (size_t)((align - (b->gpa + b->len) % align) % align);

    if (b->full || off > b->cap || size > b->cap - off) {
        b->full = true;
        return 0;
    }
    memset(b->buf + b->len, 0, off + size - b->len);
    b->len = off + size;
    return off;
}

/* Store the low n bytes of v little-endian at buf[off] (inside a placed table). */
static void put(struct builder *b, size_t off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        b->buf[off + i] = (uint8_t)(v >> (8 * i));
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

/* The standard header (5.2.6) of a table of len bytes at off; the checksum is set by
 * finish() once the body is written. */
static void header(struct builder *b, size_t off, const char sig[4], uint32_t len, uint8_t rev)
{
    memcpy(b->buf + off, sig, 4);
    put(b, off + 4, len, 4);
    b->buf[off + 8] = rev;
    memcpy(b->buf + off + 10, "KSTREL", 6);        /* OEM ID */
    memcpy(b->buf + off + 16, "KESTREL ", 8);      /* OEM table ID */
    put(b, off + 24, 1, 4);                        /* OEM revision */
    memcpy(b->buf + off + 28, "KSTL", 4);          /* creator ID */
    put(b, off + 32, 1, 4);                        /* creator revision */
}

static void finish(struct builder *b, size_t off, size_t len, size_t csum_at)
{
    b->buf[off + csum_at] = 0;
    b->buf[off + csum_at] = (uint8_t)(0 - sum(b->buf + off, len));
}

static uint64_t gpa_of(const struct builder *b, size_t off)
{
    return b->gpa + off;
}

/* A Generic Address Structure (5.2.3.2) for an I/O port register of bytes bytes. */
static void gas_io(struct builder *b, size_t off, uint16_t port, unsigned bytes, uint8_t access)
{
    b->buf[off] = GAS_SYSTEM_IO;
    b->buf[off + 1] = (uint8_t)(8 * bytes);
    b->buf[off + 2] = 0;
    b->buf[off + 3] = access;
    put(b, off + 4, port, 8);
}

static size_t build_facs(struct builder *b)
{
    size_t off = place(b, FACS_LEN, 64);

    if (b->full)
        return 0;
    memcpy(b->buf + off, "FACS", 4);
    put(b, off + 4, FACS_LEN, 4);
    b->buf[off + 32] = 2;                          /* version */
    return off;
}

static size_t build_dsdt(struct builder *b, const struct acpi_config *c)
{
    size_t off = place(b, HDR_LEN, 8), n;

    if (b->full)
        return 0;
    n = acpi_dsdt_aml(c, b->buf + b->len, b->cap - b->len);
    if (n == 0) {
        b->full = true;
        return 0;
    }
    b->len += n;
    header(b, off, "DSDT", (uint32_t)(HDR_LEN + n), 2);
    finish(b, off, HDR_LEN + n, 9);
    return off;
}

/* The FADT's fixed-hardware register fields: 32-bit blocks and their X_ GAS twins. */
static void fadt_registers(struct builder *b, size_t off, const struct acpi_config *c)
{
    put(b, off + 56, c->pm1a_evt_port, 4);         /* PM1a_EVT_BLK */
    put(b, off + 64, c->pm1a_cnt_port, 4);         /* PM1a_CNT_BLK */
    put(b, off + 76, c->pm_tmr_port, 4);           /* PM_TMR_BLK */
    b->buf[off + 88] = 4;                          /* PM1_EVT_LEN */
    b->buf[off + 89] = 2;                          /* PM1_CNT_LEN */
    b->buf[off + 91] = 4;                          /* PM_TMR_LEN; GPE0/1: none */
    gas_io(b, off + 148, c->pm1a_evt_port, 4, 0);  /* X_PM1a_EVT_BLK */
    gas_io(b, off + 172, c->pm1a_cnt_port, 2, 0);  /* X_PM1a_CNT_BLK */
    gas_io(b, off + 208, c->pm_tmr_port, 4, 0);    /* X_PM_TMR_BLK */
    gas_io(b, off + 116, c->reset_port, 1, 1);     /* RESET_REG, byte access */
    b->buf[off + 128] = c->reset_value;
}

static size_t build_fadt(struct builder *b, const struct acpi_config *c, size_t facs, size_t dsdt)
{
    size_t off = place(b, FADT_LEN, 8);
    uint32_t flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_FIX_RTC |
                     FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP;

    if (b->full)
        return 0;
    if (!c->power_button)
        flags |= FADT_PWR_BUTTON;
    header(b, off, "FACP", FADT_LEN, 6);
    put(b, off + 36, gpa_of(b, facs), 4);          /* FIRMWARE_CTRL */
    put(b, off + 40, gpa_of(b, dsdt), 4);          /* DSDT */
    put(b, off + 46, c->sci_irq, 2);               /* SCI_INT; SMI_CMD 0: always ACPI */
    fadt_registers(b, off, c);
    put(b, off + 96, 0x0fff, 2);                   /* P_LVL2_LAT > 100: no C2 */
    put(b, off + 98, 0xffff, 2);                   /* P_LVL3_LAT > 1000: no C3 */
    b->buf[off + 108] = 0x32;                      /* CENTURY: CMOS 0x32 (vdev/rtc.c) */
    put(b, off + 109, BOOT_LEGACY_DEVICES | BOOT_8042, 2);  /* IAPC_BOOT_ARCH */
    put(b, off + 112, flags, 4);
    b->buf[off + 131] = 0;                         /* FADT minor version: 6.0 */
    put(b, off + 132, gpa_of(b, facs), 8);         /* X_FIRMWARE_CTRL */
    put(b, off + 140, gpa_of(b, dsdt), 8);         /* X_DSDT */
    finish(b, off, FADT_LEN, 9);
    return off;
}

/* Interrupt Source Override (ISA bus) at buf[e]: 10 bytes. */
static void madt_iso(struct builder *b, size_t e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    b->buf[e] = MADT_ISO;
    b->buf[e + 1] = 10;
    b->buf[e + 2] = 0;                             /* bus: ISA */
    b->buf[e + 3] = irq;
    put(b, e + 4, gsi, 4);
    put(b, e + 8, flags, 2);
}

static size_t build_madt(struct builder *b, const struct acpi_config *c)
{
    uint32_t len = MADT_FIXED + 8 * c->ncpus + 12 + 10 + 10 + 6;
    size_t off = place(b, len, 8), e;

    if (b->full)
        return 0;
    header(b, off, "APIC", len, 4);
    put(b, off + 36, c->lapic_addr, 4);
    put(b, off + 40, MADT_PCAT_COMPAT, 4);         /* dual 8259s present */
    e = off + MADT_FIXED;
    for (unsigned i = 0; i < c->ncpus; i++, e += 8) {
        b->buf[e] = MADT_LAPIC;
        b->buf[e + 1] = 8;
        b->buf[e + 2] = (uint8_t)i;                /* ACPI processor UID */
        b->buf[e + 3] = (uint8_t)i;                /* APIC ID */
        put(b, e + 4, 1, 4);                       /* enabled */
    }
    b->buf[e] = MADT_IOAPIC;
    b->buf[e + 1] = 12;
    b->buf[e + 2] = c->ioapic_id;
    put(b, e + 4, c->ioapic_addr, 4);
    put(b, e + 8, c->ioapic_gsi_base, 4);
    e += 12;
    madt_iso(b, e, 0, c->ioapic_gsi_base + 2, MPS_HIGH_EDGE);   /* PIT: IRQ 0 on pin 2 */
    madt_iso(b, e + 10, c->sci_irq, c->ioapic_gsi_base + c->sci_irq, MPS_HIGH_LEVEL);
    e += 20;
    b->buf[e] = MADT_LAPIC_NMI;
    b->buf[e + 1] = 6;
    b->buf[e + 2] = 0xff;                          /* all processors */
    put(b, e + 3, MPS_HIGH_EDGE, 2);
    b->buf[e + 5] = 1;                             /* LINT1 */
    finish(b, off, len, 9);
    return off;
}

/* RSDT (entry_size 4) or XSDT (8) listing the tables at offs[0..n). */
static size_t build_sdt(struct builder *b, const char sig[4], unsigned entry_size,
                        const size_t *offs, unsigned n)
{
    uint32_t len = HDR_LEN + entry_size * n;
    size_t off = place(b, len, 8);

    if (b->full)
        return 0;
    header(b, off, sig, len, 1);
    for (unsigned i = 0; i < n; i++)
        put(b, off + HDR_LEN + entry_size * i, gpa_of(b, offs[i]), entry_size);
    finish(b, off, len, 9);
    return off;
}

static void build_rsdp(struct builder *b, size_t off, size_t rsdt, size_t xsdt)
{
    memcpy(b->buf + off, "RSD PTR ", 8);
    memcpy(b->buf + off + 9, "KSTREL", 6);
    b->buf[off + 15] = 2;                          /* revision: ACPI 2.0+ */
    put(b, off + 16, gpa_of(b, rsdt), 4);
    put(b, off + 20, RSDP_LEN, 4);
    put(b, off + 24, gpa_of(b, xsdt), 8);
    finish(b, off, 20, 8);                         /* checksum: first 20 bytes */
    finish(b, off, RSDP_LEN, 32);                  /* extended checksum: all 36 */
}

/* Whether [a, a + an) and [b, b + bn) share a byte (64-bit sums: no wrap). */
static bool overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return a < b + bn && b < a + an;
}

/* The problem of virtio-mmio device i of c, or NULL: its window aligned and clear of the
 * others before it, the PCI window and the APICs' pages; its GSI one of the I/O APIC's
 * pins 16-23 (so the MADT needs no override) and no other device's. */
static const char *check_virtio_mmio(const struct acpi_config *c, unsigned i)
{
    const struct acpi_virtio_mmio *v = &c->virtio_mmio[i];
    uint64_t size = ACPI_VIRTIO_MMIO_SIZE;

    if (v->base % ACPI_VIRTIO_MMIO_SIZE || v->base == 0)
        return "acpi: virtio-mmio window misaligned";
    if ((c->pci && overlap(v->base, size, c->pci_mem_base,
                           (uint64_t)c->pci_mem_end - c->pci_mem_base + 1)) ||
        overlap(v->base, size, c->lapic_addr & ~0xfffu, 0x1000) ||
        overlap(v->base, size, c->ioapic_addr & ~0xfffu, 0x1000))
        return "acpi: virtio-mmio window overlaps the PCI window or an APIC";
    if (v->gsi < c->ioapic_gsi_base + 16 || v->gsi >= c->ioapic_gsi_base + ACPI_IOAPIC_PINS)
        return "acpi: virtio-mmio GSI must be an I/O APIC pin 16-23";
    for (unsigned j = 0; j < i; j++) {
        if (overlap(v->base, size, c->virtio_mmio[j].base, size))
            return "acpi: virtio-mmio windows overlap";
        if (v->gsi == c->virtio_mmio[j].gsi)
            return "acpi: virtio-mmio GSI used twice";
    }
    return NULL;
}

/* The config's problem, or NULL. */
static const char *check(const struct acpi_config *c, uint64_t gpa)
{
    if (c->ncpus < 1 || c->ncpus > ACPI_MAX_VCPUS)
        return "acpi: vCPU count out of range";
    if (c->ioapic_id < c->ncpus || c->ioapic_id == 0xff)
        return "acpi: I/O APIC ID clashes with a local APIC ID";
    if (c->sci_irq == 0 || c->sci_irq == 2 || c->sci_irq >= 16)
        return "acpi: SCI IRQ must be an ISA IRQ other than 0 and 2";
    if (c->ioapic_gsi_base > 0xffffffffu - ACPI_IOAPIC_PINS)
        return "acpi: I/O APIC GSI base too large";
    if (c->pm1a_evt_port == 0 || c->pm1a_evt_port > 0xfffc || c->pm1a_cnt_port == 0 ||
        c->pm1a_cnt_port > 0xfffe || c->pm_tmr_port == 0 || c->pm_tmr_port > 0xfffc ||
        c->reset_port == 0)
        return "acpi: PM or reset port out of range";
    if (c->pci && c->pci_mem_base > c->pci_mem_end)
        return "acpi: empty PCI memory window";
    if (gpa > FOUR_GIB - ACPI_TABLES_MAX_LEN)
        return "acpi: tables must lie below 4 GiB";
    if (c->n_virtio_mmio > ACPI_MAX_VIRTIO_MMIO)
        return "acpi: too many virtio-mmio devices";
    for (unsigned i = 0; i < c->n_virtio_mmio; i++) {
        const char *why = check_virtio_mmio(c, i);

        if (why)
            return why;
    }
    return NULL;
}

/* Contract: see acpi_tables.h. */
void acpi_config_default(struct acpi_config *c, unsigned ncpus)
{
    memset(c, 0, sizeof(*c));
    c->ncpus = ncpus;
    c->lapic_addr = ACPI_LAPIC_ADDR;
    c->ioapic_id = (uint8_t)(ncpus < ACPI_MAX_VCPUS ? ncpus : ACPI_MAX_VCPUS);
    c->ioapic_addr = ACPI_IOAPIC_ADDR;
    c->pm1a_evt_port = VACPI_PM_BASE + VACPI_PM_EVT_OFF;
    c->pm1a_cnt_port = VACPI_PM_BASE + VACPI_PM_CNT_OFF;
    c->pm_tmr_port = VACPI_PM_BASE + VACPI_PM_TMR_OFF;
    c->sci_irq = ACPI_SCI_IRQ;
    c->reset_port = ACPI_RESET_PORT;
    c->reset_value = ACPI_RESET_VALUE;
    c->pci_mem_base = ACPI_PCI_MEM_BASE;
    c->pci_mem_end = ACPI_PCI_MEM_END;
}

/* Contract: see acpi_tables.h. */
int acpi_config_virtio_mmio(struct acpi_config *c, unsigned n)
{
    if (n > ACPI_MAX_VIRTIO_MMIO)
        return -1;
    c->n_virtio_mmio = n;
    for (unsigned i = 0; i < n; i++)
        c->virtio_mmio[i] = (struct acpi_virtio_mmio){
            .base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE,
            .gsi = c->ioapic_gsi_base + VIRTIO_MMIO_GSI_BASE + i,
        };
    return 0;
}

/* Contract: see acpi_tables.h. */
int acpi_tables_build(const struct acpi_config *c, uint64_t gpa, uint8_t *buf, size_t cap,
                      struct acpi_tables_layout *out, const char **err)
{
    struct builder b = { .buf = buf, .cap = buf ? cap : 0, .gpa = gpa };
    const char *why = c && out ? check(c, gpa) : "acpi: no config or no layout";
    size_t rsdp, facs, dsdt, fadt, madt, rsdt, xsdt, list[2];
    uint64_t end;

    if (!why) {
        rsdp = place(&b, RSDP_LEN, 16);
        facs = build_facs(&b);
        dsdt = build_dsdt(&b, c);
        fadt = build_fadt(&b, c, facs, dsdt);
        madt = build_madt(&b, c);
        list[0] = fadt;
        list[1] = madt;
        rsdt = build_sdt(&b, "RSDT", 4, list, 2);
        xsdt = build_sdt(&b, "XSDT", 8, list, 2);
        if (b.full)
            why = "acpi: buffer too small for the tables";
    }
    if (why) {
        if (err)
            *err = why;
        return -1;
    }
    build_rsdp(&b, rsdp, rsdt, xsdt);
    end = (gpa + b.len + 0xfff) & ~0xfffull;
    *out = (struct acpi_tables_layout){
        .length = b.len, .rsdp_offset = rsdp, .rsdp_gpa = gpa + rsdp,
        .e820_addr = gpa & ~0xfffull, .e820_size = end - (gpa & ~0xfffull),
        .e820_type = ACPI_TABLES_E820_TYPE,
        .rsdt = rsdt, .xsdt = xsdt, .fadt = fadt, .facs = facs, .dsdt = dsdt, .madt = madt,
    };
    return 0;
}
