/* Unit tests for the virtual I/O APIC (src/vdev/ioapic.c): register reads (ID, VER, ARB,
 * entries) and writable bits, bad IOREGSEL values, edge and level pins, masking, polarity,
 * remote IRR with EOI by the EOI register and by a local APIC's EOI broadcast (the two
 * models wired together as the integrator will), redelivery and unmasking an asserted pin. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/ioapic.h"
#include "vdev/lapic.h"

struct msg {
    uint8_t vector, dest;
    bool logical, level;
    unsigned dm;
};

static struct vioapic io;
static struct msg msgs[16];
static unsigned nmsgs;
static bool accept_all;            /* what the fake deliver answers */

static bool record(void *ctx, uint8_t vector, uint8_t dest, bool logical, unsigned dm,
                   bool level)
{
    (void)ctx;
    if (nmsgs < 16)
        msgs[nmsgs] = (struct msg){ vector, dest, logical, level, dm };
    nmsgs++;
    return accept_all;
}

static int setup(void **state)
{
    (void)state;
    nmsgs = 0;
    accept_all = true;
    vioapic_init(&io, record, NULL);
    return 0;
}

static uint32_t reg(uint8_t idx)
{
    vioapic_mmio_write(&io, VIOAPIC_REG_SEL, idx);
    return vioapic_mmio_read(&io, VIOAPIC_REG_WIN);
}

static void set_reg(uint8_t idx, uint32_t v)
{
    vioapic_mmio_write(&io, VIOAPIC_REG_SEL, idx);
    vioapic_mmio_write(&io, VIOAPIC_REG_WIN, v);
}

/* Program pin's entry (low dword last, as Linux unmasks). */
static void route(unsigned pin, uint32_t lo, uint8_t dest)
{
    set_reg((uint8_t)(0x11 + 2 * pin), (uint32_t)dest << 24);
    set_reg((uint8_t)(0x10 + 2 * pin), lo);
}

static void test_register_reads(void **state)
{
    unsigned pin;

    (void)state;
    assert_int_equal(reg(0x00), 0);
    assert_int_equal(reg(0x01), 0x00170020);
    assert_int_equal(reg(0x02), 0);
    for (pin = 0; pin < 24; pin++) {
        assert_int_equal(reg((uint8_t)(0x10 + 2 * pin)), 0x10000);
        assert_int_equal(reg((uint8_t)(0x11 + 2 * pin)), 0);
    }
    set_reg(0x00, 0xFFFFFFFF);                  /* ID: bits 27:24 */
    assert_int_equal(reg(0x00), 0x0F000000);
    assert_int_equal(reg(0x02), 0x0F000000);    /* ARB follows */
    set_reg(0x01, 0);                           /* VER, ARB read-only */
    set_reg(0x02, 0);
    assert_int_equal(reg(0x01), 0x00170020);
    assert_int_equal(reg(0x02), 0x0F000000);
    set_reg(0x10, 0xFFFFFFFF);                  /* writable bits only */
    assert_int_equal(reg(0x10), 0x1AFFF);
    set_reg(0x11, 0xFFFFFFFF);
    assert_int_equal(reg(0x11), 0xFF000000);
    vioapic_mmio_write(&io, VIOAPIC_REG_SEL, 0x1234);   /* IOREGSEL is 8 bits */
    assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_REG_SEL), 0x34);
    assert_int_equal(vioapic_mmio_read(&io, VIOAPIC_REG_EOI), 0);
    assert_int_equal(vioapic_mmio_read(&io, 0x20), 0);
    vioapic_reset(&io);
    assert_int_equal(reg(0x10), 0x10000);
    assert_int_equal(reg(0x00), 0);
}

static void test_bad_ioregsel(void **state)
{
    static const uint8_t bad[] = { 0x03, 0x0F, 0x40, 0x41, 0x80, 0xFF };
    unsigned i, pin;

    (void)state;
    for (i = 0; i < sizeof(bad); i++) {
        assert_int_equal(reg(bad[i]), 0);
        set_reg(bad[i], 0);                     /* ignored: nothing unmasked */
    }
    for (pin = 0; pin < 24; pin++)
        assert_int_equal(reg((uint8_t)(0x10 + 2 * pin)), 0x10000);
    assert_int_equal(reg(0x00), 0);
    vioapic_set_irq(&io, 24, true);             /* no pin 24 */
    vioapic_set_irq(&io, 1000, true);
    assert_int_equal(io.lines, 0);
}

