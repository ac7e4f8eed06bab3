/* The management shell's command table and dispatcher (see console/include/console/shell.h).
 *
 * Commands live in the linker section "shell_cmds" (one SHELL_COMMAND per command, in the file
 * of the subsystem it shows), so this file never lists them. The table is small (tens of
 * entries), so sorted listings are done by repeated minimum search: no allocation, no sort
 * buffer, no recursion. The built-in `help` (key 'h') prints the table the way Xen's 'h'
 * debug key does. */
#include "console/shell.h"

#include <stdarg.h>
#include <stdbool.h>

#include "lib/ctype.h"
#include "lib/format.h"
#include "lib/string.h"

/* Provided by GNU ld (and lld) for a section whose name is a C identifier. */
extern const struct shell_cmd __start_shell_cmds[];
extern const struct shell_cmd __stop_shell_cmds[];

#define PREFIX "(XEN) "
#define HELP_NAME_WIDTH 10

/* The shell's only state: where output goes and whether the next byte starts a line. */
static struct {
    shell_out_fn out;
    bool mid_line;
} shell;

/* Send raw bytes to the output callback. */
static void emit(const char *s, size_t n)
{
    if (n && shell.out)
        shell.out(s, n);
}

void shell_init(shell_out_fn out)
{
    shell.out = out;
    shell.mid_line = false;
}

/* Write text, adding "(XEN) " at line starts and turning "\n" into "\r\n". Runs of ordinary
 * bytes go out in one call so a slow UART driver isn't called per byte. */
static void shell_write(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t run;

        if (!shell.mid_line) {
            emit(PREFIX, sizeof(PREFIX) - 1);
            shell.mid_line = true;
        }
        for (run = 0; i + run < n && s[i + run] != '\n'; run++)
            ;
        emit(s + i, run);
        i += run;
        if (i < n) { /* s[i] == '\n' */
            emit("\r\n", 2);
            shell.mid_line = false;
            i++;
        }
    }
}

