/* Unit tests for the virtual local APIC (src/vdev/lapic*.c) against a fake clock: reset
 * values, the software-enable bit and LVT masks, TPR/PPR and priority classes, IRR/ISR/EOI
 * order with nesting, the level EOI callback, ESR's write-then-read and illegal vectors and
 * registers, IPIs (self, own ID, others, shorthands), the x2APIC MSRs' #GP rules,
 * IA32_APIC_BASE transitions, destination matching and the 8259's path (LINT0). The timer
 * is in test_vlapic_timer.c. */
#include "vlapic_fixture.h"

static void test_reset_values(void **state)
{
    unsigned i;

    (void)state;
    assert_int_equal(vlapic_base(&apic), 0xFEE00900);
    assert_int_equal(rd(VLAPIC_REG_ID), 0);
    assert_int_equal(rd(VLAPIC_REG_VER), 0x00050014);
    assert_int_equal(rd(VLAPIC_REG_TPR), 0);
    assert_int_equal(rd(VLAPIC_REG_APR), 0);
    assert_int_equal(rd(VLAPIC_REG_PPR), 0);
    assert_int_equal(rd(VLAPIC_REG_LDR), 0);
    assert_int_equal(rd(VLAPIC_REG_DFR), 0xFFFFFFFF);
    assert_int_equal(rd(VLAPIC_REG_SVR), 0xFF);
    for (i = 0; i < 8; i++) {
        assert_int_equal(rd(VLAPIC_REG_ISR + 0x10 * i), 0);
        assert_int_equal(rd(VLAPIC_REG_TMR + 0x10 * i), 0);
        assert_int_equal(rd(VLAPIC_REG_IRR + 0x10 * i), 0);
    }
    for (i = 0; i < 6; i++)
        assert_int_equal(rd(VLAPIC_REG_LVT_TIMER + 0x10 * i), 0x10000);
    assert_int_equal(rd(VLAPIC_REG_ICR_LO), 0);
    assert_int_equal(rd(VLAPIC_REG_ICR_HI), 0);
    assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 0);
    assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
    assert_int_equal(rd(VLAPIC_REG_TIMER_DCR), 0);
    assert_int_equal(esr(), 0);
    assert_true(vlapic_mmio_enabled(&apic));
    assert_false(vlapic_x2apic(&apic));
    assert_false(vlapic_sw_enabled(&apic));
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    /* an application processor: no BSP bit; the ID register holds the initial ID */
    vlapic_init(&apic, 3, false, &clk);
    assert_int_equal(vlapic_base(&apic), 0xFEE00800);
    assert_int_equal(rd(VLAPIC_REG_ID), 3u << 24);
}

static void test_software_disable_masks(void **state)
{
    unsigned i;

    (void)state;
    assert_false(vlapic_accept(&apic, 0x40, false));        /* dropped while disabled */
    wr(VLAPIC_REG_LVT_LINT0, 0x700);                        /* unmask: ignored */
    assert_int_equal(rd(VLAPIC_REG_LVT_LINT0), 0x10700);
    enable();
    assert_true(vlapic_sw_enabled(&apic));
    wr(VLAPIC_REG_LVT_LINT0, 0x700);
    assert_int_equal(rd(VLAPIC_REG_LVT_LINT0), 0x700);
    wr(VLAPIC_REG_LVT_ERROR, 0xFE);
    assert_true(vlapic_accept(&apic, 0x40, false));
    wr(VLAPIC_REG_SVR, 0x0FF);                              /* software-disable */
    for (i = 0; i < 6; i++)
        assert_true(rd(VLAPIC_REG_LVT_TIMER + 0x10 * i) & 0x10000);
    /* what is held stays and is still offered (SDM 10.4.7.2), new ones are dropped */
    assert_int_equal(vlapic_pending_vector(&apic), 0x40);
    assert_false(vlapic_accept(&apic, 0x50, false));
    assert_int_equal(vlapic_pending_vector(&apic), 0x40);
}

