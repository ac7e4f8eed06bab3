/*
 * script.h - the non-interactive mode: --send / --expect / --timeout
 * steps run in command-line order against the device, for scripts and
 * CI. Needs no terminal; received bytes are copied to stdout.
 */
#ifndef MINITERM_SCRIPT_H
#define MINITERM_SCRIPT_H

#include "device.h"
#include "logfile.h"
#include "options.h"

#define EXIT_MATCHED 0
#define EXIT_TIMEOUT 1
#define EXIT_ERROR 2

/* Runs o's steps on the open device dev, logging received bytes to
 * log (if open). Returns EXIT_MATCHED when every expectation matched,
 * EXIT_TIMEOUT when one did not in time (or the device closed first),
 * EXIT_ERROR on an I/O error; failures are reported on stderr. */
int script_run(const struct options *o, struct device *dev,
	       struct logfile *log);

/* Searches buf[0..len) for re. Returns true and sets *end to the
 * offset just past the leftmost match, else false. NUL bytes in buf
 * are ordinary characters. */
bool script_match(const regex_t *re, const char *buf, size_t len,
		  size_t *end);

#endif
