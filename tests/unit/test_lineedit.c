/* Unit tests for console/lineedit.c. Bytes are fed as a terminal would send them, and the
 * editor's output is run through a tiny VT100 model (printable chars, \b, CR, LF, ESC[K,
 * ESC[<n>C, ESC[<n>D, BEL) so the tests check what the operator SEES, plus the returned events
 * and lines. The model fails the test on any other output, which enforces the editor's promise
 * to use only those. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "console/lineedit.h"

#define ROWS 24
#define COLS 400
#define PROMPT "(XEN) "
#define PLEN 6 /* strlen(PROMPT) */

/* The terminal model. */
static struct {
    char cell[ROWS][COLS];
    int row, col;
    int bells;
    size_t bytes;           /* bytes the editor wrote in total */
    int esc;                /* 0 none, 1 after ESC, 2 in CSI */
    int param;
} term;

/* A blank screen, cursor home. */
static void term_clear(void)
{
    memset(&term, 0, sizeof(term)), memset(term.cell, ' ', sizeof(term.cell));
}

static void term_byte(unsigned char b)
{
    term.bytes++;
    if (term.esc == 1) {
        assert_int_equal(b, '[');
        term.esc = 2;
        term.param = -1;
        return;
    }
    if (term.esc == 2) {
        if (b >= '0' && b <= '9') {
            term.param = (term.param < 0 ? 0 : term.param * 10) + (b - '0');
            return;
        }
        term.esc = 0;
        int n = term.param < 0 ? 1 : term.param;
        switch (b) {
        case 'K':
            assert_true(term.param < 0);
            memset(&term.cell[term.row][term.col], ' ', (size_t)(COLS - term.col));
            return;
        case 'C':
            assert_true(term.param != 0); /* ESC[0C is ambiguous */
            term.col = term.col + n < COLS ? term.col + n : COLS - 1;
            return;
        case 'D':
            assert_true(term.param != 0);
            term.col = term.col - n > 0 ? term.col - n : 0;
            return;
        default:
            fail_msg("unexpected escape final '%c'", b);
        }
    }
    switch (b) {
    case 0x1b: term.esc = 1; return;
    case '\b': term.col -= term.col > 0; return;
    case '\r': term.col = 0; return;
    case 0x07: term.bells++; return;
    case '\n':
        if (term.row < ROWS - 1) {
            term.row++;
            return;
        }
        memmove(term.cell[0], term.cell[1], sizeof(term.cell[0]) * (ROWS - 1)); /* scroll */
        memset(term.cell[ROWS - 1], ' ', COLS);
        return;
    default:
        if (b < 0x20 || b >= 0x7f)
            fail_msg("unexpected output byte 0x%02x", b);
        term.cell[term.row][term.col] = (char)b;
        term.col += term.col < COLS - 1;
    }
}

static void term_out(void *ctx, const char *s, size_t n)
{
    assert_ptr_equal(ctx, &term);
    for (size_t i = 0; i < n; i++)
        term_byte((unsigned char)s[i]);
}

/* Text of a screen row without trailing spaces (static buffer). */
static const char *row_text(int r)
{
    static char buf[COLS + 1];
    int n = COLS;

    memcpy(buf, term.cell[r], COLS);
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    return buf;
}

static const char *cur_row(void) { return row_text(term.row); }

/* The completion callback: fixed lists, and a record of what it was asked. */
static const char *words0[] = { "help", "hello", "meminfo", "memdump", "xd", NULL };
static const char *words1[] = { "dom0", "guest1", "guest2", NULL };
static char cand_line[LINEEDIT_MAX + 1];
static unsigned cand_word;

static const char *cand(void *ctx, const char *line, unsigned word, unsigned i)
{
    const char **list = word == 0 ? words0 : word == 1 ? words1 : NULL;

    assert_ptr_equal(ctx, &cand_line);
    snprintf(cand_line, sizeof(cand_line), "%s", line);
    cand_word = word;
    for (unsigned k = 0; list && k <= i; k++)
        if (!list[k])
            return NULL;
    return list ? list[i] : NULL;
}

static struct lineedit le;
static enum lineedit_event events[64];
static int nevents;

static int setup(void **state __attribute__((unused)))
{
    term_clear();
    lineedit_init(&le, PROMPT, term_out, &term, cand, &cand_line);
    lineedit_prompt(&le);
    nevents = 0;
    return 0;
}

/* Feed n bytes; record events; after LINE/CANCEL/TOOLONG re-prompt as the shell would. Returns
 * the last event other than NONE (NONE if there was none). */
