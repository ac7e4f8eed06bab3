/* One `vif = [ ... ]` element of a cfg: xl's network spec (xl-network-configuration(5)), the
 * part that applies to Kestrel's bridges (switches inside the hypervisor, one port per vif).
 *
 * A spec is comma-separated key=value fields: bridge (default "xenbr0", as xl) and mac.
 * xl's type, model, script, ip, vifname and rate mean nothing here (there is no dom0 to run
 * a script or name a backend interface, and the device model is always virtio-net): each is
 * accepted with a warning, so a cfg written for Xen boots. Any other key is an error. Also
 * here: the stable MAC of a vif written without mac=. The spec is untrusted text, read only
 * inside its length. */
#include "xlcfg_priv.h"
#include "lib/ctype.h"
#include "lib/string.h"

/* xl keys Kestrel accepts and ignores, with a warning each. */
static const char *const ignored_keys[] = { "type", "model", "script", "ip", "vifname",
                                            "rate" };

/* True if s[0..n) is a bridge name: 1..15 of [A-Za-z0-9_.-]. */
static bool bridge_name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= XLCFG_BRIDGE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!k_isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
            return false;
    return true;
}

/* The value of one hex digit (which must be one). */
static uint8_t hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return (uint8_t)(c - '0');
    return (uint8_t)(k_tolower((unsigned char)c) - 'a' + 10);
}

/* Parse "xx:xx:xx:xx:xx:xx" (exactly: two hex digits per octet, ':' between) into mac. */
static bool parse_mac(const char *s, size_t n, uint8_t mac[6])
{
    if (n != 17)
        return false;
    for (unsigned i = 0; i < 6; i++) {
        const char *o = s + 3 * i;

        if (!k_isxdigit((unsigned char)o[0]) || !k_isxdigit((unsigned char)o[1]) ||
            (i < 5 && o[2] != ':'))
            return false;
        mac[i] = (uint8_t)(hex_value(o[0]) << 4 | hex_value(o[1]));
    }
    return true;
}

/* mac=: six octets, unicast (bit 0 of the first clear), not all zero. */
static int set_mac(const struct xlcfg_spot *at, const char *s, size_t n, struct xlcfg_vif *v)
{
    static const uint8_t zero[6];

    if (!parse_mac(s, n, v->mac))
        return xlcfg_spot_fail(at, "vif: mac '%.*s' is not six hex octets like "
                               "00:16:3e:12:34:56", XLCFG_CUT(s, n));
    if (v->mac[0] & 1)
        return xlcfg_spot_fail(at, "vif: mac '%.*s' is multicast (bit 0 of the first octet "
                               "set); a vif needs a unicast one", XLCFG_CUT(s, n));
    if (memcmp(v->mac, zero, sizeof(zero)) == 0)
        return xlcfg_spot_fail(at, "vif: mac 00:00:00:00:00:00 is not an address");
    v->mac_set = true;
    return 0;
}

/* One key=value field into v; *seen has a bit per key given (bridge 1, mac 2). */
static int vif_field(const struct xlcfg_spot *at, const struct xlcfg_field *f,
                     struct xlcfg_vif *v, unsigned *seen)
{
    bool is_bridge = xlcfg_word_is(f->p, f->key_n, "bridge");
    bool is_mac = xlcfg_word_is(f->p, f->key_n, "mac");
    unsigned bit = is_bridge ? 1u : 2u;

    if (!f->eq)
        return xlcfg_spot_fail(at, "vif: expected key=value, got '%.*s'", XLCFG_CUT(f->p, f->n));
    if (!is_bridge && !is_mac) {
        for (size_t i = 0; i < sizeof(ignored_keys) / sizeof(ignored_keys[0]); i++) {
            if (xlcfg_word_is(f->p, f->key_n, ignored_keys[i])) {
                xlcfg_spot_warn(at, "vif: %s ignored (Kestrel has no use for it)",
                                ignored_keys[i]);
                return 0;
            }
        }
        return xlcfg_spot_fail(at, "vif: unknown key '%.*s' (bridge, mac)",
                               XLCFG_CUT(f->p, f->key_n));
    }
    if (*seen & bit)
        return xlcfg_spot_fail(at, "vif: %s given twice", is_bridge ? "bridge" : "mac");
    *seen |= bit;
    if (is_mac)
        return set_mac(at, f->val, f->val_n, v);
    if (!bridge_name_ok(f->val, f->val_n))
        return xlcfg_spot_fail(at, "vif: bridge '%.*s' is not 1..%d of A-Z a-z 0-9 _ . -",
                               XLCFG_CUT(f->val, f->val_n), XLCFG_BRIDGE_MAX - 1);
    memcpy(v->bridge, f->val, f->val_n);
    v->bridge[f->val_n] = '\0';
    return 0;
}

/* Refuse v if another vif of c has its bridge or (explicit) MAC. */
static int check_unique(const struct xlcfg_spot *at, const struct xlcfg_vif *v,
                        const struct domain_config *c)
{
    for (unsigned i = 0; i < c->nvifs; i++) {
        const struct xlcfg_vif *o = &c->vifs[i];

        if (strcmp(o->bridge, v->bridge) == 0)
            return xlcfg_spot_fail(at, "vif: a second vif on bridge '%s' (one per bridge "
                                   "per domain)", v->bridge);
        if (o->mac_set && v->mac_set && memcmp(o->mac, v->mac, sizeof(v->mac)) == 0)
            return xlcfg_spot_fail(at, "vif: mac %02x:%02x:%02x:%02x:%02x:%02x given to two "
                                   "vifs", v->mac[0], v->mac[1], v->mac[2], v->mac[3],
                                   v->mac[4], v->mac[5]);
    }
    return 0;
}

/* Contract in xlcfg_priv.h. */
int xlcfg_vif_add(const struct xlcfg_spot *at, const char *s, size_t n,
                  struct domain_config *c)
{
    struct xlcfg_vif v;
    struct xlcfg_field f;
    unsigned seen = 0;
    size_t pos = 0;

    if (c->nvifs >= XLCFG_VIFS_MAX)
        return xlcfg_spot_fail(at, "vif: more than %d vifs", XLCFG_VIFS_MAX);
    memset(&v, 0, sizeof(v));
    memcpy(v.bridge, XLCFG_BRIDGE_DEFAULT, sizeof(XLCFG_BRIDGE_DEFAULT));
    while (xlcfg_next_field(s, n, &pos, &f)) {
        if (f.n == 0)                    /* 'bridge=a,,mac=...': nothing between commas */
            continue;
        if (vif_field(at, &f, &v, &seen) != 0)
            return -1;
    }
    if (check_unique(at, &v, c) != 0)
        return -1;
    c->vifs[c->nvifs++] = v;
    return 0;
}

/* Contract in core/xlcfg.h: FNV-1a over the name, then the index folded into the last
 * octet so one domain's vifs differ. */
void xlcfg_vif_default_mac(const char *name, unsigned index, uint8_t mac[6])
{
    uint32_t h = 2166136261u;            /* FNV-1a 32-bit offset basis */

    for (const char *p = name ? name : ""; *p; p++) {
        h ^= (uint8_t)*p;
        h *= 16777619u;                  /* FNV-1a 32-bit prime */
    }
    mac[0] = 0x00;
    mac[1] = 0x16;
    mac[2] = 0x3e;
    mac[3] = (uint8_t)((h >> 24) & 0x7f);
    mac[4] = (uint8_t)(h >> 16);
    mac[5] = (uint8_t)(h + index);
}