static void test_tpr_ppr_priority_classes(void **state)
{
    (void)state;
    enable();
    vlapic_accept(&apic, 0x45, false);
    assert_int_equal(vlapic_pending_vector(&apic), 0x45);
    wr(VLAPIC_REG_TPR, 0x40);               /* same class as the request: blocked */
    assert_int_equal(rd(VLAPIC_REG_PPR), 0x40);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    wr(VLAPIC_REG_TPR, 0x3F);               /* class 3 < 4: passes */
    assert_int_equal(vlapic_pending_vector(&apic), 0x45);
    wr(VLAPIC_REG_TPR, 0x1FF);              /* bits 31:8 are reserved */
    assert_int_equal(rd(VLAPIC_REG_TPR), 0xFF);
    wr(VLAPIC_REG_TPR, 0);
    vlapic_ack(&apic, 0x45);
    assert_int_equal(rd(VLAPIC_REG_PPR), 0x40);   /* the in-service class */
    vlapic_accept(&apic, 0x41, false);
    assert_int_equal(vlapic_pending_vector(&apic), -1);   /* same class as in service */
    vlapic_accept(&apic, 0x51, false);
    assert_int_equal(vlapic_pending_vector(&apic), 0x51);
    wr(VLAPIC_REG_TPR, 0x62);               /* TPR above the in-service class: PPR = TPR */
    assert_int_equal(rd(VLAPIC_REG_PPR), 0x62);
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    assert_int_equal(vlapic_cr8(&apic), 6);
    vlapic_set_cr8(&apic, 4);
    assert_int_equal(rd(VLAPIC_REG_TPR), 0x40);
    assert_int_equal(rd(VLAPIC_REG_PPR), 0x40);
    assert_int_equal(vlapic_pending_vector(&apic), 0x51);
}

static void test_irr_isr_eoi_nesting(void **state)
{
    (void)state;
    enable();
    wr(VLAPIC_REG_EOI, 0);                  /* nothing in service: no effect */
    vlapic_accept(&apic, 0x30, false);
    assert_true(reg_bit(VLAPIC_REG_IRR, 0x30));
    vlapic_ack(&apic, 0x30);
    assert_false(reg_bit(VLAPIC_REG_IRR, 0x30));
    assert_true(reg_bit(VLAPIC_REG_ISR, 0x30));
    vlapic_accept(&apic, 0x31, false);      /* same class: waits */
    vlapic_accept(&apic, 0x80, false);      /* higher: nests */
    assert_int_equal(vlapic_pending_vector(&apic), 0x80);
    vlapic_ack(&apic, 0x80);
    assert_true(reg_bit(VLAPIC_REG_ISR, 0x80));
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    vlapic_ack(&apic, 0x90);                /* not requested: ignored */
    assert_false(reg_bit(VLAPIC_REG_ISR, 0x90));
    wr(VLAPIC_REG_EOI, 0);                  /* retires the highest: 0x80 */
    assert_false(reg_bit(VLAPIC_REG_ISR, 0x80));
    assert_true(reg_bit(VLAPIC_REG_ISR, 0x30));
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    wr(VLAPIC_REG_EOI, 0);
    assert_false(reg_bit(VLAPIC_REG_ISR, 0x30));
    assert_int_equal(vlapic_pending_vector(&apic), 0x31);
    assert_int_equal(eoi_count, 0);         /* all edge */
    assert_int_equal(rd(VLAPIC_REG_EOI), 0);  /* write-only: reads 0, no error */
    assert_int_equal(esr(), 0);
}

static void test_level_eoi_callback(void **state)
{
    (void)state;
    enable();
    vlapic_accept(&apic, 0x60, true);
    assert_true(reg_bit(VLAPIC_REG_TMR, 0x60));
    vlapic_ack(&apic, 0x60);
    wr(VLAPIC_REG_EOI, 0);
    assert_int_equal(eoi_count, 1);
    assert_int_equal(eoi_vector, 0x60);
    vlapic_accept(&apic, 0x60, false);      /* an edge acceptance clears TMR */
    assert_false(reg_bit(VLAPIC_REG_TMR, 0x60));
    vlapic_ack(&apic, 0x60);
    wr(VLAPIC_REG_EOI, 0);
    assert_int_equal(eoi_count, 1);
}

