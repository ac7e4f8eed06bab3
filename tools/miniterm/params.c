/*
 * params.c - the baud table and the parsers for framing, flow control,
 * the escape key and device addresses (see params.h).
 */
#define _DEFAULT_SOURCE
#include "params.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	unsigned long rate;
	speed_t code;
} baud_table[] = {
	{ 50, B50 }, { 75, B75 }, { 110, B110 }, { 134, B134 },
	{ 150, B150 }, { 200, B200 }, { 300, B300 }, { 600, B600 },
	{ 1200, B1200 }, { 1800, B1800 }, { 2400, B2400 },
	{ 4800, B4800 }, { 9600, B9600 }, { 19200, B19200 },
	{ 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 },
	{ 230400, B230400 }, { 460800, B460800 }, { 500000, B500000 },
	{ 576000, B576000 }, { 921600, B921600 }, { 1000000, B1000000 },
	{ 1152000, B1152000 }, { 1500000, B1500000 },
	{ 2000000, B2000000 }, { 2500000, B2500000 },
	{ 3000000, B3000000 }, { 3500000, B3500000 },
	{ 4000000, B4000000 },
};

#define BAUD_COUNT (sizeof(baud_table) / sizeof(baud_table[0]))

/* Looks up rate in the table; 0 and *code on success, else -1. */
int baud_lookup(unsigned long rate, speed_t *code)
{
	for (size_t i = 0; i < BAUD_COUNT; i++) {
		if (baud_table[i].rate == rate) {
			*code = baud_table[i].code;
			return 0;
		}
	}
	return -1;
}

/* Parses a plain decimal rate (no sign, no suffix) from the table. */
int parse_baud(const char *s, unsigned *rate, speed_t *code)
{
	if (s == NULL || *s == '\0' || strlen(s) > 9)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (baud_lookup(v, code) != 0)
		return -1;
	*rate = (unsigned)v;
	return 0;
}

/* Formats the table as "50 75 ... 4000000"; returns the needed length. */
size_t baud_list(char *buf, size_t cap)
{
	size_t need = 0;
	if (cap > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < BAUD_COUNT; i++) {
		char one[16];
		int n = snprintf(one, sizeof one, "%s%lu", i ? " " : "",
				 baud_table[i].rate);
		if (need + (size_t)n < cap)
			memcpy(buf + need, one, (size_t)n + 1);
		need += (size_t)n;
	}
	return need;
}

/* Parses exactly three characters: data bits, parity, stop bits. */
int parse_framing(const char *s, struct framing *f)
{
	if (s == NULL || strlen(s) != 3)
		return -1;
	if (s[0] < '5' || s[0] > '8')
		return -1;
	char p = (char)tolower((unsigned char)s[1]);
	if (strchr("neoms", p) == NULL || p == '\0')
		return -1;
	if (s[2] != '1' && s[2] != '2')
		return -1;
	f->data_bits = (unsigned)(s[0] - '0');
	f->parity = p;
	f->stop_bits = (unsigned)(s[2] - '0');
	return 0;
}

/* Maps the flow-control names (case-insensitive) to enum flow. */
int parse_flow(const char *s, enum flow *f)
{
	static const struct {
		const char *name;
		enum flow flow;
	} names[] = {
		{ "none", FLOW_NONE },	   { "rtscts", FLOW_RTSCTS },
		{ "hw", FLOW_RTSCTS },	   { "xonxoff", FLOW_XONXOFF },
		{ "sw", FLOW_XONXOFF },
	};
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*f = names[i].flow;
			return 0;
		}
	}
	return -1;
}

/* Accepts one character naming CTRL-<c>; refuses keys that would
 * break the session (CTRL-A is the hypervisor's, CTRL-M is Enter,
 * CTRL-[ is ESC and starts every arrow key). */
int parse_escape_key(const char *s, unsigned char *key, const char **why)
{
	if (s == NULL || s[0] == '\0' || s[1] != '\0') {
		*why = "expected one character, e.g. -e x for CTRL-X";
		return -1;
	}
	unsigned char c = (unsigned char)toupper((unsigned char)s[0]);
	if (c < '@' || c > '_') {
		*why = "expected a letter or one of @ [ \\ ] ^ _";
		return -1;
	}
	if (c == 'A') {
		*why = "CTRL-A belongs to the hypervisor's console switch";
		return -1;
	}
	if (c == 'M' || c == 'J') {
		*why = "that is the Enter key";
		return -1;
	}
	if (c == '[') {
		*why = "CTRL-[ is ESC, which starts every arrow key";
		return -1;
	}
	*key = (unsigned char)(c & 0x1f);
	return 0;
}

/* Names control code key as "CTRL-X"; other bytes as hex. */
void escape_key_name(unsigned char key, char *buf, size_t cap)
{
	if (key < 0x20)
		snprintf(buf, cap, "CTRL-%c", key + '@');
	else
		snprintf(buf, cap, "0x%02x", key);
}

/* Splits "HOST:PORT" or "[HOST]:PORT" into a's host and port. */
static int parse_host_port(const char *s, struct dev_addr *a,
			   const char **why)
{
	const char *host = s, *colon;
	size_t hlen;

	if (*s == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL || end[1] != ':') {
			*why = "expected tcp:[ADDRESS]:PORT";
			return -1;
		}
		host = s + 1;
		hlen = (size_t)(end - host);
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL) {
			*why = "expected tcp:HOST:PORT";
			return -1;
		}
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen) != NULL) {
			*why = "write IPv6 addresses as tcp:[ADDRESS]:PORT";
			return -1;
		}
	}
	const char *port = colon + 1;
	if (hlen == 0 || *port == '\0') {
		*why = "expected tcp:HOST:PORT";
		return -1;
	}
	if (hlen >= sizeof a->host || strlen(port) >= sizeof a->port) {
		*why = "host or port name too long";
		return -1;
	}
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	strcpy(a->port, port);
	return 0;
}

/* Classifies and splits a DEVICE argument into *a. */
int parse_device(const char *s, struct dev_addr *a, const char **why)
{
	memset(a, 0, sizeof *a);
	if (s == NULL || *s == '\0') {
		*why = "empty device name";
		return -1;
	}
	if (strlen(s) >= sizeof a->name) {
		*why = "device name too long";
		return -1;
	}
	strcpy(a->name, s);
	if (strncmp(s, "tcp:", 4) == 0) {
		a->kind = DEV_TCP;
		return parse_host_port(s + 4, a, why);
	}
	const char *path = s;
	a->kind = DEV_TTY;
	if (strncmp(s, "unix:", 5) == 0) {
		a->kind = DEV_UNIX;
		path = s + 5;
	}
	if (*path == '\0') {
		*why = "expected unix:PATH";
		return -1;
	}
	if (strlen(path) >= sizeof a->path) {
		*why = "path too long";
		return -1;
	}
	strcpy(a->path, path);
	return 0;
}