static enum lineedit_event feed_n(const char *s, size_t n)
{
    enum lineedit_event last = LINEEDIT_NONE;

    for (size_t i = 0; i < n; i++) {
        enum lineedit_event ev = lineedit_feed(&le, (unsigned char)s[i]);

        if (ev != LINEEDIT_NONE) {
            assert_true(nevents < 64);
            events[nevents++] = ev;
            last = ev;
            lineedit_prompt(&le);
        }
    }
    return last;
}

static enum lineedit_event feed(const char *s)
{
    return feed_n(s, strlen(s));
}

/* A test function; the cmocka state is unused. */
#define TEST(name) static void name(void **state __attribute__((unused)))

/* Assert the cursor row shows exactly `expect` (trailing spaces included) and nothing after. */
static void assert_row(const char *expect)
{
    size_t n = strlen(expect);
    char got[COLS + 1];

    memcpy(got, term.cell[term.row], n);
    got[n] = '\0';
    assert_string_equal(got, expect);
    for (size_t i = n; i < COLS; i++)
        if (term.cell[term.row][i] != ' ')
            fail_msg("debris after \"%s\": \"%s\"", expect, cur_row());
}

/* Assert the current row shows prompt + text and the cursor is at column PLEN + column. */
#define assert_screen(text, column)                                \
    do {                                                           \
        assert_row(PROMPT text);                                   \
        assert_int_equal(term.col, PLEN + (column));               \
    } while (0)

TEST(test_prompt_and_insert)
{
    assert_screen("", 0);
    size_t before = term.bytes;
    feed("a");
    assert_int_equal(term.bytes - before, 1); /* appending is a plain echo */
    feed("bc d!~");
    assert_screen("abc d!~", 7);
    assert_int_equal(term.bells, 0);
}

TEST(test_line_ends)
{
    assert_int_equal(feed("one\r"), LINEEDIT_LINE);
    assert_string_equal(lineedit_line(&le), "one");
    assert_string_equal(row_text(0), PROMPT "one");
    assert_int_equal(term.row, 1);
    assert_screen("", 0);
    nevents = 0;
    assert_int_equal(feed("two\r\nthree\nfour\r"), LINEEDIT_LINE);
    assert_int_equal(nevents, 3); /* CRLF is one line end */
    assert_string_equal(lineedit_line(&le), "four");
    assert_int_equal(feed_n("\0five\r\0", 7), LINEEDIT_LINE); /* CR NUL (telnet) */
    assert_int_equal(nevents, 4);
    assert_string_equal(lineedit_line(&le), "five");
    assert_int_equal(feed("\n"), LINEEDIT_LINE); /* LF not after CR: an (empty) line */
    assert_string_equal(lineedit_line(&le), "");
    assert_int_equal(feed("\r\r"), LINEEDIT_LINE);
    assert_int_equal(nevents, 7); /* CR CR: two empty lines */
    /* LF after CR is ignored only right after it. */
    feed("\rx\n");
    assert_string_equal(lineedit_line(&le), "x");
    /* The finished line may be tokenized in place. */
    assert_ptr_equal(lineedit_line_mut(&le), lineedit_line(&le));
}

TEST(test_backspace_and_del)
{
    feed("abcd");
    size_t before = term.bytes;
    feed("\x7f");
    assert_int_equal(term.bytes - before, 4); /* "\b" ESC[K */
    assert_screen("abc", 3);
    feed("\b");
    assert_screen("ab", 2);
    feed("\x1b[D\x7f"); /* delete in the middle */
    assert_screen("b", 0);
    feed("\b\x7f");     /* at column 0: nothing */
    assert_screen("b", 0);
    feed("\x1b[C\b\b");
    assert_screen("", 0);
    assert_int_equal(feed("\r"), LINEEDIT_LINE);
    assert_string_equal(lineedit_line(&le), "");
}

TEST(test_left_right_insert)
{
    feed("ac\x1b[Db");
    assert_screen("abc", 2);
    feed("\x1b[D\x1b[D\x1b[D\x1b[D"); /* stops at 0 */
    assert_screen("abc", 0);
    feed("\x1b[C\x1b[C\x1b[C\x1b[C"); /* stops at end */
    assert_screen("abc", 3);
    feed("\x1bOD\x1bOD-");
    assert_screen("a-bc", 2);
    feed("\x1b[1;5C\x1b[1;2D\x1b[1;3C+");
    assert_screen("a-b+c", 4);
    assert_int_equal(feed("\r"), LINEEDIT_LINE);
    assert_string_equal(lineedit_line(&le), "a-b+c");
}

