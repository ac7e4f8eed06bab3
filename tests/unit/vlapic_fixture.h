/* The test fixture of the local APIC's unit tests (test_vlapic.c, test_vlapic_timer.c):
 * one APIC on a fake clock (ns; the guest TSC at 2 per ns), callbacks that record EOIs and
 * IPIs, register accessors, and setup() putting a fresh APIC in its reset state. Included
 * by each test program (they are separate programs), so its definitions are static. */
#ifndef KESTREL_TESTS_VLAPIC_FIXTURE_H
#define KESTREL_TESTS_VLAPIC_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/lapic.h"

#define TSC_HZ 2000000000ull       /* guest TSC = 2 x ns */

static struct vlapic apic;
static struct vlapic_clock clk;
static uint64_t now_ns;
static int eoi_count, ipi_count;
static uint8_t eoi_vector;
static uint64_t ipi_icr;
static bool ipi_x2;

static inline uint64_t clock_now(void *ctx) { (void)ctx; return now_ns; }
static inline uint64_t clock_tsc(void *ctx) { (void)ctx; return now_ns * 2; }
static inline void on_eoi(void *ctx, uint8_t v) { (void)ctx; eoi_count++; eoi_vector = v; }

static inline void on_ipi(void *ctx, uint64_t icr, bool x2)
{
    (void)ctx;
    ipi_count++;
    ipi_icr = icr;
    ipi_x2 = x2;
}

static inline uint32_t rd(uint32_t off) { return vlapic_mmio_read(&apic, off); }
static inline void wr(uint32_t off, uint32_t v) { vlapic_mmio_write(&apic, off, v); }

static int setup(void **state)
{
    (void)state;
    now_ns = 1000000;
    eoi_count = ipi_count = 0;
    eoi_vector = 0;
    ipi_icr = 0;
    clk = (struct vlapic_clock){ .now_ns = clock_now, .tsc = clock_tsc, .tsc_hz = TSC_HZ,
                                 .eoi_level = on_eoi, .send_ipi = on_ipi };
    vlapic_init(&apic, 0, true, &clk);
    return 0;
}

/* Software-enable with spurious vector 0xFF, as an OS does first. */
static inline void enable(void)
{
    wr(VLAPIC_REG_SVR, 0x1FF);
}

/* Latch and read ESR (write, then read). */
static inline uint32_t esr(void)
{
    wr(VLAPIC_REG_ESR, 0);
    return rd(VLAPIC_REG_ESR);
}

static inline bool reg_bit(uint32_t base, uint8_t v)
{
    return rd(base + 0x10 * (v / 32)) & (1u << (v % 32));
}


/* Program the timer: LVT, divide configuration, initial count. Take vector v as the CPU
 * would (it must be the pending one). */
static inline void timer(uint32_t lvt, uint32_t dcr, uint32_t count)
{
    enable();
    wr(VLAPIC_REG_TIMER_DCR, dcr);
    wr(VLAPIC_REG_LVT_TIMER, lvt);
    wr(VLAPIC_REG_TIMER_ICR, count);
}

static inline void take(uint8_t v)
{
    assert_int_equal(vlapic_pending_vector(&apic), v);
    vlapic_ack(&apic, v);
    wr(VLAPIC_REG_EOI, 0);
}

#endif
