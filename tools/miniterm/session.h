/*
 * session.h - the interactive mode: keyboard to device, device to
 * screen, escape-key commands, reconnection when the device goes away.
 */
#ifndef MINITERM_SESSION_H
#define MINITERM_SESSION_H

#include "device.h"
#include "logfile.h"
#include "options.h"

/* Runs an interactive session on the open device dev until the user
 * quits, stdin ends or a TERM/HUP/INT/QUIT signal arrives. The user's
 * terminal (if stdin is one) is raw meanwhile and restored on every
 * way out; on a signal the process dies of it after cleaning up.
 * log is the -l log (possibly not open). Returns the exit status. */
int session_run(const struct options *o, struct device *dev,
		struct logfile *log);

#endif
