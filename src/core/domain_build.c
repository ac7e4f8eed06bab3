/* The domain builder: a cfg module (xl.cfg syntax) names a kernel module; the kernel is
 * loaded as a Multiboot image into fresh guest memory with its ramdisk, a Multiboot info
 * structure is written below 640 KiB, the domain's devices are wired to its I/O bus, and
 * its vCPU is put at the Multiboot entry. Any error names the module, line or key; that
 * domain is not built and the others go on. */
#include "core/domain.h"
#include "core/dom_console.h"
#include "core/domain_build.h"
#include "core/guestmem.h"
#include "core/boot.h"
#include "core/mbimage.h"
#include "core/mbinfo.h"
#include "sched/sched.h"
#include "console/log.h"
#include "mm/frame.h"
#include "arch/time.h"
#include "arch/rtc.h"
#include "lib/civil.h"
#include "lib/string.h"
#include "lib/format.h"

#define INFO_GPA 0x8000ULL

static bool virt_ok;
static char virt_why[96];

bool virt_available(void) { return virt_ok; }
const char *virt_unavailable_reason(void) { return virt_why; }

/* Find a boot module by its name (basename of the first word of its string). */
static int module_by_name(const char *name)
{
    for (size_t i = 0; i < boot_info.mod_count; i++)
        if (strcmp(boot_info.mods[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void cfg_warning(void *ctx, const char *line)
{
    (void)ctx;
    log_warn("%s", line);
}

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

/* Wire the legacy devices to the domain's I/O bus. */
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
}

/* Load kernel (and ramdisk) into d's memory and write its Multiboot info; 0 or -1. */
static int load_guest(struct domain *d, const char *cfgname, char *err, size_t errsz)
{
    int km = module_by_name(d->cfg.kernel);
    if (km < 0) {
        snprintf(err, errsz, "%s: kernel: no boot module named '%s'", cfgname, d->cfg.kernel);
        return -1;
    }
    const struct boot_module *k = &boot_info.mods[km];
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
    if (d->cfg.ramdisk[0]) {
        int rm = module_by_name(d->cfg.ramdisk);
        if (rm < 0) {
            snprintf(err, errsz, "%s: ramdisk: no boot module named '%s'", cfgname,
                     d->cfg.ramdisk);
            return -1;
        }
        const struct boot_module *r = &boot_info.mods[rm];
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
    arch_vcpu_reset(&d->vcpu, &entry, d->p2m_root);
    log_info("d%d (%s): kernel %s (%s, entry %#x), %u MiB", d->id, d->name, k->name,
             mb.format, mb.entry, d->cfg.memory_mb);
    return 0;
}

/* Undo a half-built domain. */
static void build_failed(struct domain *d)
{
    if (d->vcpu.arch)
        arch_vcpu_destroy(&d->vcpu);
    if (d->p2m_root)
        guestmem_release_all(d);
    if (d->con_ring)
        frame_free_contig((uint64_t)(uintptr_t)d->con_ring, DOMAIN_CONRING_SIZE / FRAME_SIZE);
    domain_free_slot(d);
}

/* Build from a parsed config; returns the domain or NULL with err set. */
static struct domain *domain_build(const struct domain_config *cfg, int cfg_module,
                                   char *err, size_t errsz)
{
    const char *cfgname = boot_info.mods[cfg_module].name;
    if (!virt_ok) {
        snprintf(err, errsz, "%s: cannot start domains: %s", cfgname, virt_why);
        return NULL;
    }
    for (struct domain *o = domain_first(); o; o = domain_next(o))
        if (strcmp(o->name, cfg->name) == 0) {
            snprintf(err, errsz, "%s: name: a domain named '%s' exists (d%d)", cfgname,
                     cfg->name, o->id);
            return NULL;
        }
    struct domain *d = domain_alloc_slot();
    if (!d) {
        snprintf(err, errsz, "%s: too many domains (max %d)", cfgname, DOMAIN_MAX);
        return NULL;
    }
    d->cfg = *cfg;
    d->cfg_module = cfg_module;
    memcpy(d->name, cfg->name, sizeof(d->name));
    d->created_ns = time_now_ns();
    d->vcpu.dom = d;
    d->vcpu.id = 0;
    d->max_pages = (uint64_t)cfg->maxmem_mb * 256;
    d->target_pages = (uint64_t)cfg->memory_mb * 256;
    uint64_t ring = frame_alloc_contig(DOMAIN_CONRING_SIZE / FRAME_SIZE, 1);
    d->p2m_root = arch_p2m_create();
    if (!ring || !d->p2m_root || arch_vcpu_create(&d->vcpu) != 0) {
        if (ring)
            d->con_ring = (char *)(uintptr_t)ring;
        snprintf(err, errsz, "%s: out of memory for the domain's structures", cfgname);
        build_failed(d);
        return NULL;
    }
    d->con_ring = (char *)(uintptr_t)ring;
    if (guestmem_populate(d, (uint64_t)cfg->memory_mb << 20) != 0) {
        snprintf(err, errsz, "%s: memory: not enough free memory for %u MiB", cfgname,
                 cfg->memory_mb);
        build_failed(d);
        return NULL;
    }
    devices_init(d);
    if (load_guest(d, cfgname, err, errsz) != 0) {
        build_failed(d);
        return NULL;
    }
    sched_vcpu_init(&d->vcpu, cfg->weight);
    if (cfg->autostart) {
        d->state = DOMAIN_RUNNING;
        sched_vcpu_start(&d->vcpu);
    } else {
        d->state = DOMAIN_PAUSED;
    }
    printk("d%d (%s): built from %s: %u MiB, weight %u, %s", d->id, d->name, cfgname,
           cfg->memory_mb, cfg->weight, cfg->autostart ? "running" : "paused (autostart=0)");
    return d;
}

struct domain *domain_create_from_module(int cfg_module, char *err, size_t errsz)
{
    if (cfg_module < 0 || (size_t)cfg_module >= boot_info.mod_count) {
        snprintf(err, errsz, "no such boot module");
        return NULL;
    }
    const struct boot_module *m = &boot_info.mods[cfg_module];
    struct domain_config cfg;
    if (xlcfg_parse((const char *)(uintptr_t)m->start, (size_t)(m->end - m->start), m->name,
                    &cfg, err, errsz, cfg_warning, NULL) != 0)
        return NULL;
    return domain_build(&cfg, cfg_module, err, errsz);
}

void domain_restart(struct domain *d)
{
    int module = d->cfg_module;
    char name[32], err[160];
    memcpy(name, d->name, sizeof(name));
    int old = d->id;
    domain_destroy(d);
    struct domain *n = domain_create_from_module(module, err, sizeof(err));
    if (n)
        printk("d%d (%s): restarted as d%d", old, name, n->id);
    else
        log_err("d%d (%s): restart failed: %s", old, name, err);
}

/* Contract in domain_build.h. The name is cut to fit when it is long; should another
 * domain already have the stamped name (two in one minute), the old id is appended. */
void domain_rename_restart(struct domain *d)
{
    char name[sizeof(d->name)], stamp[24], err[160];
    memcpy(name, d->name, sizeof(name));
    struct civil_time t = civil_from_epoch(dev_wall_s(NULL));
    snprintf(stamp, sizeof(stamp), "-%04lld%02u%02uT%02u%02uZ", (long long)t.year, t.mon,
             t.mday, t.hour, t.min);
    size_t keep = sizeof(d->name) - 1 - strlen(stamp);
    snprintf(d->name, sizeof(d->name), "%.*s%s", (int)keep, name, stamp);
    for (struct domain *o = domain_first(); o; o = domain_next(o))
        if (o != d && strcmp(o->name, d->name) == 0) {
            char id[12];
            snprintf(id, sizeof(id), "-%d", d->id);
            snprintf(d->name, sizeof(d->name), "%.*s%s%s", (int)(keep - strlen(id)), name,
                     stamp, id);
            break;
        }
    printk("d%d (%s): preserved as '%s'", d->id, name, d->name);
    struct domain *n = domain_create_from_module(d->cfg_module, err, sizeof(err));
    if (n)
        printk("d%d (%s): restarted as d%d", d->id, name, n->id);
    else
        log_err("d%d (%s): restart failed: %s", d->id, name, err);
}

/* Is this module a domain config? (its name ends in ".cfg") */
static bool is_cfg(const struct boot_module *m)
{
    size_t n = strlen(m->name);
    return n > 4 && strcmp(m->name + n - 4, ".cfg") == 0;
}

void domains_build_from_boot(void)
{
    virt_ok = arch_virt_init(virt_why, sizeof(virt_why));
    unsigned cfgs = 0;
    for (size_t i = 0; i < boot_info.mod_count; i++)
        cfgs += is_cfg(&boot_info.mods[i]);
    if (!virt_ok) {
        log_warn("no domain can start: %s", virt_why);
        return;
    }
    printk("Virtualization: %s", arch_virt_name());
    for (size_t i = 0; i < boot_info.mod_count; i++) {
        if (!is_cfg(&boot_info.mods[i]))
            continue;
        char err[192];
        if (!domain_create_from_module((int)i, err, sizeof(err)))
            log_err("%s; domain not built", err);
    }
    if (cfgs == 0)
        printk("No domain configs (.cfg modules) in the boot image");
}