static void test_illegal_vectors_and_esr(void **state)
{
    (void)state;
    enable();
    assert_false(vlapic_accept(&apic, 5, false));
    assert_int_equal(rd(VLAPIC_REG_ESR), 0);      /* not latched before a write */
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    assert_int_equal(esr(), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
    assert_int_equal(esr(), 0);                   /* the write cleared it */
    /* with the error LVT unmasked, an error raises its interrupt */
    wr(VLAPIC_REG_LVT_ERROR, 0xFE);
    vlapic_accept(&apic, 15, false);
    assert_int_equal(vlapic_pending_vector(&apic), 0xFE);
    /* sending an illegal vector: ESR send bit, nothing delivered */
    wr(VLAPIC_REG_ICR_LO, 0x40000 | 3);           /* self, vector 3 */
    assert_false(reg_bit(VLAPIC_REG_IRR, 3));
    assert_int_equal(esr(), VLAPIC_ESR_RECV_ILLEGAL_VECTOR | VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
    /* an error LVT with an illegal vector cannot loop */
    wr(VLAPIC_REG_LVT_ERROR, 0x02);
    vlapic_accept(&apic, 1, false);
    assert_int_equal(esr(), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
    /* the timer's LVT with an illegal vector: its expiry is a received illegal vector */
    wr(VLAPIC_REG_TIMER_DCR, 0xB);
    wr(VLAPIC_REG_LVT_TIMER, 0x07);
    wr(VLAPIC_REG_TIMER_ICR, 10);
    now_ns += 10;
    vlapic_update(&apic);
    assert_int_equal(esr(), VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
}

static void test_reserved_offsets(void **state)
{
    (void)state;
    enable();
    assert_int_equal(rd(0x040), 0);                 /* reserved slot */
    assert_int_equal(esr(), VLAPIC_ESR_ILLEGAL_REGISTER);
    wr(VLAPIC_REG_SELF_IPI, 0x40);                  /* x2APIC only */
    assert_false(reg_bit(VLAPIC_REG_IRR, 0x40));
    assert_int_equal(esr(), VLAPIC_ESR_ILLEGAL_REGISTER);
    assert_int_equal(rd(0x2F0), 0);                 /* no CMCI LVT (max LVT 5) */
    assert_int_equal(rd(0xFF0), 0);
    assert_int_equal(esr(), VLAPIC_ESR_ILLEGAL_REGISTER);
    /* an offset inside a register slot: 0, no error; outside the page: the same */
    assert_int_equal(rd(VLAPIC_REG_VER + 4), 0);
    assert_int_equal(rd(0x1000), 0);
    wr(VLAPIC_REG_TPR + 8, 0x55);
    assert_int_equal(rd(VLAPIC_REG_TPR), 0);
    /* read-only registers ignore writes without error */
    wr(VLAPIC_REG_VER, 0);
    wr(VLAPIC_REG_PPR, 0xFF);
    wr(VLAPIC_REG_IRR, 0xFFFFFFFF);
    wr(VLAPIC_REG_TIMER_CCR, 5);
    assert_int_equal(rd(VLAPIC_REG_VER), 0x00050014);
    assert_int_equal(rd(VLAPIC_REG_IRR), 0);
    assert_int_equal(esr(), 0);
    /* writable xAPIC ID, LDR, DFR (their reserved bits dropped) */
    wr(VLAPIC_REG_ID, 0x12345678);
    assert_int_equal(rd(VLAPIC_REG_ID), 0x12000000);
    wr(VLAPIC_REG_LDR, 0xFFFFFFFF);
    assert_int_equal(rd(VLAPIC_REG_LDR), 0xFF000000);
    wr(VLAPIC_REG_DFR, 0);
    assert_int_equal(rd(VLAPIC_REG_DFR), 0x0FFFFFFF);
    wr(VLAPIC_REG_SVR, 0xFFFFFFFF);
    assert_int_equal(rd(VLAPIC_REG_SVR), 0x3FF);
}

static void test_lvt_writable_bits(void **state)
{
    static const uint32_t want[6] = { 0x700FF, 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF };
    unsigned i;

    (void)state;
    enable();
    for (i = 0; i < 6; i++) {
        wr(VLAPIC_REG_LVT_TIMER + 0x10 * i, 0xFFFFFFFF);
        assert_int_equal(rd(VLAPIC_REG_LVT_TIMER + 0x10 * i), want[i]);
    }
    wr(VLAPIC_REG_ICR_HI, 0xFFFFFFFF);
    assert_int_equal(rd(VLAPIC_REG_ICR_HI), 0xFF000000);
}

static void test_ipis_xapic(void **state)
{
    (void)state;
    enable();
    wr(VLAPIC_REG_ICR_LO, 0x40000 | 0x40);          /* shorthand self */
    assert_true(reg_bit(VLAPIC_REG_IRR, 0x40));
    assert_int_equal(rd(VLAPIC_REG_ICR_LO) & 0x1000, 0);   /* delivery status idle */
    assert_int_equal(ipi_count, 0);
    wr(VLAPIC_REG_ICR_HI, 0);                       /* physical, own ID 0 */
    wr(VLAPIC_REG_ICR_LO, 0x41);
    assert_true(reg_bit(VLAPIC_REG_IRR, 0x41));
    assert_int_equal(ipi_count, 0);
    wr(VLAPIC_REG_ICR_HI, 0x05000000);              /* another APIC */
    wr(VLAPIC_REG_ICR_LO, 0x42);
    assert_false(reg_bit(VLAPIC_REG_IRR, 0x42));
    assert_int_equal(ipi_count, 1);
    assert_int_equal(ipi_icr, 0x0500000000000042ull);
    assert_false(ipi_x2);
    wr(VLAPIC_REG_ICR_HI, 0xFF000000);              /* physical broadcast: both */
    wr(VLAPIC_REG_ICR_LO, 0x43);
    assert_true(reg_bit(VLAPIC_REG_IRR, 0x43));
    assert_int_equal(ipi_count, 2);
    wr(VLAPIC_REG_ICR_LO, 0x80000 | 0x44);          /* all including self */
    assert_true(reg_bit(VLAPIC_REG_IRR, 0x44));
    assert_int_equal(ipi_count, 3);
    wr(VLAPIC_REG_ICR_LO, 0xC0000 | 0x45);          /* all excluding self */
    assert_false(reg_bit(VLAPIC_REG_IRR, 0x45));
    assert_int_equal(ipi_count, 4);
    wr(VLAPIC_REG_ICR_LO, 0x40000 | 0x400);         /* NMI to self */
    assert_true(vlapic_take_nmi(&apic));
    assert_false(vlapic_take_nmi(&apic));
    wr(VLAPIC_REG_ICR_LO, 0xC8000 | 0x500);         /* INIT level de-assert: nothing */
    assert_int_equal(ipi_count, 4);
    wr(VLAPIC_REG_ICR_LO, 0xFFFFFFFF);              /* reserved bits dropped */
    assert_int_equal(rd(VLAPIC_REG_ICR_LO), 0xCCFFF);
}

static void test_deliver_modes(void **state)
{
    uint8_t v = 0;

    (void)state;
    /* NMI, INIT and SIPI are taken even while software-disabled; fixed ones are not */
    assert_false(vlapic_deliver(&apic, VLAPIC_DM_FIXED, 0x40, false));
    assert_true(vlapic_deliver(&apic, VLAPIC_DM_NMI, 0, false));
    assert_true(vlapic_deliver(&apic, VLAPIC_DM_INIT, 0, false));
    assert_true(vlapic_deliver(&apic, VLAPIC_DM_SIPI, 0x9A, false));
    assert_false(vlapic_deliver(&apic, VLAPIC_DM_SMI, 0, false));
    assert_false(vlapic_deliver(&apic, VLAPIC_DM_EXTINT, 0, false));
    assert_false(vlapic_deliver(&apic, 3, 0x40, false));
    assert_true(vlapic_take_nmi(&apic));
    assert_true(vlapic_take_init(&apic));
    assert_false(vlapic_take_init(&apic));
    assert_true(vlapic_take_sipi(&apic, &v));
    assert_int_equal(v, 0x9A);
    assert_false(vlapic_take_sipi(&apic, &v));
    enable();
    assert_true(vlapic_deliver(&apic, VLAPIC_DM_LOWEST, 0x40, true));
    assert_true(reg_bit(VLAPIC_REG_TMR, 0x40));
}

/* --- x2APIC, IA32_APIC_BASE, destinations --- */

static void to_x2apic(void)
{
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00C00), 0);
    assert_true(vlapic_x2apic(&apic));
}

static void test_x2apic_msrs(void **state)
{
    uint64_t v = 7;

    (void)state;
    vlapic_init(&apic, 0x25, true, &clk);
    assert_int_equal(vlapic_msr_read(&apic, 0x802, &v), -1);   /* xAPIC mode: #GP */
    assert_int_equal(vlapic_msr_write(&apic, 0x808, 0), -1);
    to_x2apic();
    assert_false(vlapic_mmio_enabled(&apic));
    assert_int_equal(rd(VLAPIC_REG_VER), 0xFFFFFFFF);
    assert_int_equal(vlapic_msr_read(&apic, 0x802, &v), 0);
    assert_int_equal(v, 0x25);
    assert_int_equal(vlapic_msr_read(&apic, 0x803, &v), 0);
    assert_int_equal(v, 0x00050014);
    assert_int_equal(vlapic_msr_read(&apic, 0x80D, &v), 0);
    assert_int_equal(v, (2u << 16) | (1u << 5));             /* cluster 2, bit 5 */
    /* read-only and write-only registers, reserved MSRs */
    assert_int_equal(vlapic_msr_write(&apic, 0x802, 0), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x80D, 0), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x803, 0), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x839, 0), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x820, 0), -1);
    assert_int_equal(vlapic_msr_read(&apic, 0x80B, &v), -1);
    assert_int_equal(vlapic_msr_read(&apic, 0x83F, &v), -1);
    static const uint32_t reserved[] = { 0x800, 0x801, 0x804, 0x809, 0x80C, 0x80E, 0x82F,
                                         0x831, 0x83A, 0x840, 0x8FF, 0x7FF, 0x900 };
    for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        assert_int_equal(vlapic_msr_read(&apic, reserved[i], &v), -1);
        assert_int_equal(vlapic_msr_write(&apic, reserved[i], 0), -1);
    }
    /* reserved bits */
    assert_int_equal(vlapic_msr_write(&apic, 0x80F, 0x1FF), 0);
    assert_int_equal(vlapic_msr_write(&apic, 0x80F, 0x11FF), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x808, 0x100), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x808, 1ull << 32), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x808, 0x20), 0);
    assert_int_equal(vlapic_msr_read(&apic, 0x808, &v), 0);
    assert_int_equal(v, 0x20);
    assert_int_equal(vlapic_msr_write(&apic, 0x80B, 1), -1);     /* EOI: only 0 */
    assert_int_equal(vlapic_msr_write(&apic, 0x80B, 0), 0);
    assert_int_equal(vlapic_msr_write(&apic, 0x828, 1), -1);     /* ESR: only 0 */
    assert_int_equal(vlapic_msr_write(&apic, 0x828, 0), 0);
    assert_int_equal(vlapic_msr_write(&apic, 0x83E, 0x4), -1);   /* DCR bit 2 */
    assert_int_equal(vlapic_msr_write(&apic, 0x832, 0x80000), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x832, 0x20040), 0);
    assert_int_equal(vlapic_msr_write(&apic, 0x835, 0x1A7FF), 0);
    assert_int_equal(vlapic_msr_write(&apic, 0x835, 0x20000), -1);
    /* SELF IPI */
    assert_int_equal(vlapic_msr_write(&apic, 0x83F, 0x100), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x83F, 0x44), 0);
    assert_int_equal(vlapic_pending_vector(&apic), 0x44);
    assert_int_equal(vlapic_msr_read(&apic, 0x820 + 0x44 / 32, &v), 0);
    assert_int_equal(v, 1u << (0x44 % 32));
    /* the 64-bit ICR: reserved bits, own ID, another's */
    assert_int_equal(vlapic_msr_write(&apic, 0x830, 0x2000 | 0x45), -1);
    assert_int_equal(vlapic_msr_write(&apic, 0x830, 0x25ull << 32 | 0x46), 0);
    assert_int_equal(vlapic_msr_read(&apic, 0x820 + 0x46 / 32, &v), 0);
    assert_true(v & (1u << (0x46 % 32)));
    assert_int_equal(ipi_count, 0);
    assert_int_equal(vlapic_msr_write(&apic, 0x830, 0x125ull << 32 | 0x47), 0);
    assert_int_equal(ipi_count, 1);
    assert_true(ipi_x2);
    assert_int_equal(ipi_icr, 0x125ull << 32 | 0x47);
    assert_int_equal(vlapic_msr_read(&apic, 0x830, &v), 0);
    assert_int_equal(v, 0x125ull << 32 | 0x47);
}

