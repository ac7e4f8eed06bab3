/* Console routing: serial bytes -> CTRL-<c>x3 switch -> the (XEN) shell's line editor or a
 * domain's input; log lines and shell output -> the serial writer, keeping the prompt and
 * the half-typed line intact around asynchronous log lines. */
#include <stdbool.h>
#include "console/console.h"
#include "console/conswitch.h"
#include "console/lineedit.h"
#include "console/shell.h"
#include "console/log.h"
#include "lib/string.h"

static console_write_fn out;
static struct conswitch cs;
static struct lineedit le;
static const struct console_domain_ops *dom_ops;
static bool prompt_shown;      /* the prompt (and maybe a half line) is on screen */
static bool prompt_pending;    /* hidden by asynchronous output; shown again when quiet */
static uint64_t async_lines, async_seen, quiet_since_ns;
static bool panicking;

void console_write(const char *s, size_t n)
{
    if (out)
        out(s, n);
}

/* Line editor output goes straight to the line. */
static void editor_out(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    console_write(s, n);
}

/* Show the prompt again (with the half-typed line) after asynchronous output hid it. */
static void reshow_prompt(void)
{
    if (prompt_pending && !panicking) {
        lineedit_reprint(&le);
        prompt_shown = true;
    }
    prompt_pending = false;
}

/* Log and domain lines arriving while the prompt is on screen: erase the prompt line, and
 * bring the prompt back only once output has been quiet for a moment (console_idle) or the
 * operator types, so bursts of guest output are not interleaved with prompts. */
void console_log_write(const char *s, size_t n)
{
    async_lines++;
    if (prompt_shown && !panicking) {
        console_write("\r\x1b[K", 4);
        prompt_shown = false;
        prompt_pending = true;
    }
    console_write(s, n);
}

void console_idle(uint64_t now_ns)
{
    if (async_lines != async_seen) {
        async_seen = async_lines;
        quiet_since_ns = now_ns;
        return;
    }
    if (prompt_pending && now_ns - quiet_since_ns >= CONSOLE_PROMPT_QUIET_NS)
        reshow_prompt();
}

static int switch_next(void *ctx, int current)
{
    (void)ctx;
    if (dom_ops && dom_ops->next)
        return dom_ops->next(current);
    return CONSWITCH_XEN;
}

/* Run one finished line through the shell and show a fresh prompt. */
static void run_line(void)
{
    static char line[LINEEDIT_MAX + 1];   /* shell_execute splits it in place */
    size_t n = strnlen(lineedit_line(&le), LINEEDIT_MAX);

    memcpy(line, lineedit_line(&le), n);
    line[n] = '\0';
    prompt_shown = false;
    shell_execute(line);
}

/* Bytes for the hypervisor shell. */
static void xen_input(const unsigned char *bytes, size_t n)
{
    reshow_prompt();
    for (size_t i = 0; i < n; i++) {
        switch (lineedit_feed(&le, bytes[i])) {
        case LINEEDIT_LINE:
            run_line();
            break;
        case LINEEDIT_TOOLONG:
            prompt_shown = false;
            shell_printf("line too long (max %d characters); not run\n", LINEEDIT_MAX);
            break;
        case LINEEDIT_CANCEL:
            prompt_shown = false;
            break;
        case LINEEDIT_NONE:
            continue;
        }
        if (cs.owner == CONSWITCH_XEN && !panicking) {
            lineedit_prompt(&le);
            prompt_shown = true;
        }
    }
}

static void switch_deliver(void *ctx, int owner, const unsigned char *bytes, size_t n)
{
    (void)ctx;
    if (owner == CONSWITCH_XEN)
        xen_input(bytes, n);
    else if (dom_ops && dom_ops->deliver)
        dom_ops->deliver(owner, bytes, n);
    /* else: the placeholder domain discards input */
}

static void switch_announce(void *ctx, int owner, const char *msg)
{
    (void)ctx;
    prompt_pending = false;
    if (prompt_shown) {
        console_write("\r\x1b[K", 4);
        prompt_shown = false;
    }
    printk("%s", msg);
    if (owner == CONSWITCH_XEN) {
        lineedit_prompt(&le);
        prompt_shown = true;
    }
}

void console_init(console_write_fn write, char conswitch_char)
{
    out = write;
    shell_init(console_write);
    lineedit_init(&le, "(XEN) ", editor_out, NULL, shell_complete_candidate, NULL);
    conswitch_init(&cs, conswitch_char, switch_next, switch_deliver, switch_announce, NULL);
    log_set_sink(console_log_write);
}

void console_set_domain_ops(const struct console_domain_ops *ops)
{
    dom_ops = ops;
}

void console_start(void)
{
    lineedit_prompt(&le);
    prompt_shown = true;
}

void console_input(unsigned char c)
{
    conswitch_feed(&cs, c);
}

void console_switch_input(int owner)
{
    conswitch_set_owner(&cs, owner);
}

int console_input_owner(void)
{
    return conswitch_owner(&cs);
}

void console_panic_mode(void)
{
    prompt_pending = false;
    if (prompt_shown)
        console_write("\r\n", 2);
    prompt_shown = false;
    panicking = true;
}
