/* The hypervisor's boot command line, in Xen's syntax, so a Xen user's GRUB entry works
 * unchanged for the console options. Every option is looked up in one table; a bad value
 * is reported once (through the caller's callback, which prints it once the console is up)
 * and leaves its setting alone, because a typo must never stop the machine from booting.
 *
 * Xen conventions followed here: sizes and booleans in Xen's forms (cmdline_words.c), a
 * "no-" prefix on a boolean inverting its value; comN= as Xen reads it (uart_config.c);
 * loglvl=<level>[/<rate-limited level>] with the second raised to the first if lower; a
 * "--" word ends the hypervisor's part of the line. */
#include "core/bootopts.h"
#include "core/debug.h"
#include "core/cmdline_words.h"
#include "console/loglevel.h"
#include "lib/ctype.h"
#include "lib/format.h"
#include "lib/string.h"

#define LINE_MAX_READ (64u << 10)  /* longest command line we look at (no loader gives more) */
#define WORD_MAX 255               /* longest single option we accept */
#define MSG_MAX 384                /* one complaint line */
#define DESCRIBE_MAX 1100          /* one describe line: "raw = " and the whole raw line */

/* Where complaints go while parsing one command line. */
struct reporter {
    bootopts_err_fn err;
    void *ctx;
};

/* Emit one formatted complaint line. */
__attribute__((format(printf, 2, 3)))
static void report(const struct reporter *rep, const char *fmt, ...)
{
    char msg[MSG_MAX];
    va_list ap;

    if (!rep->err)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rep->err(rep->ctx, msg);
}

/* ---- the option table ---- */

/* One option word being applied: where reasons and notes go. */
struct pctx {
    struct bootopts *o;
    const struct reporter *rep;
    char why[CMDLINE_WHY_MAX];
};

/* Record why a value is bad; returns false so handlers can `return fail(...)`. */
#define fail(p, ...) cmdline_why((p)->why, __VA_ARGS__)

/* A value handler: field is the option's member of struct bootopts, val the text after
 * '=' (NULL when the word had none). Returns false with p->why set; notes go to p->rep. */
typedef bool (*opt_fn)(struct pctx *p, void *field, const char *val);

struct option {
    const char *name;
    opt_fn fn;            /* NULL for a plain boolean */
    size_t off;           /* offsetof the member it sets */
};

/* console=com1|com2[,vga] (also vga alone, or none); field is console_uart. One serial
 * port carries the console: the shell reads it and the log writes to it. */
static bool opt_console(struct pctx *p, void *field, const char *val)
{
    int uart = 0;
    bool vga = false;
    const char *s = val;

    (void)field;
    if (!val)
        return fail(p, "needs a value (console=com1|com2[,vga])");
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        int port = cmdline_word_is(s, n, "com1") ? 1 : cmdline_word_is(s, n, "com2") ? 2 : 0;

        if (port && uart && uart != port)
            return fail(p, "one serial console at a time (com1 or com2)");
        if (port)
            uart = port;
        else if (cmdline_word_is(s, n, "vga"))
            vga = true;
        else if (!cmdline_word_is(s, n, "none"))
            return fail(p, "unsupported console '%.*s' (valid: com1, com2, vga, none)",
                        CMDLINE_CUT(s, n));
        if (!comma)
            break;
        s = comma + 1;
    }
    p->o->console_uart = uart;
    p->o->console_vga = vga;
    return true;
}

/* com1= / com2=: field is the struct uart_config. */
static bool opt_com(struct pctx *p, void *field, const char *val)
{
    if (!val)
        return fail(p, "needs a value (comN=<baud>[/<clock_hz>][,DPS[,<io-base>[,<irq>]]])");
    return uart_config_parse_into(val, field, p->why) == 0;
}

/* conswitch=<letter>[x]: the letter a-z; 'x' means no automatic switch to DOM0. */
static bool opt_conswitch(struct pctx *p, void *field, const char *val)
{
    size_t n = val ? strlen(val) : 0;

    (void)field;
    if (n < 1 || n > 2 || val[0] < 'a' || val[0] > 'z' || (n == 2 && val[1] != 'x'))
        return fail(p, "want a letter a-z, optionally followed by 'x'");
    p->o->conswitch_char = val[0];
    p->o->conswitch_noauto = n == 2;
    return true;
}