static void test_apic_base_transitions(void **state)
{
    (void)state;
    enable();
    vlapic_accept(&apic, 0x40, false);
    /* refused: relocation, reserved bits, EXTD without EN */
    assert_int_equal(vlapic_set_base(&apic, 0xFED00900), -1);
    assert_int_equal(vlapic_set_base(&apic, 0x1FEE00900ull), -1);
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00901), -1);
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00B00), -1);
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00500), -1);
    assert_int_equal(vlapic_base(&apic), 0xFEE00900);
    /* the BSP bit is read-only */
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00800), 0);
    assert_int_equal(vlapic_base(&apic), 0xFEE00900);
    /* xAPIC -> x2APIC keeps state; x2APIC -> xAPIC is refused */
    to_x2apic();
    assert_int_equal(vlapic_pending_vector(&apic), 0x40);
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00900), -1);
    assert_true(vlapic_x2apic(&apic));
    /* -> disabled: the state is lost; the 8259 reaches the CPU directly */
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00100), 0);
    assert_int_equal(vlapic_base(&apic), 0xFEE00100);
    assert_false(vlapic_hw_enabled(&apic));
    assert_false(vlapic_mmio_enabled(&apic));
    assert_true(vlapic_accepts_pic(&apic));
    assert_int_equal(vlapic_pending_vector(&apic), -1);
    assert_false(vlapic_deliver(&apic, VLAPIC_DM_NMI, 0, false));
    assert_false(vlapic_match_dest(&apic, 0xFF, false));
    /* disabled -> x2APIC is refused; -> xAPIC gives the reset state */
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00D00), -1);
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00900), 0);
    assert_int_equal(rd(VLAPIC_REG_SVR), 0xFF);
    assert_int_equal(rd(VLAPIC_REG_IRR + 0x20), 0);
    assert_int_equal(rd(VLAPIC_REG_LVT_LINT0), 0x10000);
    /* xAPIC -> disabled also resets, and the timer stops */
    timer(0x20000 | 0x50, 0xB, 100);
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00100), 0);
    assert_int_equal(vlapic_next_event_ns(&apic), UINT64_MAX);
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00900), 0);
    assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 0);
}

