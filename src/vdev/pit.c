/* A virtual 8254 PIT and port 0x61 (Intel 82C54 datasheet; the PC wiring: channel 0 to
 * IRQ 0 with its gate tied high, channel 1 gate high, channel 2 gated and read back
 * through port 0x61). Nothing ticks: each channel remembers when its current counting
 * segment began (start_ns, plus base_ticks counted before a gate pause) and every count,
 * output level and edge is derived from the caller's clock at 1193182 Hz in integers.
 * Simplifications (documented in pit.h): a new count takes effect at once in every mode,
 * and a count of 1 in modes 2/3 (illegal on the chip) behaves as 2. */
#include "vdev/pit.h"
#include "lib/string.h"

#define NS_PER_S 1000000000ull

/* Whole input clocks in ns nanoseconds. Splitting off whole seconds keeps every product
 * below 2^51, so this is exact for the full 64-bit range of ns (584 years). */
static uint64_t ns_to_ticks(uint64_t ns)
{
    return (ns / NS_PER_S) * VPIT_HZ + (ns % NS_PER_S) * VPIT_HZ / NS_PER_S;
}

/* The smallest ns with ns_to_ticks(ns) >= t, saturating at UINT64_MAX. */
static uint64_t ticks_to_ns_ceil(uint64_t t)
{
    uint64_t q = t / VPIT_HZ, r = t % VPIT_HZ;

    if (q >= UINT64_MAX / NS_PER_S)
        return UINT64_MAX;
    return q * NS_PER_S + (r * NS_PER_S + VPIT_HZ - 1) / VPIT_HZ;
}

static uint64_t clock_now(const struct vpit *p)
{
    return p->now_ns ? p->now_ns(p->ctx) : 0;
}

/* Gate-triggered modes (1, 5) count once triggered whatever the gate does after; the
 * others count only while the gate is high. */
static bool running(const struct vpit_channel *c)
{
    if (!c->loaded)
        return false;
    if (c->mode == 1 || c->mode == 5)
        return c->triggered;
    return c->gate;
}

/* Input clocks counted in the current programming by time now. */
static uint64_t ticks(const struct vpit_channel *c, uint64_t now)
{
    if (!running(c))
        return c->base_ticks;
    return c->base_ticks + (now > c->start_ns ? ns_to_ticks(now - c->start_ns) : 0);
}

/* The reload value as the counter uses it: modes 2 and 3 need at least 2. */
static uint64_t period(const struct vpit_channel *c)
{
    return (c->mode == 2 || c->mode == 3) && c->reload < 2 ? 2 : c->reload;
}

/* Output level after t clocks of the current programming. */
static bool out_at(const struct vpit_channel *c, uint64_t t)
{
    uint64_t n = period(c);

    if (!c->loaded)
        return c->mode != 0;    /* a control word sets OUT low in mode 0, high otherwise */
    switch (c->mode) {
    case 0:
        return t >= n;
    case 1:
        return !c->triggered || t >= n;
    case 2:
        return !c->gate || t % n != n - 1;
    case 3:
        return !c->gate || t % n < (n + 1) / 2;
    case 4:
        return t != n;
    default:                    /* 5 */
        return !c->triggered || t != n;
    }
}

/* Rising edges of the output in the first t clocks of the current programming. */
static uint64_t edges_at(const struct vpit_channel *c, uint64_t t)
{
    uint64_t n = period(c);

    if (!c->loaded)
        return 0;
    switch (c->mode) {
    case 0:
        return t >= n;
    case 1:
        return c->triggered && t >= n;
    case 2:
    case 3:
        return t / n;
    case 4:
        return t >= n + 1;
    default:
        return c->triggered && t >= n + 1;
    }
}

/* The clock count (after t clocks) at which the next rising edge comes, or 0 if none. */
static uint64_t next_edge_tick(const struct vpit_channel *c, uint64_t t)
{
    uint64_t n = period(c);

    if (!running(c))
        return 0;
    switch (c->mode) {
    case 0:
    case 1:
        return t < n ? n : 0;
    case 2:
    case 3:
        return (t / n + 1) * n;
    default:
        return t < n + 1 ? n + 1 : 0;
    }
}

