/*
 * options.h - miniterm's command line: what the user asked for, parsed
 * and checked before any device is opened.
 */
#ifndef MINITERM_OPTIONS_H
#define MINITERM_OPTIONS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "params.h"

#define MINITERM_VERSION "1.0.0"
#define DEFAULT_DEVICE "/dev/ttyS0"
#define DEFAULT_BAUD 115200
#define DEFAULT_TIMEOUT 10.0
#define MAX_TIMEOUT 1000000.0

enum step_kind { STEP_SEND, STEP_EXPECT };

/* One step of the non-interactive mode, in command-line order. */
struct step {
	enum step_kind kind;
	unsigned char *data;	/* STEP_SEND: the unescaped bytes */
	size_t len;
	char *pattern;		/* STEP_EXPECT: the regex as given */
	regex_t re;		/* STEP_EXPECT: compiled */
	bool line_local;	/* STEP_EXPECT: never matches a newline */
	char *literal;		/* STEP_EXPECT: the pattern if it has no
				   operators (searched with memmem) */
	size_t literal_len;
	char *needle;		/* STEP_EXPECT: a string every match of a
				   line_local pattern contains, or NULL */
	size_t needle_len;
	double timeout;		/* seconds allowed for this step */
};

enum run_action { ACT_RUN, ACT_HELP, ACT_VERSION };

struct options {
	enum run_action action;
	struct dev_addr addr;
	struct serial_cfg serial;
	unsigned char esc_key;
	const char *log_path;
	bool timestamps;
	bool hex;
	struct step *steps;	/* non-empty means non-interactive mode */
	size_t nsteps;
};

/* Parses argv into *o (which it initialises). Returns 0, or -1 and
 * writes a one-line message (without the "miniterm: " prefix) to err.
 * Call options_free afterwards either way. Resets getopt's state. */
int options_parse(int argc, char **argv, struct options *o, char *err,
		  size_t errlen);

/* Releases the steps (and compiled regexes) of *o. */
void options_free(struct options *o);

/* Tells whether extended regex pattern (compiled with REG_NEWLINE)
 * certainly cannot match a newline, so every match lies within one
 * line. Conservative: false whenever in doubt. */
bool regex_line_local(const char *pattern);

/* Finds a literal string that every match of extended regex pattern
 * must contain (the longest such run of plain characters outside
 * groups, brackets and quantifiers; nothing if the pattern has any
 * '|'). Writes it NUL-terminated into out (capacity strlen(pattern)
 * + 1) and returns its length, 0 if there is none. */
size_t regex_required_literal(const char *pattern, char *out);

/* Prints the usage text to f. */
void options_usage(FILE *f);

#endif
