/* A virtual MC146818 CMOS/RTC. The clock registers are not stored: each read converts the
 * guest's time (wall clock + offset) to a calendar date in the format register B asks for,
 * so the clock can never drift or be caught mid-update (UIP always reads 0). A write to a
 * clock register converts the date with that field changed back to seconds and keeps the
 * difference to the wall clock as the new offset; the SET bit is stored but does not
 * freeze the clock (a guest writes all fields within one second). Everything else is the
 * 128 bytes of battery-backed CMOS. */
#include "vdev/rtc.h"
#include "lib/civil.h"
#include "lib/string.h"

enum { SEC = 0x00, MIN = 0x02, HOUR = 0x04, WDAY = 0x06, MDAY = 0x07, MON = 0x08,
       YEAR = 0x09, REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d, CENTURY = 0x32 };

#define B_SET    0x80
#define B_BINARY 0x04
#define B_24H    0x02

#define TIME_MAX ((int64_t)1 << 56)     /* far beyond year 9999: keeps sums from overflowing */

/* Contract: see rtc.h. */
uint64_t vrtc_guest_time(const struct vrtc *r)
{
    uint64_t wall = r->wall_s ? r->wall_s(r->ctx) : 0;
    int64_t t;

    if (wall > (uint64_t)TIME_MAX)
        wall = (uint64_t)TIME_MAX;
    t = (int64_t)wall + r->offset_s;
    return t < 0 ? 0 : (uint64_t)t;
}

static bool binary(const struct vrtc *r)
{
    return r->cmos[REG_B] & B_BINARY;
}

/* v (0..99) in the data mode of register B. */
static uint8_t encode(const struct vrtc *r, unsigned v)
{
    v %= 100;
    return (uint8_t)(binary(r) ? v : (v / 10) << 4 | v % 10);
}

/* A register value in the data mode of register B back to a number; bad BCD digits are
 * taken as 9 so any byte gives something in range. */
static unsigned decode(const struct vrtc *r, uint8_t v)
{
    unsigned hi = v >> 4, lo = v & 0xf;

    if (binary(r))
        return v;
    return (hi > 9 ? 9 : hi) * 10 + (lo > 9 ? 9 : lo);
}