/* conring_size=<size>: rounded up to a power of two and clamped, with a note. */
static bool opt_conring_size(struct pctx *p, void *field, const char *val)
{
    uint64_t v, p2 = BOOTOPTS_CONRING_MIN;

    if (!val || !cmdline_size(val, strlen(val), &v))
        return fail(p, "want a size (a number with an optional K, M or G; plain is KiB)");
    while (p2 < v && p2 < BOOTOPTS_CONRING_MAX)
        p2 <<= 1;
    if (p2 != v)
        report(p->rep, "conring_size=%s: using %lu bytes (a power of two from %u to %u)",
               val, (unsigned long)p2, BOOTOPTS_CONRING_MIN, BOOTOPTS_CONRING_MAX);
    *(uint32_t *)field = (uint32_t)p2;
    return true;
}

/* loglvl= / guest_loglvl=: <level>[/<rate-limited level>] into field and its _rate
 * partner, as Xen's _parse_loglvl (the second is raised to the first). */
static bool opt_loglvl(struct pctx *p, void *field, const char *val)
{
    const char *slash = val ? strchr(val, '/') : NULL;
    int a = -1, b = -1;

    if (val) {
        a = loglevel_parse_n(val, slash ? (size_t)(slash - val) : strlen(val));
        b = slash ? loglevel_parse(slash + 1) : a;
    }
    if (a < 0 || b < 0)
        return fail(p, "want <level>[/<level>] with levels none, error, warning, info, "
                    "debug, all");
    *(int *)field = a;
    if (field == &p->o->loglvl)
        p->o->loglvl_rate = b < a ? a : b;
    else
        p->o->guest_loglvl_rate = b < a ? a : b;
    return true;
}

static const char *const ts_names[] = { "none", "date", "datems", "boot", "raw" };

/* console_timestamps[=none|date|datems|boot|raw]; bare or a true boolean means date. */
static bool opt_timestamps(struct pctx *p, void *field, const char *val)
{
    int b = val ? cmdline_bool(val, strlen(val)) : 1;

    for (int i = 0; val && i < (int)(sizeof(ts_names) / sizeof(ts_names[0])); i++) {
        if (strcmp(val, ts_names[i]) == 0) {
            *(int *)field = i;
            return true;
        }
    }
    if (b < 0)
        return fail(p, "want none, date, datems, boot or raw");
    *(int *)field = b ? CONSOLE_TS_DATE : CONSOLE_TS_NONE;
    return true;
}

/* mem=<size>: highest RAM address to use; 0 means no limit. */
static bool opt_mem(struct pctx *p, void *field, const char *val)
{
    if (!val || !cmdline_size(val, strlen(val), field))
        return fail(p, "want a size (a number with an optional K, M or G; plain is KiB)");
    return true;
}

/* sched_slice_ms=<1..1000>. */
static bool opt_slice(struct pctx *p, void *field, const char *val)
{
    uint64_t v;

    if (!val || !cmdline_uint(val, strlen(val), 10, UINT32_MAX, &v, NULL) ||
        v < BOOTOPTS_SLICE_MIN || v > BOOTOPTS_SLICE_MAX)
        return fail(p, "want a whole number of milliseconds from %u to %u",
                    BOOTOPTS_SLICE_MIN, BOOTOPTS_SLICE_MAX);
    *(uint32_t *)field = (uint32_t)v;
    return true;
}

/* maxcpus=<1..4096>: bring up at most that many CPUs, the boot CPU included (Xen's). */
static bool opt_maxcpus(struct pctx *p, void *field, const char *val)
{
    uint64_t v;

    if (!val || !cmdline_uint(val, strlen(val), 10, UINT32_MAX, &v, NULL) || v < 1 ||
        v > BOOTOPTS_MAXCPUS_MAX)
        return fail(p, "want a whole number of CPUs from 1 to %u", BOOTOPTS_MAXCPUS_MAX);
    *(uint32_t *)field = (uint32_t)v;
    return true;
}

#define OPT(name, fn, field) { name, fn, offsetof(struct bootopts, field) }

