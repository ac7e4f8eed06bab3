/* dump_acpi: write the ACPI tables src/core/acpi_tables.c builds into one file per table,
 * so ACPICA's disassembler (iasl -d) can check them (tests/system/test_acpi_iasl.py does).
 * Built by tests/firmware/firmware.mk to build/firmware/dump_acpi.
 *
 *   dump_acpi DIR [--cpus N] [--pci] [--power-button] [--gpa ADDR] [--virtio N]
 *
 * --virtio N describes N virtio-mmio devices at Kestrel's places (acpi_config_virtio_mmio).
 *
 * Writes DIR/rsdp.dat, DIR/rsdt.dat, DIR/xsdt.dat, DIR/facp.dat, DIR/facs.dat,
 * DIR/dsdt.dat, DIR/apic.dat and prints the layout as "key=value" lines. Exits 0, 1 if the
 * builder refuses the config (its line on stderr), 2 on a usage or file error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/acpi_tables.h"

static uint8_t buf[ACPI_TABLES_MAX_LEN];

static int write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

/* The length field of the table at off (the RSDP's is at +20, the others' at +4). */
static size_t table_len(size_t off, int is_rsdp)
{
    const uint8_t *p = buf + off + (is_rsdp ? 20 : 4);

    return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
}

int main(int argc, char **argv)
{
    struct acpi_config c;
    struct acpi_tables_layout l;
    const char *err = NULL, *dir;
    unsigned long cpus = 1, virtio = 0;
    unsigned long long gpa = ACPI_TABLES_GPA;
    int pci = 0, button = 0;

    if (argc < 2)
        goto usage;
    dir = argv[1];
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--cpus") && i + 1 < argc)
            cpus = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--gpa") && i + 1 < argc)
            gpa = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--virtio") && i + 1 < argc)
            virtio = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--pci"))
            pci = 1;
        else if (!strcmp(argv[i], "--power-button"))
            button = 1;
        else
            goto usage;
    }
    acpi_config_default(&c, (unsigned)cpus);
    c.pci = pci;
    c.power_button = button;
    if (acpi_config_virtio_mmio(&c, virtio > ~0u ? ~0u : (unsigned)virtio) != 0) {
        fprintf(stderr, "dump_acpi: too many virtio-mmio devices\n");
        return 1;
    }
    if (acpi_tables_build(&c, gpa, buf, sizeof(buf), &l, &err) != 0) {
        fprintf(stderr, "dump_acpi: %s\n", err);
        return 1;
    }
    struct { const char *name; size_t off; } t[] = {
        { "rsdp", l.rsdp_offset }, { "rsdt", l.rsdt }, { "xsdt", l.xsdt },
        { "facp", l.fadt }, { "facs", l.facs }, { "dsdt", l.dsdt }, { "apic", l.madt },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (write_file(dir, t[i].name, buf + t[i].off, table_len(t[i].off, i == 0)) != 0)
            return 2;
    printf("length=%zu\nrsdp_gpa=%#llx\ne820=%#llx+%#llx type %u\n", l.length,
           (unsigned long long)l.rsdp_gpa, (unsigned long long)l.e820_addr,
           (unsigned long long)l.e820_size, l.e820_type);
    return 0;
usage:
    fprintf(stderr, "usage: dump_acpi DIR [--cpus N] [--pci] [--power-button] [--gpa ADDR]"
                    " [--virtio N]\n");
    return 2;
}