static uint16_t to_bcd(uint32_t v)
{
    v %= 10000;
    return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* The counting element's value after t clocks, as the guest reads it (BCD if selected). */
static uint16_t count_at(const struct vpit_channel *c, uint64_t t)
{
    uint64_t n = period(c), mod = c->bcd ? 10000 : 65536, v, q, half;

    if (!c->loaded || ((c->mode == 1 || c->mode == 5) && !c->triggered)) {
        v = c->reload % mod;
    } else if (c->mode == 2) {
        v = (n - t % n) % mod;
    } else if (c->mode == 3) {
        half = (n + 1) / 2;
        q = t % n;
        if (q >= half)
            q -= half;
        v = ((n - 2 * q) & ~(uint64_t)1) % mod;   /* counts by 2: always even */
    } else {                    /* 0, 1, 4, 5: counts down and wraps, OUT aside */
        v = (n + mod - t % mod) % mod;
    }
    return c->bcd ? to_bcd((uint32_t)v) : (uint16_t)v;
}

static uint64_t total_irq0_edges(const struct vpit *p, uint64_t now)
{
    return edges_at(&p->ch[0], ticks(&p->ch[0], now));
}

/* Before channel 0's programming changes: bank its unreported edges so they survive. */
static void irq0_rebase(struct vpit *p, unsigned ch, uint64_t now)
{
    uint64_t total;

    if (ch != 0)
        return;
    p->irq0_quiet_until = 0;            /* the programming changes: recompute it */
    total = total_irq0_edges(p, now);
    if (total > p->irq0_seen)
        p->irq0_carry += total - p->irq0_seen;
    p->irq0_seen = 0;
}

/* Absolute clock (ns) of channel 0's first rising edge after time now, or UINT64_MAX if
 * none will come under the current programming. */
static uint64_t next_edge_ns(const struct vpit *p, uint64_t now)
{
    const struct vpit_channel *c = &p->ch[0];
    uint64_t t = ticks(c, now), e = next_edge_tick(c, t), d;

    if (!e || e <= c->base_ticks)
        return UINT64_MAX;
    d = ticks_to_ns_ceil(e - c->base_ticks);
    return d > UINT64_MAX - c->start_ns ? UINT64_MAX : c->start_ns + d;
}

/* Contract: see pit.h. A clock that went backwards yields no new edges rather than a
 * wrapped-around count. Before irq0_quiet_until no edge can have come since the last
 * count (the programming is unchanged: irq0_rebase clears it), so the count is skipped. */
uint64_t vpit_irq0_edges(struct vpit *p)
{
    uint64_t now = clock_now(p), n = p->irq0_carry, total;

    p->irq0_carry = 0;
    if (now < p->irq0_quiet_until)
        return n;
    total = total_irq0_edges(p, now);
    if (total > p->irq0_seen) {
        n += total - p->irq0_seen;
        p->irq0_seen = total;
    }
    p->irq0_quiet_until = next_edge_ns(p, now);
    return n;
}

/* Contract: see pit.h. */
uint64_t vpit_next_event_ns(const struct vpit *p)
{
    return next_edge_ns(p, clock_now(p));
}

/* Contract: see pit.h. */
bool vpit_out(const struct vpit *p, unsigned ch)
{
    if (ch > 2)
        return false;
    return out_at(&p->ch[ch], ticks(&p->ch[ch], clock_now(p)));
}

/* A new count (raw 16-bit value as written) is loaded: counting starts now (modes 1/5
 * wait for a gate rising edge). 0 means the maximum, 65536 or BCD 10000. */
static void load_count(struct vpit *p, unsigned ch, uint16_t raw, uint64_t now)
{
    struct vpit_channel *c = &p->ch[ch];
    uint32_t v = raw, i, d;

    irq0_rebase(p, ch, now);
    if (c->bcd) {
        for (v = 0, i = 0; i < 4; i++) {
            d = (raw >> (12 - 4 * i)) & 0xf;
            v = v * 10 + (d > 9 ? 9 : d);     /* bad BCD digits are taken as 9 */
        }
    }
    c->reload = v ? v : (c->bcd ? 10000 : 65536);
    c->loaded = true;
    c->triggered = false;
    c->base_ticks = 0;
    c->start_ns = now;
}

/* Change a channel's gate input, with each mode's reaction (datasheet, table "Gate pin
 * operations"): 0/4 pause and resume, 2/3 stop with OUT high and reload on the rising
 * edge, 1/5 trigger on the rising edge. */
static void set_gate(struct vpit *p, unsigned ch, bool level, uint64_t now)
{
    struct vpit_channel *c = &p->ch[ch];

    if (level == c->gate)
        return;
    irq0_rebase(p, ch, now);
    if (!level) {
        if (c->mode != 1 && c->mode != 5)   /* 1/5 keep counting: nothing to freeze */
            c->base_ticks = ticks(c, now);
        c->gate = false;
        return;
    }
    c->gate = true;
    c->start_ns = now;
    if (c->mode != 0 && c->mode != 4) {
        c->base_ticks = 0;
        if (c->loaded && (c->mode == 1 || c->mode == 5))
            c->triggered = true;
    }
}

/* Latch the count unless one is latched and not yet read (the datasheet: later latches are
 * ignored until it is). */
static void latch_count(struct vpit_channel *c, uint64_t now)
{
    if (c->latch_bytes)
        return;
    c->latched = count_at(c, ticks(c, now));
    c->latch_bytes = c->access == 3 ? 2 : 1;
}

/* Read-back command: latch the count and/or status of each selected channel. */
static void read_back(struct vpit *p, uint8_t v, uint64_t now)
{
    unsigned i;

    for (i = 0; i < 3; i++) {
        struct vpit_channel *c = &p->ch[i];

        if (!(v & (2u << i)))
            continue;
        if (!(v & 0x20))
            latch_count(c, now);
        if (!(v & 0x10) && !c->status_latched) {
            c->status = (uint8_t)((out_at(c, ticks(c, now)) ? 0x80 : 0) | (c->loaded ? 0 : 0x40) |
                                  c->access << 4 | c->mode << 1 | (c->bcd ? 1 : 0));
            c->status_latched = true;
        }
    }
}

/* A control word on 0x43: read-back, counter latch, or a new mode for one channel. */
static void control(struct vpit *p, uint8_t v, uint64_t now)
{
    unsigned ch = v >> 6, mode;
    struct vpit_channel *c;

    if (ch == 3) {
        read_back(p, v, now);
        return;
    }
    c = &p->ch[ch];
    if (!(v & 0x30)) {
        latch_count(c, now);
        return;
    }
    irq0_rebase(p, ch, now);
    mode = (v >> 1) & 7;
    c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);   /* 6 and 7 are 2 and 3 */
    c->access = (v >> 4) & 3;
    c->bcd = v & 1;
    c->loaded = false;
    c->triggered = false;
    c->base_ticks = 0;
    c->write_hi = c->read_hi = false;
    c->latch_bytes = 0;
    c->status_latched = false;
}