static void test_edge(void **state)
{
    (void)state;
    route(1, 0x0831, 0x03);                     /* logical, vector 0x31, dest 3 */
    vioapic_set_irq(&io, 1, true);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(msgs[0].vector, 0x31);
    assert_int_equal(msgs[0].dest, 3);
    assert_true(msgs[0].logical);
    assert_false(msgs[0].level);
    assert_int_equal(msgs[0].dm, 0);
    vioapic_set_irq(&io, 1, true);              /* no new edge */
    assert_int_equal(nmsgs, 1);
    vioapic_set_irq(&io, 1, false);
    vioapic_set_irq(&io, 1, true);
    assert_int_equal(nmsgs, 2);
    assert_int_equal(reg(0x12) & 0x5000, 0);    /* no remote IRR / delivery status */
    /* masked: the edge is lost, unmasking later does not bring it back */
    route(1, 0x10031, 0x03);
    vioapic_set_irq(&io, 1, false);
    vioapic_set_irq(&io, 1, true);
    route(1, 0x00031, 0x03);
    assert_int_equal(nmsgs, 2);
    /* NMI delivery mode passes through */
    route(2, 0x0400, 0x00);
    vioapic_set_irq(&io, 2, true);
    assert_int_equal(nmsgs, 3);
    assert_int_equal(msgs[2].dm, 4);
}

static void test_level_remote_irr_eoi_register(void **state)
{
    (void)state;
    route(9, 0x8050, 0x00);                     /* level, vector 0x50 */
    vioapic_set_irq(&io, 9, true);
    assert_int_equal(nmsgs, 1);
    assert_true(msgs[0].level);
    assert_true(reg(0x22) & 0x4000);            /* remote IRR */
    vioapic_set_irq(&io, 9, true);              /* in service: no more */
    assert_int_equal(nmsgs, 1);
    vioapic_mmio_write(&io, VIOAPIC_REG_EOI, 0x51);     /* another vector: nothing */
    assert_true(reg(0x22) & 0x4000);
    assert_int_equal(nmsgs, 1);
    vioapic_mmio_write(&io, VIOAPIC_REG_EOI, 0x50);     /* still asserted: again */
    assert_int_equal(nmsgs, 2);
    assert_true(reg(0x22) & 0x4000);
    vioapic_set_irq(&io, 9, false);
    vioapic_eoi(&io, 0x50);
    assert_false(reg(0x22) & 0x4000);
    assert_int_equal(nmsgs, 2);
    /* the read-only remote IRR bit cannot be written */
    set_reg(0x22, 0xC050);
    assert_false(reg(0x22) & 0x4000);
    /* becoming edge-triggered forgets remote IRR */
    vioapic_set_irq(&io, 9, true);
    assert_true(reg(0x22) & 0x4000);
    set_reg(0x22, 0x0050);
    assert_false(reg(0x22) & 0x4000);
}

static void test_level_unmask_and_refused(void **state)
{
    (void)state;
    route(10, 0x18060, 0x00);                   /* level, masked */
    vioapic_set_irq(&io, 10, true);
    assert_int_equal(nmsgs, 0);
    route(10, 0x08060, 0x00);                   /* unmasking an asserted pin delivers */
    assert_int_equal(nmsgs, 1);
    assert_true(reg(0x24) & 0x4000);
    route(10, 0x18060, 0x00);                   /* masking keeps remote IRR */
    assert_true(reg(0x24) & 0x4000);
    vioapic_eoi(&io, 0x60);                     /* masked: not redelivered */
    assert_int_equal(nmsgs, 1);
    assert_false(reg(0x24) & 0x4000);
    /* nobody accepts: remote IRR stays clear and the next chance offers it again */
    accept_all = false;
    route(10, 0x08060, 0x00);
    assert_int_equal(nmsgs, 2);
    assert_false(reg(0x24) & 0x4000);
    accept_all = true;
    vioapic_set_irq(&io, 10, true);
    assert_int_equal(nmsgs, 3);
    assert_true(reg(0x24) & 0x4000);
    /* a level entry with NMI delivery is an edge message: no remote IRR */
    route(11, 0x08400, 0x00);
    vioapic_set_irq(&io, 11, true);
    assert_int_equal(nmsgs, 4);
    assert_false(msgs[3].level);
    assert_false(reg(0x26) & 0x4000);
}

