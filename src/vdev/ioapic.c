/* A virtual 82093AA I/O APIC (Intel 82093AA datasheet; the EOI register of the ICH's
 * I/O APIC, version 0x20). State changes only on register writes, pin level changes and
 * EOIs; each of those re-evaluates the pins it touched, so a level pin that should
 * deliver always has (no deferred work). The guest controls IOREGSEL and every entry:
 * indexes are range-checked, so nothing here can go out of bounds. */
#include "vdev/ioapic.h"
#include "lib/string.h"
#include "vdev/vdev.h"

#define RTE_LO_WRITABLE 0x1AFFFu        /* vector, modes, polarity, trigger, mask */
#define RTE_HI_WRITABLE 0xFF000000u     /* destination */
#define DM_FIXED  0u
#define DM_LOWEST 1u

/* Contract: see ioapic.h. */
void vioapic_reset(struct vioapic *io)
{
    unsigned i;

    io->id = 0;
    io->regsel = 0;
    for (i = 0; i < VIOAPIC_PINS; i++)
        io->redir[i] = VIOAPIC_RTE_MASKED;
}

/* Contract: see ioapic.h. */
void vioapic_init(struct vioapic *io, vioapic_deliver_fn deliver, void *ctx)
{
    memset(io, 0, sizeof(*io));
    io->deliver = deliver;
    io->ctx = ctx;
    vioapic_reset(io);
}

/* Whether pin's input is asserted, given its polarity. */
static bool asserted(const struct vioapic *io, unsigned pin)
{
    bool high = io->lines & (1u << pin);

    return (io->redir[pin] & VIOAPIC_RTE_ACTIVE_LOW) ? !high : high;
}

/* A level-triggered entry in the sense that matters: remote IRR and EOI apply. NMI, SMI,
 * INIT and ExtINT messages are edge messages whatever the trigger bit says. */
static bool level_entry(uint64_t e)
{
    unsigned dm = (e >> 8) & 7;

    return (e & VIOAPIC_RTE_LEVEL) && (dm == DM_FIXED || dm == DM_LOWEST);
}

/* Send pin's message now. Returns whether a local APIC accepted it. */
static bool send(struct vioapic *io, unsigned pin)
{
    uint64_t e = io->redir[pin];

    if (!io->deliver)
        return false;
    return io->deliver(io->ctx, (uint8_t)e, (uint8_t)(e >> 56), e & VIOAPIC_RTE_LOGICAL,
                       (e >> 8) & 7, level_entry(e));
}

/* A level pin delivers while asserted, unmasked and not already in service. */
static void service_level(struct vioapic *io, unsigned pin)
{
    uint64_t e = io->redir[pin];

    if (!level_entry(e) || (e & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)) ||
        !asserted(io, pin))
        return;
    if (send(io, pin))
        io->redir[pin] |= VIOAPIC_RTE_REMOTE_IRR;
}

/* Contract: see ioapic.h. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
    bool was;

    if (pin >= VIOAPIC_PINS)
        return;
    was = asserted(io, pin);
    if (level)
        io->lines |= 1u << pin;
    else
        io->lines &= ~(1u << pin);
    if (level_entry(io->redir[pin])) {
        service_level(io, pin);
        return;
    }
    if (!was && asserted(io, pin) && !(io->redir[pin] & VIOAPIC_RTE_MASKED))
        send(io, pin);
}

/* Contract: see ioapic.h. */
void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
    unsigned pin;

    for (pin = 0; pin < VIOAPIC_PINS; pin++) {
        uint64_t e = io->redir[pin];

        if (!(e & VIOAPIC_RTE_REMOTE_IRR) || (uint8_t)e != vector)
            continue;
        io->redir[pin] &= ~VIOAPIC_RTE_REMOTE_IRR;
        service_level(io, pin);
    }
}

/* Write one dword of pin's entry, keeping the read-only bits. An entry that is no longer
 * a level one forgets its remote IRR (it has no meaning for edge entries). */