/* A byte written to a counter, through the write flip-flop for lobyte/hibyte access. In
 * mode 0 the first of two bytes stops the count (OUT low) until the second arrives. */
static void write_counter(struct vpit *p, unsigned ch, uint8_t v, uint64_t now)
{
    struct vpit_channel *c = &p->ch[ch];

    switch (c->access) {
    case 1:
        load_count(p, ch, v, now);
        break;
    case 2:
        load_count(p, ch, (uint16_t)(v << 8), now);
        break;
    default:
        if (!c->write_hi) {
            c->write_lo = v;
            c->write_hi = true;
            if (c->mode == 0) {
                irq0_rebase(p, ch, now);
                c->loaded = false;
            }
        } else {
            c->write_hi = false;
            load_count(p, ch, (uint16_t)(c->write_lo | v << 8), now);
        }
        break;
    }
}

/* A byte read from a counter: latched status first, then a latched count, else the live
 * count through the read flip-flop. */
static uint8_t read_counter(struct vpit *p, unsigned ch, uint64_t now)
{
    struct vpit_channel *c = &p->ch[ch];
    uint16_t v;

    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latch_bytes) {
        v = c->latched;
        if (c->access == 3 && c->latch_bytes == 2) {
            c->latch_bytes = 1;
            return (uint8_t)v;
        }
        c->latch_bytes = 0;
        return (uint8_t)(c->access == 2 || c->access == 3 ? v >> 8 : v);
    }
    v = count_at(c, ticks(c, now));
    if (c->access == 1)
        return (uint8_t)v;
    if (c->access == 2)
        return (uint8_t)(v >> 8);
    c->read_hi = !c->read_hi;
    return (uint8_t)(c->read_hi ? v : v >> 8);
}

