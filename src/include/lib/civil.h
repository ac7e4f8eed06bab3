/* Calendar dates and seconds since 1970-01-01 (UTC, proleptic Gregorian), both ways: the
 * virtual RTC's registers and the time stamps in names (rename-restart) use them. */
#ifndef KESTREL_LIB_CIVIL_H
#define KESTREL_LIB_CIVIL_H

#include <stdint.h>

struct civil_time {
    int64_t year;
    unsigned mon, mday, hour, min, sec, wday;   /* mon 1..12, mday 1..31, wday 0 = Sunday */
};

/* Days since 1970-01-01 of year y, month m (1..12), day d. d may exceed the month's length:
 * it rolls into the next month. */
int64_t civil_days_from_date(int64_t y, unsigned m, unsigned d);

/* The calendar date and time of t seconds since 1970-01-01 00:00:00. */
struct civil_time civil_from_epoch(uint64_t t);

#endif