static void test_match_dest(void **state)
{
    (void)state;
    vlapic_init(&apic, 0x12, false, &clk);
    /* xAPIC physical: the 8-bit ID or broadcast */
    assert_true(vlapic_match_dest(&apic, 0x12, false));
    assert_true(vlapic_match_dest(&apic, 0xFF, false));
    assert_false(vlapic_match_dest(&apic, 0x13, false));
    /* flat logical model */
    wr(VLAPIC_REG_LDR, 0x24000000);
    assert_true(vlapic_match_dest(&apic, 0x04, true));
    assert_true(vlapic_match_dest(&apic, 0x21, true));
    assert_false(vlapic_match_dest(&apic, 0x41, true));
    assert_true(vlapic_match_dest(&apic, 0xFF, true));
    /* cluster model: cluster 2, member bit 2 */
    wr(VLAPIC_REG_DFR, 0x0FFFFFFF);
    assert_true(vlapic_match_dest(&apic, 0x24, true));
    assert_true(vlapic_match_dest(&apic, 0x2F, true));
    assert_false(vlapic_match_dest(&apic, 0x34, true));
    assert_false(vlapic_match_dest(&apic, 0x2B, true));
    assert_true(vlapic_match_dest(&apic, 0xFF, true));
    /* an undefined model addresses nobody */
    wr(VLAPIC_REG_DFR, 0x5FFFFFFF);
    assert_false(vlapic_match_dest(&apic, 0x24, true));
    /* x2APIC: 32-bit physical IDs, clusters of 16 */
    to_x2apic();
    assert_true(vlapic_match_dest(&apic, 0x12, false));
    assert_false(vlapic_match_dest(&apic, 0xFF, false));
    assert_true(vlapic_match_dest(&apic, 0xFFFFFFFF, false));
    assert_false(vlapic_match_dest(&apic, 0x112, false));
    assert_true(vlapic_match_dest(&apic, (1u << 16) | (1u << 2), true));
    assert_true(vlapic_match_dest(&apic, (1u << 16) | 0xFFFF, true));
    assert_false(vlapic_match_dest(&apic, (1u << 16) | (1u << 3), true));
    assert_false(vlapic_match_dest(&apic, (2u << 16) | (1u << 2), true));
    assert_true(vlapic_match_dest(&apic, 0xFFFFFFFF, true));
}

