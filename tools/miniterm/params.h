/*
 * params.h - serial line parameters and device addresses as miniterm
 * understands them: the baud table, "8n1" framing, flow control, the
 * escape key and "unix:PATH" / "tcp:HOST:PORT" / tty device names.
 * Pure parsing; nothing here touches a file descriptor.
 */
#ifndef MINITERM_PARAMS_H
#define MINITERM_PARAMS_H

#include <stddef.h>
#include <termios.h>

/* Character framing of a serial line, e.g. 8n1. parity is 'n', 'e',
 * 'o', 'm' (mark) or 's' (space). */
struct framing {
	unsigned data_bits;
	char parity;
	unsigned stop_bits;
};

enum flow { FLOW_NONE, FLOW_RTSCTS, FLOW_XONXOFF };

/* Everything needed to program a tty. */
struct serial_cfg {
	unsigned baud;
	speed_t speed;
	struct framing framing;
	enum flow flow;
};

enum dev_kind { DEV_TTY, DEV_UNIX, DEV_TCP };

/* A parsed DEVICE argument. For DEV_TTY and DEV_UNIX, path is set; for
 * DEV_TCP, host and port are set. name is the argument as given. */
struct dev_addr {
	enum dev_kind kind;
	char name[4200];
	char path[4096];
	char host[256];
	char port[64];
};

/* Looks up a baud rate. Returns 0 and sets *code to its termios
 * constant, or -1 if the rate is not in the table. */
int baud_lookup(unsigned long rate, speed_t *code);

/* Parses a decimal baud rate string. Returns 0 and fills *rate and
 * *code, or -1 if it is not a number or not a supported rate. */
int parse_baud(const char *s, unsigned *rate, speed_t *code);

/* Writes the supported rates, space separated, into buf (always
 * NUL-terminated when cap > 0). Returns the length it needed. */
size_t baud_list(char *buf, size_t cap);

/* Parses framing such as "8n1", "7E2" (data bits 5-8, parity
 * n/e/o/m/s in either case, stop bits 1-2). Returns 0 or -1. */
int parse_framing(const char *s, struct framing *f);

/* Parses "none", "rtscts" or "xonxoff" (also "hw"/"sw"). 0 or -1. */
int parse_flow(const char *s, enum flow *f);

/* Parses the -e argument: one character c naming the key CTRL-c
 * (letters in either case, or one of @ [ \ ] ^ _). Returns 0 and sets
 * *key to the control code, or -1 and sets *why to a short reason. */
int parse_escape_key(const char *s, unsigned char *key, const char **why);

/* Writes the name of control key code key ("CTRL-]") into buf. */
void escape_key_name(unsigned char key, char *buf, size_t cap);

/* Parses a DEVICE argument: "unix:PATH", "tcp:HOST:PORT",
 * "tcp:[V6ADDR]:PORT", or anything else as a tty path. Returns 0, or -1
 * and sets *why to a short reason. */
int parse_device(const char *s, struct dev_addr *a, const char **why);

#endif
