/* A virtual MC146818 CMOS/RTC at 0x70 (index; bit 7 = NMI mask) and 0x71 (data).
 * 128 bytes of CMOS; time registers are computed from the caller's wall clock (seconds
 * since 1970, UTC) plus a per-domain offset, in BCD or binary and 12/24 h as register B
 * says. A guest writing a time register moves the offset, so its clock keeps the new
 * time. UIP reads 0, VRT reads 1, no periodic/alarm/update interrupts. The memory size
 * registers are filled from the domain's RAM size. */
#ifndef KESTREL_VDEV_RTC_H
#define KESTREL_VDEV_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/vdev.h"

#define VRTC_CMOS_SIZE 128

struct vrtc {
    uint64_t (*wall_s)(void *ctx);
    void *ctx;
    int64_t offset_s;       /* guest time = wall_s() + offset_s */
    uint8_t index;          /* 0..127 */
    bool nmi_masked;        /* bit 7 of the last index write */
    uint8_t cmos[VRTC_CMOS_SIZE];
};

/* Power-on CMOS: register A 0x26, B 0x02 (BCD, 24 h), D 0x80, memory registers from
 * mem_bytes (base 640 KiB; extended KiB above 1 MiB capped at 0xFFFF; 64 KiB blocks above
 * 16 MiB capped at 0xFFFF) with the 0x10-0x2D checksum. */
void vrtc_init(struct vrtc *r, uint64_t (*wall_s)(void *ctx), void *ctx, uint64_t mem_bytes);

/* The guest's current time in seconds since 1970 (wall clock plus offset, never < 0). */
uint64_t vrtc_guest_time(const struct vrtc *r);

extern const struct vdev_ops vrtc_ops;   /* 0x70-0x71 */

#endif
