/* The domain builder, a leaf of the domain life cycle (src/core/domain.c): for a domain
 * slot whose config is set, allocate its console ring, nested page tables, vCPU and memory,
 * load the kernel module the config names with its ramdisk (a Linux bzImage through
 * core/load_linux.h; else a Multiboot image, with a Multiboot info structure below 640 KiB),
 * wire the devices to its I/O bus, and reset the vCPU into the kernel's entry state; and give all that back (domain_unbuild). Any error
 * names the module or key; what was built is given back. It never touches the domain
 * table or the scheduler. */
#include "core/domain.h"
#include "core/cpulist.h"
#include "core/dom_console.h"
#include "core/domain_build.h"
#include "core/guestmem.h"
#include "core/boot.h"
#include "core/mbimage.h"
#include "core/mbinfo.h"
#include "core/bzimage.h"
#include "core/load_linux.h"
#include "core/irq.h"
#include "core/domain_virtio.h"
#include "core/domain_devices.h"
#include "console/log.h"
#include "mm/frame.h"
#include "mm/heap.h"
#include "arch/time.h"
#include "arch/rtc.h"
#include "lib/string.h"
#include "lib/format.h"

#define INFO_GPA 0x8000ULL

static int write_guest(void *ctx, uint64_t gpa, const void *src, size_t n)
{
    return domain_copy_to(ctx, gpa, src, n);
}

static uint64_t dev_now_ns(void *ctx)
{
    (void)ctx;
    return time_now_ns();
}

static uint64_t dev_wall_s(void *ctx)
{
    (void)ctx;
    return rtc_boot_epoch() + time_now_ns() / 1000000000ULL;
}

static void uart_tx(void *ctx, uint8_t byte)
{
    domain_console_out(ctx, byte);
}

static void kbd_reset(void *ctx)
{
    domain_shutdown(ctx, SHUTDOWN_REBOOT, "reset through the i8042 controller");
}

static void rcr_reset(void *ctx)
{
    domain_shutdown(ctx, SHUTDOWN_REBOOT, "reset through port 0xcf9");
}

static void acpi_poweroff(void *ctx)
{
    domain_shutdown(ctx, SHUTDOWN_POWEROFF, "ACPI soft-off (S5)");
}

/* Wire the PC's devices to the domain's I/O bus (legacy ISA devices, the ACPI PM block,
 * the reset register and PCI bus 0 with its host bridge), and the interrupt controllers. */
static void devices_init(struct domain *d)
{
    vdev_bus_init(&d->bus);
    vuart_init(&d->uart, uart_tx, d);
    vpic_init(&d->pic);
    vpit_init(&d->pit, dev_now_ns, d);
    vrtc_init(&d->rtc, dev_wall_s, d, (uint64_t)d->cfg.memory_mb << 20);
    vi8042_init(&d->kbd, kbd_reset, d);
    vport80_init(&d->post);
    vdev_bus_register(&d->bus, 0x3f8, 0x3ff, &vuart_ops, &d->uart);
    vdev_bus_register(&d->bus, 0x20, 0x21, &vpic_ops, &d->pic);
    vdev_bus_register(&d->bus, 0xa0, 0xa1, &vpic_ops, &d->pic);
    vdev_bus_register(&d->bus, 0x4d0, 0x4d1, &vpic_ops, &d->pic);
    vdev_bus_register(&d->bus, 0x40, 0x43, &vpit_ops, &d->pit);
    vdev_bus_register(&d->bus, 0x61, 0x61, &vpit_port61_ops, &d->pit);
    vdev_bus_register(&d->bus, 0x70, 0x71, &vrtc_ops, &d->rtc);
    vdev_bus_register(&d->bus, 0x60, 0x60, &vi8042_ops, &d->kbd);
    vdev_bus_register(&d->bus, 0x64, 0x64, &vi8042_ops, &d->kbd);
    vdev_bus_register(&d->bus, 0x80, 0x80, &vport80_ops, &d->post);
    vacpi_pm_init(&d->pm, VACPI_PM_BASE, dev_now_ns, acpi_poweroff, d);
    vacpi_reset_init(&d->rcr, rcr_reset, d);
    vpci_bus_init(&d->pci, &vacpi_reset_ops, &d->rcr);
    vpci_host_bridge_init(&d->host_bridge);
    vpci_attach(&d->pci, VPCI_DEVFN(0, 0), &d->host_bridge);
    vdev_bus_register(&d->bus, VACPI_PM_BASE, VACPI_PM_BASE + VACPI_PM_LEN - 1, &vacpi_pm_ops,
                      &d->pm);
    vdev_bus_register(&d->bus, VPCI_PORT_LO, VPCI_PORT_HI, &vpci_ops, &d->pci);
    domain_irq_init(d);
}

