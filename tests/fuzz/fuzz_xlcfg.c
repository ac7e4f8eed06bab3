/* libFuzzer target: xlcfg_parse on arbitrary bytes (an exact-size copy, not NUL-terminated,
 * so ASan flags any read past len). Checks that it never crashes, that errors and warnings
 * are single non-empty lines, and that an accepted config keeps every documented rule, its
 * disk and vif lists and its vCPUs' affinity included (the corpus seeds both lists). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xlcfg.h"

static void on_warn(void *ctx, const char *line)
{
    (void)ctx;
    if (strchr(line, '\n') || line[0] == '\0')
        abort();
}

/* True if s is NUL-terminated within size. */
static int terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

/* The disk letter of a vdev (xvd[a-z], hd[a-z], sd[a-z], vd[a-z]), or 0. */
static char vdev_letter(const char *v)
{
    size_t n = strlen(v);

    if ((n == 4 && strncmp(v, "xvd", 3) == 0) ||
        (n == 3 && (strncmp(v, "hd", 2) == 0 || strncmp(v, "sd", 2) == 0 ||
                    strncmp(v, "vd", 2) == 0)))
        return v[n - 1] >= 'a' && v[n - 1] <= 'z' ? v[n - 1] : 0;
    return 0;
}

/* An accepted config's disks and vifs keep the documented rules: bounded counts, terminated
 * non-empty names, disks in strictly rising letter order, one vif per bridge, unicast MACs. */
static void check_lists(const struct domain_config *c)
{
    static const char bridge_chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    char last = 0;

    if (c->ndisks > XLCFG_DISKS_MAX || c->nvifs > XLCFG_VIFS_MAX)
        abort();
    for (unsigned i = 0; i < c->ndisks; i++) {
        const struct xlcfg_disk *d = &c->disks[i];
        char letter;

        if (!terminated(d->target, sizeof(d->target)) || d->target[0] == '\0' ||
            strchr(d->target, '/') || strchr(d->target, ' ') ||
            !terminated(d->vdev, sizeof(d->vdev)))
            abort();
        letter = vdev_letter(d->vdev);
        if (!letter || letter <= last)
            abort();
        last = letter;
    }
    for (unsigned i = 0; i < c->nvifs; i++) {
        const struct xlcfg_vif *v = &c->vifs[i];
        size_t n;

        if (!terminated(v->bridge, sizeof(v->bridge)))
            abort();
        n = strlen(v->bridge);
        if (n == 0 || strspn(v->bridge, bridge_chars) != n)
            abort();
        if (v->mac_set && (v->mac[0] & 1))
            abort();
        for (unsigned j = 0; j < i; j++)
            if (strcmp(v->bridge, c->vifs[j].bridge) == 0)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    struct domain_config c;
    char err[200];

    if (!text)
        return 0;
    memcpy(text, data, size);
    if (xlcfg_parse(text, size, "fuzz.cfg", &c, err, sizeof(err), on_warn, NULL) != 0) {
        if (err[0] == '\0' || strchr(err, '\n') || strncmp(err, "fuzz.cfg", 8) != 0)
            abort();
    } else {
        size_t nl = strlen(c.name);

        if (err[0] != '\0' || !terminated(c.name, sizeof(c.name)) || nl == 0 ||
            !terminated(c.kernel, sizeof(c.kernel)) || c.kernel[0] == '\0' ||
            !terminated(c.ramdisk, sizeof(c.ramdisk)) ||
            !terminated(c.cmdline, sizeof(c.cmdline)))
            abort();
        if (strspn(c.name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
            != nl)
            abort();
        if (c.memory_mb < 1 || c.memory_mb > 65536 || c.maxmem_mb < c.memory_mb ||
            c.maxmem_mb > 65536 || c.vcpus < 1 || c.maxvcpus < c.vcpus ||
            c.maxvcpus > XLCFG_VCPUS_MAX || c.weight < 1 || c.weight > 65535)
            abort();
        if (c.on_poweroff > ACTION_RENAME_RESTART || c.on_reboot > ACTION_RENAME_RESTART ||
            c.on_crash > ACTION_RENAME_RESTART)
            abort();
        for (unsigned i = 0; i < XLCFG_VCPUS_MAX; i++)
            if (c.cpus[i] == 0 || (!c.cpus_set && c.cpus[i] != ~0ULL))
                abort();                /* an affinity never leaves no CPU */
        check_lists(&c);
    }
    /* a tiny error buffer must still be terminated */
    if (xlcfg_parse(text, size, "f", &c, err, 3, NULL, NULL) != 0 && strlen(err) > 2)
        abort();
    free(text);
    return 0;
}
