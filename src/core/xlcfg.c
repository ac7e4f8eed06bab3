/* The xl.cfg reader: turns a `.cfg` boot module into a struct domain_config.
 *
 * The text comes straight from the boot loader, so it is trusted for nothing: it is read
 * only inside [0, len), it need not end in a NUL, and any malformed piece stops the parse
 * with one line saying where and why (a domain half-configured is worse than none: the
 * operator sees the error at boot and fixes the cfg).
 *
 * Grammar (a subset of xl.cfg(5), as libxlu reads it):
 *   file      := { statement } ; statements end at a newline or ';'
 *   statement := KEY '=' value [ '#' comment ]
 *   value     := "string" | 'string' | number | word | '[' [ value { ',' value } [','] ] ']'
 * Lists may span lines. Strings have no escapes (xl's have few, and no key we use needs one).
 * Unquoted words are accepted as numbers (xl's NUMBER) and nothing else. The elements of
 * `disk` and `vif` lists go, one quoted spec at a time with its line, to xlcfg_disk.c and
 * xlcfg_vif.c. */
#include "core/xlcfg.h"
#include "xlcfg_priv.h"
#include "lib/ctype.h"
#include "lib/format.h"
#include "lib/string.h"
#include "core/cpulist.h"

#define MSG_MAX 256
/* printf arguments for at most 40 bytes of s[0..n), to quote bad input briefly. */
#define CUT(s, n) (int)((n) > 40 ? 40 : (n)), (s)

enum vkind { V_STRING, V_WORD, V_LIST };

/* One value as it appears in the text (strings without their quotes). */
struct value {
    enum vkind kind;
    const char *p;
    size_t n;
};

/* The parse in progress. */
struct parser {
    const char *s;
    size_t len, pos;
    unsigned line;               /* 1-based line of s[pos] */
    const char *mod;
    char *err;
    size_t errsz;
    xlcfg_warn_fn warn;
    void *ctx;
    uint32_t seen;               /* bit per supported key: duplicates are an error */
    unsigned root_line, extra_line, cmdline_line, maxmem_line, vcpus_line, cpus_line;
    unsigned cpus_given;         /* vCPUs a `cpus` list names (0: none, or a string) */
    const char *root, *extra;    /* pieces of the command line, joined at the end */
    size_t root_n, extra_n;
};

/* Keys we use, in one table so messages and duplicate checks share it. */
enum key_id {
    K_NAME, K_KERNEL, K_RAMDISK, K_EXTRA, K_CMDLINE, K_ROOT, K_MEMORY, K_MAXMEM, K_VCPUS,
    K_MAXVCPUS, K_WEIGHT, K_ON_POWEROFF, K_ON_REBOOT, K_ON_CRASH, K_AUTOSTART, K_DISK, K_VIF,
    K_CPUS,
    K_COUNT
};
static const char *const key_names[K_COUNT] = {
    "name", "kernel", "ramdisk", "extra", "cmdline", "root", "memory", "maxmem", "vcpus",
    "maxvcpus", "cpu_weight", "on_poweroff", "on_reboot", "on_crash", "autostart", "disk",
    "vif", "cpus",
};

static const char *const action_names[] = { "destroy", "restart", "preserve", "rename-restart" };

/* Put "<module>:<line>: <msg>" (line 0: no line) in p->err; returns -1 for `return fail()`. */
__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, unsigned line, const char *fmt, ...)
{
    char msg[MSG_MAX];
    va_list ap;

    if (!p->err || p->errsz == 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line)
        snprintf(p->err, p->errsz, "%s:%u: %s", p->mod, line, msg);
    else
        snprintf(p->err, p->errsz, "%s: %s", p->mod, msg);
    return -1;
}

/* Report a known-but-unused key through the warn callback, if any. */
static void warn_ignored(struct parser *p, unsigned line, const char *key, size_t n)
{
    char msg[MSG_MAX];

    if (!p->warn)
        return;
    snprintf(msg, sizeof(msg), "%s:%u: %.*s: ignored (Kestrel has no use for it)", p->mod,
             line, CUT(key, n));
    p->warn(p->ctx, msg);
}

