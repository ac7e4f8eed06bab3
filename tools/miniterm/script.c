/*
 * script.c - the non-interactive mode (see script.h). Each expectation
 * is matched against what arrived since the previous one matched (at
 * most WINDOW bytes of it), re-checked once per batch of reads.
 */
#define _GNU_SOURCE
#include "script.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "render.h"
#include "unescape.h"

#define READ_CHUNK (64 * 1024)
#define BATCH_MAX (1024 * 1024)	/* bytes read before matching again */
#define WINDOW (4 * 1024 * 1024)	/* received bytes kept for matching */
#define SEEN_SHOWN 160		/* bytes quoted in a timeout message */

struct script {
	struct device *dev;
	struct logfile *log;
	struct obuf seen;	/* received since the last match */
	bool closed;		/* the device closed or failed */
	char why[256];		/* how it closed */
	bool stdout_ok;
};

/* See script.h. */
bool script_match(const regex_t *re, const char *buf, size_t len,
		  size_t *end)
{
	regmatch_t m[1] = { { .rm_so = 0, .rm_eo = (regoff_t)len } };
	static const char empty[1] = "";

	if (regexec(re, len ? buf : empty, 1, m, REG_STARTEND) != 0)
		return false;
	*end = (size_t)m[0].rm_eo;
	return true;
}

/* Copies received bytes to stdout, the log and the match window. */
static int take(struct script *s, const unsigned char *buf, size_t n)
{
	if (s->stdout_ok && write_all(STDOUT_FILENO, buf, n) != 0)
		s->stdout_ok = false;	/* reader went away: keep going */
	log_write(s->log, buf, n, s->log->r.stamps);
	if (obuf_put(&s->seen, buf, n) != 0) {
		fprintf(stderr, "miniterm: out of memory\n");
		return -1;
	}
	if (s->seen.len > WINDOW) {	/* forget the oldest half */
		size_t keep = WINDOW / 2;
		memmove(s->seen.p, s->seen.p + s->seen.len - keep, keep);
		s->seen.len = keep;
	}
	return 0;
}

/* Reads until the device has nothing more (or BATCH_MAX bytes). */
static int drain(struct script *s)
{
	static unsigned char buf[READ_CHUNK];
	size_t total = 0;

	while (!s->closed && total < BATCH_MAX) {
		ssize_t n = read(s->dev->fd, buf, sizeof buf);
		if (n > 0) {
			if (take(s, buf, (size_t)n) != 0)
				return -1;
			total += (size_t)n;
		} else if (n == 0) {
			s->closed = true;
			snprintf(s->why, sizeof s->why, "connection closed");
		} else if (errno == EINTR) {
			continue;
		} else if (device_lost_errno(errno)) {
			s->closed = true;
			snprintf(s->why, sizeof s->why, "%s", strerror(errno));
		} else {
			break;
		}
	}
	return 0;
}

/* Waits up to the deadline for the device to become readable (and
 * writable, if want_out). Returns poll's revents, 0 on timeout. */
static short wait_dev(struct script *s, int64_t deadline, bool want_out)
{
	struct pollfd p = { .fd = s->dev->fd,
			    .events = (short)(POLLIN |
					      (want_out ? POLLOUT : 0)) };
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left < 0)
			left = 0;
		int r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return p.revents;
		if (r == 0 && mono_ms() >= deadline)
			return 0;
		if (r < 0 && errno != EINTR)
			return POLLERR;
	}
}

/* Reports a step that did not complete, quoting the recent input. */
static void report(struct script *s, const char *what, double timeout)
{
	char quoted[SEEN_SHOWN * 4 + 8];
	size_t n = s->seen.len, from = n > SEEN_SHOWN ? n - SEEN_SHOWN : 0;

	escape_printable((unsigned char *)s->seen.p + from, n - from, quoted,
			 sizeof quoted);
	if (s->closed)
		fprintf(stderr, "miniterm: %s: %s while %s; last received: "
			"%s\"%s\"\n", s->dev->addr->name, s->why, what,
			from ? "..." : "", quoted);
	else
		fprintf(stderr, "miniterm: timeout after %g s %s; last "
			"received: %s\"%s\"\n", timeout, what,
			from ? "..." : "", quoted);
}

/* Runs one --expect step. */
static int expect(struct script *s, const struct step *st)
{
	int64_t deadline = mono_ms() + (int64_t)(st->timeout * 1000);
	char what[512];
	size_t end;

	for (;;) {
		if (script_match(&st->re, s->seen.p, s->seen.len, &end)) {
			memmove(s->seen.p, s->seen.p + end, s->seen.len - end);
			s->seen.len -= end;
			return EXIT_MATCHED;
		}
		if (s->closed || wait_dev(s, deadline, false) == 0)
			break;
		if (drain(s) != 0)
			return EXIT_ERROR;
	}
	snprintf(what, sizeof what, "waiting for '%s'", st->pattern);
	report(s, what, st->timeout);
	return EXIT_TIMEOUT;
}

/* Runs one --send step, reading (and keeping) input meanwhile so a
 * device that echoes cannot deadlock us. */
static int send_bytes(struct script *s, const struct step *st)
{
	int64_t deadline = mono_ms() + (int64_t)(st->timeout * 1000);
	size_t off = 0;

	while (off < st->len) {
		if (s->closed) {
			report(s, "sending", st->timeout);
			return EXIT_ERROR;
		}
		short ev = wait_dev(s, deadline, true);
		if (ev == 0) {
			report(s, "sending", st->timeout);
			return EXIT_TIMEOUT;
		}
		if ((ev & (POLLIN | POLLHUP | POLLERR)) && drain(s) != 0)
			return EXIT_ERROR;
		if (!(ev & POLLOUT))
			continue;
		ssize_t n = write(s->dev->fd, st->data + off, st->len - off);
		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && device_lost_errno(errno)) {
			s->closed = true;
			snprintf(s->why, sizeof s->why, "%s", strerror(errno));
		}
	}
	if (s->dev->is_tty)
		tcdrain(s->dev->fd);
	return EXIT_MATCHED;
}

/* See script.h. */
int script_run(const struct options *o, struct device *dev,
	       struct logfile *log)
{
	struct script s = { .dev = dev, .log = log, .stdout_ok = true };
	int rc = EXIT_MATCHED;

	log->r.stamps = o->timestamps;
	for (size_t i = 0; i < o->nsteps && rc == EXIT_MATCHED; i++) {
		const struct step *st = &o->steps[i];
		rc = st->kind == STEP_SEND ? send_bytes(&s, st) :
					     expect(&s, st);
	}
	obuf_free(&s.seen);
	return rc;
}
