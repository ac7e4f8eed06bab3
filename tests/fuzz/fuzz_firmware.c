/* libFuzzer target for the firmware pieces a guest or a domain config reaches:
 * - input starting with an even byte: an ACPI table config (every field from the input,
 *   the guest address and the buffer size too) built into an exact-size heap buffer, so
 *   ASan flags any write past it; an accepted build must have checksums that sum to 0
 *   (RSDP both, every table), lengths inside the buffer and the E820 range covering it;
 *   virtio-mmio devices at Kestrel's places or anywhere (windows, GSIs, too many);
 * - an odd byte: a script of port reads and writes (any size) over the PM block, the PCI
 *   bus with a host bridge, a device with a BAR and the reset register, with clock steps
 *   and power-button presses. Checks: CONFIG_ADDRESS never shows its reserved bits,
 *   absent functions read all ones, SCI_EN always reads 1, TMR_STS's next event lies in
 *   the future, the callbacks ran exactly as often as the devices counted. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/acpi_tables.h"
#include "vdev/acpi_pm.h"
#include "vdev/pci.h"

struct cursor {
    const uint8_t *p;
    size_t n;
};

static uint64_t take(struct cursor *c, unsigned bytes)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < bytes; i++) {
        if (c->n) {
            v |= (uint64_t)*c->p << (8 * i);
            c->p++;
            c->n--;
        }
    }
    return v;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static void check_table(const uint8_t *buf, size_t len, size_t off)
{
    uint32_t tlen;

    if (off + 36 > len)
        abort();
    tlen = (uint32_t)buf[off + 4] | (uint32_t)buf[off + 5] << 8 | (uint32_t)buf[off + 6] << 16 |
           (uint32_t)buf[off + 7] << 24;
    if (tlen < 36 || off + tlen > len || sum(buf + off, tlen) != 0)
        abort();
}

/* The virtio-mmio device list: none to one too many, at Kestrel's places or anywhere. */
static void fuzz_virtio_mmio(struct cursor *c, struct acpi_config *cfg)
{
    unsigned n = (unsigned)take(c, 1) % (ACPI_MAX_VIRTIO_MMIO + 2), i;

    if (acpi_config_virtio_mmio(cfg, n) != 0)
        cfg->n_virtio_mmio = n;
    if (take(c, 1) & 1)
        return;
    for (i = 0; i < n && i < ACPI_MAX_VIRTIO_MMIO; i++) {
        cfg->virtio_mmio[i].base = (uint32_t)take(c, 4);
        cfg->virtio_mmio[i].gsi = (uint32_t)take(c, 4);
    }
}

static void fuzz_tables(struct cursor *c)
{
    struct acpi_config cfg;
    struct acpi_tables_layout l;
    uint64_t gpa = take(c, 5);
    size_t cap = (size_t)take(c, 2) % (ACPI_TABLES_MAX_LEN + 64);
    uint8_t *buf = malloc(cap ? cap : 1);

    acpi_config_default(&cfg, (unsigned)take(c, 1));
    if (take(c, 1) & 1) {               /* keep the defaults half the time */
        cfg.ncpus = (unsigned)take(c, 2);
        cfg.ioapic_id = (uint8_t)take(c, 1);
        cfg.ioapic_gsi_base = (uint32_t)take(c, 4);
        cfg.pm1a_evt_port = (uint16_t)take(c, 2);
        cfg.pm1a_cnt_port = (uint16_t)take(c, 2);
        cfg.pm_tmr_port = (uint16_t)take(c, 2);
        cfg.sci_irq = (uint8_t)take(c, 1);
        cfg.reset_port = (uint16_t)take(c, 2);
        cfg.reset_value = (uint8_t)take(c, 1);
        cfg.pci_mem_base = (uint32_t)take(c, 4);
        cfg.pci_mem_end = (uint32_t)take(c, 4);
    }
    cfg.pci = take(c, 1) & 1;
    cfg.power_button = take(c, 1) & 1;
    fuzz_virtio_mmio(c, &cfg);
    if (buf && acpi_tables_build(&cfg, gpa, buf, cap, &l, NULL) == 0) {
        if (l.length > cap || l.rsdp_offset + 36 > l.length || sum(buf + l.rsdp_offset, 20) ||
            sum(buf + l.rsdp_offset, 36) || l.rsdp_gpa % 16 || l.e820_addr > gpa ||
            l.e820_addr + l.e820_size < gpa + l.length)
            abort();
        check_table(buf, l.length, l.rsdt);
        check_table(buf, l.length, l.xsdt);
        check_table(buf, l.length, l.fadt);
        check_table(buf, l.length, l.dsdt);
        check_table(buf, l.length, l.madt);
    }
    free(buf);
}

