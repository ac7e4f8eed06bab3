/*
 * main.c - miniterm, Kestrel's serial console client: parses the
 * command line, opens the log and the device, and hands over to the
 * interactive session or the --send/--expect script.
 */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>

#include "device.h"
#include "logfile.h"
#include "options.h"
#include "script.h"
#include "session.h"

/* Runs miniterm; exit status 0 ok, 1 expectation timed out, 2 error. */
int main(int argc, char **argv)
{
	struct options o;
	struct logfile log;
	struct device dev;
	char err[8192];
	int rc = EXIT_ERROR;

	if (options_parse(argc, argv, &o, err, sizeof err) != 0) {
		fprintf(stderr, "miniterm: %s\n", err);
		options_free(&o);
		return EXIT_ERROR;
	}
	if (o.action == ACT_HELP) {
		options_usage(stdout);
		options_free(&o);
		return 0;
	}
	if (o.action == ACT_VERSION) {
		printf("miniterm %s (Kestrel)\n", MINITERM_VERSION);
		options_free(&o);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	log_init(&log);
	device_init(&dev, &o.addr, &o.serial);
	if (o.log_path && log_open(&log, o.log_path, err, sizeof err) != 0) {
		fprintf(stderr, "miniterm: %s\n", err);
	} else if (device_open(&dev, 5000, err, sizeof err) != 0) {
		fprintf(stderr, "miniterm: %s\n", err);
	} else if (o.nsteps > 0) {
		rc = script_run(&o, &dev, &log);
	} else {
		rc = session_run(&o, &dev, &log);
	}
	device_close(&dev);
	log_close(&log);
	options_free(&o);
	return rc;
}