TEST(test_home_end_variants)
{
    static const char *homes[] = { "\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~", "\x1b[1;5H" };
    static const char *ends[] = { "\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~", "\x1b[1;5F" };
    for (size_t i = 0; i < 5; i++) {
        feed("abc");
        feed(homes[i]);
        assert_screen("abc", 0);
        feed("X");
        assert_screen("Xabc", 1);
        feed(ends[i]);
        assert_screen("Xabc", 4);
        feed("Y");
        feed(homes[i]);
        feed(homes[i]); /* at 0 already: nothing */
        assert_screen("XabcY", 0);
        assert_int_equal(feed("\r"), LINEEDIT_LINE);
        assert_string_equal(lineedit_line(&le), "XabcY");
    }
}

TEST(test_delete_key)
{
    feed("abc\x1b[H\x1b[3~");
    assert_screen("bc", 0);
    feed("\x1b[C\x1b[3~");
    assert_screen("b", 1);
    feed("\x1b[3~"); /* at end: nothing */
    assert_screen("b", 1);
    feed("\r");
    assert_string_equal(lineedit_line(&le), "b");
}

TEST(test_unknown_sequences_swallowed)
{
    static const char *seqs[] = { "\x1b[2~", "\x1b[5~", "\x1b[6~", "\x1b[24~", "\x1b[Z",
                                  "\x1b[?25h", "\x1bOP", "\x1bOS", "\x1b[1;5P", "\x1b[200~",
                                  "\x1b[M", "\x1b[ q", "\x1bO~", "\x1b[99999999999A" };
    feed("ab\x1b[D");
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        size_t before = term.bytes;
        feed(seqs[i]);
        /* Swallowed whole: no output, nothing inserted (the last is a real up arrow with an
         * absurd count, and history is empty). */
        assert_int_equal(term.bytes, before);
        assert_screen("ab", 1);
    }
    feed("Z\r");
    assert_string_equal(lineedit_line(&le), "aZb");
}

TEST(test_lone_escape)
{
    feed("\x1bx");    /* ESC + plain byte: ESC dropped, byte inserted */
    assert_screen("x", 1);
    feed("\x1b\x1b[D"); /* ESC ESC [ D: the second ESC starts the sequence */
    assert_screen("x", 0);
    feed("\x1b\x7f");   /* ESC then DEL: DEL processed (nothing left of cursor) */
    feed("\x1b[C\x1b\x7f");
    assert_screen("", 0);
    feed("ab\x1b[\x7f"); /* a control byte inside CSI aborts it and is processed */
    assert_screen("a", 1);
    assert_int_equal(feed("q\x1b[1\r"), LINEEDIT_LINE); /* CR inside CSI ends the line */
    assert_string_equal(lineedit_line(&le), "aq");
    feed("\x1bO\x1b[D"); /* SS3 interrupted by ESC */
    feed("k\x1b");
    assert_int_equal(feed("\r"), LINEEDIT_LINE);
    assert_string_equal(lineedit_line(&le), "k");
}

TEST(test_ctrl_u_w)
{
    feed("hello world\x15");
    assert_screen("", 0);
    feed("hello world\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x15"); /* kills only before the cursor */
    assert_screen("world", 0);
    feed("\x15"); /* at column 0: nothing */
    assert_screen("world", 0);
    feed("\x1b[F\x15");
    feed("one two  three   \x17");
    assert_screen("one two  ", 9);
    feed("\x17");
    assert_screen("one ", 4);
    feed("\x17\x17");
    assert_screen("", 0);
    feed("ab cd\x1b[D\x17"); /* word part before the cursor */
    assert_screen("ab d", 3);
    feed("\r");
    assert_string_equal(lineedit_line(&le), "ab d");
}

TEST(test_ctrl_c)
{
    feed("one\r");
    assert_int_equal(feed("partial\x03"), LINEEDIT_CANCEL);
    assert_string_equal(row_text(1), PROMPT "partial^C");
    assert_int_equal(term.row, 2);
    assert_screen("", 0);
    assert_string_equal(lineedit_line(&le), "");
    /* The cancelled line is not in the history. */
    feed("\x1b[A");
    assert_screen("one", 3);
}

