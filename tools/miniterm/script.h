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

/* Searches buf[from..len) for step st's pattern, with buf[0..from) as
 * context for ^ and word boundaries; a literal pattern is found with
 * memmem. Returns true and sets *end to the offset just past the
 * leftmost match, else false. NUL bytes in buf are ordinary. */
bool script_match(const struct step *st, const char *buf, size_t from,
		  size_t len, size_t *end);

/* After buf[0..len) failed to match st from offset from, returns the
 * offset where the next search (once more bytes arrive) must start:
 * for a plain string, its length minus one from the end; for a
 * one-line pattern, the start of the unfinished last line; otherwise
 * from unchanged. */
size_t script_rescan(const struct step *st, const char *buf, size_t from,
		     size_t len);

#endif