struct machine {
    struct vdev_bus bus;
    struct vacpi_pm pm;
    struct vacpi_reset rcr;
    struct vpci_bus pci;
    struct vpci_func host, dev;
    uint64_t now, poweroffs, resets;
};

static uint64_t clock_ns(void *ctx) { return ((struct machine *)ctx)->now; }
static void poweroff(void *ctx) { ((struct machine *)ctx)->poweroffs++; }
static void reset(void *ctx) { ((struct machine *)ctx)->resets++; }

static const uint16_t ports[8] = { 0x600, 0x602, 0x604, 0x608, 0xcf8, 0xcf9, 0xcfc, 0xcfe };

static void build(struct machine *m)
{
    memset(m, 0, sizeof(*m));
    vacpi_pm_init(&m->pm, VACPI_PM_BASE, clock_ns, poweroff, m);
    vacpi_reset_init(&m->rcr, reset, m);
    vpci_bus_init(&m->pci, &vacpi_reset_ops, &m->rcr);
    vpci_host_bridge_init(&m->host);
    vpci_func_init(&m->dev, 0x1af4, 0x1041, 0x020000, 1);
    m->dev.wmask[0x11] = 0xf0;
    m->dev.wmask[0x12] = m->dev.wmask[0x13] = 0xff;
    vdev_bus_init(&m->bus);
    if (vpci_attach(&m->pci, 0, &m->host) || vpci_attach(&m->pci, VPCI_DEVFN(2, 0), &m->dev) ||
        vdev_bus_register(&m->bus, VACPI_PM_BASE, VACPI_PM_BASE + VACPI_PM_LEN - 1,
                          &vacpi_pm_ops, &m->pm) ||
        vdev_bus_register(&m->bus, VPCI_PORT_LO, VPCI_PORT_HI, &vpci_ops, &m->pci))
        abort();
}

/* After every step: the promises the header files make. */
static void check(struct machine *m)
{
    uint32_t v = 0, a;
    uint64_t next;

    vdev_bus_io(&m->bus, 0xcf8, 4, true, &a);
    if (a & ~0x80fffffcu)
        abort();
    vdev_bus_io(&m->bus, 0x604, 2, true, &v);
    if (!(v & VACPI_PM1_SCI_EN))
        abort();
    next = vacpi_pm_next_event_ns(&m->pm);
    if (next != UINT64_MAX && next <= m->now)
        abort();
    if (m->poweroffs != m->pm.poweroffs || m->resets != m->rcr.resets)
        abort();
    if (vpci_cfg_read(&m->pci, VPCI_DEVFN(7, 0), 0, 4) != 0xffffffffu)
        abort();
    vdev_bus_io(&m->bus, 0xcf8, 4, false, &a);   /* leave it as it was */
}

static void fuzz_ports(struct cursor *c)
{
    static struct machine m;

    build(&m);
    while (c->n) {
        uint8_t op = (uint8_t)take(c, 1);
        uint16_t port = (op & 0x40) ? (uint16_t)take(c, 2) : ports[op & 7];
        unsigned size = 1u << ((op >> 3) & 3);
        uint32_t v = (uint32_t)take(c, 4);

        switch (op >> 7) {
        case 0:
            if (size == 8)                           /* clock step, saturating */
                m.now = m.now + v * (uint64_t)v < m.now ? UINT64_MAX : m.now + v * (uint64_t)v;
            else if (op & 0x20)
                vdev_bus_io(&m.bus, port, size, true, &v);
            else
                vdev_bus_io(&m.bus, port, size, false, &v);
            break;
        default:
            if ((op & 0x0f) == 0)
                vacpi_pm_press_power_button(&m.pm);
            else if ((op & 0x0f) == 1)
                vdev_bus_reset(&m.bus);
            else
                vdev_bus_io(&m.bus, 0xcf8, 4, false, &v);
            break;
        }
        check(&m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cursor c = { data, size };

    if (size == 0)
        return 0;
    if (take(&c, 1) & 1)
        fuzz_ports(&c);
    else
        fuzz_tables(&c);
    return 0;
}
