/* libFuzzer target for the interrupt controllers: one local APIC and one I/O APIC wired as
 * the integrator will (I/O APIC messages through vlapic_match_dest/vlapic_deliver, the
 * local APIC's level EOIs back to vioapic_eoi), driven by a hostile guest's script: xAPIC
 * MMIO and x2APIC MSR reads and writes (any offset, any value), IA32_APIC_BASE and
 * TSC-deadline writes, I/O APIC register accesses and pin changes, INTA cycles, EOIs,
 * messages in any delivery mode, and clock steps small and huge. Besides ASan/UBSan it
 * checks after every step: the pending vector is >= 16, stands in IRR and beats PPR's
 * class; nothing is due after vlapic_update; the current count never exceeds the initial
 * count; I/O APIC entries hold only their defined bits; dumps stay inside their buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vdev/ioapic.h"
#include "vdev/lapic.h"

struct machine {
    struct vlapic apic;
    struct vioapic io;
    struct vlapic_clock clk;
    uint64_t now, ipis;
};

static struct machine m;

static uint64_t clock_now(void *ctx) { return ((struct machine *)ctx)->now; }
static uint64_t clock_tsc(void *ctx) { return ((struct machine *)ctx)->now * 3; }
static void eoi_level(void *ctx, uint8_t v) { vioapic_eoi(&((struct machine *)ctx)->io, v); }

static void send_ipi(void *ctx, uint64_t icr, bool x2)
{
    (void)icr;
    (void)x2;
    ((struct machine *)ctx)->ipis++;
}

/* The integrator's routing: an 8-bit broadcast is widened for an x2APIC-mode target. */
static bool route(void *ctx, uint8_t vector, uint8_t dest, bool logical, unsigned dm,
                  bool level)
{
    struct vlapic *a = &((struct machine *)ctx)->apic;
    uint32_t d = dest == 0xFF && vlapic_x2apic(a) ? 0xFFFFFFFFu : dest;

    if (!vlapic_match_dest(a, d, logical))
        return false;
    return vlapic_deliver(a, dm, vector, level);
}

/* Offsets the script picks from, so most accesses hit a register. */
static const uint16_t lapic_regs[] = {
    0x020, 0x030, 0x080, 0x090, 0x0A0, 0x0B0, 0x0C0, 0x0D0, 0x0E0, 0x0F0, 0x100, 0x170,
    0x180, 0x200, 0x270, 0x280, 0x2F0, 0x300, 0x310, 0x320, 0x330, 0x340, 0x350, 0x360,
    0x370, 0x380, 0x390, 0x3E0, 0x3F0, 0x400, 0xFF0, 0x024,
};
static const uint64_t bases[] = { 0xFEE00900, 0xFEE00D00, 0xFEE00100, 0xFEE00500,
                                  0xFED00900, 0xFEE00800, 0xFEE00C00, 0xFEE00000 };

static void check(struct machine *mc)
{
    struct vlapic *a = &mc->apic;
    int v = vlapic_pending_vector(a);
    uint64_t next;
    unsigned pin;
    char buf[48];

    if (v >= 0) {
        if (v < 16 || ((unsigned)v & 0xF0) <= (vlapic_ppr(a) & 0xF0) ||
            !(a->irr[v / 32] & (1u << (v % 32))))
            abort();
    }
    vlapic_update(a);
    next = vlapic_next_event_ns(a);
    if (next != UINT64_MAX && next <= mc->now)
        abort();
    if (a->timer_icr && vlapic_timer_ccr(a) > a->timer_icr)
        abort();
    for (pin = 0; pin < VIOAPIC_PINS; pin++) {
        uint64_t e = mc->io.redir[pin];

        if (e & ~(0xFF0000000001FFFFull & ~(1ull << 12)))
            abort();
        if ((e & VIOAPIC_RTE_REMOTE_IRR) && !(e & VIOAPIC_RTE_LEVEL))
            abort();
    }
    memset(buf, 'x', sizeof(buf));
    if (vlapic_dump(a, buf, 40) >= 40 || buf[40] != 'x')
        abort();
    if (vioapic_dump(&mc->io, buf, 40) >= 40 || buf[40] != 'x')
        abort();
}

/* One 8-byte step: op, a, b (16 bits), val (32 bits). */
static void step(struct machine *mc, const uint8_t *p)
{
    struct vlapic *a = &mc->apic;
    uint8_t op = p[0], x = p[1];
    uint16_t b = (uint16_t)(p[2] | p[3] << 8);
    uint32_t val = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
                   (uint32_t)p[7] << 24;
    uint32_t off = x < 128 ? lapic_regs[x % (sizeof(lapic_regs) / 2)] : b & 0x1FFF;
    uint64_t v64 = (uint64_t)b << 32 | val;
    int v;

    switch (op % 14) {
    case 0: vlapic_mmio_write(a, off, val); break;
    case 1: (void)vlapic_mmio_read(a, off); break;
    case 2: (void)vlapic_msr_write(a, 0x800u + x, x & 1 ? v64 : val); break;
    case 3: (void)vlapic_msr_read(a, 0x7F0u + x + (b & 0x1F), &v64); break;
    case 4: (void)vlapic_set_base(a, x & 8 ? v64 : bases[x & 7]); break;
    case 5: vlapic_tsc_deadline_write(a, x & 1 ? mc->now * 3 + val : v64); break;
    case 6: vioapic_mmio_write(&mc->io, x & 1 ? 0x10 : x & 2 ? 0x40 : x & 4 ? 0 : b, val);
            break;
    case 7: (void)vioapic_mmio_read(&mc->io, x & 1 ? 0x10 : b); break;
    case 8: vioapic_set_irq(&mc->io, x % 26, b & 1); break;
    case 9: mc->now += (uint64_t)val << (b & 31); break;
    case 10:
        v = vlapic_pending_vector(a);
        vlapic_ack(a, v >= 0 && !(x & 1) ? (uint8_t)v : x);
        break;
    case 11:
        if (vlapic_x2apic(a))
            (void)vlapic_msr_write(a, 0x80B, 0);
        else
            vlapic_mmio_write(a, VLAPIC_REG_EOI, 0);
        break;
    case 12: (void)vlapic_deliver(a, x & 7, (uint8_t)b, x & 8); break;
    default:
        vlapic_virtual_wire(a);
        (void)vlapic_accepts_pic(a);
        (void)vlapic_take_nmi(a);
        (void)vlapic_take_init(a);
        (void)vlapic_take_sipi(a, &x);
        vioapic_eoi(&mc->io, (uint8_t)val);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i;

    memset(&m, 0, sizeof(m));
    m.now = 1000;
    m.clk = (struct vlapic_clock){ .now_ns = clock_now, .tsc = clock_tsc,
                                   .tsc_hz = 3000000000ull, .eoi_level = eoi_level,
                                   .send_ipi = send_ipi, .ctx = &m };
    vlapic_init(&m.apic, size & 1 ? 0 : 0x21, true, &m.clk);
    vioapic_init(&m.io, route, &m);
    for (i = 0; i + 8 <= size; i += 8) {
        step(&m, data + i);
        check(&m);
    }
    return 0;
}
