/* The management shell's line editor (see console/include/console/lineedit.h).
 *
 * Input is decoded byte by byte by a small state machine (plain bytes, ESC, CSI "ESC [", SS3
 * "ESC O") because the serial line delivers escape sequences one byte at a time, possibly
 * interleaved with nothing else for a while. Every edit updates the terminal minimally: only
 * the part of the line right of the change is reprinted, then the cursor is moved back with
 * "\b" or ESC[<n>D. The terminal is assumed to show exactly prompt + buf with its cursor at
 * column prompt + cur; every function below keeps that true. */
#include "console/lineedit.h"

#include "lib/ctype.h"
#include "lib/format.h"
#include "lib/string.h"

#define CTRL(c) ((c) & 0x1f)
#define BYTE_ESC 0x1b
#define BYTE_BS 0x08
#define BYTE_DEL 0x7f
#define BYTE_TAB 0x09

/* A completion callback that never says NULL must not hang the hypervisor. */
#define CAND_LIMIT 4096
/* Candidate listings wrap before this column. */
#define LIST_COLUMNS 80
/* Numeric parameters of escape sequences are clamped; we only care about small ones. */
#define ESC_PARAM_MAX 9999

/* Write n bytes to the terminal (nothing for n == 0 or without an output callback). */
static void put(struct lineedit *le, const char *s, size_t n)
{
    if (n && le->out)
        le->out(le->out_ctx, s, n);
}

/* Write a NUL-terminated string. */
static void put_str(struct lineedit *le, const char *s)
{
    put(le, s, strlen(s));
}

/* Move the terminal cursor n columns left: "\b" for one (shortest), ESC[<n>D otherwise.
 * Never emits ESC[0D, which terminals read as "one". */
static void move_left(struct lineedit *le, size_t n)
{
    char seq[16];

    if (n == 0)
        return;
    if (n == 1) {
        put(le, "\b", 1);
        return;
    }
    put(le, seq, (size_t)snprintf(seq, sizeof(seq), "\x1b[%zuD", n));
}

/* Move the terminal cursor n columns right with ESC[<n>C (nothing for n == 0). */
static void move_right(struct lineedit *le, size_t n)
{
    char seq[16];

    if (n == 0)
        return;
    put(le, seq, (size_t)snprintf(seq, sizeof(seq), "\x1b[%zuC", n));
}

/* Forget the line being edited (not the history) without touching the screen. */
static void reset_line(struct lineedit *le)
{
    le->buf[0] = '\0';
    le->len = 0;
    le->cur = 0;
    le->toolong = false;
    le->hist_pos = 0;
    le->esc = LE_ESC_NONE;
}

void lineedit_init(struct lineedit *le, const char *prompt, lineedit_out_fn out, void *out_ctx,
                   lineedit_cand_fn cand, void *cand_ctx)
{
    memset(le, 0, sizeof(*le));
    le->prompt = prompt ? prompt : "";
    le->out = out;
    le->out_ctx = out_ctx;
    le->cand = cand;
    le->cand_ctx = cand_ctx;
    reset_line(le);
}

/* Insert s[0..n) at the cursor, reprint from there to the end of the line and put the cursor
 * after the inserted text. The caller has checked that it fits. */
static void insert(struct lineedit *le, const char *s, size_t n)
{
    memmove(le->buf + le->cur + n, le->buf + le->cur, le->len - le->cur + 1);
    memcpy(le->buf + le->cur, s, n);
    le->len += n;
    put(le, le->buf + le->cur, le->len - le->cur);
    le->cur += n;
    move_left(le, le->len - le->cur);
}

/* Insert one typed character; on a full line refuse it, ring BEL and remember the overflow so
 * Enter reports it instead of running a silently cut line (e.g. a paste that was too long). */
static void insert_char(struct lineedit *le, char c)
{
    if (le->len >= LINEEDIT_MAX) {
        le->toolong = true;
        put(le, "\a", 1);
        return;
    }
    insert(le, &c, 1);
}

/* Delete buf[start..end), where the cursor is at start or end; the cursor ends at start. The
 * tail is reprinted, the freed columns cleared with ESC[K, and the cursor moved back. */
