/*
 * session.c - the interactive mode (see session.h). One poll loop
 * moves bytes both ways with large buffers; keyboard bytes go through
 * the escape-key state machine; a lost device is retried every
 * RETRY_MS while the terminal stays as it is.
 */
#define _GNU_SOURCE
#include "session.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "escape.h"
#include "render.h"
#include "term.h"

#define READ_CHUNK (64 * 1024)	/* bytes per read from the device */
#define KEY_CHUNK 4096		/* bytes per read from the keyboard */
#define OUT_MAX (1024 * 1024)	/* stop reading keys above this backlog */
#define RETRY_MS 250		/* reconnect attempt interval */
#define FLUSH_MS 2000		/* time allowed for the last keys at exit */

struct session {
	const struct options *o;
	struct device *dev;
	struct logfile *log;
	char log_path[4096];	/* file the l key toggles */
	struct esc_state esc;
	struct render screen;
	struct obuf shown;	/* rendered device output, reused */
	struct obuf out;	/* keyboard bytes not yet written */
	size_t out_off;
	bool stamps;
	bool stdin_open;
	bool quit;
	bool dropped_note;	/* said that input is being dropped */
	int64_t retry_at;	/* next reconnect attempt, when closed */
};

/* Prints "[miniterm: ...]" on its own line of the user's terminal. */
static void say(struct session *s, const char *fmt, ...)
{
	char msg[8192];
	size_t n = 0;
	va_list ap;

	if (!s->screen.at_line_start || s->screen.col > 0)
		n += (size_t)snprintf(msg, sizeof msg, "%s", s->screen.eol);
	n += (size_t)snprintf(msg + n, sizeof msg - n, "[miniterm: ");
	va_start(ap, fmt);
	n += (size_t)vsnprintf(msg + n, sizeof msg - n, fmt, ap);
	va_end(ap);
	if (n > sizeof msg - 8)
		n = sizeof msg - 8;
	n += (size_t)snprintf(msg + n, sizeof msg - n, "]%s", s->screen.eol);
	write_all(STDERR_FILENO, msg, n);
	s->screen.at_line_start = true;
	s->screen.col = 0;
}

/* Shows n received bytes on stdout and appends them to the log. */
static void show(struct session *s, const unsigned char *buf, size_t n)
{
	char stamp[48] = "";

	if (s->screen.hex || s->stamps) {
		if (s->stamps)
			stamp_now(stamp, sizeof stamp, false);
		obuf_clear(&s->shown);
		s->screen.stamps = s->stamps;
		if (render_bytes(&s->screen, buf, n, stamp, &s->shown) == 0)
			write_all(STDOUT_FILENO, s->shown.p, s->shown.len);
	} else {
		write_all(STDOUT_FILENO, buf, n);
		s->screen.at_line_start = buf[n - 1] == '\n';
	}
	if (log_write(s->log, buf, n, s->stamps) != 0)
		say(s, "writing %s failed; logging stopped", s->log_path);
}

/* Closes the lost device and starts retrying. */
static void lost(struct session *s, const char *why)
{
	char key[16];

	device_close(s->dev);
	obuf_clear(&s->out);
	s->out_off = 0;
	s->dropped_note = false;
	s->retry_at = mono_ms();
	escape_key_name(s->esc.key, key, sizeof key);
	say(s, "%s: %s; waiting for it to come back (%s q quits)",
	    s->dev->addr->name, why, key);
}

/* Tries to reopen the device once; announces success. */
static void reconnect(struct session *s)
{
	char err[4400];

	if (device_open(s->dev, 1000, err, sizeof err) == 0)
		say(s, "%s: connected again", s->dev->addr->name);
	else
		s->retry_at = mono_ms() + RETRY_MS;
}

/* Reads what the device has (a few chunks at most) and shows it. */
static void from_device(struct session *s)
{
	static unsigned char buf[READ_CHUNK];

	for (int round = 0; round < 4 && s->dev->fd >= 0; round++) {
		ssize_t n = read(s->dev->fd, buf, sizeof buf);
		if (n > 0) {
			show(s, buf, (size_t)n);
			if ((size_t)n < sizeof buf)
				return;
		} else if (n == 0) {
			lost(s, "connection closed");
		} else if (device_lost_errno(errno)) {
			lost(s, strerror(errno));
		} else {
			return;
		}
	}
}