/* The boot module named by a cfg key (what is "kernel" or "ramdisk"), or NULL with err set. */
static const struct boot_module *named_module(const char *name, const char *key,
                                              const char *cfgname, char *err, size_t errsz)
{
    int m = boot_module_index(&boot_info, name);
    if (m < 0) {
        snprintf(err, errsz, "%s: %s: no boot module named '%s'", cfgname, key, name);
        return NULL;
    }
    return &boot_info.mods[m];
}

/* Load Multiboot kernel k (and ramdisk rd, may be NULL) into d's memory, write its
 * Multiboot info and reset the vCPU at its entry; 0 or -1. */
static int load_multiboot(struct domain *d, const struct boot_module *k,
                          const struct boot_module *r, const char *cfgname, char *err,
                          size_t errsz)
{
    const uint8_t *img = (const uint8_t *)(uintptr_t)k->start;
    struct mbimage mb;
    char why[128];
    if (mbimage_parse(img, (size_t)(k->end - k->start), &mb, why, sizeof(why)) != 0) {
        snprintf(err, errsz, "%s: kernel %s: %s", cfgname, k->name, why);
        return -1;
    }
    uint64_t mem = (uint64_t)d->cfg.memory_mb << 20;
    if (mb.highest > mem) {
        snprintf(err, errsz, "%s: kernel %s needs memory up to %#llx but the domain has %u MiB",
                 cfgname, k->name, (unsigned long long)mb.highest, d->cfg.memory_mb);
        return -1;
    }
    for (unsigned i = 0; i < mb.nsegs; i++) {
        const struct mbimage_seg *s = &mb.segs[i];
        if (domain_copy_to(d, s->load_addr, img + s->file_off, (size_t)s->file_size) != 0) {
            snprintf(err, errsz, "%s: kernel %s: cannot load segment at %#llx", cfgname,
                     k->name, (unsigned long long)s->load_addr);
            return -1;
        }
    }
    struct mbinfo_params p = {
        .mem_bytes = mem, .loader_name = "Kestrel", .info_gpa = INFO_GPA,
    };
    char cmdline[XLCFG_CMDLINE_MAX + XLCFG_MODULE_MAX + 2];
    snprintf(cmdline, sizeof(cmdline), "%s%s%s", d->cfg.kernel, d->cfg.cmdline[0] ? " " : "",
             d->cfg.cmdline);
    p.cmdline = cmdline;
    if (r) {
        uint64_t start = (mb.highest + 0xfff) & ~0xfffULL, size = r->end - r->start;
        if (start + size > mem) {
            snprintf(err, errsz, "%s: ramdisk %s (%llu bytes) does not fit in %u MiB", cfgname,
                     r->name, (unsigned long long)size, d->cfg.memory_mb);
            return -1;
        }
        domain_copy_to(d, start, (const void *)(uintptr_t)r->start, (size_t)size);
        p.has_module = true;
        p.mod_start = start;
        p.mod_end = start + size;
        p.mod_string = r->string;
    }
    uint32_t info;
    if (mbinfo_build(&p, write_guest, d, &info) != 0) {
        snprintf(err, errsz, "%s: cannot build the Multiboot info", cfgname);
        return -1;
    }
    struct vcpu_entry entry;
    mbimage_entry_state(&mb, info, &entry);
    arch_vcpu_reset(domain_vcpu(d, 0), &entry, d->p2m_root);
    log_info("d%d (%s): kernel %s (%s, entry %#x), %u MiB", d->id, d->name, k->name,
             mb.format, mb.entry, d->cfg.memory_mb);
    return 0;
}

/* How many vCPUs d gets, from its cfg and its kernel's format, into d->nr_vcpus: a Linux
 * kernel gets `vcpus` (its APs wait for the guest's INIT-SIPI-SIPI), a Multiboot kernel is
 * a one-CPU kernel and gets one, with a warning if more were asked. vCPUs beyond `vcpus`
 * up to `maxvcpus` would be hot-plugged ones, which Kestrel does not offer: a warning.
 * Hard affinity that leaves out CPU 0 cannot be honoured while every vCPU runs there:
 * refused. 0 or -1. */
