/* The host's CMOS real-time clock, read once at boot for the guests' wall clock. */
#ifndef KESTREL_ARCH_RTC_H
#define KESTREL_ARCH_RTC_H

#include <stdint.h>

/* Read the RTC now (call once at boot); remembers seconds since 1970 for rtc_boot_epoch. */
void rtc_init(void);
uint64_t rtc_boot_epoch(void);

#endif