static void test_polarity(void **state)
{
    (void)state;
    route(5, 0x2035, 0x00);                     /* edge, active low */
    vioapic_set_irq(&io, 5, true);              /* idle high */
    assert_int_equal(nmsgs, 0);
    vioapic_set_irq(&io, 5, false);             /* falling: asserted */
    assert_int_equal(nmsgs, 1);
    vioapic_set_irq(&io, 5, true);
    assert_int_equal(nmsgs, 1);
    route(16, 0xA070, 0x00);                    /* PCI style: level, active low ... */
    assert_int_equal(nmsgs, 2);                 /* ... and the line is low: asserted */
    assert_int_equal(msgs[1].vector, 0x70);
    vioapic_set_irq(&io, 16, true);             /* the device goes idle (high) */
    vioapic_eoi(&io, 0x70);
    assert_int_equal(nmsgs, 2);
    vioapic_set_irq(&io, 16, false);
    assert_int_equal(nmsgs, 3);
    vioapic_eoi(&io, 0x70);                     /* still low: again */
    assert_int_equal(nmsgs, 4);
    vioapic_set_irq(&io, 16, true);
    vioapic_eoi(&io, 0x70);
    assert_int_equal(nmsgs, 4);
}

/* --- an I/O APIC wired to a local APIC, as the integrator will --- */

static struct vlapic lapic;
static uint64_t now;

static uint64_t clock_now(void *ctx) { (void)ctx; return now; }

static void broadcast_eoi(void *ctx, uint8_t vector)
{
    (void)ctx;
    vioapic_eoi(&io, vector);
}

static bool to_lapic(void *ctx, uint8_t vector, uint8_t dest, bool logical, unsigned dm,
                     bool level)
{
    (void)ctx;
    nmsgs++;
    if (!vlapic_match_dest(&lapic, dest, logical))
        return false;
    return vlapic_deliver(&lapic, dm, vector, level);
}

static const struct vlapic_clock wired_clk = { .now_ns = clock_now,
                                               .eoi_level = broadcast_eoi };

static void test_lapic_eoi_broadcast(void **state)
{
    (void)state;
    vlapic_init(&lapic, 0, true, &wired_clk);
    vioapic_init(&io, to_lapic, NULL);
    vlapic_mmio_write(&lapic, VLAPIC_REG_SVR, 0x1FF);
    route(11, 0x8090, 0x00);                    /* level, vector 0x90, APIC 0 */
    vioapic_set_irq(&io, 11, true);
    assert_int_equal(vlapic_pending_vector(&lapic), 0x90);
    assert_true(vlapic_mmio_read(&lapic, VLAPIC_REG_TMR + 0x40) & (1u << 16));  /* 0x90 */
    vlapic_ack(&lapic, 0x90);
    assert_int_equal(vlapic_pending_vector(&lapic), -1);
    /* the guest's handler EOIs while the line is still up: redelivered at once */
    vlapic_mmio_write(&lapic, VLAPIC_REG_EOI, 0);
    assert_int_equal(nmsgs, 2);
    assert_int_equal(vlapic_pending_vector(&lapic), 0x90);
    vlapic_ack(&lapic, 0x90);
    /* the device lowers its line, then the EOI: no more */
    vioapic_set_irq(&io, 11, false);
    vlapic_mmio_write(&lapic, VLAPIC_REG_EOI, 0);
    assert_int_equal(nmsgs, 2);
    assert_false(reg(0x26) & 0x4000);
    assert_int_equal(vlapic_pending_vector(&lapic), -1);
    /* an entry aimed at another APIC is not accepted: remote IRR stays clear */
    route(12, 0x8091, 0x07);
    vioapic_set_irq(&io, 12, true);
    assert_int_equal(nmsgs, 3);
    assert_false(reg(0x28) & 0x4000);
    assert_int_equal(vlapic_pending_vector(&lapic), -1);
}

static void test_dump(void **state)
{
    char buf[128];

    (void)state;
    route(4, 0x8034, 0x00);
    vioapic_set_irq(&io, 4, true);
    vioapic_dump(&io, buf, sizeof(buf));
    assert_string_equal(buf, "id=0 sel=18 04:34LRA");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_register_reads, setup),
        cmocka_unit_test_setup(test_bad_ioregsel, setup),
        cmocka_unit_test_setup(test_edge, setup),
        cmocka_unit_test_setup(test_level_remote_irr_eoi_register, setup),
        cmocka_unit_test_setup(test_level_unmask_and_refused, setup),
        cmocka_unit_test_setup(test_polarity, setup),
        cmocka_unit_test_setup(test_lapic_eoi_broadcast, setup),
        cmocka_unit_test_setup(test_dump, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