static void delete_range(struct lineedit *le, size_t start, size_t end)
{
    if (start >= end)
        return;
    move_left(le, le->cur - start);
    memmove(le->buf + start, le->buf + end, le->len - end + 1);
    le->len -= end - start;
    le->cur = start;
    put(le, le->buf + start, le->len - start);
    put_str(le, "\x1b[K");
    move_left(le, le->len - start);
}

/* Replace the whole line with s (history recall), cursor at its end. */
static void replace_line(struct lineedit *le, const char *s)
{
    size_t n = strnlen(s, LINEEDIT_MAX);

    move_left(le, le->cur);
    memcpy(le->buf, s, n);
    le->buf[n] = '\0';
    le->len = n;
    le->cur = n;
    put(le, le->buf, n);
    put_str(le, "\x1b[K");
}

/* History line k (1 = newest); k must be in 1..hist_count. */
static const char *hist_entry(const struct lineedit *le, unsigned k)
{
    return le->hist[(le->hist_head + LINEEDIT_HISTORY - k) % LINEEDIT_HISTORY];
}

/* Remember a finished line unless it is blank or repeats the newest entry. */
static void hist_add(struct lineedit *le, const char *s)
{
    if (s[strspn(s, " \t")] == '\0')
        return;
    if (le->hist_count && strcmp(hist_entry(le, 1), s) == 0)
        return;
    memcpy(le->hist[le->hist_head], s, strlen(s) + 1);
    le->hist_head = (le->hist_head + 1) % LINEEDIT_HISTORY;
    if (le->hist_count < LINEEDIT_HISTORY)
        le->hist_count++;
}

/* Up: show the next older history line, first saving what was being typed. The recalled text is
 * copied into buf, so editing it never changes the history. */
static void hist_up(struct lineedit *le)
{
    if (le->hist_pos >= le->hist_count)
        return;
    if (le->hist_pos == 0)
        memcpy(le->saved, le->buf, le->len + 1);
    le->hist_pos++;
    replace_line(le, hist_entry(le, le->hist_pos));
}

/* Down: show the next newer history line, or, past the newest, what was being typed. */
static void hist_down(struct lineedit *le)
{
    if (le->hist_pos == 0)
        return;
    le->hist_pos--;
    replace_line(le, le->hist_pos ? hist_entry(le, le->hist_pos) : le->saved);
}

/* Start of the word the cursor is in or just after (words are separated by spaces). */
static size_t word_start(const struct lineedit *le)
{
    size_t ws = le->cur;

    while (ws > 0 && le->buf[ws - 1] != ' ')
        ws--;
    return ws;
}

/* CTRL-W: delete the word before the cursor and the spaces between it and the cursor. */
static void kill_word(struct lineedit *le)
{
    size_t start = le->cur;

    while (start > 0 && le->buf[start - 1] == ' ')
        start--;
    while (start > 0 && le->buf[start - 1] != ' ')
        start--;
    delete_range(le, start, le->cur);
}

/* Candidate i filtered to those that start with prefix[0..plen); *next is where to continue. */
static const char *next_match(struct lineedit *le, unsigned word, const char *prefix,
                              size_t plen, unsigned *next)
{
    while (*next < CAND_LIMIT) {
        const char *c = le->cand(le->cand_ctx, le->scratch, word, (*next)++);

        if (!c)
            break;
        if (strncmp(c, prefix, plen) == 0)
            return c;
    }
    return NULL;
}

/* Second TAB: list the matches on new lines, wrapping at LIST_COLUMNS, then redraw the prompt
 * and the line. */
static void list_matches(struct lineedit *le, unsigned word, const char *prefix, size_t plen)
{
    unsigned next = 0;
    size_t col = 0;
    const char *c;

    put_str(le, "\r\n");
    while ((c = next_match(le, word, prefix, plen, &next)) != NULL) {
        size_t n = strlen(c);

        if (col > 0 && col + n > LIST_COLUMNS) {
            put_str(le, "\r\n");
            col = 0;
        }
        put(le, c, n);
        put_str(le, "  ");
        col += n + 2;
    }
    put_str(le, "\r\n");
    put_str(le, le->prompt);
    put(le, le->buf, le->len);
    move_left(le, le->len - le->cur);
}

