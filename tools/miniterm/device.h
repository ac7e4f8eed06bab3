/*
 * device.h - the far end of the line: a tty programmed with the serial
 * settings, a unix stream socket (QEMU chardev) or a TCP connection.
 * All are opened non-blocking and used with poll().
 */
#ifndef MINITERM_DEVICE_H
#define MINITERM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#include "params.h"

struct device {
	const struct dev_addr *addr;
	const struct serial_cfg *cfg;
	int fd;			/* -1 while closed */
	bool is_tty;
	bool saved_ok;		/* saved holds the tty's old settings */
	struct termios saved;
};

/* Prepares d for addr and cfg (both must outlive d), closed. */
void device_init(struct device *d, const struct dev_addr *addr,
		 const struct serial_cfg *cfg);

/* Opens or connects the device; a tty is locked (flock) and set raw
 * with cfg's speed, framing and flow control; a path naming a socket
 * is connected to as if given as unix:PATH. TCP connects give up after
 * connect_ms milliseconds. Returns 0, or -1 with a message like
 * "/dev/ttyS9: No such file or directory" in err. */
int device_open(struct device *d, int connect_ms, char *err, size_t errlen);

/* Restores a tty's settings and closes the descriptor, if open. */
void device_close(struct device *d);

/* Sends a BREAK. Returns 0, or -1 if the device is not a tty. */
int device_break(struct device *d);

/* Tells whether read/write errno e means the device has gone away
 * (as opposed to EAGAIN/EINTR). */
bool device_lost_errno(int e);

/* Writes all n bytes to fd, retrying on EINTR and waiting with poll on
 * EAGAIN. Returns 0, or -1 with errno set. */
int write_all(int fd, const void *buf, size_t n);

#endif
