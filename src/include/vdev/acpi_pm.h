/* The ACPI fixed-hardware PM registers a FADT points at, and the PC's reset control
 * register (port 0xCF9). The PM block is one 12-byte I/O range laid out as QEMU's PIIX4
 * PM does (base 0x600 by default):
 *   base+0  PM1a_STS  (16-bit, write 1 to clear: TMR_STS, PWRBTN_STS, WAK_STS)
 *   base+2  PM1a_EN   (16-bit: TMR_EN, PWRBTN_EN)
 *   base+4  PM1a_CNT  (16-bit: SCI_EN always 1 -- no SMI_CMD, ACPI mode is always on;
 *                      SLP_TYP in bits 10-12, SLP_EN bit 13 write-only)
 *   base+6  nothing   (reads all ones, writes dropped)
 *   base+8  PM_TMR    (32-bit, read-only, 3.579545 MHz from the caller's clock)
 * Writing SLP_EN with SLP_TYP = VACPI_PM_SLP_TYP_S5 (the DSDT's \_S5) calls poweroff(ctx);
 * any other sleep type is counted, ignored, and reported as an immediate wake (WAK_STS),
 * so an OS waiting for the wake does not hang. Nothing ticks: the timer and TMR_STS (its
 * bit 31 toggling) are derived from now_ns(ctx) when read.
 * The SCI is a level: vacpi_pm_sci() says whether it is asserted (the FADT/MADT describe it
 * as ISA IRQ 9, level, active high); the integrator routes it to the interrupt controller. */
#ifndef KESTREL_VDEV_ACPI_PM_H
#define KESTREL_VDEV_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/vdev.h"

#define VACPI_PM_BASE        0x600u   /* default; QEMU's PIIX4 PM base */
#define VACPI_PM_LEN         12u      /* register the range [base, base + 11] */
#define VACPI_PM_EVT_OFF     0u       /* PM1a_EVT_BLK: 4 bytes */
#define VACPI_PM_CNT_OFF     4u       /* PM1a_CNT_BLK: 2 bytes */
#define VACPI_PM_TMR_OFF     8u       /* PM_TMR_BLK: 4 bytes */
#define VACPI_PM_TMR_HZ      3579545u

#define VACPI_PM_SLP_TYP_S5  5u       /* the SLP_TYPa of the DSDT's \_S5 package */

/* PM1 status / enable bits (ACPI 6.x, 4.8.3.1). */
#define VACPI_PM1_TMR        (1u << 0)
#define VACPI_PM1_PWRBTN     (1u << 8)
#define VACPI_PM1_WAK        (1u << 15)   /* status only */
/* PM1 control bits. */
#define VACPI_PM1_SCI_EN     (1u << 0)
#define VACPI_PM1_SLP_EN     (1u << 13)

struct vacpi_pm {
    uint16_t base;
    uint64_t (*now_ns)(void *ctx);
    void (*poweroff)(void *ctx);
    void *ctx;
    uint16_t sts;               /* PWRBTN_STS, WAK_STS (TMR_STS is derived) */
    uint16_t en;
    uint16_t cnt;               /* BM_RLD and SLP_TYP as last written; SCI_EN added on read */
    uint64_t tmr_epoch;         /* timer ticks >> 31 when TMR_STS was last cleared */
    uint64_t poweroffs;         /* S5 requests */
    uint64_t sleeps_ignored;    /* other SLP_EN writes */
};

/* Power-on state at port base (the range [base, base + VACPI_PM_LEN) must not wrap).
 * now_ns must be monotonic; it and poweroff may be NULL (no clock: the timer reads 0). */
void vacpi_pm_init(struct vacpi_pm *pm, uint16_t base, uint64_t (*now_ns)(void *ctx),
                   void (*poweroff)(void *ctx), void *ctx);

/* The timer's value now (32 bits). */
uint32_t vacpi_pm_timer(const struct vacpi_pm *pm);

/* A press of the power button: sets PWRBTN_STS (raises the SCI if PWRBTN_EN). */
void vacpi_pm_press_power_button(struct vacpi_pm *pm);

/* True while the SCI is asserted: an enabled status bit is set. */
bool vacpi_pm_sci(const struct vacpi_pm *pm);

/* Absolute clock (ns) at which TMR_STS will next set while TMR_EN is on, so the caller can
 * wake for it; UINT64_MAX if TMR_EN is off or it is already set. */
uint64_t vacpi_pm_next_event_ns(const struct vacpi_pm *pm);

extern const struct vdev_ops vacpi_pm_ops;   /* [base, base + VACPI_PM_LEN - 1] */

/* The reset control register (Intel PIIX4/ICH RCR at 0xCF9): a byte. Writing a value with
 * bit 2 set (Linux writes bit 1 first, then bits 1|2, or 1|2|3 for a full reset) calls
 * reset(ctx); bits 1 and 3 are kept and read back, bit 2 reads 0. A full reset (bit 3) is
 * the same as a hard one here. */
struct vacpi_reset {
    void (*reset)(void *ctx);
    void *ctx;
    uint8_t value;
    uint64_t resets;
};

/* Power-on state (value 0). reset may be NULL. */
void vacpi_reset_init(struct vacpi_reset *r, void (*reset)(void *ctx), void *ctx);

/* Register on 0xCF9 alone when there is no PCI bus; with one, the PCI host owns
 * 0xCF8-0xCFF and forwards byte accesses at 0xCF9 here (see vdev/pci.h). */
extern const struct vdev_ops vacpi_reset_ops;

#endif