TEST(test_ignored_bytes)
{
    feed("ab");
    size_t before = term.bytes;
    for (unsigned b = 0; b < 256; b++) {
        bool handled = b == 0x03 || b == 0x08 || b == 0x09 || b == 0x0a || b == 0x0d ||
                       b == 0x15 || b == 0x17 || b == 0x1b || b == 0x7f || (b >= 0x20 && b < 0x7f);
        if (handled)
            continue;
        assert_int_equal(lineedit_feed(&le, (unsigned char)b), LINEEDIT_NONE);
    }
    assert_int_equal(term.bytes, before); /* no output at all, CTRL-A/CTRL-E included */
    assert_screen("ab", 2);
    feed("\r");
    assert_string_equal(lineedit_line(&le), "ab");
}

TEST(test_too_long)
{
    char line[LINEEDIT_MAX + 2];
    memset(line, 'a', LINEEDIT_MAX);
    line[LINEEDIT_MAX] = '\0';
    /* Exactly LINEEDIT_MAX is fine. */
    assert_int_equal(feed(line), LINEEDIT_NONE);
    assert_int_equal(term.bells, 0);
    assert_int_equal(feed("\r"), LINEEDIT_LINE);
    assert_int_equal(strlen(lineedit_line(&le)), LINEEDIT_MAX);

    /* One more: refused with BEL, and Enter reports the overflow. */
    feed(line);
    feed("bcd");
    assert_int_equal(term.bells, 3);
    assert_int_equal(strlen(cur_row()), PLEN + LINEEDIT_MAX);
    assert_int_equal(cur_row()[PLEN + LINEEDIT_MAX - 1], 'a');
    feed("\x7f"); /* still marked after making room */
    assert_int_equal(feed("\r"), LINEEDIT_TOOLONG);
    assert_string_equal(lineedit_line(&le), "");
    /* Not stored in history; the next line is normal. */
    assert_int_equal(feed("ok\r"), LINEEDIT_LINE);
    assert_string_equal(lineedit_line(&le), "ok");
    feed("\x1b[A\x1b[A");
    assert_int_equal(strlen(cur_row()), PLEN + LINEEDIT_MAX); /* the exact-length line */
    feed("\x03");
    /* CTRL-C clears the overflow mark too. */
    feed(line);
    feed("x\x03");
    assert_int_equal(feed("y\r"), LINEEDIT_LINE);
}

TEST(test_history_basic)
{
    feed("first\rsecond\r\r   \rsecond\rthird\r");
    feed("typing");
    feed("\x1b[A");
    assert_screen("third", 5);
    feed("\x1bOA"); /* duplicates and empty lines were not stored */
    assert_screen("second", 6);
    feed("\x1b[A");
    assert_screen("first", 5);
    feed("\x1b[A"); /* oldest: stays */
    assert_screen("first", 5);
    feed("\x1b[B\x1bOB");
    assert_screen("third", 5);
    feed("\x1b[B"); /* past the newest: what was being typed */
    assert_screen("typing", 6);
    feed("\x1b[B");
    assert_screen("typing", 6);
    assert_int_equal(feed("\r"), LINEEDIT_LINE);
    assert_string_equal(lineedit_line(&le), "typing");
}

TEST(test_history_edit_does_not_corrupt)
{
    feed("alpha\rbeta\r");
    feed("\x1b[A\x7f\x7fXY"); /* edit the recalled "beta" */
    assert_screen("beXY", 4);
    feed("\x1b[A"); /* away and back: the history still says beta */
    assert_screen("alpha", 5);
    feed("\x1b[B");
    assert_screen("beta", 4);
    feed("\x1b[H\x1b[3~");
    assert_int_equal(feed("\r"), LINEEDIT_LINE); /* running an edited recall adds a new line */
    assert_string_equal(lineedit_line(&le), "eta");
    feed("\x1b[A");
    assert_screen("eta", 3);
    feed("\x1b[A");
    assert_screen("beta", 4);
    feed("\x1b[A");
    assert_screen("alpha", 5);
    /* Recalling a shorter line over a longer one leaves no debris. */
    feed("\x03longer line here\x1b[A");
    assert_screen("eta", 3);
}

TEST(test_history_33_plus)
{
    char buf[32];
    for (int i = 0; i < 40; i++) {
        snprintf(buf, sizeof(buf), "cmd%d\r", i);
        feed(buf);
    }
    for (int i = 39; i >= 40 - LINEEDIT_HISTORY; i--) {
        feed("\x1b[A");
        snprintf(buf, sizeof(buf), PROMPT "cmd%d", i);
        assert_string_equal(cur_row(), buf);
    }
    feed("\x1b[A"); /* the 33rd press finds nothing older than cmd8 */
    assert_string_equal(cur_row(), PROMPT "cmd8");
    for (int i = 0; i < LINEEDIT_HISTORY - 1; i++)
        feed("\x1b[B");
    assert_screen("cmd39", 5);
    feed("\x1b[B");
    assert_screen("", 0);
}

