/* What the cfg reader's spec parsers (xlcfg_disk.c, xlcfg_vif.c) share: one-line messages
 * that name the module and line of the list element, and the split of a spec into its
 * comma-separated fields. Everything here reads only inside the bounds it is given. */
#include "xlcfg_priv.h"
#include "lib/format.h"
#include "lib/ctype.h"
#include "lib/string.h"

#define SPOT_MSG_MAX 256

/* Format "<mod>:<line>: <fmt...>" into out[size]. */
static void spot_format(const struct xlcfg_spot *at, char *out, size_t size, const char *fmt,
                        va_list ap)
{
    char msg[SPOT_MSG_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    snprintf(out, size, "%s:%u: %s", at->mod ? at->mod : "cfg", at->line, msg);
}

/* Contract in xlcfg_priv.h. */
int xlcfg_spot_fail(const struct xlcfg_spot *at, const char *fmt, ...)
{
    va_list ap;

    if (!at->err || at->errsz == 0)
        return -1;
    va_start(ap, fmt);
    spot_format(at, at->err, at->errsz, fmt, ap);
    va_end(ap);
    return -1;
}

/* Contract in xlcfg_priv.h. */
void xlcfg_spot_warn(const struct xlcfg_spot *at, const char *fmt, ...)
{
    char line[SPOT_MSG_MAX];
    va_list ap;

    if (!at->warn)
        return;
    va_start(ap, fmt);
    spot_format(at, line, sizeof(line), fmt, ap);
    va_end(ap);
    at->warn(at->ctx, line);
}

/* True for the blanks trimmed around a field. */
static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Contract in xlcfg_priv.h. */
bool xlcfg_next_field(const char *s, size_t n, size_t *pos, struct xlcfg_field *f)
{
    size_t start = *pos, end;
    const char *comma;

    while (start < n && is_blank(s[start]))
        start++;
    if (start >= n)
        return false;
    comma = memchr(s + start, ',', n - start);
    end = comma ? (size_t)(comma - s) : n;
    *pos = comma ? end + 1 : n;
    while (end > start && is_blank(s[end - 1]))
        end--;
    f->p = s + start;
    f->n = end - start;
    f->eq = memchr(f->p, '=', f->n);
    f->key_n = 0;
    f->val = NULL;
    f->val_n = 0;
    if (f->eq) {
        f->key_n = (size_t)(f->eq - f->p);
        while (f->key_n > 0 && is_blank(f->p[f->key_n - 1]))
            f->key_n--;
        f->val = f->eq + 1;
        f->val_n = f->n - (size_t)(f->val - f->p);
        while (f->val_n > 0 && is_blank(f->val[0])) {
            f->val++;
            f->val_n--;
        }
    }
    return true;
}

/* Contract in xlcfg_priv.h. */
bool xlcfg_word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncmp(s, word, n) == 0;
}

/* Contract in xlcfg_priv.h. */
bool xlcfg_parse_number(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    size_t i = 0;
    unsigned base = 10;
    uint64_t v = 0;

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == n)
        return false;
    for (; i < n; i++) {
        int c = (unsigned char)s[i];
        unsigned d;

        if (k_isdigit(c))
            d = (unsigned)(c - '0');
        else if (base == 16 && k_isxdigit(c))
            d = (unsigned)(k_tolower(c) - 'a' + 10);
        else
            return false;
        if (v > (max - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* Keys xl knows that Kestrel has no use for: accepted (lists too) with a warning, so a cfg
 * written for Xen still boots here. */
static const char *const ignored_keys[] = {
    "builder", "type", "on_watchdog", "on_soft_reset", "serial", "vfb", "vkb",
    "vnc", "vnclisten", "sdl", "pci", "usb", "usbctrl", "usbdev", "boot", "bootloader",
    "bootloader_args", "device_model_version", "device_model_override", "cpus_soft",
    "cap", "uuid", "seclabel", "localtime", "acpi", "apic", "pae", "hap", "nestedhvm", "vga",
    "videoram", "stdvga", "keymap", "soundhw", "timer_mode", "viridian", "vtpm", "channel",
    "p9", "rdm", "irqs", "iomem", "ioports", "dtdev", "device_tree", "tee", "xen_platform_pci",
    "e820_host", "max_grant_frames", "max_maptrack_frames", "max_event_channels",
    "driver_domain", "claim_mode", "tsc_mode", "nomigrate", "pool", "shadow_memory",
    "vcpu_hard_affinity", "vcpu_soft_affinity", "nographic", "vncdisplay", "vncunused",
    "passthrough", "altp2m", "gic_version", "vuart", "cpuid", "vpmu", "pvshim",
};

/* Contract in xlcfg_priv.h. */
bool xlcfg_key_ignored(const char *key, size_t n)
{
    for (size_t i = 0; i < sizeof(ignored_keys) / sizeof(ignored_keys[0]); i++)
        if (xlcfg_word_is(key, n, ignored_keys[i]))
            return true;
    return false;
}