/* The hour register: 0-23, or 1-12 with bit 7 = PM in 12-hour mode. */
static uint8_t encode_hour(const struct vrtc *r, unsigned h)
{
    if (r->cmos[REG_B] & B_24H)
        return encode(r, h);
    return (uint8_t)(encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static unsigned decode_hour(const struct vrtc *r, uint8_t v)
{
    unsigned h;

    if (r->cmos[REG_B] & B_24H)
        return decode(r, v);
    h = decode(r, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* A clock register's value now. */
static uint8_t read_clock(const struct vrtc *r, unsigned reg)
{
    struct civil_time dt = civil_from_epoch(vrtc_guest_time(r));

    switch (reg) {
    case SEC:     return encode(r, dt.sec);
    case MIN:     return encode(r, dt.min);
    case HOUR:    return encode_hour(r, dt.hour);
    case WDAY:    return encode(r, dt.wday + 1);      /* 1 = Sunday */
    case MDAY:    return encode(r, dt.mday);
    case MON:     return encode(r, dt.mon);
    case YEAR:    return encode(r, (unsigned)(dt.year % 100));
    default:      return encode(r, (unsigned)(dt.year / 100 % 100));   /* CENTURY */
    }
}

/* A guest sets one clock field: the other fields keep their current values and the new
 * date becomes the offset from the wall clock. The day of the week is derived, so writes
 * to it are ignored. Out-of-range values are clamped. */
static void write_clock(struct vrtc *r, unsigned reg, uint8_t v)
{
    struct civil_time dt = civil_from_epoch(vrtc_guest_time(r));
    uint64_t wall = r->wall_s ? r->wall_s(r->ctx) : 0;
    int64_t t;

    switch (reg) {
    case SEC:     dt.sec = clamp(decode(r, v), 0, 59); break;
    case MIN:     dt.min = clamp(decode(r, v), 0, 59); break;
    case HOUR:    dt.hour = clamp(decode_hour(r, v), 0, 23); break;
    case MDAY:    dt.mday = clamp(decode(r, v), 1, 31); break;
    case MON:     dt.mon = clamp(decode(r, v), 1, 12); break;
    case YEAR:    dt.year = dt.year / 100 % 100 * 100 + clamp(decode(r, v), 0, 99); break;
    case CENTURY: dt.year = clamp(decode(r, v), 0, 99) * 100 + dt.year % 100; break;
    default:      return;
    }
    if (wall > (uint64_t)TIME_MAX)
        wall = (uint64_t)TIME_MAX;
    t = civil_days_from_date(dt.year, dt.mon, dt.mday) * 86400 + dt.hour * 3600 + dt.min * 60 + dt.sec;
    r->offset_s = t - (int64_t)wall;
}

static bool is_clock(unsigned reg)
{
    return reg == SEC || reg == MIN || reg == HOUR || reg == WDAY || reg == MDAY ||
           reg == MON || reg == YEAR || reg == CENTURY;
}

/* Contract: vdev_read_fn for 0x70 (write-only on a PC: floats high) and 0x71. */
static uint32_t vrtc_read(void *dev, uint16_t port, unsigned size)
{
    struct vrtc *r = dev;
    unsigned reg = r->index & 0x7f;

    (void)size;
    if (!(port & 1))
        return 0xff;
    if (is_clock(reg))
        return read_clock(r, reg);
    switch (reg) {
    case REG_A: return r->cmos[REG_A] & 0x7f;     /* UIP: never mid-update */
    case REG_C: return 0;                           /* no interrupt flags, ever */
    case REG_D: return 0x80;                        /* VRT: the battery is fine */
    default:    return r->cmos[reg];
    }
}

/* Contract: vdev_write_fn: 0x70 selects the register (bit 7 masks NMI), 0x71 writes it. */
static void vrtc_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vrtc *r = dev;
    uint8_t v = (uint8_t)val;
    unsigned reg = r->index & 0x7f;

    (void)size;
    if (!(port & 1)) {
        r->index = v & 0x7f;
        r->nmi_masked = v & 0x80;
        return;
    }
    if (is_clock(reg))
        write_clock(r, reg, v);
    else if (reg == REG_A)
        r->cmos[REG_A] = v & 0x7f;
    else if (reg != REG_C && reg != REG_D)
        r->cmos[reg] = v;
}

/* Contract: machine reset. The CMOS is battery-backed and the clock keeps running, so only
 * the index and NMI mask go back to their power-on values. */
static void vrtc_reset(void *dev)
{
    struct vrtc *r = dev;

    r->index = 0;
    r->nmi_masked = false;
}

static void put16(struct vrtc *r, unsigned reg, uint64_t v)
{
    if (v > 0xffff)
        v = 0xffff;
    r->cmos[reg] = (uint8_t)v;
    r->cmos[reg + 1] = (uint8_t)(v >> 8);
}

/* Contract: see rtc.h. */
void vrtc_init(struct vrtc *r, uint64_t (*wall_s)(void *ctx), void *ctx, uint64_t mem_bytes)
{
    const uint64_t mib = 1024 * 1024;
    unsigned i, sum = 0;

    memset(r, 0, sizeof(*r));
    r->wall_s = wall_s;
    r->ctx = ctx;
    r->cmos[REG_A] = 0x26;          /* 32.768 kHz time base, 1024 Hz rate */
    r->cmos[REG_B] = B_24H;         /* BCD, 24 h: what a PC BIOS sets */
    put16(r, 0x15, 640);
    put16(r, 0x17, mem_bytes > mib ? (mem_bytes - mib) / 1024 : 0);
    put16(r, 0x30, mem_bytes > mib ? (mem_bytes - mib) / 1024 : 0);
    put16(r, 0x34, mem_bytes > 16 * mib ? (mem_bytes - 16 * mib) / 65536 : 0);
    for (i = 0x10; i <= 0x2d; i++)
        sum += r->cmos[i];
    r->cmos[0x2e] = (uint8_t)(sum >> 8);
    r->cmos[0x2f] = (uint8_t)sum;
}

/* Contract: vdev_dump_fn. */
static size_t vrtc_dump(void *dev, char *buf, size_t len)
{
    struct vrtc *r = dev;
    size_t pos = vdev_put_str(buf, len, 0, "time=");

    pos = vdev_put_hex(buf, len, pos, vrtc_guest_time(r), 9);
    pos = vdev_put_str(buf, len, pos, " offset=");
    pos = vdev_put_hex(buf, len, pos, (uint64_t)r->offset_s, 16);
    pos = vdev_put_str(buf, len, pos, " index=");
    pos = vdev_put_hex(buf, len, pos, r->index, 2);
    pos = vdev_put_str(buf, len, pos, r->nmi_masked ? " nmi-masked" : "");
    return pos;
}

const struct vdev_ops vrtc_ops = {
    .name = "mc146818",
    .read = vrtc_read,
    .write = vrtc_write,
    .reset = vrtc_reset,
    .dump = vrtc_dump,
    .bytewise = true,
};