TEST(test_tab_single)
{
    feed("x\t");
    assert_screen("xd ", 3);
    assert_string_equal(cand_line, "x");
    assert_int_equal(cand_word, 0);
    feed("g\t");
    assert_screen("xd guest", 8); /* guest1/guest2: common prefix */
    assert_string_equal(cand_line, "xd g");
    assert_int_equal(cand_word, 1);
    feed("2\t");
    assert_screen("xd guest2 ", 10);
    feed("zz\t"); /* word 2: no candidates */
    assert_int_equal(term.bells, 1); /* completions rang nothing; word 2 has no candidates */
    feed("\x03");
    feed("meminfo\t"); /* already complete: just the space */
    assert_screen("meminfo ", 8);
    feed("\x03");
    feed("xd arg\x1b[H\x1b[C\t"); /* cursor inside a word: completes the part before it */
    assert_screen("xd d arg", 3);
    assert_int_equal(feed("\r"), LINEEDIT_LINE);
    assert_string_equal(lineedit_line(&le), "xd d arg");
}

TEST(test_tab_multiple_and_list)
{
    int bells = term.bells;
    feed("he");
    feed("\t");
    assert_screen("hel", 3); /* help/hello share "hel" */
    assert_int_equal(term.bells, bells);
    feed("\t"); /* second TAB lists them below and redraws */
    assert_string_equal(row_text(0), PROMPT "hel");
    assert_string_equal(row_text(1), "help  hello");
    assert_int_equal(term.row, 2);
    assert_screen("hel", 3);
    feed("\t"); /* and again */
    assert_string_equal(row_text(3), "help  hello");
    assert_screen("hel", 3);
    feed("p\t");
    assert_screen("help ", 5);

    /* No extension possible: first TAB rings, second lists. */
    feed("\x03");
    bells = term.bells;
    feed("\t");
    assert_int_equal(term.bells, bells + 1);
    assert_screen("", 0);
    int row = term.row;
    feed("\t");
    assert_string_equal(row_text(row + 1), "help  hello  meminfo  memdump  xd");
    assert_screen("", 0);

    /* Another key in between resets the double-TAB. */
    feed("m\t");
    assert_screen("mem", 3);
    row = term.row;
    feed("\x1b[D\x1b[C\t");
    assert_int_equal(term.row, row);
    feed("\t");
    assert_string_equal(row_text(row + 1), "meminfo  memdump");
    assert_screen("mem", 3);
    feed("\t\x7f\t");
    assert_screen("mem", 3);
}

TEST(test_tab_no_callback)
{
    lineedit_init(&le, PROMPT, term_out, &term, NULL, NULL);
    term_out(&term, "\r\n", 2);
    lineedit_prompt(&le);
    int bells = term.bells;
    feed("a\t");
    assert_int_equal(term.bells, bells + 1);
    assert_screen("a", 1);
}

TEST(test_redraw)
{
    feed("hello\x1b[D\x1b[D");
    /* A log line interrupts: the console prints it on its own line... */
    term_out(&term, "\r\n(XEN) log message\r\n", 21);
    lineedit_redraw(&le);
    assert_string_equal(row_text(1), "(XEN) log message");
    assert_screen("hello", 3);
    feed("X");
    assert_screen("helXlo", 4);
    /* redraw on the same row clears what was there */
    term_out(&term, "\rgarbage garbage garbage garbage", 32);
    lineedit_redraw(&le);
    assert_screen("helXlo", 4);
}

TEST(test_prompt_resets)
{
    feed("junk");
    term_out(&term, "\r\n", 2);
    lineedit_prompt(&le);
    assert_screen("", 0);
    assert_int_equal(feed("ok\r"), LINEEDIT_LINE);
    assert_string_equal(lineedit_line(&le), "ok");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(test_prompt_and_insert), T(test_line_ends), T(test_backspace_and_del),
        T(test_left_right_insert), T(test_home_end_variants), T(test_delete_key),
        T(test_unknown_sequences_swallowed), T(test_lone_escape), T(test_ctrl_u_w),
        T(test_ctrl_c), T(test_ignored_bytes), T(test_too_long),
        T(test_history_basic), T(test_history_edit_does_not_corrupt), T(test_history_33_plus),
        T(test_tab_single), T(test_tab_multiple_and_list), T(test_tab_no_callback),
        T(test_redraw), T(test_prompt_resets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