void shell_printf(const char *fmt, ...)
{
    char buf[SHELL_PRINTF_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    shell_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

const struct shell_cmd *shell_find(const char *name_or_key)
{
    const struct shell_cmd *c;

    for (c = __start_shell_cmds; c < __stop_shell_cmds; c++)
        if (c->name && strcmp(c->name, name_or_key) == 0)
            return c;
    if (name_or_key[0] != '\0' && name_or_key[1] == '\0')
        for (c = __start_shell_cmds; c < __stop_shell_cmds; c++)
            if (c->key && c->key == name_or_key[0])
                return c;
    return NULL;
}

void shell_run_diagnostics(void)
{
    const struct shell_cmd *c;
    for (unsigned rank = 1; rank <= 255; rank++)
        for (c = __start_shell_cmds; c < __stop_shell_cmds; c++)
            if (c->diag == rank && c->key) {
                char word[2] = { c->key, '\0' };
                shell_execute(word);
            }
}

/* The command whose name comes next after `prev` in strcmp order (the first for prev == NULL),
 * or NULL after the last. Ties (duplicate names) are visited once. */
static const struct shell_cmd *next_sorted(const struct shell_cmd *prev)
{
    const struct shell_cmd *c, *best = NULL;

    for (c = __start_shell_cmds; c < __stop_shell_cmds; c++) {
        if (!c->name || (prev && strcmp(c->name, prev->name) <= 0))
            continue;
        if (!best || strcmp(c->name, best->name) < 0)
            best = c;
    }
    return best;
}

/* The i-th command (from 0) in name order, or NULL. */
static const struct shell_cmd *nth_sorted(unsigned i)
{
    const struct shell_cmd *c = next_sorted(NULL);

    while (c && i--)
        c = next_sorted(c);
    return c;
}

/* Width of the name column in `help`: the longest name, at least HELP_NAME_WIDTH. */
static int name_width(void)
{
    const struct shell_cmd *c;
    size_t w = HELP_NAME_WIDTH;

    for (c = __start_shell_cmds; c < __stop_shell_cmds; c++)
        if (c->name && strlen(c->name) > w)
            w = strlen(c->name);
    return (int)w;
}

/* One `help` line: " meminfo    [m]  memory info". */
static void help_line(const struct shell_cmd *c, int width)
{
    char key[4] = "   ";

    if (c->key) {
        key[0] = '[';
        key[1] = c->key;
        key[2] = ']';
    }
    shell_printf(" %-*s %s  %s\n", width, c->name, key, c->help ? c->help : "");
}

void shell_usage(const struct shell_cmd *cmd)
{
    const char *u = cmd->usage ? cmd->usage : "";

    shell_printf("usage: %s%s%s\n", cmd->name, *u ? " " : "", u);
}

/* Built-in `help [cmd]`. As `h` (the debug key) it first prints Xen's key list:
 * "'h' pressed -> showing installed handlers" and " key 'm' (ascii '6d') => memory info" for
 * each key in ASCII order, then the commands without a key. */
static int cmd_help(int argc, char **argv)
{
    const struct shell_cmd *c;
    bool as_key = strcmp(argv[0], "h") == 0;
    int width = name_width();

    if (argc > 2) {
        shell_usage(shell_find("help"));
        return SHELL_EUSAGE;
    }
    if (argc == 2) {
        c = shell_find(argv[1]);
        if (!c) {
            shell_printf("help: no command '%s'\n", argv[1]);
            return SHELL_ENOCMD;
        }
        shell_usage(c);
        help_line(c, width);
        return SHELL_OK;
    }
    if (as_key) {
        int k;

        shell_printf("'h' pressed -> showing installed handlers\n");
        for (k = 1; k < 128; k++)
            for (c = __start_shell_cmds; c < __stop_shell_cmds; c++)
                if (c->name && c->key == (char)k) {
                    shell_printf(" key '%c' (ascii '%02x') => %s\n", k, k,
                                 c->help ? c->help : "");
                    break; /* one line per key, as Xen's table has one handler per key */
                }
    }
    for (c = next_sorted(NULL); c; c = next_sorted(c))
        if (!as_key || !c->key)
            help_line(c, width);
    return SHELL_OK;
}

/* `help`'s argument is a command name. */
static const char *complete_help(const char *line, unsigned word, unsigned i)
{
    const struct shell_cmd *c;

    (void)line;
    if (word != 1)
        return NULL;
    c = nth_sorted(i);
    return c ? c->name : NULL;
}

SHELL_COMMAND_COMPLETE(shell_cmd_help, "help", 'h', "[command]", "show this message", cmd_help,
                       complete_help);

/* Split `line` in place into argv. Words are separated by spaces and tabs; a double-quoted
 * part may contain them and its quotes are dropped ("a b"c -> a bc; "" -> empty word). Returns
 * argc, or -1 after printing a message (unmatched quote, too many words). */
static int tokenize(char *line, char **argv)
{
    char *r = line, *w = line;
    int argc = 0;

    for (;;) {
        bool quoted = false;

        while (*r == ' ' || *r == '\t')
            r++;
        if (*r == '\0')
            return argc;
        if (argc == SHELL_MAX_ARGS) {
            shell_printf("too many arguments (max %d)\n", SHELL_MAX_ARGS - 1);
            return -1;
        }
        /* w never passes r, so copying the word down over itself is safe. */
        argv[argc++] = w;
        for (; *r && (quoted || (*r != ' ' && *r != '\t')); r++) {
            if (*r == '"')
                quoted = !quoted;
            else
                *w++ = *r;
        }
        if (quoted) {
            shell_printf("unmatched '\"'\n");
            return -1;
        }
        if (*r)
            r++;
        *w++ = '\0';
    }
}

int shell_execute(char *line)
{
    char *argv[SHELL_MAX_ARGS + 1];
    const struct shell_cmd *c;
    int argc, ret;

    argc = tokenize(line, argv);
    if (argc < 0)
        return SHELL_ESYNTAX;
    if (argc == 0)
        return SHELL_OK;
    argv[argc] = NULL;
    c = shell_find(argv[0]);
    if (!c || !c->handler) {
        shell_printf("unknown command '%s' (try 'help')\n", argv[0]);
        return SHELL_ENOCMD;
    }
    ret = c->handler(argc, argv);
    if (shell.mid_line) {
        /* A handler left its last line open: close it so the prompt starts a line. */
        emit("\r\n", 2);
        shell.mid_line = false;
    }
    return ret;
}

const char *shell_complete_candidate(void *ctx, const char *line, unsigned word, unsigned i)
{
    char name[64];
    const struct shell_cmd *c;
    size_t n;

    (void)ctx;
    if (word == 0) {
        c = nth_sorted(i);
        return c ? c->name : NULL;
    }
    /* The command is the first word of the line; only full names, not keys, get completion. */
    line += strspn(line, " \t");
    n = strcspn(line, " \t");
    if (n == 0 || n >= sizeof(name))
        return NULL;
    memcpy(name, line, n);
    name[n] = '\0';
    for (c = __start_shell_cmds; c < __stop_shell_cmds; c++)
        if (c->name && strcmp(c->name, name) == 0)
            return c->complete ? c->complete(line, word, i) : NULL;
    return NULL;
}

int shell_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        unsigned d;

        if (k_isdigit(*s))
            d = (unsigned)(*s - '0');
        else if (base == 16 && k_isxdigit(*s))
            d = (unsigned)(k_tolower(*s) - 'a' + 10);
        else
            return -1;
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}
