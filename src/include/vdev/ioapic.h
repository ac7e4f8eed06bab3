/* A virtual I/O APIC: an Intel 82093AA with 24 pins as a PIIX3/ICH chipset has it,
 * version 0x20 with the EOI register at offset 0x40 (the ICH's). MMIO page at
 * VIOAPIC_DEFAULT_BASE: IOREGSEL (0x00), IOWIN (0x10), EOI (0x40); through IOWIN the
 * registers ID (0x00), VER (0x01: 0x00170020, max redirection entry 23), ARB (0x02) and the
 * redirection table (0x10 + 2*pin: low dword, +1: high dword). A pure register model:
 * messages leave through the deliver callback, which the integrator routes to the local
 * APIC(s) (vlapic_match_dest + vlapic_deliver). Delivery is immediate, so the delivery-
 * status bit always reads idle. Not locked: the caller serialises access. */
#ifndef KESTREL_VDEV_IOAPIC_H
#define KESTREL_VDEV_IOAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIOAPIC_DEFAULT_BASE 0xFEC00000ull
#define VIOAPIC_MMIO_SIZE    0x1000u
#define VIOAPIC_PINS         24
#define VIOAPIC_VERSION      0x00170020u

#define VIOAPIC_REG_SEL  0x00      /* MMIO offsets */
#define VIOAPIC_REG_WIN  0x10
#define VIOAPIC_REG_EOI  0x40

#define VIOAPIC_IDX_ID    0x00     /* IOREGSEL indexes */
#define VIOAPIC_IDX_VER   0x01
#define VIOAPIC_IDX_ARB   0x02
#define VIOAPIC_IDX_REDIR 0x10

/* Redirection entry fields (low dword; destination in bits 63:56) */
#define VIOAPIC_RTE_LOGICAL    (1ull << 11)
#define VIOAPIC_RTE_ACTIVE_LOW (1ull << 13)
#define VIOAPIC_RTE_REMOTE_IRR (1ull << 14)
#define VIOAPIC_RTE_LEVEL      (1ull << 15)
#define VIOAPIC_RTE_MASKED     (1ull << 16)

/* One interrupt message: vector, 8-bit destination and its mode, delivery mode (the
 * VLAPIC_DM_* values), and level = a level-triggered fixed/lowest-priority message (the
 * local APIC sets TMR and broadcasts its EOI). Returns true if some local APIC accepted it;
 * a level message nobody accepts leaves remote IRR clear, so it is offered again. */
typedef bool (*vioapic_deliver_fn)(void *ctx, uint8_t vector, uint8_t dest, bool logical,
                                   unsigned delivery_mode, bool level);

struct vioapic {
    vioapic_deliver_fn deliver;
    void *ctx;
    uint8_t id;                     /* ID register bits 27:24 */
    uint8_t regsel;                 /* IOREGSEL */
    uint32_t lines;                 /* input pin levels as driven (bit per pin) */
    uint64_t redir[VIOAPIC_PINS];
};

/* Set up with everything at reset (vioapic_reset); deliver may be NULL (drops all). */
void vioapic_init(struct vioapic *io, vioapic_deliver_fn deliver, void *ctx);

/* Reset: ID 0, IOREGSEL 0, every entry 0x10000 (masked, all else 0). Pin levels stay
 * (they are the devices' outputs, not the chip's state). */
void vioapic_reset(struct vioapic *io);

/* 32-bit access at offset within the page. Other offsets (and EOI reads) read 0 and
 * writes to them are ignored; through IOWIN, an index naming no register reads 0 and
 * ignores writes, and read-only registers and bits (VER, ARB, delivery status, remote
 * IRR) ignore writes. Writing an entry may deliver (a level pin asserted and now
 * unmasked). */
uint32_t vioapic_mmio_read(struct vioapic *io, uint32_t offset);
void vioapic_mmio_write(struct vioapic *io, uint32_t offset, uint32_t val);

/* Drive input pin (0..23; others ignored) to the electrical level `level`. An active-low
 * pin (polarity bit) is asserted while low. Edge-triggered: an unmasked pin delivers on
 * each assertion (not-asserted -> asserted); one masked then is lost, as on the 82093AA.
 * Level-triggered: delivers while asserted, unmasked and remote IRR is clear, setting
 * remote IRR. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);

/* EOI for vector (the EOI register, or a local APIC's EOI broadcast): clears remote IRR
 * of the level-triggered pins with that vector, and redelivers those still asserted. */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

/* One-line summary (ID, IOREGSEL, each unmasked pin's vector/state) into buf[0..len),
 * NUL-terminated, cut to fit; returns the length without the NUL. */
size_t vioapic_dump(const struct vioapic *io, char *buf, size_t len);

#endif
