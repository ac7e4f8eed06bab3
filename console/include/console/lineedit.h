/* The management shell's line editor for a serial terminal (console/lineedit.c).
 *
 * Bytes from the serial line go in one at a time (lineedit_feed); the editor echoes and
 * redraws through an output callback and reports when a line is finished. It understands the
 * keys and escape sequences that minicom, picocom, screen, tmux and miniterm send: cursor
 * keys, Home/End/Delete (CSI and SS3 forms, with or without numeric parameters), backspace and
 * DEL, CTRL-U, CTRL-W, CTRL-C, history (up/down) and TAB completion through a callback.
 * It writes only "\b", CR, "\r\n", BEL, ESC[K, ESC[<n>C and ESC[<n>D, so any VT100-ish
 * terminal works. CTRL-A is deliberately not bound: it is the console switch key and is
 * consumed before bytes reach the editor.
 *
 * No allocation: struct lineedit holds every buffer, so callers embed it (about 10 KiB).
 * Cursor movement assumes prompt + line fit on one terminal row; on a narrower terminal a
 * wrapped line still edits correctly but may display oddly (as with most serial shells). */
#ifndef KESTREL_CONSOLE_LINEEDIT_H
#define KESTREL_CONSOLE_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINEEDIT_MAX 255     /* longest accepted line, in characters */
#define LINEEDIT_HISTORY 32  /* remembered lines */

enum lineedit_event {
    LINEEDIT_NONE,    /* byte consumed, line not finished */
    LINEEDIT_LINE,    /* Enter: lineedit_line() holds the finished line */
    LINEEDIT_CANCEL,  /* CTRL-C: line dropped, "^C\r\n" printed; caller re-prompts */
    LINEEDIT_TOOLONG, /* Enter on a line that overflowed: nothing accepted, caller reports */
};

/* Write n bytes to the terminal. */
typedef void (*lineedit_out_fn)(void *ctx, const char *s, size_t n);
/* Candidate i (0,1,2,...) for completing word number `word` (0 = the command name) of `line`
 * (the text before the cursor, NUL-terminated); NULL when there are no more. The callback may
 * return every candidate for that word: the editor keeps only those starting with the part of
 * the word already typed. */
typedef const char *(*lineedit_cand_fn)(void *ctx, const char *line, unsigned word, unsigned i);

/* Escape-sequence parser states (internal). */
enum lineedit_esc { LE_ESC_NONE, LE_ESC_START, LE_ESC_CSI, LE_ESC_SS3 };

struct lineedit {
    /* set by lineedit_init */
    const char *prompt;
    lineedit_out_fn out;
    void *out_ctx;
    lineedit_cand_fn cand;
    void *cand_ctx;

    /* the line being edited: buf[0..len), cursor at cur (0..len), always NUL-terminated */
    char buf[LINEEDIT_MAX + 1];
    size_t len;
    size_t cur;
    bool toolong;           /* a character was refused because the line was full */

    /* input decoding */
    enum lineedit_esc esc;  /* where we are in an escape sequence */
    unsigned esc_param;     /* first numeric parameter of a CSI/SS3 sequence (clamped) */
    bool esc_sep;           /* a ';' was seen: later digits belong to other parameters */
    bool after_cr;          /* last byte was CR: a following LF or NUL is part of it */
    bool last_tab;          /* last key was TAB: another TAB lists the candidates */

    /* history: a ring of the newest `hist_count` lines, newest at hist_head - 1 */
    char hist[LINEEDIT_HISTORY][LINEEDIT_MAX + 1];
    unsigned hist_head;     /* slot the next line goes into */
    unsigned hist_count;    /* lines stored (<= LINEEDIT_HISTORY) */
    unsigned hist_pos;      /* 0 = the line being typed; k = k-th newest history line */
    char saved[LINEEDIT_MAX + 1]; /* the line being typed while browsing history */

    char line[LINEEDIT_MAX + 1];    /* the last finished line (lineedit_line) */
    char scratch[LINEEDIT_MAX + 1]; /* completion: text before the cursor */
    char common[LINEEDIT_MAX + 1];  /* completion: longest common prefix of the matches (a
                                       copy, as a callback may reuse a static buffer) */
};

/* Prepare `le`: empty line, empty history, no output yet (call lineedit_prompt to show the
 * prompt). `prompt` must stay valid while le is used; `cand` may be NULL (TAB then rings BEL). */
void lineedit_init(struct lineedit *le, const char *prompt, lineedit_out_fn out, void *out_ctx,
                   lineedit_cand_fn cand, void *cand_ctx);

/* Process one input byte, echoing/redrawing as needed. Returns LINEEDIT_LINE when a line was
 * finished (then the editor is empty again, but prints no prompt: the caller runs the command
 * and calls lineedit_prompt), LINEEDIT_CANCEL on CTRL-C, LINEEDIT_TOOLONG on Enter after an
 * overflow, else LINEEDIT_NONE. */
enum lineedit_event lineedit_feed(struct lineedit *le, unsigned char byte);

/* The line finished by the last LINEEDIT_LINE (NUL-terminated, without the line end; "" before
 * any and after CANCEL/TOOLONG). Valid until the next LINEEDIT_LINE. The caller may modify it
 * in place (e.g. tokenize it); the history keeps its own copy. */
char *lineedit_line_mut(struct lineedit *le);
const char *lineedit_line(const struct lineedit *le);

/* Print prompt + current buffer again and put the cursor back where it was; for use after
 * other output (a log line) interrupted the line. Starts with CR and clears to the end of the
 * line, so the caller only has to make sure the other output ended with a newline. */
/* Print prompt + current line + cursor position on a line known to be empty (after other
 * output ended with a newline): no erase sequences, so logs stay readable. */
void lineedit_reprint(struct lineedit *le);
void lineedit_redraw(struct lineedit *le);

/* Start a fresh empty line: forget any partial input and print the prompt. */
void lineedit_prompt(struct lineedit *le);

#endif
