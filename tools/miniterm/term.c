/*
 * term.c - raw mode for the user's terminal and the signals that end a
 * session (see term.h).
 */
#define _DEFAULT_SOURCE
#include "term.h"

#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int saved_fd = -1;
static volatile sig_atomic_t got_signal;

static const int session_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
#define NSIGNALS (sizeof session_signals / sizeof session_signals[0])

/* See term.h. */
void term_restore(void)
{
	if (saved_fd >= 0) {
		tcsetattr(saved_fd, TCSANOW, &saved);
		saved_fd = -1;
	}
}

/* See term.h. Keeps output processing off as well, so the device's
 * own CR LF pairs reach the screen unchanged. */
bool term_raw(int fd)
{
	struct termios t;
	static bool registered;

	if (!isatty(fd) || tcgetattr(fd, &saved) != 0)
		return false;
	t = saved;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!registered) {
		atexit(term_restore);
		registered = true;
	}
	saved_fd = fd;
	if (tcsetattr(fd, TCSANOW, &t) != 0) {
		saved_fd = -1;
		return false;
	}
	return true;
}

/* Records the signal; the main loop acts on it. */
static void on_signal(int sig)
{
	if (got_signal == 0)
		got_signal = sig;
}

/* See term.h. */
void signals_catch(sigset_t *wait_mask)
{
	sigset_t block;
	struct sigaction sa = { .sa_handler = on_signal };

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	for (size_t i = 0; i < NSIGNALS; i++) {
		sigaddset(&block, session_signals[i]);
		sigaction(session_signals[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigdelset(wait_mask, session_signals[i]);
}

/* See term.h. */
int signals_pending(void)
{
	return got_signal;
}

/* See term.h. */
void die_of_signal(int sig)
{
	sigset_t set;

	term_restore();
	if (sig == SIGQUIT)	/* no core file for a requested quit */
		_exit(128 + sig);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}