/* TAB: complete the word before the cursor through the callback. One match: complete it and add
 * a space. Several: extend to their longest common prefix; a TAB right after a TAB that could
 * not extend lists them. No match (or no room): BEL. `again` says the previous key was TAB. */
static void complete(struct lineedit *le, bool again)
{
    size_t ws = word_start(le), plen = le->cur - ws, common = 0, i;
    unsigned word = 0, next = 0, nmatch = 0;
    const char *prefix = le->buf + ws;
    const char *c;

    if (!le->cand) {
        put(le, "\a", 1);
        return;
    }
    /* Word number: count the words that start before ws. */
    for (i = 0; i < ws; i++)
        if (le->buf[i] != ' ' && (i == 0 || le->buf[i - 1] == ' '))
            word++;
    memcpy(le->scratch, le->buf, le->cur);
    le->scratch[le->cur] = '\0';

    while ((c = next_match(le, word, prefix, plen, &next)) != NULL) {
        size_t n = strnlen(c, LINEEDIT_MAX);

        if (nmatch++ == 0) {
            memcpy(le->common, c, n);
            common = n;
        } else {
            for (i = plen; i < common && i < n && le->common[i] == c[i]; i++)
                ;
            common = i;
        }
    }
    if (nmatch == 0) {
        put(le, "\a", 1);
        return;
    }
    if (common > plen) {
        size_t add = common - plen + (nmatch == 1);

        if (le->len + add > LINEEDIT_MAX) {
            put(le, "\a", 1);
            return;
        }
        if (nmatch == 1)
            le->common[common] = ' ';
        insert(le, le->common + plen, add);
        /* More than one match: the next TAB lists them (bash's behaviour). */
        le->last_tab = nmatch > 1;
        return;
    }
    if (nmatch == 1) {
        /* Already complete: just add the separating space. */
        if (le->len < LINEEDIT_MAX && le->buf[le->cur] != ' ')
            insert(le, " ", 1);
        return;
    }
    if (again)
        list_matches(le, word, prefix, plen);
    else
        put(le, "\a", 1);
    le->last_tab = true;
}

/* Home: cursor to the start of the line. */
static void key_home(struct lineedit *le)
{
    move_left(le, le->cur);
    le->cur = 0;
}

/* End: cursor to the end of the line. */
static void key_end(struct lineedit *le)
{
    move_right(le, le->len - le->cur);
    le->cur = le->len;
}

/* A complete CSI (ESC [) or SS3 (ESC O) sequence ended with `final`; `param` is its first
 * numeric parameter (0 if none). Modifiers (ESC[1;5C) are ignored: CTRL-right moves like
 * right. Unknown sequences do nothing: they were swallowed whole. */
static void escape_key(struct lineedit *le, unsigned char final, unsigned param)
{
    if (final == '~') {
        /* VT220 editing keys; xterm and rxvt disagree on Home/End, so take both. */
        if (param == 1 || param == 7)
            final = 'H';
        else if (param == 4 || param == 8)
            final = 'F';
        else if (param == 3 && le->cur < le->len)
            delete_range(le, le->cur, le->cur + 1);
        /* 2~ Insert, 5~/6~ PgUp/PgDn, function keys: nothing */
    }
    switch (final) {
    case 'A':
        hist_up(le);
        break;
    case 'B':
        hist_down(le);
        break;
    case 'C':
        if (le->cur < le->len) {
            put(le, le->buf + le->cur, 1); /* reprinting the char is the shortest move */
            le->cur++;
        }
        break;
    case 'D':
        if (le->cur > 0) {
            move_left(le, 1);
            le->cur--;
        }
        break;
    case 'H':
        key_home(le);
        break;
    case 'F':
        key_end(le);
        break;
    default:
        break;
    }
}

/* Feed a byte to the escape-sequence parser while one is in progress. Returns true if the byte
 * was consumed; false if it ended the sequence without belonging to it and must be processed
 * as an ordinary byte (a lone ESC followed by a plain key, or a control byte inside CSI). */
