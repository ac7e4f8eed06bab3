/* One `disk = [ ... ]` element of a cfg: xl's disk spec (xl-disk-configuration(5)), the part
 * that applies to Kestrel's disks, which are boot modules shown to the guest as virtio disks.
 *
 * A spec is comma-separated fields. `key=value` fields set format, vdev, access or devtype;
 * `target=` takes everything after it, commas included, so xl writes it last (Kestrel also
 * reads 'target=rootfs.img,vdev=xvda', which xl refuses: see read_spec). A field
 * without '=' is positional: it fills the first of target, format, vdev, access not yet
 * given (so 'rootfs.img,raw,xvda,rw', 'rootfs.img,,xvda' and 'format=raw,rootfs.img,xvda'
 * all mean the same, as in xl); an empty one takes that slot's default. xl's deprecated
 * prefixes file:, raw:, aio:, tap:aio: on the target mean format raw (so a Xen-era
 * 'file:/img/rootfs.img,xvda,w' reads too); phy: (a host device) and qcow:/qcow2:/vhd: are
 * refused. The spec is untrusted text: every field is bounded by the spec's length. */
#include "xlcfg_priv.h"
#include "lib/string.h"

/* A spec as it is read: xl's four positional slots, each with whether it was given. */
struct disk_spec {
    const struct xlcfg_spot *at;
    bool has_target, has_format, has_vdev, has_access;
    const char *target;          /* basename of the target, without a prefix */
    size_t target_n;
    const char *vdev;
    size_t vdev_n;
    bool ro;
};

/* The slots a positional field fills, in xl's order. */
enum disk_slot { SLOT_TARGET, SLOT_FORMAT, SLOT_VDEV, SLOT_ACCESS, SLOT_NONE };

/* vdev prefixes whose one letter a..z names the disk (xvda, hda, sda, vda: all disk a). */
static const char *const vdev_prefixes[] = { "xvd", "hd", "sd", "vd" };

/* The disk letter of a vdev name: 'a'..'z' for xvd[a-z], hd[a-z], sd[a-z] or vd[a-z], else 0. */
static char vdev_letter(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(vdev_prefixes) / sizeof(vdev_prefixes[0]); i++) {
        size_t len = strlen(vdev_prefixes[i]);

        if (n == len + 1 && strncmp(s, vdev_prefixes[i], len) == 0 && s[len] >= 'a' &&
            s[len] <= 'z')
            return s[len];
    }
    return 0;
}

/* True if s[0..n) begins with the NUL-terminated prefix. */
static bool starts_with(const char *s, size_t n, const char *prefix)
{
    size_t len = strlen(prefix);

    return n >= len && strncmp(s, prefix, len) == 0;
}

/* format: raw (or empty, the default); anything else is an error naming it. */
static int set_format(struct disk_spec *d, const char *s, size_t n)
{
    if (n != 0 && !xlcfg_word_is(s, n, "raw"))
        return xlcfg_spot_fail(d->at, "disk: format '%.*s' is not supported (raw only)",
                               XLCFG_CUT(s, n));
    d->has_format = true;
    return 0;
}

/* access: r or ro (read-only), w or rw (default rw, also when empty). */
static int set_access(struct disk_spec *d, const char *s, size_t n)
{
    if (xlcfg_word_is(s, n, "r") || xlcfg_word_is(s, n, "ro"))
        d->ro = true;
    else if (n == 0 || xlcfg_word_is(s, n, "w") || xlcfg_word_is(s, n, "rw"))
        d->ro = false;
    else
        return xlcfg_spot_fail(d->at, "disk: access '%.*s' is not r, ro, w or rw",
                               XLCFG_CUT(s, n));
    d->has_access = true;
    return 0;
}

/* vdev: one of the names vdev_letter knows (required: an empty one is refused). */
static int set_vdev(struct disk_spec *d, const char *s, size_t n)
{
    if (!vdev_letter(s, n))
        return xlcfg_spot_fail(d->at, "disk: vdev '%.*s' is not xvd[a-z], hd[a-z], sd[a-z] "
                               "or vd[a-z]", XLCFG_CUT(s, n));
    d->vdev = s;
    d->vdev_n = n;
    d->has_vdev = true;
    return 0;
}

/* Strip one of xl's deprecated "prefix:" from a target: raw ones set the format; phy: and
 * the image formats Kestrel cannot read are refused. Returns 0 or -1 (error set). */