/* Skip blanks and comments; with newlines set, also newlines (counting them). Stops at the
 * first byte that is none of those, or at len. */
static void skip_space(struct parser *p, bool newlines)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];

        if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else if (c == '\n' && newlines) {
            p->pos++;
            p->line++;
        } else if (c == '#') {
            while (p->pos < p->len && p->s[p->pos] != '\n')
                p->pos++;
        } else {
            break;
        }
    }
}

/* Bytes of s[0..n) before the first newline. */
static size_t rest_of_line(const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);

    return nl ? (size_t)(nl - s) : n;
}

/* Bytes allowed in an unquoted word (numbers and xl's barewords). */
static bool is_word_char(char c)
{
    return k_isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '+' ||
           c == ':' || c == '/';
}

/* Read one scalar (quoted string or word) at p->pos into *v. For quotes the string must end
 * on the same line; control characters are refused so a stray NUL cannot cut a value. */
static int read_scalar(struct parser *p, const char *key, size_t kn, struct value *v)
{
    char c = p->pos < p->len ? p->s[p->pos] : '\n';

    if (c == '"' || c == '\'') {
        size_t start = ++p->pos;

        while (p->pos < p->len && p->s[p->pos] != c) {
            unsigned char b = (unsigned char)p->s[p->pos];

            if (b == '\n')
                break;
            if ((b < 0x20 && b != '\t') || b == 0x7f)
                return fail(p, p->line, "%.*s: control character 0x%02x in a string",
                            CUT(key, kn), b);
            p->pos++;
        }
        if (p->pos >= p->len || p->s[p->pos] != c)
            return fail(p, p->line, "%.*s: string not closed by %c on this line", CUT(key, kn),
                        c);
        v->kind = V_STRING;
        v->p = p->s + start;
        v->n = p->pos - start;
        p->pos++;
        return 0;
    }
    if (is_word_char(c)) {
        size_t start = p->pos;

        while (p->pos < p->len && is_word_char(p->s[p->pos]))
            p->pos++;
        v->kind = V_WORD;
        v->p = p->s + start;
        v->n = p->pos - start;
        return 0;
    }
    if (c == '\n' || c == '#' || c == ';')
        return fail(p, p->line, "%.*s: missing value after '='", CUT(key, kn));
    return fail(p, p->line, "%.*s: unexpected character 0x%02x in value", CUT(key, kn),
                (unsigned char)c);
}

/* The list iterator: with p->pos inside a list (after its '[' or an element), read the next
 * element into *elem and its line into *line and return 1, or consume the closing ']' and
 * return 0, or return -1 (error set). list_line is the '[''s line, for "not closed". */
static int list_next(struct parser *p, const char *key, size_t kn, unsigned list_line,
                     struct value *elem, unsigned *line)
{
    skip_space(p, true);
    if (p->pos >= p->len)
        return fail(p, list_line, "%.*s: list not closed by ']'", CUT(key, kn));
    if (p->s[p->pos] == ']') {
        p->pos++;
        return 0;
    }
    *line = p->line;
    if (read_scalar(p, key, kn, elem) != 0)
        return -1;
    skip_space(p, true);
    if (p->pos >= p->len)
        return fail(p, list_line, "%.*s: list not closed by ']'", CUT(key, kn));
    if (p->s[p->pos] == ',')
        p->pos++;
    else if (p->s[p->pos] != ']')
        return fail(p, p->line, "%.*s: expected ',' or ']' in list", CUT(key, kn));
    return 1;
}

/* Read a value at p->pos. A list is checked for syntax (it may span lines) and returned as
 * V_LIST covering its text, '[' to ']': list_begin walks its elements again. */
