/* A Linux domain's virtio devices (contract in core/domain_devices.h). A disk's bytes are
 * its boot module's, in place: writes survive the domain's reboot and destroy + create, but
 * not the machine's. Sharing follows xl: several domains may read one module; a domain that
 * writes it must be its only user. */
#include "core/domain_devices.h"
#include "core/domain.h"
#include "core/domain_virtio.h"
#include "core/guestmem.h"
#include "core/boot.h"
#include "arch/random.h"
#include "mm/heap.h"
#include "lib/format.h"
#include "lib/string.h"

#define SECTOR 512u

/* Another live domain's use of module m that forbids d's (ro: d only reads): a domain
 * writing it, or any user when d wants to write. NULL if none. */
static const struct domain *conflicting_user(const struct domain *d, int m, bool ro)
{
    for (const struct domain *o = domain_first(); o; o = domain_next(o)) {
        /* A domain shut down or crashed and kept (preserve) writes nothing any more. */
        if (o == d || !o->devices || o->state == DOMAIN_SHUTDOWN || o->state == DOMAIN_CRASHED)
            continue;
        for (unsigned i = 0; i < o->devices->ndisks; i++) {
            const struct domain_disk *k = &o->devices->disks[i];
            if (k->module == m && (!ro || !k->spec.ro))
                return o;
        }
    }
    return NULL;
}

static int add_disk(struct domain *d, const struct xlcfg_disk *spec, const char *cfgname,
                    char *err, size_t errsz)
{
    struct domain_devices *dev = d->devices;
    int m = boot_module_index(&boot_info, spec->target);
    if (m < 0) {
        snprintf(err, errsz, "%s: disk %s: no boot module named '%s'", cfgname, spec->vdev,
                 spec->target);
        return -1;
    }
    const struct boot_module *mod = &boot_info.mods[m];
    uint64_t size = mod->end - mod->start;
    if (size == 0 || size % SECTOR) {
        snprintf(err, errsz, "%s: disk %s: module %s is %llu bytes, not whole 512-byte "
                 "sectors", cfgname, spec->vdev, mod->name, (unsigned long long)size);
        return -1;
    }
    const struct domain *o = conflicting_user(d, m, spec->ro);
    if (o) {
        snprintf(err, errsz, "%s: disk %s: module %s is in use by d%d (%s); a disk written "
                 "by one domain cannot be shared", cfgname, spec->vdev, mod->name, o->id,
                 o->name);
        return -1;
    }
    struct domain_disk *k = &dev->disks[dev->ndisks];
    k->module = m;
    k->spec = *spec;
    struct vblk_backing backing = { (uint8_t *)(uintptr_t)mod->start, size, spec->ro };
    vblk_init(&k->blk, &backing, mod->name);
    char why[96];
    if (domain_virtio_add(d, vblk_dev_ops(&k->blk), &k->blk, why, sizeof(why)) < 0) {
        snprintf(err, errsz, "%s: disk %s: %s", cfgname, spec->vdev, why);
        return -1;
    }
    dev->ndisks++;
    return 0;
}

/* The balloon's callbacks: a page the guest gives back is unmapped and freed; one it takes
 * back gets a fresh zeroed frame. Either may be refused (outside maxmem, already so). */
static int balloon_give(void *ctx, uint64_t gpa)
{
    return guestmem_decrease(ctx, gpa, 1) == 1 ? 0 : -1;
}

static int balloon_take(void *ctx, uint64_t gpa)
{
    return guestmem_increase(ctx, gpa, 1) == 1 ? 0 : -1;
}

static size_t entropy(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    return arch_random_bytes(buf, len);
}

int domain_disk_devices(struct domain *d, const char *cfgname, char *err, size_t errsz)
{
    if (!d->devices)
        d->devices = kzalloc(sizeof(*d->devices));
    if (!d->devices) {
        snprintf(err, errsz, "%s: out of memory for the domain's devices", cfgname);
        return -1;
    }
    for (unsigned i = 0; i < d->cfg.ndisks; i++)
        if (add_disk(d, &d->cfg.disks[i], cfgname, err, errsz) != 0)
            return -1;
    return 0;
}

int domain_linux_devices(struct domain *d, const char *cfgname, char *err, size_t errsz)
{
    char why[96];
    if (domain_disk_devices(d, cfgname, err, errsz) != 0)
        return -1;
    struct vballoon_cb cb = { balloon_give, balloon_take, d };
    vballoon_init(&d->devices->balloon, &cb, NULL);
    int slot = domain_virtio_add(d, &vballoon_ops, &d->devices->balloon, why, sizeof(why));
    if (slot < 0) {
        snprintf(err, errsz, "%s: balloon: %s", cfgname, why);
        return -1;
    }
    d->devices->balloon.t = &d->virtio->t[slot];
    vrng_init(&d->devices->rng, entropy, d);
    if (domain_virtio_add(d, &vrng_ops, &d->devices->rng, why, sizeof(why)) < 0) {
        snprintf(err, errsz, "%s: entropy: %s", cfgname, why);
        return -1;
    }
    return domain_net_devices(d, cfgname, err, errsz);
}

void domain_devices_free(struct domain *d)
{
    domain_net_unplug(d);
    kfree(d->devices);
    d->devices = NULL;
}

void domain_devices_balloon_target(struct domain *d)
{
    if (!d->devices)
        return;
    uint64_t ram = (uint64_t)d->cfg.memory_mb * 256;
    uint64_t pages = d->target_pages < ram ? ram - d->target_pages : 0;
    vballoon_set_target(&d->devices->balloon, (uint32_t)pages);
}