static void test_accepts_pic(void **state)
{
    (void)state;
    assert_false(vlapic_accepts_pic(&apic));        /* power-on: LINT0 masked */
    vlapic_virtual_wire(&apic);
    assert_true(vlapic_accepts_pic(&apic));
    assert_int_equal(rd(VLAPIC_REG_LVT_LINT0), 0x700);
    assert_int_equal(rd(VLAPIC_REG_LVT_LINT1), 0x400);
    assert_int_equal(rd(VLAPIC_REG_SVR), 0x1FF);
    wr(VLAPIC_REG_LVT_LINT0, 0x10700);              /* masked */
    assert_false(vlapic_accepts_pic(&apic));
    wr(VLAPIC_REG_LVT_LINT0, 0x00031);              /* fixed, not ExtINT */
    assert_false(vlapic_accepts_pic(&apic));
    wr(VLAPIC_REG_LVT_LINT0, 0x00700);
    assert_true(vlapic_accepts_pic(&apic));
    wr(VLAPIC_REG_SVR, 0xFF);                       /* software-disable masks LINT0 */
    assert_false(vlapic_accepts_pic(&apic));
    assert_int_equal(vlapic_set_base(&apic, 0xFEE00000), 0);
    assert_true(vlapic_accepts_pic(&apic));         /* hardware-disabled: no APIC */
}

