/*
 * script.c - the non-interactive mode (see script.h). Each expectation
 * is matched against what arrived since the previous one matched (at
 * most WINDOW bytes of it), re-checked once per batch of reads; a
 * pattern that cannot match a newline is re-checked only from the
 * start of the unfinished last line, so long outputs cost linear time.
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
#define BATCH_MAX (256 * 1024)	/* bytes read before matching again */
#define TRIM_MIN (64 * 1024)	/* smallest worthwhile window trim */
#define WINDOW (4 * 1024 * 1024)	/* received bytes kept for matching */
#define SEEN_SHOWN 160		/* bytes quoted in a timeout message */

struct script {
	struct device *dev;
	struct logfile *log;
	struct obuf seen;	/* received since the last match */
	size_t rescan;		/* seen before this cannot hold a match */
	bool closed;		/* the device closed or failed */
	char why[256];		/* how it closed */
	bool stdout_ok;
};

/* Runs re over buf[from..to), buf[0..from) being context. Returns
 * true and the match's end offset in *end, or false. */
static bool regex_at(const regex_t *re, const char *buf, size_t from,
		     size_t to, size_t *end)
{
	regmatch_t m[1] = { { .rm_so = (regoff_t)from, .rm_eo = (regoff_t)to } };

	if (regexec(re, buf, 1, m, REG_STARTEND) != 0)
		return false;
	*end = (size_t)m[0].rm_eo;
	return true;
}

/* See script.h. Literal patterns use memmem; line-local ones with a
 * needle only run regexec on lines that contain it. */
bool script_match(const struct step *st, const char *buf, size_t from,
		  size_t len, size_t *end)
{
	static const char empty[1] = "";
	const char *p = buf + from, *stop = buf + len;

	if (st->literal) {
		const char *hit = memmem(p, len - from, st->literal,
					 st->literal_len);
		if (hit == NULL)
			return false;
		*end = (size_t)(hit - buf) + st->literal_len;
		return true;
	}
	if (st->needle == NULL)
		return regex_at(&st->re, len ? buf : empty, from, len, end);
	/* only the lines holding the needle can match; try those */
	const char *hit;
	while ((hit = memmem(p, (size_t)(stop - p), st->needle,
			     st->needle_len)) != NULL) {
		const char *nl = memrchr(p, '\n', (size_t)(hit - p));
		const char *line = nl ? nl + 1 : p;
		const char *eol = memchr(hit, '\n', (size_t)(stop - hit));
		if (regex_at(&st->re, buf, (size_t)(line - buf),
			     (size_t)((eol ? eol : stop) - buf), end))
			return true;
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return false;
}

/* See script.h. */
size_t script_rescan(const struct step *st, const char *buf, size_t from,
		     size_t len)
{
	if (st->literal)
		return len >= st->literal_len ? len - st->literal_len + 1 : from;
	const char *nl = len > from ? memrchr(buf + from, '\n', len - from)
				    : NULL;
	if (st->line_local && nl)
		return (size_t)(nl - buf) + 1;
	return from;
}

/* Forgets the oldest drop bytes of the match window. */
static void forget(struct script *s, size_t drop)
{
	memmove(s->seen.p, s->seen.p + drop, s->seen.len - drop);
	s->seen.len -= drop;
	s->rescan = s->rescan > drop ? s->rescan - drop : 0;
}

/* Drops what can no longer take part in a match (all before the
 * rescan point but the byte just before it, for ^ and \< context),
 * keeping SEEN_SHOWN bytes to quote. Only worth it in large steps. */
static void trim(struct script *s)
{
	size_t ctx = s->rescan > 0 ? s->rescan - 1 : 0;
	size_t quote = s->seen.len > SEEN_SHOWN ? s->seen.len - SEEN_SHOWN : 0;
	size_t drop = ctx < quote ? ctx : quote;

	if (drop >= TRIM_MIN)
		forget(s, drop);
	if (s->seen.len > WINDOW)	/* keep the newest half */
		forget(s, s->seen.len - WINDOW / 2);
}

/* Reads until the device has nothing more (or BATCH_MAX bytes),
 * straight into the match window; copies each read to stdout and the
 * log. */
static int drain(struct script *s)
{
	size_t total = 0;

	while (!s->closed && total < BATCH_MAX) {
		if (obuf_reserve(&s->seen, READ_CHUNK) != 0) {
			fprintf(stderr, "miniterm: out of memory\n");
			return -1;
		}
		char *at = s->seen.p + s->seen.len;
		ssize_t n = read(s->dev->fd, at, READ_CHUNK);
		if (n > 0) {
			if (s->stdout_ok &&
			    write_all(STDOUT_FILENO, at, (size_t)n) != 0)
				s->stdout_ok = false;	/* reader gone */
			log_write(s->log, (unsigned char *)at, (size_t)n,
				  s->log->r.stamps);
			s->seen.len += (size_t)n;
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

	s->rescan = 0;
	for (;;) {
		if (script_match(st, s->seen.p, s->rescan, s->seen.len,
				 &end)) {
			memmove(s->seen.p, s->seen.p + end, s->seen.len - end);
			s->seen.len -= end;
			s->rescan = 0;
			return EXIT_MATCHED;
		}
		s->rescan = script_rescan(st, s->seen.p, s->rescan, s->seen.len);
		trim(s);
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