static int read_value(struct parser *p, const char *key, size_t kn, struct value *v)
{
    unsigned start_line = p->line, line;
    size_t start = p->pos;
    struct value elem;
    int rc;

    if (p->pos >= p->len || p->s[p->pos] != '[')
        return read_scalar(p, key, kn, v);
    p->pos++;
    while ((rc = list_next(p, key, kn, start_line, &elem, &line)) > 0)
        ;                                /* each element consumes bytes: this ends by len */
    if (rc < 0)
        return -1;
    v->kind = V_LIST;
    v->p = p->s + start;
    v->n = p->pos - start;
    return 0;
}

/* A parser over list value v alone (read by read_value, starting on line), placed after its
 * '[' for list_next; messages still go to p's module and buffers. */
static void list_begin(const struct parser *p, unsigned line, const struct value *v,
                       struct parser *it)
{
    *it = *p;
    it->s = v->p;
    it->len = v->n;
    it->pos = 1;
    it->line = line;
}

/* A number-valued key: a word or a quoted number (libxlu accepts both), in [lo, hi]. */
static int get_number(struct parser *p, unsigned line, const char *key, const struct value *v,
                      const char *what, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t n;

    if (v->kind == V_LIST)
        return fail(p, line, "%s: expected %s, got a list", key, what);
    if (!xlcfg_parse_number(v->p, v->n, UINT32_MAX, &n))
        return fail(p, line, "%s: expected %s, got '%.*s'", key, what, CUT(v->p, v->n));
    if (n < lo || n > hi)
        return fail(p, line, "%s: %llu is out of range (%u..%u)", key, (unsigned long long)n,
                    lo, hi);
    *out = (uint32_t)n;
    return 0;
}

/* A string-valued key: must be quoted (as in xl). */
static int get_string(struct parser *p, unsigned line, const char *key, const struct value *v)
{
    if (v->kind == V_LIST)
        return fail(p, line, "%s: expected a quoted string, got a list", key);
    if (v->kind == V_WORD)
        return fail(p, line, "%s: expected a quoted string, got %.*s (write \"%.*s\")", key,
                    CUT(v->p, v->n), CUT(v->p, v->n));
    return 0;
}

