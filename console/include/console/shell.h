/* The management shell's command table and dispatcher (console/shell.c), in the style of Xen's
 * debug-key table (xen/common/keyhandler.c).
 *
 * A command is one `struct shell_cmd` placed, by SHELL_COMMAND, in the linker section
 * "shell_cmds" from the file of the subsystem it belongs to; the shell walks the section between
 * the GNU ld symbols __start_shell_cmds and __stop_shell_cmds. So adding a command never edits
 * a central list. (The hypervisor's linker script must KEEP(*(shell_cmds)); on the host plain
 * gcc/ld provide the symbols for any section whose name is a C identifier.)
 *
 * Output goes through one callback; every line the shell prints starts with "(XEN) " and ends
 * with "\r\n", as Xen's console does. */
#ifndef KESTREL_CONSOLE_SHELL_H
#define KESTREL_CONSOLE_SHELL_H

#include <stddef.h>
#include <stdint.h>

#define SHELL_MAX_ARGS 16   /* argv entries, including the command name */

/* Results of shell_execute besides a handler's own value. */
#define SHELL_OK 0
#define SHELL_EUSAGE (-1)   /* bad arguments (handlers return this after shell_usage) */
#define SHELL_ENOCMD (-2)   /* no such command */
#define SHELL_ESYNTAX (-3)  /* unmatched quote or too many arguments */

/* Optional completer for a command's arguments: candidate i (0,1,...) for word number `word`
 * (>= 1) of `line` (the text before the cursor); NULL when no more. May return candidates that
 * don't match the typed prefix; the line editor filters. */
typedef const char *(*shell_complete_fn)(const char *line, unsigned word, unsigned i);

struct shell_cmd {
    const char *name;     /* "meminfo" */
    char key;             /* Xen debug key, e.g. 'm', or 0 */
    const char *usage;    /* argument synopsis, e.g. "<addr> [len]", or "" */
    const char *help;     /* one line, e.g. "memory info" */
    int (*handler)(int argc, char **argv);  /* argv[0] is the command word as typed (its name,
                                               or its debug key); returns 0 or an error */
    shell_complete_fn complete;             /* argument completer, or NULL */
    unsigned char diag;   /* a diagnostic key, fired by `diag` ('*') in this rank (1, 2, ...);
                             0: not one (Xen's keyhandler `diagnostic` flag) */
};

/* Register a command: a const struct shell_cmd named `ident` in section "shell_cmds". The
 * alignment equals the struct's own, so entries from many files form a gap-free array. */
#define SHELL_COMMAND_ENTRY(ident, name_, key_, usage_, help_, handler_, complete_, diag_)   \
    static const struct shell_cmd ident                                                        \
        __attribute__((used, section("shell_cmds"), aligned(_Alignof(struct shell_cmd)))) = { \
            .name = (name_), .key = (key_), .usage = (usage_), .help = (help_),               \
            .handler = (handler_), .complete = (complete_), .diag = (diag_) }
#define SHELL_COMMAND_COMPLETE(ident, name_, key_, usage_, help_, handler_, complete_) \
    SHELL_COMMAND_ENTRY(ident, name_, key_, usage_, help_, handler_, complete_, 0)
#define SHELL_COMMAND(ident, name_, key_, usage_, help_, handler_) \
    SHELL_COMMAND_ENTRY(ident, name_, key_, usage_, help_, handler_, NULL, 0)
/* A debug key that only prints (no state changes), which `diag` ('*') fires in rank order. */
#define SHELL_DIAG_COMMAND(ident, name_, key_, help_, handler_, rank_) \
    SHELL_COMMAND_ENTRY(ident, name_, key_, "", help_, handler_, NULL, rank_)

/* Write n bytes to the serial line (the console driver). */
typedef void (*shell_out_fn)(const char *s, size_t n);

/* Send shell output to `out` (NULL: discard). Resets the line-start tracking. */
void shell_init(shell_out_fn out);

/* printf to the shell's output: "(XEN) " at the start of every line, "\n" sent as "\r\n".
 * One call formats at most SHELL_PRINTF_MAX bytes; more is cut. */
#define SHELL_PRINTF_MAX 512
void shell_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Tokenize `line` in place (spaces/tabs separate words; "double quotes" group words and are
 * removed; at most SHELL_MAX_ARGS words) and run the command named by the first word (or whose
 * debug key it is). Returns the handler's result, SHELL_OK for an empty line, SHELL_ENOCMD
 * after printing "unknown command 'foo' (try 'help')", SHELL_ESYNTAX after a syntax message.
 * Ends a line a handler left unfinished, so the next prompt starts at column 0. */
int shell_execute(char *line);

/* Run every diagnostic key (diag != 0) in rank order, each as if its key were typed. */
void shell_run_diagnostics(void);

/* The command with exactly this name, else (for a one-character string) the one with this debug
 * key, else NULL. */
const struct shell_cmd *shell_find(const char *name_or_key);

/* A lineedit_cand_fn (ctx unused): for word 0 the command names in sorted order; for other
 * words, what the command's `complete` hook returns (nothing without one). */
const char *shell_complete_candidate(void *ctx, const char *line, unsigned word, unsigned i);

/* Parse an unsigned decimal or 0x-prefixed hex number, the whole string. Returns 0 and sets
 * *out, or -1 (leaving *out alone) on an empty string, garbage, or overflow. */
int shell_parse_u64(const char *s, uint64_t *out);

/* Print "usage: <name> <usage>" for `cmd`. */
void shell_usage(const struct shell_cmd *cmd);

#endif
