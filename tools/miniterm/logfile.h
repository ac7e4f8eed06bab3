/*
 * logfile.h - the -l log: everything received, appended to a file,
 * optionally with a timestamp at each line start, flushed as it comes
 * so a crash or kill loses nothing that was shown.
 */
#ifndef MINITERM_LOGFILE_H
#define MINITERM_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "render.h"

struct logfile {
	FILE *f;		/* NULL while logging is off */
	char path[4096];
	struct render r;
	struct obuf buf;
};

/* Initialises lf, not logging. */
void log_init(struct logfile *lf);

/* Starts appending to path. Returns 0, or -1 with "PATH: reason" in
 * err. */
int log_open(struct logfile *lf, const char *path, char *err,
	     size_t errlen);

/* Picks a fresh file name "miniterm-YYYYMMDD-HHMMSS.log" in the
 * current directory into buf. */
void log_default_name(char *buf, size_t cap);

/* Appends in[0..n) with timestamps if stamps, then flushes. Returns 0,
 * or -1 if the write failed (logging is then turned off). */
int log_write(struct logfile *lf, const unsigned char *in, size_t n,
	      bool stamps);

/* Flushes and closes the log, if open. */
void log_close(struct logfile *lf);

#endif