/* Contract: vdev_write_fn for 0x40-0x43. */
static void vpit_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vpit *p = dev;
    uint64_t now = clock_now(p);

    (void)size;
    if ((port & 3) == 3)
        control(p, (uint8_t)val, now);
    else
        write_counter(p, port & 3, (uint8_t)val, now);
}

/* Contract: vdev_read_fn for 0x40-0x43; the control port is write-only and floats high. */
static uint32_t vpit_read(void *dev, uint16_t port, unsigned size)
{
    struct vpit *p = dev;

    (void)size;
    if ((port & 3) == 3)
        return 0xff;
    return read_counter(p, port & 3, clock_now(p));
}

/* Contract: see pit.h (power-on state as a BIOS leaves it). */
static void vpit_reset(void *dev)
{
    struct vpit *p = dev;
    uint64_t now = clock_now(p);
    unsigned i;

    memset(p->ch, 0, sizeof(p->ch));
    for (i = 0; i < 3; i++) {
        p->ch[i].access = 3;
        p->ch[i].gate = i != 2;
    }
    p->port61 = 0;
    p->irq0_carry = 0;
    p->irq0_seen = 0;
    p->irq0_quiet_until = 0;
    p->ch[0].mode = 3;
    p->ch[0].reload = 65536;
    p->ch[0].loaded = true;
    p->ch[0].start_ns = now;
}

void vpit_init(struct vpit *p, uint64_t (*now_ns)(void *ctx), void *ctx)
{
    memset(p, 0, sizeof(*p));
    p->now_ns = now_ns;
    p->ctx = ctx;
    vpit_reset(p);
}

/* Contract: vdev_read_fn for 0x61: bits 0-3 as written, bit 4 the DRAM refresh toggle
 * (every 15.085 us, which BIOS-style delay loops count), bit 5 channel 2's output. */
static uint32_t port61_read(void *dev, uint16_t port, unsigned size)
{
    struct vpit *p = dev;
    uint64_t now = clock_now(p);
    uint8_t v = p->port61 & 0x0f;

    (void)port;
    (void)size;
    if ((now / 15085) & 1)
        v |= 0x10;
    if (out_at(&p->ch[2], ticks(&p->ch[2], now)))
        v |= 0x20;
    return v;
}

/* Contract: vdev_write_fn for 0x61: bit 0 is channel 2's gate, bit 1 the speaker enable. */
static void port61_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vpit *p = dev;

    (void)port;
    (void)size;
    p->port61 = val & 0x0f;
    set_gate(p, 2, val & 1, clock_now(p));
}

/* Contract: vdev_dump_fn. */
static size_t vpit_dump(void *dev, char *buf, size_t len)
{
    struct vpit *p = dev;
    uint64_t now = clock_now(p);
    size_t pos = 0;
    unsigned i;

    for (i = 0; i < 3; i++) {
        const struct vpit_channel *c = &p->ch[i];

        pos = vdev_put_str(buf, len, pos, i ? " ch" : "ch");
        pos = vdev_put_hex(buf, len, pos, i, 1);
        pos = vdev_put_str(buf, len, pos, " mode=");
        pos = vdev_put_hex(buf, len, pos, c->mode, 1);
        pos = vdev_put_str(buf, len, pos, c->loaded ? " reload=" : " unloaded=");
        pos = vdev_put_hex(buf, len, pos, c->reload, 5);
        pos = vdev_put_str(buf, len, pos, " count=");
        pos = vdev_put_hex(buf, len, pos, count_at(c, ticks(c, now)), 4);
        pos = vdev_put_str(buf, len, pos, out_at(c, ticks(c, now)) ? " out=1" : " out=0");
    }
    return pos;
}

const struct vdev_ops vpit_ops = {
    .name = "i8254",
    .read = vpit_read,
    .write = vpit_write,
    .reset = vpit_reset,
    .dump = vpit_dump,
    .bytewise = true,
};

/* Port 0x61 belongs to the same state; resetting it with the PIT is enough. */
const struct vdev_ops vpit_port61_ops = {
    .name = "port61",
    .read = port61_read,
    .write = port61_write,
    .bytewise = true,
};
