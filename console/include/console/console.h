/* The operator's console: routes serial input through the CTRL-<c>x3 switch to the shell's
 * line editor or to a domain, and interleaves log output with the prompt so a line typed
 * half-way is redrawn, never garbled. Talks to the serial port only through the writer
 * given to console_init. */
#ifndef KESTREL_CONSOLE_CONSOLE_H
#define KESTREL_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*console_write_fn)(const char *s, size_t n);

/* Domains plug their input into the switch through these hooks (NULL until they exist:
 * then a placeholder DOM0 that discards input stands in). */
struct console_domain_ops {
    int (*next)(int current);                                    /* conswitch cycle */
    void (*deliver)(int domid, const unsigned char *bytes, size_t n);
};

void console_init(console_write_fn write, char conswitch_char);
void console_set_domain_ops(const struct console_domain_ops *ops);
/* Start the shell: print the prompt, with input owned by Xen. */
void console_start(void);
/* One byte received on the serial line (called from the main loop, not an interrupt). */
void console_input(unsigned char c);
/* Raw output (shell command output, domain output when it owns the console). */
void console_write(const char *s, size_t n);
/* Sink for log lines: hides and redraws an interrupted prompt around them. */
void console_log_write(const char *s, size_t n);
/* Move input to owner (CONSWITCH_XEN or a domain id) and announce it. */
void console_switch_input(int owner);
int console_input_owner(void);
/* How long output must pause before a prompt hidden by it is shown again. */
#define CONSOLE_PROMPT_QUIET_NS 100000000ULL
/* Called from the main loop with the time: brings a hidden prompt back when output paused. */
void console_idle(uint64_t now_ns);
/* The panic path: stop redrawing prompts, output goes straight out. */
void console_panic_mode(void);

#endif
