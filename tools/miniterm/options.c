/*
 * options.c - parsing and checking of miniterm's command line (see
 * options.h). Errors come back as one line of text; nothing is printed
 * here except the usage text on request.
 */
#define _GNU_SOURCE
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "unescape.h"

enum { OPT_SEND = 256, OPT_EXPECT, OPT_TIMEOUT, OPT_VERSION };

static const struct option long_options[] = {
	{ "baud", required_argument, NULL, 'b' },
	{ "device", required_argument, NULL, 'd' },
	{ "parity", required_argument, NULL, 'p' },
	{ "framing", required_argument, NULL, 'p' },
	{ "flow", required_argument, NULL, 'f' },
	{ "escape", required_argument, NULL, 'e' },
	{ "log", required_argument, NULL, 'l' },
	{ "timestamps", no_argument, NULL, 't' },
	{ "hex", no_argument, NULL, 'x' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "send", required_argument, NULL, OPT_SEND },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

/* See options.h. */
void options_usage(FILE *f)
{
	fputs(
"usage: miniterm [-b BAUD] [-d DEVICE] [-p 8N1] [-f none|rtscts|xonxoff]\n"
"                [-e KEY] [-l FILE] [-t] [-x]\n"
"       miniterm [options] (--send STRING | --expect REGEX | --timeout S)...\n"
"\n"
"Serial console client for Kestrel (and Xen) hypervisor consoles.\n"
"\n"
"  -d, --device DEVICE   /dev/ttyXXX, unix:PATH or tcp:HOST:PORT\n"
"                        (default " DEFAULT_DEVICE ")\n"
"  -b, --baud BAUD       line speed (default 115200)\n"
"  -p, --parity 8N1      data bits 5-8, parity n/e/o/m/s, stop bits 1-2\n"
"  -f, --flow MODE       none (default), rtscts or xonxoff\n"
"  -e, --escape KEY      escape key CTRL-KEY (default ], i.e. CTRL-])\n"
"  -l, --log FILE        append everything received to FILE\n"
"  -t, --timestamps      timestamp each received line\n"
"  -x, --hex             start in hex view\n"
"  -h, --help            show this help\n"
"      --version         show the version\n"
"\n"
"Interactive keys: CTRL-] then q quit, b BREAK, l log, t timestamps,\n"
"x hex view, h help; CTRL-] twice sends CTRL-]. CTRL-A passes through.\n"
"\n"
"Script mode (no tty needed; steps run in command-line order):\n"
"      --send STRING     send STRING; C escapes such as \\r \\n \\x01 \\\\\n"
"      --expect REGEX    wait for REGEX (POSIX extended, lines matched\n"
"                        like grep; \\r \\n \\t \\xHH allowed) in what\n"
"                        arrived since the last match\n"
"      --timeout S       seconds allowed for each later step (default 10)\n"
"Exit status: 0 all expectations met, 1 timeout, 2 error.\n", f);
}

/* Formats a message into err and returns -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Appends a zeroed step to o; returns it or NULL if out of memory. */
static struct step *add_step(struct options *o, enum step_kind kind,
			     double timeout)
{
	struct step *s = realloc(o->steps, (o->nsteps + 1) * sizeof *s);
	if (s == NULL)
		return NULL;
	o->steps = s;
	s = &o->steps[o->nsteps++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->timeout = timeout;
	return s;
}

/* Adds a --send step holding the unescaped bytes of arg. */
static int add_send(struct options *o, const char *arg, double timeout,
		    char *err, size_t errlen)
{
	size_t n = strlen(arg), pos;
	const char *why;
	unsigned char *buf = malloc(n ? n : 1);
	struct step *s;

	if (buf == NULL)
		return fail(err, errlen, "out of memory");
	if (unescape(arg, buf, &n, &pos, &why) != 0) {
		free(buf);
		return fail(err, errlen, "--send '%s': %s at offset %zu",
			    arg, why, pos);
	}
	s = add_step(o, STEP_SEND, timeout);
	if (s == NULL) {
		free(buf);
		return fail(err, errlen, "out of memory");
	}
	s->data = buf;
	s->len = n;
	return 0;
}

/* Works out how step s (holding the unescaped pattern pat) can be
 * searched quickly: as a plain string, or by a required string that
 * picks the lines worth handing to regexec. */
static int plan_search(struct step *s, const char *pat)
{
	s->line_local = regex_line_local(pat);
	if (*pat != '\0' && strpbrk(pat, ".[]()*+?{}|^$\\") == NULL) {
		s->literal = strdup(pat);
		s->literal_len = strlen(pat);
		return s->literal ? 0 : -1;
	}
	if (!s->line_local)
		return 0;
	s->needle = malloc(strlen(pat) + 1);
	if (s->needle == NULL)
		return -1;
	s->needle_len = regex_required_literal(pat, s->needle);
	if (s->needle_len == 0) {
		free(s->needle);
		s->needle = NULL;
	}
	return 0;
}

/* Adds an --expect step with arg compiled as an extended regex. */
static int add_expect(struct options *o, const char *arg, double timeout,
		      char *err, size_t errlen)
{
	char *pat = malloc(strlen(arg) + 1);
	const char *why;
	size_t pos;
	char msg[128];

	if (pat == NULL)
		return fail(err, errlen, "out of memory");
	if (unescape_regex(arg, pat, &pos, &why) != 0) {
		free(pat);
		return fail(err, errlen, "--expect '%s': %s at offset %zu",
			    arg, why, pos);
	}
	struct step *s = add_step(o, STEP_EXPECT, timeout);
	if (s == NULL) {
		free(pat);
		return fail(err, errlen, "out of memory");
	}
	int rc = regcomp(&s->re, pat, REG_EXTENDED | REG_NEWLINE);
	if (rc != 0) {
		regerror(rc, &s->re, msg, sizeof msg);
		free(pat);
		o->nsteps--;	/* nothing to free: regcomp failed */
		return fail(err, errlen, "--expect '%s': %s", arg, msg);
	}
	s->pattern = strdup(arg);
	rc = s->pattern ? plan_search(s, pat) : -1;
	free(pat);
	return rc == 0 ? 0 : fail(err, errlen, "out of memory");
}

/* See options.h. Under REG_NEWLINE, '.' and [^...] never match a
 * newline; what still can is a byte up to 0x0a written into the
 * pattern (a newline, or the low end of a range reaching it), a class
 * that contains it, or a GNU escape for one. */
bool regex_line_local(const char *pattern)
{
	static const char *const risky[] = { "[:space:]", "[:cntrl:]",
					     "\\s", "\\W", "\\`", "\\'" };

	for (const char *p = pattern; *p; p++)
		if ((unsigned char)*p <= '\n')
			return false;
	for (size_t i = 0; i < sizeof risky / sizeof risky[0]; i++)
		if (strstr(pattern, risky[i]) != NULL)
			return false;
	return true;
}

/* Skips a bracket expression starting at p (on its '['); returns the
 * position after its ']', or the end of the string. */
static const char *skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (p[0] == '[' && p[1] && strchr(":.=", p[1])) {
			const char *close = strstr(p + 2, (char[]){ p[1], ']',
								    0 });
			p = close ? close + 2 : p + strlen(p);
			continue;
		}
		p++;
	}
	return *p ? p + 1 : p;
}