static int count_vcpus(struct domain *d, bool linux, const char *cfgname, char *err,
                       size_t errsz)
{
    const struct domain_config *c = &d->cfg;
    char list[40];

    for (unsigned i = 0; i < c->vcpus; i++)
        if (!(c->cpus[i] & 1)) {
            cpulist_format(c->cpus[i], list, sizeof(list));
            snprintf(err, errsz, "%s: cpus: vCPU %u's \"%s\": Kestrel runs every vCPU on CPU 0 "
                     "until its scheduler runs on every CPU", cfgname, i, list);
            return -1;
        }
    d->nr_vcpus = linux ? c->vcpus : 1;
    if (!linux && c->maxvcpus > 1)
        log_warn("d%d (%s): vcpus = %u: a Multiboot kernel runs on one vCPU", d->id, d->name,
                 c->maxvcpus);
    else if (c->maxvcpus > c->vcpus)
        log_warn("d%d (%s): maxvcpus = %u: vCPUs are not hot-plugged; the domain has %u",
                 d->id, d->name, c->maxvcpus, c->vcpus);
    return 0;
}

/* Allocate d's d->nr_vcpus vCPUs with their backend state; -1 when out of memory. */
static int create_vcpus(struct domain *d)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct domain_vcpu *dv = kzalloc(sizeof(*dv));
        if (!dv)
            return -1;
        d->vcpus[i] = dv;
        dv->vcpu.dom = d;
        dv->vcpu.id = (int)i;
        dv->wait_for_sipi = i != 0;
        if (arch_vcpu_create(&dv->vcpu) != 0)
            return -1;
    }
    return 0;
}

/* Load the cfg's kernel k and ramdisk r (may be NULL) by the kernel's own format: a Linux
 * setup header means the Linux boot protocol, anything else must be a Multiboot image;
 * 0 or -1. */
static int load_guest(struct domain *d, bool linux, const struct boot_module *k,
                      const struct boot_module *r, const char *cfgname, char *err,
                      size_t errsz)
{
    if (linux)
        return load_linux(d, k, r, cfgname, err, errsz);
    if (domain_disk_devices(d, cfgname, err, errsz) != 0)
        return -1;
    return load_multiboot(d, k, r, cfgname, err, errsz);
}

void domain_unbuild(struct domain *d)
{
    domain_virtio_free(d);
    domain_devices_free(d);
    for (unsigned i = 0; i < DOMAIN_VCPUS_MAX && d->vcpus[i]; i++) {
        if (d->vcpus[i]->vcpu.arch)
            arch_vcpu_destroy(&d->vcpus[i]->vcpu);
        kfree(d->vcpus[i]);
        d->vcpus[i] = NULL;
    }
    d->nr_vcpus = 0;
    if (d->p2m_root)
        guestmem_release_all(d);
    if (d->con_ring)
        frame_free_contig((uint64_t)(uintptr_t)d->con_ring, DOMAIN_CONRING_SIZE / FRAME_SIZE);
    d->con_ring = NULL;
}

int domain_build(struct domain *d, const char *cfgname, char *err, size_t errsz)
{
    const struct domain_config *cfg = &d->cfg;
    const struct boot_module *k, *r = NULL;
    k = named_module(cfg->kernel, "kernel", cfgname, err, errsz);
    if (!k)
        return -1;
    if (cfg->ramdisk[0] && !(r = named_module(cfg->ramdisk, "ramdisk", cfgname, err, errsz)))
        return -1;
    bool linux = bzimage_probe((const uint8_t *)(uintptr_t)k->start, (size_t)(k->end - k->start));
    if (count_vcpus(d, linux, cfgname, err, errsz) != 0)
        return -1;
    d->max_pages = (uint64_t)cfg->maxmem_mb * 256;
    d->target_pages = (uint64_t)cfg->memory_mb * 256;
    uint64_t ring = frame_alloc_contig(DOMAIN_CONRING_SIZE / FRAME_SIZE, 1);
    d->con_ring = (char *)(uintptr_t)ring;
    d->p2m_root = arch_p2m_create();
    if (!ring || !d->p2m_root || create_vcpus(d) != 0) {
        snprintf(err, errsz, "%s: out of memory for the domain's structures", cfgname);
        domain_unbuild(d);
        return -1;
    }
    if (guestmem_populate(d, (uint64_t)cfg->memory_mb << 20) != 0) {
        snprintf(err, errsz, "%s: memory: not enough free memory for %u MiB", cfgname,
                 cfg->memory_mb);
        domain_unbuild(d);
        return -1;
    }
    devices_init(d);
    if (load_guest(d, linux, k, r, cfgname, err, errsz) != 0) {
        domain_unbuild(d);
        return -1;
    }
    return 0;
}
