/* Reading the host's CMOS RTC once at boot: the domains' emulated RTCs count from it. */
#include <stdbool.h>
#include "arch/rtc.h"
#include "arch/io.h"

static uint64_t boot_epoch;

static uint8_t cmos_read(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool is_bcd)
{
    return is_bcd ? (unsigned)((v >> 4) * 10 + (v & 15)) : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), for y >= 1970. */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
    static const unsigned cum[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    uint64_t days = (uint64_t)(y - 1970) * 365 + (y - 1969) / 4 - (y - 1901) / 100 +
                    (y - 1601) / 400;
    days += cum[(m - 1) % 12] + d - 1;
    if (m > 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        days++;
    return days;
}

void rtc_init(void)
{
    /* Wait out an update in progress (bounded), then read twice until stable. */
    for (int i = 0; i < 100000 && (cmos_read(0x0A) & 0x80); i++)
        ;
    uint8_t b = cmos_read(0x0B);
    bool is_bcd = !(b & 0x04);
    unsigned sec = bcd(cmos_read(0x00), is_bcd), min = bcd(cmos_read(0x02), is_bcd);
    uint8_t hraw = cmos_read(0x04);
    unsigned hour = bcd(hraw & 0x7f, is_bcd);
    if (!(b & 0x02) && (hraw & 0x80))
        hour = (hour % 12) + 12;
    unsigned day = bcd(cmos_read(0x07), is_bcd), mon = bcd(cmos_read(0x08), is_bcd);
    unsigned year = bcd(cmos_read(0x09), is_bcd);
    unsigned century = bcd(cmos_read(0x32), is_bcd);
    year += (century >= 19 && century <= 30) ? century * 100 : 2000;
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || year < 1970) {
        boot_epoch = 0;
        return;
    }
    boot_epoch = days_since_epoch(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

uint64_t rtc_boot_epoch(void)
{
    return boot_epoch;
}