/* Keeps run[0..n) in out if it beats the best so far (*best). */
static void keep_longer(const char *run, size_t n, char *out, size_t *best)
{
	if (n > *best) {
		memcpy(out, run, n);
		out[n] = '\0';
		*best = n;
	}
}

/* See options.h. A run ends at anything but a plain or escaped
 * character at group depth 0; '*', '?' and '{' also take back the
 * run's last character, which they make optional. */
size_t regex_required_literal(const char *pattern, char *out)
{
	static const char meta[] = ".[]()*+?{}|^$\\";
	size_t best = 0, run = 0;
	int depth = 0;
	const char *p = pattern;
	char *buf = malloc(strlen(pattern) + 1);

	out[0] = '\0';
	if (buf == NULL || strchr(pattern, '|') != NULL) {
		free(buf);
		return 0;
	}
	while (*p) {
		char c = *p;
		bool literal = false;
		if (c == '\\' && p[1] && strchr(meta, p[1])) {
			c = p[1];
			p += 2;
			literal = true;
		} else if (c == '\\') {
			p += p[1] ? 2 : 1;
		} else if (c == '[') {
			p = skip_bracket(p);
		} else if (c == '(' || c == ')') {
			depth += c == '(' ? 1 : (depth > 0 ? -1 : 0);
			p++;
		} else if (c == '*' || c == '?' || c == '{') {
			run -= run > 0;
			const char *close = c == '{' ? strchr(p, '}') : p;
			p = close ? close + 1 : p + strlen(p);
		} else {
			literal = strchr(".^$+}]", c) == NULL;
			p++;
		}
		if (literal && depth == 0) {
			buf[run++] = c;
			continue;
		}
		keep_longer(buf, run, out, &best);
		run = 0;
	}
	keep_longer(buf, run, out, &best);
	free(buf);
	return best;
}

/* Parses a --timeout value: finite, 0..MAX_TIMEOUT seconds. */
static int parse_timeout(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < 0 || v > MAX_TIMEOUT)
		return -1;
	*out = v;
	return 0;
}