static int strip_prefix(struct disk_spec *d, const char **s, size_t *n)
{
    static const char *const raw[] = { "tap:aio:", "tap2:aio:", "file:", "raw:", "aio:" };
    static const char *const formats[] = { "qcow:", "qcow2:", "vhd:" };

    if (starts_with(*s, *n, "phy:"))
        return xlcfg_spot_fail(d->at, "disk: '%.*s' is a host device; a Kestrel disk is a "
                               "boot module", XLCFG_CUT(*s, *n));
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (starts_with(*s, *n, formats[i]))
            return xlcfg_spot_fail(d->at, "disk: format '%.*s' is not supported (raw only)",
                                   (int)strlen(formats[i]) - 1, formats[i]);
    for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
        size_t len = strlen(raw[i]);

        if (starts_with(*s, *n, raw[i])) {
            *s += len;
            *n -= len;
            d->has_format = true;
            break;
        }
    }
    return 0;
}

/* target: a module, known by the basename of its path; not empty, no blanks, fits. */
static int set_target(struct disk_spec *d, const char *s, size_t n)
{
    if (n == 0)
        return xlcfg_spot_fail(d->at, "disk: no target (which module is the disk?)");
    if (strip_prefix(d, &s, &n) != 0)
        return -1;
    for (size_t i = n; i > 0; i--) {
        if (s[i - 1] == '/') {
            s += i;
            n -= i;
            break;
        }
    }
    if (n == 0)
        return xlcfg_spot_fail(d->at, "disk: target has no module name after its last '/'");
    if (memchr(s, ' ', n) || memchr(s, '\t', n))
        return xlcfg_spot_fail(d->at, "disk: a module name has no blanks, got '%.*s'",
                               XLCFG_CUT(s, n));
    if (n >= XLCFG_MODULE_MAX)
        return xlcfg_spot_fail(d->at, "disk: target too long (%zu bytes, at most %d)", n,
                               XLCFG_MODULE_MAX - 1);
    d->target = s;
    d->target_n = n;
    d->has_target = true;
    return 0;
}

/* Fill slot with s[0..n). */
static int set_slot(struct disk_spec *d, enum disk_slot slot, const char *s, size_t n)
{
    switch (slot) {
    case SLOT_TARGET:
        return set_target(d, s, n);
    case SLOT_FORMAT:
        return set_format(d, s, n);
    case SLOT_VDEV:
        return set_vdev(d, s, n);
    case SLOT_ACCESS:
        return set_access(d, s, n);
    case SLOT_NONE:
        break;
    }
    return xlcfg_spot_fail(d->at, "disk: too many positional fields at '%.*s' (target, "
                           "format, vdev, access)", XLCFG_CUT(s, n));
}

/* The first slot not yet given, for a positional field. */
static enum disk_slot free_slot(const struct disk_spec *d)
{
    if (!d->has_target)
        return SLOT_TARGET;
    if (!d->has_format)
        return SLOT_FORMAT;
    if (!d->has_vdev)
        return SLOT_VDEV;
    if (!d->has_access)
        return SLOT_ACCESS;
    return SLOT_NONE;
}

/* A key=value field other than target=. devtype takes only disk (xl's default). */
static int key_field(struct disk_spec *d, const struct xlcfg_field *f)
{
    static const char *const keys[] = { "format", "vdev", "access" };
    static const enum disk_slot slots[] = { SLOT_FORMAT, SLOT_VDEV, SLOT_ACCESS };
    const bool given[] = { d->has_format, d->has_vdev, d->has_access };
    size_t kn = f->key_n, vn = f->val_n;
    const char *val = f->val;

    if (xlcfg_word_is(f->p, kn, "devtype")) {
        if (xlcfg_word_is(val, vn, "disk"))
            return 0;
        return xlcfg_spot_fail(d->at, "disk: devtype '%.*s' is not supported (disk only)",
                               XLCFG_CUT(val, vn));
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (!xlcfg_word_is(f->p, kn, keys[i]))
            continue;
        if (given[i])
            return xlcfg_spot_fail(d->at, "disk: %s given twice", keys[i]);
        return set_slot(d, slots[i], val, vn);
    }
    return xlcfg_spot_fail(d->at, "disk: unknown key '%.*s' (format, vdev, access, devtype, "
                           "target)", XLCFG_CUT(f->p, kn));
}

