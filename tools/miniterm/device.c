/*
 * device.c - opening, programming and closing the device miniterm
 * talks to: ttys, unix sockets and TCP (see device.h).
 */
#define _GNU_SOURCE
#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* See device.h. */
void device_init(struct device *d, const struct dev_addr *addr,
		 const struct serial_cfg *cfg)
{
	memset(d, 0, sizeof *d);
	d->addr = addr;
	d->cfg = cfg;
	d->fd = -1;
}

/* Formats "NAME: strerror(e)" into err and returns -1. */
static int fail_errno(const struct device *d, int e, char *err,
		      size_t errlen)
{
	snprintf(err, errlen, "%s: %s", d->addr->name, strerror(e));
	return -1;
}

/* Builds the termios settings for cfg on top of t. */
static void make_termios(struct termios *t, const struct serial_cfg *cfg)
{
	static const tcflag_t sizes[] = { CS5, CS6, CS7, CS8 };

	cfmakeraw(t);
	t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB |
				  CRTSCTS);
	t->c_cflag |= CREAD | CLOCAL | sizes[cfg->framing.data_bits - 5];
	switch (cfg->framing.parity) {
	case 'e': t->c_cflag |= PARENB; break;
	case 'o': t->c_cflag |= PARENB | PARODD; break;
	case 'm': t->c_cflag |= PARENB | PARODD | CMSPAR; break;
	case 's': t->c_cflag |= PARENB | CMSPAR; break;
	default: break;
	}
	if (cfg->framing.stop_bits == 2)
		t->c_cflag |= CSTOPB;
	t->c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	if (cfg->flow == FLOW_RTSCTS)
		t->c_cflag |= CRTSCTS;
	else if (cfg->flow == FLOW_XONXOFF)
		t->c_iflag |= IXON | IXOFF;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
	cfsetispeed(t, cfg->speed);
	cfsetospeed(t, cfg->speed);
}

/* Opens path as a tty: lock, save settings, program cfg. */
static int open_tty(struct device *d, const char *path, char *err,
		    size_t errlen)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return fail_errno(d, errno, err, errlen);
	if (!isatty(fd)) {
		close(fd);
		snprintf(err, errlen, "%s: not a terminal or socket",
			 d->addr->name);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			snprintf(err, errlen, "%s: in use by another program",
				 d->addr->name);
			return -1;
		}
		return fail_errno(d, e, err, errlen);
	}
	if (tcgetattr(fd, &d->saved) != 0) {
		int e = errno;
		close(fd);
		return fail_errno(d, e, err, errlen);
	}
	t = d->saved;
	make_termios(&t, d->cfg);
	if (tcsetattr(fd, TCSANOW, &t) != 0) {
		int e = errno;
		close(fd);
		return fail_errno(d, e, err, errlen);
	}
	d->saved_ok = true;
	d->is_tty = true;
	d->fd = fd;
	return 0;
}

/* Connects a non-blocking socket fd to sa, waiting up to ms.
 * Returns 0 or an errno value. */
static int connect_wait(int fd, const struct sockaddr *sa, socklen_t len,
			int ms)
{
	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int n;
	do {
		n = poll(&p, 1, ms);
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		return ETIMEDOUT;
	if (n < 0)
		return errno;
	int soerr = 0;
	socklen_t sl = sizeof soerr;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		return errno;
	return soerr;
}

/* Connects to the unix stream socket at path. */
static int open_unix(struct device *d, const char *path, char *err,
		     size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof sa.sun_path)
		return fail_errno(d, ENAMETOOLONG, err, errlen);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	if (fd < 0)
		return fail_errno(d, errno, err, errlen);
	int e = connect_wait(fd, (struct sockaddr *)&sa, sizeof sa, 2000);
	if (e != 0) {
		close(fd);
		return fail_errno(d, e, err, errlen);
	}
	d->fd = fd;
	return 0;
}

/* Resolves host:port and connects to the first address that answers
 * within ms milliseconds. */
static int open_tcp(struct device *d, int ms, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int rc = getaddrinfo(d->addr->host, d->addr->port, &hints, &res);
	int e = ECONNREFUSED;

	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", d->addr->name,
			 gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
				SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		e = connect_wait(fd, ai->ai_addr, ai->ai_addrlen, ms);
		if (e == 0) {
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof one);
			d->fd = fd;
			break;
		}
		close(fd);
	}
	freeaddrinfo(res);
	return e ? fail_errno(d, e, err, errlen) : 0;
}

/* See device.h. */
int device_open(struct device *d, int connect_ms, char *err, size_t errlen)
{
	struct stat st;

	d->is_tty = false;
	d->saved_ok = false;
	switch (d->addr->kind) {
	case DEV_TCP:
		return open_tcp(d, connect_ms, err, errlen);
	case DEV_UNIX:
		return open_unix(d, d->addr->path, err, errlen);
	case DEV_TTY:
		if (stat(d->addr->path, &st) != 0)
			return fail_errno(d, errno, err, errlen);
		if (S_ISSOCK(st.st_mode))
			return open_unix(d, d->addr->path, err, errlen);
		return open_tty(d, d->addr->path, err, errlen);
	}
	return fail_errno(d, EINVAL, err, errlen);
}

/* See device.h. */
void device_close(struct device *d)
{
	if (d->fd < 0)
		return;
	if (d->saved_ok)
		tcsetattr(d->fd, TCSANOW, &d->saved);
	close(d->fd);
	d->fd = -1;
	d->saved_ok = false;
}

/* See device.h. */
int device_break(struct device *d)
{
	if (d->fd < 0 || !d->is_tty)
		return -1;
	return tcsendbreak(d->fd, 0);
}

/* See device.h. */
bool device_lost_errno(int e)
{
	return e != EAGAIN && e != EWOULDBLOCK && e != EINTR;
}

/* See device.h. */
int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			poll(&pfd, 1, -1);
		} else {
			if (w == 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}