static void write_entry(struct vioapic *io, unsigned pin, bool high, uint32_t val)
{
    uint64_t e = io->redir[pin];

    if (high)
        e = (e & 0xFFFFFFFFull) | (uint64_t)(val & RTE_HI_WRITABLE) << 32;
    else
        e = (e & ~(uint64_t)RTE_LO_WRITABLE) | (val & RTE_LO_WRITABLE);
    if (!level_entry(e))
        e &= ~VIOAPIC_RTE_REMOTE_IRR;
    io->redir[pin] = e;
    service_level(io, pin);
}

/* The register IOREGSEL names, through IOWIN. */
static uint32_t window_read(const struct vioapic *io)
{
    unsigned idx = io->regsel, pin;

    switch (idx) {
    case VIOAPIC_IDX_ID:
        return (uint32_t)io->id << 24;
    case VIOAPIC_IDX_VER:
        return VIOAPIC_VERSION;
    case VIOAPIC_IDX_ARB:
        return (uint32_t)io->id << 24;      /* the arbitration ID follows the ID */
    default:
        break;
    }
    if (idx < VIOAPIC_IDX_REDIR || idx >= VIOAPIC_IDX_REDIR + 2 * VIOAPIC_PINS)
        return 0;
    pin = (idx - VIOAPIC_IDX_REDIR) / 2;
    return (uint32_t)(io->redir[pin] >> ((idx & 1) ? 32 : 0));
}

static void window_write(struct vioapic *io, uint32_t val)
{
    unsigned idx = io->regsel;

    if (idx == VIOAPIC_IDX_ID) {
        io->id = (uint8_t)((val >> 24) & 0xF);
        return;
    }
    if (idx < VIOAPIC_IDX_REDIR || idx >= VIOAPIC_IDX_REDIR + 2 * VIOAPIC_PINS)
        return;
    write_entry(io, (idx - VIOAPIC_IDX_REDIR) / 2, idx & 1, val);
}

/* Contract: see ioapic.h. */
uint32_t vioapic_mmio_read(struct vioapic *io, uint32_t offset)
{
    switch (offset) {
    case VIOAPIC_REG_SEL:
        return io->regsel;
    case VIOAPIC_REG_WIN:
        return window_read(io);
    default:
        return 0;
    }
}

/* Contract: see ioapic.h. */
void vioapic_mmio_write(struct vioapic *io, uint32_t offset, uint32_t val)
{
    switch (offset) {
    case VIOAPIC_REG_SEL:
        io->regsel = (uint8_t)val;
        break;
    case VIOAPIC_REG_WIN:
        window_write(io, val);
        break;
    case VIOAPIC_REG_EOI:
        vioapic_eoi(io, (uint8_t)val);
        break;
    default:
        break;
    }
}

/* Contract: see ioapic.h. Each unmasked pin as " pin:vector" with L (level), R (remote
 * IRR) and A (asserted) flags. */
size_t vioapic_dump(const struct vioapic *io, char *buf, size_t len)
{
    size_t pos = vdev_put_str(buf, len, 0, "id=");
    unsigned pin;

    pos = vdev_put_hex(buf, len, pos, io->id, 1);
    pos = vdev_put_str(buf, len, pos, " sel=");
    pos = vdev_put_hex(buf, len, pos, io->regsel, 2);
    for (pin = 0; pin < VIOAPIC_PINS; pin++) {
        uint64_t e = io->redir[pin];

        if (e & VIOAPIC_RTE_MASKED)
            continue;
        pos = vdev_put_str(buf, len, pos, " ");
        pos = vdev_put_hex(buf, len, pos, pin, 2);
        pos = vdev_put_str(buf, len, pos, ":");
        pos = vdev_put_hex(buf, len, pos, (uint8_t)e, 2);
        if (e & VIOAPIC_RTE_LEVEL)
            pos = vdev_put_str(buf, len, pos, "L");
        if (e & VIOAPIC_RTE_REMOTE_IRR)
            pos = vdev_put_str(buf, len, pos, "R");
        if (asserted(io, pin))
            pos = vdev_put_str(buf, len, pos, "A");
    }
    return pos;
}
