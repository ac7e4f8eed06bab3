/*
 * clock.h - monotonic milliseconds, for deadlines and retry timers.
 */
#ifndef MINITERM_CLOCK_H
#define MINITERM_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Returns CLOCK_MONOTONIC in milliseconds. */
static inline int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