static bool escape_byte(struct lineedit *le, unsigned char b)
{
    if (le->esc == LE_ESC_START) {
        if (b == '[' || b == 'O') {
            le->esc = b == '[' ? LE_ESC_CSI : LE_ESC_SS3;
            le->esc_param = 0;
            le->esc_sep = false;
            return true;
        }
        if (b == BYTE_ESC)
            return true; /* ESC ESC: the second one starts the sequence */
        le->esc = LE_ESC_NONE;
        return false;
    }
    if (k_isdigit(b)) {
        if (!le->esc_sep && le->esc_param <= ESC_PARAM_MAX)
            le->esc_param = le->esc_param * 10 + (unsigned)(b - '0');
        return true;
    }
    if (b == ';') {
        le->esc_sep = true;
        return true;
    }
    if (b >= 0x20 && b <= 0x3f)
        return true; /* other parameter or intermediate bytes: swallow */
    if (b >= 0x40 && b <= 0x7e) {
        le->esc = LE_ESC_NONE;
        escape_key(le, b, le->esc_param);
        return true;
    }
    /* Not part of a sequence: abandon it. ESC starts a new one; others are ordinary bytes. */
    le->esc = b == BYTE_ESC ? LE_ESC_START : LE_ESC_NONE;
    return b == BYTE_ESC;
}

/* Enter: hand out the line (or the overflow) and start an empty one. */
static enum lineedit_event finish_line(struct lineedit *le)
{
    enum lineedit_event ev = LINEEDIT_LINE;

    put_str(le, "\r\n");
    if (le->toolong) {
        le->line[0] = '\0';
        ev = LINEEDIT_TOOLONG;
    } else {
        memcpy(le->line, le->buf, le->len + 1);
        hist_add(le, le->buf);
    }
    reset_line(le);
    return ev;
}

enum lineedit_event lineedit_feed(struct lineedit *le, unsigned char b)
{
    bool after_cr = le->after_cr, tab_before = le->last_tab;

    le->after_cr = false;
    le->last_tab = false;
    /* CRLF and CR NUL (telnet) are one line end. */
    if (after_cr && (b == '\n' || b == '\0'))
        return LINEEDIT_NONE;
    if (le->esc != LE_ESC_NONE && escape_byte(le, b))
        return LINEEDIT_NONE;

    switch (b) {
    case '\r':
        le->after_cr = true;
        return finish_line(le);
    case '\n':
        return finish_line(le);
    case BYTE_ESC:
        le->esc = LE_ESC_START;
        break;
    case BYTE_BS:
    case BYTE_DEL:
        if (le->cur > 0)
            delete_range(le, le->cur - 1, le->cur);
        break;
    case CTRL('U'):
        delete_range(le, 0, le->cur);
        break;
    case CTRL('W'):
        kill_word(le);
        break;
    case CTRL('C'):
        put_str(le, "^C\r\n");
        reset_line(le);
        le->line[0] = '\0';
        return LINEEDIT_CANCEL;
    case BYTE_TAB:
        complete(le, tab_before);
        break;
    default:
        /* Other control bytes (CTRL-A is the console switch) and bytes >= 0x80: ignored. */
        if (k_isprint(b))
            insert_char(le, (char)b);
        break;
    }
    return LINEEDIT_NONE;
}

const char *lineedit_line(const struct lineedit *le)
{
    return le->line;
}

char *lineedit_line_mut(struct lineedit *le)
{
    return le->line;
}

void lineedit_redraw(struct lineedit *le)
{
    put_str(le, "\r");
    put_str(le, le->prompt);
    put(le, le->buf, le->len);
    put_str(le, "\x1b[K");
    move_left(le, le->len - le->cur);
}

void lineedit_reprint(struct lineedit *le)
{
    put_str(le, le->prompt);
    put(le, le->buf, le->len);
    move_left(le, le->len - le->cur);
}

void lineedit_prompt(struct lineedit *le)
{
    reset_line(le);
    le->last_tab = false;
    put_str(le, le->prompt);
}