/* Writes as much of the keyboard backlog as the device takes. */
static void to_device(struct session *s)
{
	while (s->out_off < s->out.len && s->dev->fd >= 0) {
		ssize_t n = write(s->dev->fd, s->out.p + s->out_off,
				  s->out.len - s->out_off);
		if (n > 0) {
			s->out_off += (size_t)n;
		} else if (n < 0 && !device_lost_errno(errno)) {
			return;
		} else {
			lost(s, n < 0 ? strerror(errno) : "write failed");
			return;
		}
	}
	obuf_clear(&s->out);
	s->out_off = 0;
}

/* Prints the escape-key help, built from the command table. */
static void help(struct session *s)
{
	char key[16], text[2048];
	size_t n, len = 0;
	const struct esc_command *c = esc_commands(&n);
	const char *eol = s->screen.eol;

	escape_key_name(s->esc.key, key, sizeof key);
	len += (size_t)snprintf(text, sizeof text, "%s, then:%s", key, eol);
	for (size_t i = 0; i < n && len < sizeof text; i++)
		if (c[i].help)
			len += (size_t)snprintf(text + len, sizeof text - len,
						"  %c  %s%s", c[i].key,
						c[i].help, eol);
	if (len < sizeof text)
		snprintf(text + len, sizeof text - len,
			 "  %s  send %s itself%s"
			 "  (logging %s, timestamps %s, hex view %s)", key,
			 key, eol, s->log->f ? "on" : "off",
			 s->stamps ? "on" : "off",
			 s->screen.hex ? "on" : "off");
	say(s, "%s", text);
}

/* Turns logging on (to -l FILE, the last file or a new one) or off. */
static void toggle_log(struct session *s)
{
	char err[4400];

	if (s->log->f) {
		log_close(s->log);
		say(s, "logging to %s stopped", s->log_path);
		return;
	}
	if (s->log_path[0] == '\0')
		log_default_name(s->log_path, sizeof s->log_path);
	if (log_open(s->log, s->log_path, err, sizeof err) != 0)
		say(s, "%s", err);
	else
		say(s, "logging to %s", s->log_path);
}

/* Carries out one escape-key command. */
static void command(struct session *s, enum esc_action act)
{
	char key[16];
	struct obuf tail = { 0 };

	switch (act) {
	case ESC_NONE:
		break;
	case ESC_QUIT:
		s->quit = true;
		break;
	case ESC_BREAK:
		if (device_break(s->dev) == 0)
			say(s, "sent BREAK");
		else
			say(s, "BREAK needs a tty; %s is not one",
			    s->dev->addr->name);
		break;
	case ESC_LOG:
		toggle_log(s);
		break;
	case ESC_TIMESTAMPS:
		s->stamps = !s->stamps;
		say(s, "timestamps %s", s->stamps ? "on" : "off");
		break;
	case ESC_HEX:
		if (render_set_hex(&s->screen, !s->screen.hex, &tail) == 0)
			write_all(STDOUT_FILENO, tail.p, tail.len);
		obuf_free(&tail);
		say(s, "hex view %s", s->screen.hex ? "on" : "off");
		break;
	case ESC_HELP:
		help(s);
		break;
	case ESC_UNKNOWN:
		escape_key_name(s->esc.key, key, sizeof key);
		say(s, "%s 0x%02x: no such command (%s h for help)", key,
		    s->esc.last, key);
		break;
	}
}