/* True for the keys a field may set besides target. */
static bool is_disk_key(const char *s, size_t n)
{
    return xlcfg_word_is(s, n, "format") || xlcfg_word_is(s, n, "vdev") ||
           xlcfg_word_is(s, n, "access") || xlcfg_word_is(s, n, "devtype");
}

/* True if s[0..n), what follows a target='s first comma, is one or more fields, each a
 * key=value of is_disk_key: then they are fields and not part of the target. */
static bool only_disk_keys(const char *s, size_t n)
{
    struct xlcfg_field f;
    size_t pos = 0;
    bool any = false;

    while (xlcfg_next_field(s, n, &pos, &f)) {
        if (!f.eq || !is_disk_key(f.p, f.key_n))
            return false;
        any = true;
    }
    return any;
}

/* target=val[0..vn): blanks and one final ',' cut (xl's STRIP), then set_target. */
static int target_field(struct disk_spec *d, const char *val, size_t vn)
{
    if (d->has_target)
        return xlcfg_spot_fail(d->at, "disk: target given twice");
    while (vn > 0 && (val[0] == ' ' || val[0] == '\t')) {
        val++;
        vn--;
    }
    while (vn > 0 && (val[vn - 1] == ' ' || val[vn - 1] == '\t'))
        vn--;
    if (vn > 0 && val[vn - 1] == ',')
        vn--;
    return set_target(d, val, vn);
}

/* Read every field of s[0..n) into d. At target=, as in xl, the rest of the spec is the
 * target, commas included; except when all that follows its first comma is key=value
 * fields of is_disk_key (the 'target=rootfs.img,vdev=xvda,access=rw'): no module
 * name holds ",vdev=", so those are read as fields. */
static int read_spec(struct disk_spec *d, const char *s, size_t n)
{
    struct xlcfg_field f;
    size_t pos = 0;

    while (xlcfg_next_field(s, n, &pos, &f)) {
        if (f.eq && xlcfg_word_is(f.p, f.key_n, "target")) {
            if (!only_disk_keys(s + pos, n - pos))
                return target_field(d, f.val, n - (size_t)(f.val - s));
            if (target_field(d, f.val, f.val_n) != 0)
                return -1;
            continue;
        }
        if (f.eq && key_field(d, &f) != 0)
            return -1;
        if (!f.eq && set_slot(d, free_slot(d), f.p, f.n) != 0)
            return -1;
    }
    return 0;
}

/* Insert the read spec into c->disks at its letter's place; refuse a letter in use. */
static int insert_sorted(const struct disk_spec *d, struct domain_config *c)
{
    char letter = vdev_letter(d->vdev, d->vdev_n);
    unsigned at = c->ndisks;
    struct xlcfg_disk *disk;

    for (unsigned i = 0; i < c->ndisks; i++) {
        const struct xlcfg_disk *o = &c->disks[i];
        char other = vdev_letter(o->vdev, strlen(o->vdev));

        if (other == letter)
            return xlcfg_spot_fail(d->at, "disk: vdev '%.*s' is disk %c, which '%s' (%s) "
                                   "already is", XLCFG_CUT(d->vdev, d->vdev_n), letter,
                                   o->target, o->vdev);
        if (other > letter && at == c->ndisks)
            at = i;
    }
    memmove(&c->disks[at + 1], &c->disks[at], (c->ndisks - at) * sizeof(c->disks[0]));
    disk = &c->disks[at];
    memset(disk, 0, sizeof(*disk));
    memcpy(disk->target, d->target, d->target_n);
    memcpy(disk->vdev, d->vdev, d->vdev_n);
    disk->ro = d->ro;
    c->ndisks++;
    return 0;
}

/* Contract in xlcfg_priv.h. */
int xlcfg_disk_add(const struct xlcfg_spot *at, const char *s, size_t n,
                   struct domain_config *c)
{
    struct disk_spec d;

    if (c->ndisks >= XLCFG_DISKS_MAX)
        return xlcfg_spot_fail(at, "disk: more than %d disks", XLCFG_DISKS_MAX);
    memset(&d, 0, sizeof(d));
    d.at = at;
    if (read_spec(&d, s, n) != 0)
        return -1;
    if (!d.has_target)
        return xlcfg_spot_fail(at, "disk: no target in '%.*s' (which module is the disk?)",
                               XLCFG_CUT(s, n));
    if (!d.has_vdev)
        return xlcfg_spot_fail(at, "disk: no vdev in '%.*s' (xvda, xvdb...)",
                               XLCFG_CUT(s, n));
    return insert_sorted(&d, c);
}
