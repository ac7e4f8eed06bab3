/* Calendar conversions (H. Hinnant's days_from_civil / civil_from_days algorithms): exact
 * for every proleptic Gregorian date, no tables, no loops. */
#include "lib/civil.h"

/* Contract in the header. */
int64_t civil_days_from_date(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Contract in the header. */
struct civil_time civil_from_epoch(uint64_t t)
{
    struct civil_time dt;
    uint64_t z = t / 86400 + 719468, era = z / 146097, doe = z - era * 146097, yoe, doy, mp;

    dt.sec = (unsigned)(t % 60);
    dt.min = (unsigned)(t / 60 % 60);
    dt.hour = (unsigned)(t / 3600 % 24);
    dt.wday = (unsigned)((t / 86400 + 4) % 7);        /* 1970-01-01 was a Thursday */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    dt.mday = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    dt.mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    dt.year = (int64_t)(yoe + era * 400) + (dt.mon <= 2);
    return dt;
}
