/*
 * logfile.c - the received-bytes log (see logfile.h).
 */
#define _DEFAULT_SOURCE
#include "logfile.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* See logfile.h. */
void log_init(struct logfile *lf)
{
	memset(lf, 0, sizeof *lf);
	render_init(&lf->r, "\n");
}

/* See logfile.h. */
int log_open(struct logfile *lf, const char *path, char *err,
	     size_t errlen)
{
	if (strlen(path) >= sizeof lf->path) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	FILE *f = fopen(path, "ae");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	log_close(lf);
	lf->f = f;
	strcpy(lf->path, path);
	render_init(&lf->r, "\n");
	return 0;
}

/* See logfile.h. */
void log_default_name(char *buf, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	char when[32];

	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, cap, "miniterm-%s.log", when);
}

/* See logfile.h. Timestamps come from the time this chunk arrived. */
int log_write(struct logfile *lf, const unsigned char *in, size_t n,
	      bool stamps)
{
	char stamp[48] = "";

	if (lf->f == NULL || n == 0)
		return 0;
	lf->r.stamps = stamps;
	const void *data = in;
	size_t len = n;
	if (stamps) {
		stamp_now(stamp, sizeof stamp, true);
		obuf_clear(&lf->buf);
		if (render_bytes(&lf->r, in, n, stamp, &lf->buf) != 0)
			goto failed;
		data = lf->buf.p;
		len = lf->buf.len;
	} else {
		lf->r.at_line_start = in[n - 1] == '\n';
	}
	if (fwrite(data, 1, len, lf->f) != len || fflush(lf->f) != 0)
		goto failed;
	return 0;
failed:
	fclose(lf->f);
	lf->f = NULL;
	return -1;
}

/* See logfile.h. */
void log_close(struct logfile *lf)
{
	if (lf->f) {
		fclose(lf->f);
		lf->f = NULL;
	}
	obuf_free(&lf->buf);
}
