/* A virtual 8254 PIT (ports 0x40-0x43) and the PC's port 0x61 (channel 2 gate, speaker,
 * channel 2 output, refresh toggle). Time comes from the caller's clock in nanoseconds; the
 * counters run at exactly 1193182 Hz (integer arithmetic, exact for centuries of uptime).
 * Nothing ticks: every value is computed from the clock when asked.
 * Modes 0, 2, 3 as the datasheet; 1, 4, 5 best effort. BCD counting is supported. A new
 * count takes effect when written (a real 8254 in modes 2/3 waits for the period's end).
 * Channel 0's gate is tied high and its output drives IRQ 0 (see vpit_irq0_edges). */
#ifndef KESTREL_VDEV_PIT_H
#define KESTREL_VDEV_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/vdev.h"

#define VPIT_HZ 1193182u

struct vpit_channel {
    uint8_t mode;           /* 0..5 */
    uint8_t access;         /* 1 lobyte, 2 hibyte, 3 lobyte then hibyte */
    bool bcd;
    bool gate;
    bool loaded;            /* a count has been written: the counter runs */
    bool triggered;         /* modes 1/5: a gate rising edge started the count */
    bool write_hi;          /* write flip-flop: next byte written is the high byte */
    bool read_hi;           /* read flip-flop for unlatched reads */
    uint8_t write_lo;       /* low byte waiting for its high byte */
    uint8_t latch_bytes;    /* bytes of latched count still to read (0 = none) */
    bool status_latched;
    uint8_t status;
    uint16_t latched;
    uint32_t reload;        /* 1..65536 (binary) or 1..10000 (BCD) */
    uint64_t start_ns;      /* clock when the current counting segment began */
    uint64_t base_ticks;    /* ticks counted before start_ns (gate pauses in modes 0/4) */
};

struct vpit {
    uint64_t (*now_ns)(void *ctx);
    void *ctx;
    struct vpit_channel ch[3];
    uint8_t port61;         /* bits 0-3 as last written */
    uint64_t irq0_carry;    /* edges of an earlier channel 0 programming not yet reported */
    uint64_t irq0_seen;     /* edges of the current programming already reported */
    uint64_t irq0_quiet_until;  /* no new channel 0 edge before this clock (0: unknown) */
};

/* Power-on state as a BIOS leaves it: channel 0 in mode 3 with count 65536 (18.2 Hz),
 * channels 1 and 2 unprogrammed, channel 2's gate low. now_ns must be monotonic. */
void vpit_init(struct vpit *p, uint64_t (*now_ns)(void *ctx), void *ctx);

/* Rising edges of channel 0's output since the last call (the caller raises IRQ 0 once
 * if the result is > 0, or coalesces). */
uint64_t vpit_irq0_edges(struct vpit *p);

/* Absolute clock (ns) of channel 0's next rising edge, or UINT64_MAX if none will come. */
uint64_t vpit_next_event_ns(const struct vpit *p);

/* Level of channel ch's (0..2) output now; false for a bad ch. */
bool vpit_out(const struct vpit *p, unsigned ch);

extern const struct vdev_ops vpit_ops;        /* 0x40-0x43 */
extern const struct vdev_ops vpit_port61_ops; /* 0x61, same struct vpit as dev */

#endif