/* Sets the defaults: /dev/ttyS0, 115200 8N1, no flow control,
 * escape CTRL-]. */
static void set_defaults(struct options *o)
{
	const char *why;

	memset(o, 0, sizeof *o);
	o->action = ACT_RUN;
	parse_device(DEFAULT_DEVICE, &o->addr, &why);
	parse_baud("115200", &o->serial.baud, &o->serial.speed);
	parse_framing("8n1", &o->serial.framing);
	o->serial.flow = FLOW_NONE;
	o->esc_key = ESC_DEFAULT_KEY;
}

/* Handles one option other than the step options; -1 on error. */
static int apply_option(struct options *o, int c, const char *arg,
			char *err, size_t errlen)
{
	const char *why;
	char list[512];

	switch (c) {
	case 'b':
		if (parse_baud(arg, &o->serial.baud, &o->serial.speed) == 0)
			return 0;
		baud_list(list, sizeof list);
		return fail(err, errlen, "-b %s: invalid baud rate; valid: %s",
			    arg, list);
	case 'd':
		if (parse_device(arg, &o->addr, &why) == 0)
			return 0;
		return fail(err, errlen, "-d %s: %s", arg, why);
	case 'p':
		if (parse_framing(arg, &o->serial.framing) == 0)
			return 0;
		return fail(err, errlen, "-p %s: expected data bits 5-8, "
			    "parity n/e/o/m/s, stop bits 1-2, e.g. 8n1", arg);
	case 'f':
		if (parse_flow(arg, &o->serial.flow) == 0)
			return 0;
		return fail(err, errlen,
			    "-f %s: expected none, rtscts or xonxoff", arg);
	case 'e':
		if (parse_escape_key(arg, &o->esc_key, &why) == 0)
			return 0;
		return fail(err, errlen, "-e %s: %s", arg, why);
	case 'l':
		if (*arg == '\0')
			return fail(err, errlen, "-l: empty file name");
		o->log_path = arg;
		return 0;
	case 't':
		o->timestamps = true;
		return 0;
	case 'x':
		o->hex = true;
		return 0;
	case 'h':
		o->action = ACT_HELP;
		return 0;
	case OPT_VERSION:
		o->action = ACT_VERSION;
		return 0;
	}
	return fail(err, errlen, "internal error: option %d", c);
}

/* Describes the option getopt just rejected. */
static int bad_option(int c, char **argv, char *err, size_t errlen)
{
	const char *what = argv[optind - 1];
	if (optopt != 0 && optopt < 256 && (what == NULL || what[1] != '-'))
		return fail(err, errlen, c == ':' ?
			    "option -%c needs an argument (try -h)" :
			    "unknown option -%c (try -h)", optopt);
	return fail(err, errlen, c == ':' ?
		    "option %s needs an argument (try -h)" :
		    "unknown option %s (try -h)", what ? what : "?");
}

/* See options.h. */
int options_parse(int argc, char **argv, struct options *o, char *err,
		  size_t errlen)
{
	double timeout = DEFAULT_TIMEOUT;
	const char *dangling_timeout = NULL;
	int c;

	set_defaults(o);
	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:d:p:f:e:l:txh",
				long_options, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case ':':
		case '?':
			return bad_option(c, argv, err, errlen);
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &timeout) != 0)
				return fail(err, errlen, "--timeout %s: expected "
					    "seconds between 0 and %.0f",
					    optarg, MAX_TIMEOUT);
			dangling_timeout = optarg;
			break;
		case OPT_SEND:
			rc = add_send(o, optarg, timeout, err, errlen);
			dangling_timeout = NULL;
			break;
		case OPT_EXPECT:
			rc = add_expect(o, optarg, timeout, err, errlen);
			dangling_timeout = NULL;
			break;
		default:
			rc = apply_option(o, c, optarg, err, errlen);
		}
		if (rc != 0)
			return -1;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s' (try -h)",
			    argv[optind]);
	if (dangling_timeout && o->action == ACT_RUN)
		return fail(err, errlen, "--timeout %s applies to the --send/"
			    "--expect steps after it, and none follows",
			    dangling_timeout);
	return 0;
}

/* See options.h. */
void options_free(struct options *o)
{
	for (size_t i = 0; i < o->nsteps; i++) {
		free(o->steps[i].data);
		if (o->steps[i].kind == STEP_EXPECT) {
			regfree(&o->steps[i].re);
			free(o->steps[i].pattern);
			free(o->steps[i].literal);
			free(o->steps[i].needle);
		}
	}
	free(o->steps);
	o->steps = NULL;
	o->nsteps = 0;
}
