/* Inside the xl.cfg reader: what xlcfg.c hands its spec parsers (xlcfg_disk.c for `disk`,
 * xlcfg_vif.c for `vif`) for each element of a list, and how they report. Not for use
 * outside src/core/xlcfg*.c. */
#ifndef KESTREL_CORE_XLCFG_PRIV_H
#define KESTREL_CORE_XLCFG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/xlcfg.h"

/* printf arguments for at most 40 bytes of s[0..n), to quote bad input briefly. */
#define XLCFG_CUT(s, n) (int)((n) > 40 ? 40 : (n)), (s)

/* Where one list element is, and where its messages go. */
struct xlcfg_spot {
    const char *mod;          /* module name for messages */
    unsigned line;            /* 1-based line of the element's opening quote */
    char *err;                /* error buffer (may be NULL) and its size (may be 0) */
    size_t errsz;
    xlcfg_warn_fn warn;       /* may be NULL */
    void *ctx;
};

/* Put "<mod>:<line>: <msg>" in at->err (truncated to fit, NUL-terminated; nothing if err is
 * NULL or errsz 0). Returns -1, for `return xlcfg_spot_fail(...)`. */
int xlcfg_spot_fail(const struct xlcfg_spot *at, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Pass "<mod>:<line>: <msg>" to at->warn, if any, as one line. */
void xlcfg_spot_warn(const struct xlcfg_spot *at, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One comma-separated field of a spec, blanks (space, tab) trimmed from both ends. */
struct xlcfg_field {
    const char *p;            /* its first byte, inside the spec */
    size_t n;
    const char *eq;           /* its first '=', or NULL; if not NULL: */
    size_t key_n;             /* the key is p[0..key_n), blanks before '=' trimmed */
    const char *val;          /* the value val[0..val_n), blanks after '=' trimmed */
    size_t val_n;
};

/* Take the field of s[0..n) that starts at *pos, up to the next ',' or the end, and move *pos
 * past that ','. Returns false (f untouched) when only blanks are left: at the end, or after a
 * final comma (so 'a,' has one field and '' none, as in xl; 'a,,b' has an empty second). */
bool xlcfg_next_field(const char *s, size_t n, size_t *pos, struct xlcfg_field *f);

/* A strict unsigned number: decimal or 0x hex, all of s[0..n), at most max, into *out;
 * false if s is anything else or the number is larger. */
bool xlcfg_parse_number(const char *s, size_t n, uint64_t max, uint64_t *out);

/* True if s[0..n) equals the NUL-terminated word. */
bool xlcfg_word_is(const char *s, size_t n, const char *word);

/* True if key[0..n) is one xl knows that Kestrel has no use for (vfb, pci, cpus_soft...):
 * accepted, lists too, with a warning, so a cfg written for Xen still boots here. */
bool xlcfg_key_ignored(const char *key, size_t n);

/* Set the hard affinity of vCPU `vcpu` (0..XLCFG_VCPUS_MAX-1; -1: of every vCPU) from the
 * CPU list s[0..n) (core/cpulist.h's syntax, xl's). Returns 0, or -1 with one error line
 * naming the module, line and `cpus` (a bad list, one that leaves no CPU, a vCPU beyond
 * XLCFG_VCPUS_MAX). Marks c->cpus_set. */
int xlcfg_cpus_set(const struct xlcfg_spot *at, const char *s, size_t n,
                   struct domain_config *c, int vcpu);

/* Parse one `disk` spec s[0..n) (the string's content, no quotes; any bytes but control
 * characters, not NUL-terminated) and add it to c->disks, kept sorted by the vdev's letter.
 * Returns 0, or -1 with one error line in at->err naming the module, line and `disk`:
 * unknown key, missing target or vdev, a format other than raw, a bad vdev or access, a
 * vdev letter already used by another disk, more than XLCFG_DISKS_MAX disks. */
int xlcfg_disk_add(const struct xlcfg_spot *at, const char *s, size_t n,
                   struct domain_config *c);

/* Parse one `vif` spec s[0..n) (as for disks) and append it to c->vifs. Returns 0, or -1
 * with one error line naming the module, line and `vif`: unknown key, a field without '=',
 * a bad bridge name or MAC, a second vif on one bridge or with one MAC, more than
 * XLCFG_VIFS_MAX vifs. Keys xl has that Kestrel ignores warn through at->warn. */
int xlcfg_vif_add(const struct xlcfg_spot *at, const char *s, size_t n,
                  struct domain_config *c);

#endif