static const struct option options[] = {
    OPT("console", opt_console, console_uart),
    OPT("com1", opt_com, com1),
    OPT("com2", opt_com, com2),
    OPT("conswitch", opt_conswitch, conswitch_char),
    OPT("conring_size", opt_conring_size, conring_size),
    OPT("loglvl", opt_loglvl, loglvl),
    OPT("guest_loglvl", opt_loglvl, guest_loglvl),
    OPT("sync_console", NULL, sync_console),
    OPT("noreboot", NULL, noreboot),
    OPT("console_timestamps", opt_timestamps, console_timestamps),
    OPT("mem", opt_mem, mem_limit),
    OPT("sched_slice_ms", opt_slice, sched_slice_ms),
    OPT("nosmp", NULL, nosmp),
    OPT("maxcpus", opt_maxcpus, max_cpus),
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

/* The option called name[0..n), or NULL. */
static const struct option *find_option(const char *name, size_t n)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (cmdline_word_is(name, n, options[i].name))
            return &options[i];
    return NULL;
}

/* Look a word's key up, seeing through "no-" for booleans. */
static const struct option *lookup(const char *key, size_t n, bool *negated)
{
    const struct option *opt = find_option(key, n);

    *negated = false;
    if (!opt && n > 3 && strncmp(key, "no-", 3) == 0) {
        opt = find_option(key + 3, n - 3);
        if (opt && opt->fn)
            opt = NULL;                  /* "no-" only makes sense for booleans */
        *negated = opt != NULL;
    }
    return opt;
}

/* Apply one option word (NUL-terminated, at most WORD_MAX bytes). */
static void apply_word(struct bootopts *o, const char *word, const struct reporter *rep)
{
    const char *eq = strchr(word, '=');
    const char *val = eq ? eq + 1 : NULL;
    struct pctx p = { o, rep, "" };
    bool negated;
    const struct option *opt = lookup(word, eq ? (size_t)(eq - word) : strlen(word), &negated);
    int b;

    if (!opt) {
        report(rep, "unknown boot option '%s' ignored", word);
        return;
    }
    if (opt->fn) {
        if (!opt->fn(&p, (char *)o + opt->off, val))
            report(rep, "bad value '%s': %s; using the default", word, p.why);
        return;
    }
    /* A plain boolean: bare means true; "no-" inverts whatever the value says (Xen). */
    b = val ? cmdline_bool(val, strlen(val)) : 1;
    if (b < 0)
        report(rep, "bad value '%s': want 1/0, yes/no, true/false, on/off, enable/disable; "
               "using the default", word);
    else
        *(bool *)((char *)o + opt->off) = negated ? !b : b;
}

/* Defaults: Xen's for the console options, the design's for the rest. */
void bootopts_defaults(struct bootopts *o)
{
    memset(o, 0, sizeof(*o));
    o->console_uart = 1;
    o->com1 = (struct uart_config){ 115200, BOOTOPTS_UART_CLOCK_HZ, 8, 1, 'n', 0x3f8, 4 };
    o->com2 = (struct uart_config){ 115200, BOOTOPTS_UART_CLOCK_HZ, 8, 1, 'n', 0x2f8, 3 };
    o->conswitch_char = 'a';
    o->conring_size = BOOTOPTS_CONRING_DEFAULT;
    o->loglvl = DEBUG_BUILD ? LOG_ALL : LOG_WARNING;      /* Xen's debug=y prints all */
    o->loglvl_rate = DEBUG_BUILD ? LOG_ALL : LOG_WARNING;
    o->guest_loglvl = LOG_NONE;
    o->guest_loglvl_rate = LOG_WARNING;
    o->console_timestamps = CONSOLE_TS_NONE;
    o->sched_slice_ms = BOOTOPTS_SLICE_DEFAULT;
}