static void test_dump(void **state)
{
    char buf[256];
    size_t n;

    (void)state;
    enable();
    vlapic_accept(&apic, 0x31, false);
    n = vlapic_dump(&apic, buf, sizeof(buf));
    assert_int_equal(n, strlen(buf));
    assert_non_null(strstr(buf, "xapic id=00 svr=1ff"));
    assert_non_null(strstr(buf, "irr=31 isr=--"));
    n = vlapic_dump(&apic, buf, 8);
    assert_int_equal(n, 7);
    assert_string_equal(buf, "xapic i");
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values, setup),
        cmocka_unit_test_setup(test_software_disable_masks, setup),
        cmocka_unit_test_setup(test_tpr_ppr_priority_classes, setup),
        cmocka_unit_test_setup(test_irr_isr_eoi_nesting, setup),
        cmocka_unit_test_setup(test_level_eoi_callback, setup),
        cmocka_unit_test_setup(test_illegal_vectors_and_esr, setup),
        cmocka_unit_test_setup(test_reserved_offsets, setup),
        cmocka_unit_test_setup(test_lvt_writable_bits, setup),
        cmocka_unit_test_setup(test_ipis_xapic, setup),
        cmocka_unit_test_setup(test_deliver_modes, setup),
        cmocka_unit_test_setup(test_x2apic_msrs, setup),
        cmocka_unit_test_setup(test_apic_base_transitions, setup),
        cmocka_unit_test_setup(test_match_dest, setup),
        cmocka_unit_test_setup(test_accepts_pic, setup),
        cmocka_unit_test_setup(test_dump, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
