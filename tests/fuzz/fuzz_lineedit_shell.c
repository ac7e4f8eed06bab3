/* libFuzzer target: arbitrary serial input through the line editor, and every finished line
 * through the shell's dispatcher, with a few registered commands (one with an argument
 * completer, one that parses numbers). It must never crash, read out of bounds, or break the
 * editor's invariants (cursor within the line, line NUL-terminated and of bounded length). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console/lineedit.h"
#include "console/shell.h"

static size_t out_bytes;

static void le_out(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    out_bytes += n;
}

static void sh_out(const char *s, size_t n)
{
    (void)s;
    out_bytes += n;
}

static int cmd_num(int argc, char **argv)
{
    uint64_t v;

    for (int i = 1; i < argc; i++)
        if (shell_parse_u64(argv[i], &v) != 0) {
            shell_usage(shell_find(argv[0]));
            return SHELL_EUSAGE;
        } else {
            shell_printf("%d: %llx\n", i, (unsigned long long)v);
        }
    return 0;
}

static int cmd_echo(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        shell_printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    return 0;
}

static const char *complete_dom(const char *line, unsigned word, unsigned i)
{
    static const char *doms[] = { "dom0", "domU-long-name", "d", "", "guest" };

    (void)line;
    return word <= 3 && i < 5 ? doms[i] : NULL;
}

SHELL_COMMAND(fz_num, "num", 'n', "<n>...", "parse numbers", cmd_num);
SHELL_COMMAND_COMPLETE(fz_echo, "echo", 'e', "[words]", "echo words", cmd_echo, complete_dom);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lineedit le;

    shell_init(sh_out);
    lineedit_init(&le, "(XEN) ", le_out, NULL, shell_complete_candidate, NULL);
    lineedit_prompt(&le);
    for (size_t i = 0; i < size; i++) {
        enum lineedit_event ev = lineedit_feed(&le, data[i]);

        if (le.cur > le.len || le.len > LINEEDIT_MAX || le.buf[le.len] != '\0')
            abort();
        if (ev == LINEEDIT_LINE) {
            if (strlen(lineedit_line(&le)) > LINEEDIT_MAX)
                abort();
            shell_execute(lineedit_line_mut(&le));
        }
        if (ev != LINEEDIT_NONE)
            lineedit_prompt(&le);
        if ((data[i] & 0x3f) == 0x3f)
            lineedit_redraw(&le);
    }
    return 0;
}