/* Copy s[0..n) into dst[size] with a NUL, or fail if it does not fit. */
static int store(struct parser *p, unsigned line, const char *key, char *dst, size_t size,
                 const char *s, size_t n)
{
    if (n >= size)
        return fail(p, line, "%s: too long (%zu bytes, at most %zu)", key, n, size - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* A module name: modules are known by the basename of their path, so a path written the xl
 * way (kernel = "/boot/hello.elf") is cut to its basename. Must not be empty or hold blanks. */
static int store_module(struct parser *p, unsigned line, const char *key, char *dst,
                        const struct value *v)
{
    const char *s = v->p;
    size_t n = v->n;

    for (size_t i = 0; i < v->n; i++) {
        if (v->p[i] == '/') {
            s = v->p + i + 1;
            n = v->n - i - 1;
        } else if (v->p[i] == ' ' || v->p[i] == '\t') {
            return fail(p, line, "%s: a module name has no blanks, got '%.*s'", key,
                        CUT(v->p, v->n));
        }
    }
    if (n == 0)
        return fail(p, line, "%s: expected a module name, got '%.*s'", key, CUT(v->p, v->n));
    return store(p, line, key, dst, XLCFG_MODULE_MAX, s, n);
}

/* on_poweroff / on_reboot / on_crash. */
static int get_action(struct parser *p, unsigned line, const char *key, const struct value *v,
                      enum domain_action *out)
{
    if (get_string(p, line, key, v) != 0)
        return -1;
    for (unsigned i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
        if (xlcfg_word_is(v->p, v->n, action_names[i])) {
            *out = (enum domain_action)i;
            return 0;
        }
    }
    return fail(p, line, "%s: '%.*s' is not supported (destroy, restart, preserve, "
                "rename-restart)", key, CUT(v->p, v->n));
}

/* disk and vif: each element of the list, a quoted spec, to its parser with its line. */
static int apply_list(struct parser *p, unsigned line, enum key_id k, const struct value *v,
                      struct domain_config *c)
{
    const char *key = key_names[k];
    struct parser it;
    struct value e;
    unsigned el;
    int rc;

    if (v->kind != V_LIST)
        return fail(p, line, "%s: expected a list [ '...', ... ], got '%.*s'", key,
                    CUT(v->p, v->n));
    list_begin(p, line, v, &it);
    while ((rc = list_next(&it, key, strlen(key), line, &e, &el)) > 0) {
        struct xlcfg_spot at = { p->mod, el, p->err, p->errsz, p->warn, p->ctx };

        if (e.kind != V_STRING)
            return fail(p, el, "%s: expected a quoted spec, got %.*s", key, CUT(e.p, e.n));
        if (k == K_CPUS) {
            if (xlcfg_cpus_set(&at, e.p, e.n, c, (int)p->cpus_given++) != 0)
                return -1;
        } else if ((k == K_DISK ? xlcfg_disk_add : xlcfg_vif_add)(&at, e.p, e.n, c) != 0) {
            return -1;
        }
    }
    return rc;
}

/* Store one supported key's value into c. */
static int apply(struct parser *p, unsigned line, enum key_id k, const struct value *v,
                 struct domain_config *c)
{
    const char *key = key_names[k];
    uint32_t n;

    switch (k) {
    case K_NAME:
        if (get_string(p, line, key, v) != 0)
            return -1;
        if (v->n == 0 || v->n >= XLCFG_NAME_MAX)
            return fail(p, line, "name: must be 1..%u characters, got %zu", XLCFG_NAME_MAX - 1,
                        v->n);
        for (size_t i = 0; i < v->n; i++) {
            char ch = v->p[i];

            if (!k_isalnum((unsigned char)ch) && ch != '_' && ch != '.' && ch != '-')
                return fail(p, line, "name: '%.*s' may hold only A-Z a-z 0-9 _ . -",
                            CUT(v->p, v->n));
        }
        return store(p, line, key, c->name, sizeof(c->name), v->p, v->n);
    case K_KERNEL:
    case K_RAMDISK:
        if (get_string(p, line, key, v) != 0)
            return -1;
        return store_module(p, line, key, k == K_KERNEL ? c->kernel : c->ramdisk, v);
    case K_EXTRA:
    case K_CMDLINE:
    case K_ROOT:
        if (get_string(p, line, key, v) != 0)
            return -1;
        if (v->n >= XLCFG_CMDLINE_MAX)   /* early, so the error names the key's own line */
            return fail(p, line, "%s: too long (%zu bytes, at most %u)", key, v->n,
                        XLCFG_CMDLINE_MAX - 1);
        if (k == K_CMDLINE) {
            p->cmdline_line = line;
            return store(p, line, key, c->cmdline, sizeof(c->cmdline), v->p, v->n);
        }
        if (k == K_EXTRA) {
            p->extra = v->p;
            p->extra_n = v->n;
            p->extra_line = line;
        } else {
            p->root = v->p;
            p->root_n = v->n;
            p->root_line = line;
        }
        return 0;
    case K_MEMORY:
        return get_number(p, line, key, v, "a number of MiB", 1, XLCFG_MEMORY_MAX,
                          &c->memory_mb);
    case K_MAXMEM:
        p->maxmem_line = line;
        return get_number(p, line, key, v, "a number of MiB", 1, XLCFG_MEMORY_MAX,
                          &c->maxmem_mb);
    case K_VCPUS:
        p->vcpus_line = p->vcpus_line ? p->vcpus_line : line;
        return get_number(p, line, key, v, "a number of vCPUs", 1, XLCFG_VCPUS_MAX, &c->vcpus);
    case K_MAXVCPUS:
        p->vcpus_line = line;
        return get_number(p, line, key, v, "a number of vCPUs", 1, XLCFG_VCPUS_MAX,
                          &c->maxvcpus);
    case K_CPUS:
        p->cpus_line = line;
        if (v->kind == V_STRING) {
            struct xlcfg_spot at = { p->mod, line, p->err, p->errsz, p->warn, p->ctx };
            return xlcfg_cpus_set(&at, v->p, v->n, c, -1);
        }
        return apply_list(p, line, k, v, c);
    case K_WEIGHT:
        return get_number(p, line, key, v, "a scheduler weight", 1, XLCFG_WEIGHT_MAX,
                          &c->weight);
    case K_ON_POWEROFF:
        return get_action(p, line, key, v, &c->on_poweroff);
    case K_ON_REBOOT:
        return get_action(p, line, key, v, &c->on_reboot);
    case K_ON_CRASH:
        return get_action(p, line, key, v, &c->on_crash);
    case K_AUTOSTART:
        if (get_number(p, line, key, v, "0 or 1", 0, 1, &n) != 0)
            return -1;
        c->autostart = n != 0;
        return 0;
    case K_DISK:
    case K_VIF:
        return apply_list(p, line, k, v, c);
    case K_COUNT:
        break;
    }
    return fail(p, line, "%s: internal error", key);
}

/* Look key up: supported (returns its id), ignored (K_COUNT, *ignored set) or unknown. */
static int lookup_key(const char *key, size_t n, bool *ignored)
{
    *ignored = false;
    if (xlcfg_word_is(key, n, "weight"))       /* Kestrel's short name for cpu_weight */
        return K_WEIGHT;
    for (int i = 0; i < K_COUNT; i++)
        if (xlcfg_word_is(key, n, key_names[i]))
            return i;
    *ignored = xlcfg_key_ignored(key, n);
    return -1;
}

/* Parse one statement starting at a key's first byte; p->pos ends after its terminator. */
static int statement(struct parser *p, struct domain_config *c)
{
    size_t kstart = p->pos, kn;
    unsigned line = p->line;
    const char *key;
    struct value v;
    bool ignored;
    int k;

    while (p->pos < p->len && (k_isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_'))
        p->pos++;
    key = p->s + kstart;
    kn = p->pos - kstart;
    if (kn == 0 || k_isdigit((unsigned char)key[0]))
        return fail(p, line, "expected a key, got '%.*s'",
                    CUT(key, rest_of_line(key, p->len - kstart)));
    skip_space(p, false);
    if (p->pos >= p->len || p->s[p->pos] != '=')
        return fail(p, line, "%.*s: expected '=' after the key", CUT(key, kn));
    p->pos++;
    skip_space(p, false);
    k = lookup_key(key, kn, &ignored);
    if (k < 0 && !ignored)
        return fail(p, line, "%.*s: unknown key", CUT(key, kn));
    if (read_value(p, key, kn, &v) != 0)
        return -1;
    skip_space(p, false);
    if (p->pos < p->len && p->s[p->pos] != '\n' && p->s[p->pos] != ';')
        return fail(p, p->line, "%.*s: unexpected '%.*s' after the value", CUT(key, kn),
                    CUT(p->s + p->pos, rest_of_line(p->s + p->pos, p->len - p->pos)));
    if (ignored) {
        warn_ignored(p, line, key, kn);
        return 0;
    }
    if (p->seen & (1u << k))
        return fail(p, line, "%.*s: given twice", CUT(key, kn));
    p->seen |= 1u << k;
    return apply(p, line, (enum key_id)k, &v, c);
}

/* The command line from root= and extra= (xl: "root=ROOT EXTRA"), unless cmdline= was
 * given, which wins over both (with a warning, as xl prints one). */
static int join_cmdline(struct parser *p, struct domain_config *c)
{
    size_t n;

    if (p->cmdline_line) {
        if ((p->root || p->extra) && p->warn) {
            char msg[MSG_MAX];

            snprintf(msg, sizeof(msg), "%s:%u: cmdline: root and extra ignored in favour "
                     "of cmdline", p->mod, p->cmdline_line);
            p->warn(p->ctx, msg);
        }
        return 0;
    }
    if (!p->root)
        return store(p, p->extra_line, "extra", c->cmdline, sizeof(c->cmdline),
                     p->extra ? p->extra : "", p->extra_n);
    n = (size_t)snprintf(c->cmdline, sizeof(c->cmdline), "root=%.*s%s%.*s", (int)p->root_n,
                         p->root, p->extra ? " " : "", (int)p->extra_n,
                         p->extra ? p->extra : "");
    if (n >= sizeof(c->cmdline))
        return fail(p, p->extra_line ? p->extra_line : p->root_line,
                    "%s: the command line \"root=... ...\" is too long (%zu bytes, at most %zu)",
                    p->extra_line ? "extra" : "root", n, sizeof(c->cmdline) - 1);
    return 0;
}

/* Contract in the header. */
void xlcfg_defaults(struct domain_config *c)
{
    memset(c, 0, sizeof(*c));
    c->memory_mb = XLCFG_MEMORY_DEFAULT;
    c->maxmem_mb = 0;                    /* 0 until parsed: then = memory_mb */
    c->vcpus = 1;
    c->maxvcpus = 0;                     /* 0 until parsed: then = vcpus */
    for (unsigned i = 0; i < XLCFG_VCPUS_MAX; i++)
        c->cpus[i] = CPULIST_ALL;
    c->weight = XLCFG_WEIGHT_DEFAULT;
    c->on_poweroff = ACTION_DESTROY;
    c->on_reboot = ACTION_RESTART;
    c->on_crash = ACTION_DESTROY;
    c->autostart = true;
}

/* Contract in the header. Each pass of the loop consumes at least one byte or ends the
 * parse, so it is bounded by len. */
int xlcfg_parse(const char *text, size_t len, const char *module, struct domain_config *out,
                char *err, size_t errsz, xlcfg_warn_fn warn, void *ctx)
{
    struct parser p;

    memset(&p, 0, sizeof(p));
    p.s = text ? text : "";
    p.len = text ? len : 0;
    p.line = 1;
    p.mod = module ? module : "cfg";
    p.err = err;
    p.errsz = errsz;
    p.warn = warn;
    p.ctx = ctx;
    if (err && errsz)
        err[0] = '\0';
    xlcfg_defaults(out);

    while (p.pos < p.len) {
        char ch;

        skip_space(&p, true);
        if (p.pos >= p.len)
            break;
        ch = p.s[p.pos];
        if (ch == ';') {
            p.pos++;
            continue;
        }
        if (statement(&p, out) != 0)
            return -1;
    }
    if (join_cmdline(&p, out) != 0)
        return -1;
    if (!(p.seen & (1u << K_NAME)))
        return fail(&p, 0, "name: missing (every domain needs a name)");
    if (!(p.seen & (1u << K_KERNEL)))
        return fail(&p, 0, "kernel: missing (which module is the guest's kernel?)");
    if (!(p.seen & (1u << K_MAXMEM)))
        out->maxmem_mb = out->memory_mb;
    else if (out->maxmem_mb < out->memory_mb)
        return fail(&p, p.maxmem_line, "maxmem: %u MiB is less than memory (%u MiB)", out->maxmem_mb,
                    out->memory_mb);
    if (!(p.seen & (1u << K_MAXVCPUS)))
        out->maxvcpus = out->vcpus;
    else if (out->maxvcpus < out->vcpus)
        return fail(&p, p.vcpus_line, "maxvcpus: %u is less than vcpus (%u)", out->maxvcpus,
                    out->vcpus);
    if (p.cpus_given > out->maxvcpus)
        return fail(&p, p.cpus_line, "cpus: %u lists for %u vCPUs", p.cpus_given, out->maxvcpus);
    return 0;
}

/* Contract in the header. */
const char *domain_action_name(enum domain_action a)
{
    if ((unsigned)a < sizeof(action_names) / sizeof(action_names[0]))
        return action_names[a];
    return "unknown";
}
