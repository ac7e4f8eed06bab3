/* The Linux loader (contract in core/load_linux.h). The planner has already checked that
 * every piece fits the domain's RAM without overlap, so this file only allocates the
 * planner's buffers, copies, and logs one line that says what was loaded where. */
#include "core/load_linux.h"
#include "core/acpi_tables.h"
#include "core/bzboot.h"
#include "core/bzimage.h"
#include "core/domain_virtio.h"
#include "core/domain_devices.h"
#include "core/domain.h"
#include "core/guestmem.h"
#include "core/multiboot.h"
#include "console/log.h"
#include "mm/heap.h"
#include "lib/format.h"

/* A Linux domain's RAM is one range from 0: it must end below the PC's device pages (the
 * I/O APIC at 0xFEC00000, the local APIC at 0xFEE00000, virtio-mmio at 0xFE000000) and the
 * PCI window the DSDT declares from 0xC0000000. */
#define LINUX_MEMORY_MAX_MB 3072u

/* The planner's output is a few KiB: too much for the hypervisor's stack. */
struct linux_boot {
    struct bzimage_plan plan;
    uint8_t zero_page[BZIMAGE_ZERO_PAGE_SIZE];
    uint8_t acpi[ACPI_TABLES_MAX_LEN];
    struct acpi_tables_layout acpi_layout;
    uint8_t gdt[BZBOOT_GDT_SIZE];
    uint8_t pt[BZBOOT_PT_SIZE];
};

/* Copy every piece of the plan into d; false if a copy failed (it cannot, once the plan
 * fits the populated RAM, but the copy says so rather than assume). */
static bool copy_pieces(struct domain *d, const struct linux_boot *b, const uint8_t *img,
                        const struct boot_module *rd)
{
    const struct bzimage_plan *p = &b->plan;

    if (domain_copy_to(d, p->kernel_addr, img + p->kernel_file_off,
                       (size_t)p->kernel_file_size) != 0)
        return false;
    if (rd && p->initrd_size &&
        domain_copy_to(d, p->initrd_addr, (const void *)(uintptr_t)rd->start,
                       (size_t)p->initrd_size) != 0)
        return false;
    if (domain_copy_to(d, p->zero_page_addr, b->zero_page, sizeof(b->zero_page)) != 0 ||
        domain_copy_to(d, p->cmdline_addr, d->cfg.cmdline, p->cmdline_len) != 0)
        return false;
    if (domain_copy_to(d, ACPI_TABLES_GPA, b->acpi, b->acpi_layout.length) != 0)
        return false;
    return domain_copy_to(d, BZBOOT_GDT_ADDR, b->gdt, sizeof(b->gdt)) == 0 &&
           domain_copy_to(d, BZBOOT_PT_ADDR, b->pt, sizeof(b->pt)) == 0;
}

/* boot_params.acpi_rsdp_addr (boot protocol 2.14; older kernels scan the BIOS area, where
 * the tables are too). */
#define BP_ACPI_RSDP_ADDR 0x070

/* The domain's ACPI tables (the motherboard of core/irq.h and the devices domain_build
 * wires: PM block, reset register, PCI bus 0, the virtio-mmio devices), for ACPI_TABLES_GPA, which lies in the
 * legacy hole the E820 map reserves; their address into the zero page. 0 or -1. */
static int build_acpi(struct domain *d, struct linux_boot *b, char *err, size_t errsz,
                      const char *cfgname)
{
    struct acpi_config c;
    const char *why = "";
    acpi_config_default(&c, d->nr_vcpus);     /* a LAPIC per vCPU, I/O APIC ID after */
    c.pci = true;
    if (acpi_config_virtio_mmio(&c, domain_virtio_count(d)) != 0) {
        snprintf(err, errsz, "%s: cannot describe %u virtio devices", cfgname,
                 domain_virtio_count(d));
        return -1;
    }
    if (acpi_tables_build(&c, ACPI_TABLES_GPA, b->acpi, sizeof(b->acpi), &b->acpi_layout,
                          &why) != 0) {
        snprintf(err, errsz, "%s: cannot build the ACPI tables: %s", cfgname, why);
        return -1;
    }
    uint64_t rsdp = b->acpi_layout.rsdp_gpa;
    for (unsigned i = 0; i < 8; i++)
        b->zero_page[BP_ACPI_RSDP_ADDR + i] = (uint8_t)(rsdp >> (8 * i));
    return 0;
}

int load_linux(struct domain *d, const struct boot_module *k, const struct boot_module *rd,
               const char *cfgname, char *err, size_t errsz)
{
    const uint8_t *img = (const uint8_t *)(uintptr_t)k->start;
    struct bzimage_layout mem = { .ram_size = (uint64_t)d->cfg.memory_mb << 20 };
    struct linux_boot *b = kzalloc(sizeof(*b));
    char why[160];
    int rc = -1;

    if (!b) {
        snprintf(err, errsz, "%s: out of memory for the Linux boot plan", cfgname);
        return -1;
    }
    if (d->cfg.memory_mb > LINUX_MEMORY_MAX_MB || d->cfg.maxmem_mb > LINUX_MEMORY_MAX_MB) {
        snprintf(err, errsz, "%s: memory: a Linux domain has at most %u MiB (its RAM is one "
                 "range below the device pages at 0xC0000000)", cfgname, LINUX_MEMORY_MAX_MB);
        goto out;
    }
    if (bzimage_plan(img, (size_t)(k->end - k->start), rd ? rd->end - rd->start : 0,
                     d->cfg.cmdline, &mem, &b->plan, b->zero_page, why, sizeof(why)) != 0) {
        snprintf(err, errsz, "%s: kernel %s: %s", cfgname, k->name, why);
        goto out;
    }
    if (domain_linux_devices(d, cfgname, err, errsz) != 0 ||
        build_acpi(d, b, err, errsz, cfgname) != 0)
        goto out;
    bzboot_tables(b->plan.entry.bits, b->gdt, b->pt);
    if (!copy_pieces(d, b, img, rd)) {
        snprintf(err, errsz, "%s: kernel %s: cannot copy it into the domain", cfgname, k->name);
        goto out;
    }
    struct vcpu_entry entry;
    bzboot_entry_state(&b->plan.entry, &entry);
    arch_vcpu_reset(domain_vcpu(d, 0), &entry, d->p2m_root);
    log_info("d%d (%s): kernel %s (Linux boot protocol %u.%02u, %u-bit entry %#llx), "
             "initrd %llu KiB at %#llx, %u MiB", d->id, d->name, k->name,
             b->plan.version >> 8, b->plan.version & 0xff, b->plan.entry.bits,
             (unsigned long long)b->plan.entry.rip,
             (unsigned long long)(b->plan.initrd_size >> 10),
             (unsigned long long)b->plan.initrd_addr, d->cfg.memory_mb);
    rc = 0;
out:
    kfree(b);
    return rc;
}