/* Reads keys and queues them for the device, acting on commands. */
static void from_keyboard(struct session *s)
{
	unsigned char in[KEY_CHUNK], pass[KEY_CHUNK];
	ssize_t n = read(STDIN_FILENO, in, sizeof in);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		s->stdin_open = false;
		return;
	}
	for (size_t i = 0; n > 0 && i < (size_t)n && !s->quit;) {
		enum esc_action act;
		size_t plen = 0;
		i += esc_feed(&s->esc, in + i, (size_t)n - i, pass, &plen,
			      &act);
		if (plen > 0 && s->dev->fd >= 0) {
			if (obuf_put(&s->out, pass, plen) != 0)
				say(s, "out of memory; input dropped");
		} else if (plen > 0 && !s->dropped_note) {
			say(s, "not connected; typed input is dropped");
			s->dropped_note = true;
		}
		command(s, act);
	}
}

/* Waits for the next event; returns false on a signal. */
static bool wait_once(struct session *s, const sigset_t *mask)
{
	struct pollfd fds[2];
	nfds_t nfds = 0;
	int dev_i = -1, key_i = -1;
	struct timespec ts, *tsp = NULL;

	if (s->dev->fd >= 0) {
		dev_i = (int)nfds;
		fds[nfds++] = (struct pollfd){ .fd = s->dev->fd,
			.events = (short)(POLLIN |
				(s->out.len > s->out_off ? POLLOUT : 0)) };
	} else {
		int64_t ms = s->retry_at - mono_ms();
		ms = ms < 0 ? 0 : ms;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		tsp = &ts;
	}
	if (s->stdin_open && s->out.len - s->out_off < OUT_MAX) {
		key_i = (int)nfds;
		fds[nfds++] = (struct pollfd){ .fd = STDIN_FILENO,
					       .events = POLLIN };
	}
	int r = ppoll(fds, nfds, tsp, mask);
	if (r < 0)
		return errno == EINTR ? signals_pending() == 0 : true;
	if (dev_i >= 0 && (fds[dev_i].revents & POLLOUT))
		to_device(s);
	if (dev_i >= 0 && (fds[dev_i].revents & (POLLIN | POLLHUP | POLLERR)))
		from_device(s);
	if (key_i >= 0 && fds[key_i].revents)
		from_keyboard(s);
	if (s->dev->fd < 0 && mono_ms() >= s->retry_at && !s->quit)
		reconnect(s);
	return true;
}

/* Gives the device up to FLUSH_MS to take the keyboard backlog. */
static void flush_before_exit(struct session *s)
{
	int64_t end = mono_ms() + FLUSH_MS;

	while (s->dev->fd >= 0 && s->out.len > s->out_off) {
		int64_t left = end - mono_ms();
		struct pollfd p = { .fd = s->dev->fd, .events = POLLOUT };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return;
		to_device(s);
	}
}

/* Says how the session is set up, once, at the start. */
static void banner(struct session *s)
{
	char key[16];
	const struct serial_cfg *c = &s->o->serial;

	escape_key_name(s->esc.key, key, sizeof key);
	if (s->dev->is_tty)
		say(s, "%s at %u %u%c%u; escape is %s, %s h for help",
		    s->dev->addr->name, c->baud, c->framing.data_bits,
		    c->framing.parity - 32, c->framing.stop_bits, key, key);
	else
		say(s, "connected to %s; escape is %s, %s h for help",
		    s->dev->addr->name, key, key);
}

/* See session.h. */
int session_run(const struct options *o, struct device *dev,
		struct logfile *log)
{
	struct session s = { .o = o, .dev = dev, .log = log,
			     .stamps = o->timestamps, .stdin_open = true };
	sigset_t mask;
	bool raw;

	signals_catch(&mask);
	raw = term_raw(STDIN_FILENO);
	render_init(&s.screen, raw || isatty(STDOUT_FILENO) ? "\r\n" : "\n");
	s.screen.hex = o->hex;
	esc_init(&s.esc, o->esc_key);
	if (o->log_path)
		snprintf(s.log_path, sizeof s.log_path, "%s", o->log_path);
	banner(&s);
	while (!s.quit && s.stdin_open && wait_once(&s, &mask))
		;
	flush_before_exit(&s);
	int sig = signals_pending();
	obuf_free(&s.out);
	obuf_free(&s.shown);
	device_close(dev);
	log_close(log);
	if (sig)
		die_of_signal(sig);
	term_restore();
	if (raw)
		say(&s, "quit; terminal restored");
	return 0;
}
