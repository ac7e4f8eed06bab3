/*
 * term.h - the user's terminal: raw mode and its restoration on every
 * way out, plus the signals that end a session (TERM, HUP, INT, QUIT).
 */
#ifndef MINITERM_TERM_H
#define MINITERM_TERM_H

#include <signal.h>
#include <stdbool.h>

/* Puts fd (the user's terminal) in raw mode and arranges, via atexit,
 * for its settings to be restored. Does nothing and returns false if
 * fd is not a terminal; returns true once raw. */
bool term_raw(int fd);

/* Restores the terminal saved by term_raw, if any. Safe to call more
 * than once and from any exit path. */
void term_restore(void);

/* Blocks the session-ending signals and installs handlers that only
 * record them; *wait_mask gets the mask to use while waiting (ppoll),
 * under which they are delivered. SIGPIPE is ignored. */
void signals_catch(sigset_t *wait_mask);

/* Returns the first session-ending signal received, or 0. */
int signals_pending(void);

/* Restores the terminal and dies of signal sig with its default
 * action, so the parent sees the real cause. */
void die_of_signal(int sig);

#endif