/* Split the line into words and apply each; see the header for the rules. */
void bootopts_parse(struct bootopts *o, const char *cmdline, bootopts_err_fn err, void *ctx)
{
    const struct reporter rep = { err, ctx };
    const char *s = cmdline ? cmdline : "";
    size_t len = strnlen(s, LINE_MAX_READ);
    size_t copy = len < sizeof(o->raw) - 1 ? len : sizeof(o->raw) - 1;
    char word[WORD_MAX + 1];
    bool first = true;

    memcpy(o->raw, s, copy);
    o->raw[copy] = '\0';
    if (copy < len)
        report(&rep, "boot command line is %s%lu bytes: 'cmdline' keeps the first %lu%s",
               len == LINE_MAX_READ ? "over " : "", (unsigned long)len, (unsigned long)copy,
               len == LINE_MAX_READ ? "; options past 64 KiB are ignored" : "");

    for (size_t i = 0; i < len; ) {
        size_t start, n;

        while (i < len && k_isspace((unsigned char)s[i]))
            i++;
        start = i;
        while (i < len && !k_isspace((unsigned char)s[i]))
            i++;
        n = i - start;
        if (n == 0)
            break;
        if (n == 2 && s[start] == '-' && s[start + 1] == '-')
            break;                       /* the rest belongs to dom0 (Xen's " -- ") */
        if (first) {
            bool negated;

            first = false;
            if (!memchr(s + start, '=', n) && (n > WORD_MAX || !lookup(s + start, n, &negated)))
                continue;                /* the image name, as QEMU and GRUB pass it */
        }
        if (n > WORD_MAX) {
            report(&rep, "boot option '%.40s...' is %lu bytes long (max %u) and is ignored",
                   s + start, (unsigned long)n, WORD_MAX);
            continue;
        }
        memcpy(word, s + start, n);
        word[n] = '\0';
        apply_word(o, word, &rep);
    }
}

/* Name of a console_timestamps value. */
const char *bootopts_timestamps_name(int ts)
{
    if (ts < 0 || ts >= (int)(sizeof(ts_names) / sizeof(ts_names[0])))
        return "?";
    return ts_names[ts];
}

/* Format one describe line and hand it over. */
__attribute__((format(printf, 4, 5)))
static void emit(void (*line)(void *ctx, const char *text), void *ctx, char *buf,
                 const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, DESCRIBE_MAX, fmt, ap);
    va_end(ap);
    line(ctx, buf);
}

/* One "key = value" line per option, in table order, then the raw line. */
void bootopts_describe(const struct bootopts *o, void (*line)(void *ctx, const char *text),
                       void *ctx)
{
    char buf[DESCRIBE_MAX], v[64];

    if (!line)
        return;
    static const char *const uarts[] = { "", "com1", "com2" };
    const char *u = uarts[o->console_uart >= 1 && o->console_uart <= 2 ? o->console_uart : 0];
    emit(line, ctx, buf, "console = %s%s%s", u, *u && o->console_vga ? "," : "",
         o->console_vga ? "vga" : *u ? "" : "none");
    uart_config_describe(&o->com1, v, sizeof(v));
    emit(line, ctx, buf, "com1 = %s", v);
    uart_config_describe(&o->com2, v, sizeof(v));
    emit(line, ctx, buf, "com2 = %s", v);
    emit(line, ctx, buf, "conswitch = %c%s", o->conswitch_char, o->conswitch_noauto ? "x" : "");
    emit(line, ctx, buf, "conring_size = %lu", (unsigned long)o->conring_size);
    emit(line, ctx, buf, "loglvl = %s/%s", loglevel_name(o->loglvl),
         loglevel_name(o->loglvl_rate));
    emit(line, ctx, buf, "guest_loglvl = %s/%s", loglevel_name(o->guest_loglvl),
         loglevel_name(o->guest_loglvl_rate));
    emit(line, ctx, buf, "sync_console = %s", o->sync_console ? "true" : "false");
    emit(line, ctx, buf, "noreboot = %s", o->noreboot ? "true" : "false");
    emit(line, ctx, buf, "console_timestamps = %s",
         bootopts_timestamps_name(o->console_timestamps));
    emit(line, ctx, buf, "mem = %llu%s", (unsigned long long)o->mem_limit,
         o->mem_limit ? "" : " (no limit)");
    emit(line, ctx, buf, "sched_slice_ms = %lu", (unsigned long)o->sched_slice_ms);
    emit(line, ctx, buf, "nosmp = %s", o->nosmp ? "true" : "false");
    emit(line, ctx, buf, "maxcpus = %lu%s", (unsigned long)o->max_cpus,
         o->max_cpus ? "" : " (no limit)");
    emit(line, ctx, buf, "raw = %.*s", (int)sizeof(o->raw), o->raw);
}
