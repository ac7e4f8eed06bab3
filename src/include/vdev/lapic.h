/* A virtual local APIC (one per vCPU): the xAPIC register page and the x2APIC MSRs as the
 * Intel SDM vol. 3 ch. 10 ("Advanced Programmable Interrupt Controller") describes them,
 * with the APIC timer in one-shot, periodic and TSC-deadline modes. A pure register
 * model: no hardware, time from the caller's clock (nothing ticks: the current count and
 * the expiries are computed from the clock when asked, like the PIT in pit.h).
 *
 * The model presents itself as:
 *   - version 0x14 (an integrated APIC) with max LVT entry 5: six LVTs (timer, thermal,
 *     performance counter, LINT0, LINT1, error), no CMCI LVT, no directed-EOI support
 *     (version register 0x00050014, SVR bit 12 reserved);
 *   - the APIC timer's input clock is VLAPIC_BUS_HZ (1 GHz) before the divide
 *     configuration, so one timer tick is exactly div nanoseconds; the integrator reports
 *     it in CPUID leaf 0x15/0x16 as it sees fit; TSC-deadline mode is supported (CPUID
 *     1:ECX[24] may be set) and x2APIC mode always is (set CPUID 1:ECX[21] to expose it);
 *   - only the default base 0xFEE00000: IA32_APIC_BASE writes that move it are refused
 *     (#GP), never silently ignored;
 *   - delivery is immediate: the ICR's and LVTs' delivery-status bits always read idle.
 *
 * The integrator calls vlapic_update() before looking for an interrupt to inject, then
 * vlapic_pending_vector() / vlapic_ack(), and arms its host timer at
 * vlapic_next_event_ns(). Not locked: the caller serialises access (one vCPU's APIC is
 * touched by that vCPU's exit path only, plus IPI senders under the domain's lock). */
#ifndef KESTREL_VDEV_LAPIC_H
#define KESTREL_VDEV_LAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VLAPIC_BUS_HZ        1000000000ull  /* timer input clock before the divider */
#define VLAPIC_VERSION       0x00050014u    /* version 0x14, max LVT entry 5 */
#define VLAPIC_DEFAULT_BASE  0xFEE00000ull
#define VLAPIC_MMIO_SIZE     0x1000u

/* IA32_APIC_BASE bits */
#define VLAPIC_BASE_BSP      (1ull << 8)
#define VLAPIC_BASE_EXTD     (1ull << 10)   /* x2APIC mode */
#define VLAPIC_BASE_EN       (1ull << 11)   /* APIC globally (hardware) enabled */

#define VLAPIC_MSR_APIC_BASE     0x1Bu
#define VLAPIC_MSR_TSC_DEADLINE  0x6E0u
#define VLAPIC_MSR_X2APIC_FIRST  0x800u
#define VLAPIC_MSR_X2APIC_LAST   0x8FFu

/* xAPIC register offsets in the 4 KiB page (x2APIC MSR = 0x800 + offset / 16) */
#define VLAPIC_REG_ID     0x020
#define VLAPIC_REG_VER    0x030
#define VLAPIC_REG_TPR    0x080
#define VLAPIC_REG_APR    0x090
#define VLAPIC_REG_PPR    0x0A0
#define VLAPIC_REG_EOI    0x0B0
#define VLAPIC_REG_RRD    0x0C0
#define VLAPIC_REG_LDR    0x0D0
#define VLAPIC_REG_DFR    0x0E0
#define VLAPIC_REG_SVR    0x0F0
#define VLAPIC_REG_ISR    0x100     /* 8 registers, 16 bytes apart */
#define VLAPIC_REG_TMR    0x180
#define VLAPIC_REG_IRR    0x200
#define VLAPIC_REG_ESR    0x280
#define VLAPIC_REG_ICR_LO 0x300
#define VLAPIC_REG_ICR_HI 0x310
#define VLAPIC_REG_LVT_TIMER   0x320
#define VLAPIC_REG_LVT_THERMAL 0x330
#define VLAPIC_REG_LVT_PERF    0x340
#define VLAPIC_REG_LVT_LINT0   0x350
#define VLAPIC_REG_LVT_LINT1   0x360
#define VLAPIC_REG_LVT_ERROR   0x370
#define VLAPIC_REG_TIMER_ICR   0x380
#define VLAPIC_REG_TIMER_CCR   0x390
#define VLAPIC_REG_TIMER_DCR   0x3E0
#define VLAPIC_REG_SELF_IPI    0x3F0   /* x2APIC only */

/* Index of each LVT in struct vlapic.lvt[] */
enum { VLAPIC_LVT_TIMER, VLAPIC_LVT_THERMAL, VLAPIC_LVT_PERF, VLAPIC_LVT_LINT0,
       VLAPIC_LVT_LINT1, VLAPIC_LVT_ERROR, VLAPIC_NR_LVT };

/* LVT / ICR fields */
#define VLAPIC_LVT_MASKED      (1u << 16)
#define VLAPIC_LVT_LEVEL       (1u << 15)
#define VLAPIC_DM_FIXED   0u
#define VLAPIC_DM_LOWEST  1u
#define VLAPIC_DM_SMI     2u
#define VLAPIC_DM_NMI     4u
#define VLAPIC_DM_INIT    5u
#define VLAPIC_DM_SIPI    6u
#define VLAPIC_DM_EXTINT  7u
#define VLAPIC_TIMER_ONESHOT   0u   /* LVT timer bits 18:17 */
#define VLAPIC_TIMER_PERIODIC  1u
#define VLAPIC_TIMER_DEADLINE  2u   /* 3 is reserved: the timer does not run */

/* ESR bits */
#define VLAPIC_ESR_SEND_ILLEGAL_VECTOR  (1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL_VECTOR  (1u << 6)
#define VLAPIC_ESR_ILLEGAL_REGISTER     (1u << 7)

/* What the APIC needs from its vCPU and domain. Any callback may be NULL (no clock reads
 * as 0; a missing eoi_level/send_ipi drops the event). */
struct vlapic_clock {
    uint64_t (*now_ns)(void *ctx);          /* monotonic ns: the timer's time base */
    uint64_t (*tsc)(void *ctx);             /* the guest's TSC now (TSC-deadline mode) */
    uint64_t tsc_hz;                        /* guest TSC rate (0: deadlines fire at once) */
    /* EOI of a level-triggered vector: the I/O APIC's EOI broadcast (vioapic_eoi). */
    void (*eoi_level)(void *ctx, uint8_t vector);
    /* An IPI not (only) for this APIC: the ICR as this APIC's mode writes it, low 32 bits
     * the command, destination in bits 63:56 (xAPIC) or 63:32 (x2APIC, see x2apic arg). */
    void (*send_ipi)(void *ctx, uint64_t icr, bool x2apic);
    void *ctx;
};

struct vlapic {
    const struct vlapic_clock *clk;
    uint32_t apic_id;           /* initial (x2APIC) ID, from init */
    bool bsp;
    uint64_t base;              /* IA32_APIC_BASE */
    uint32_t id;                /* xAPIC ID register (bits 31:24) */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t esr;               /* as last latched by an ESR write */
    uint32_t esr_pending;       /* errors seen since that write */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[VLAPIC_NR_LVT];
    uint32_t irr[8], isr[8], tmr[8];   /* 256 bits each, vector v in word v/32 */
    /* timer: ticks(now) = t_base + (now - t_start_ns) / divisor while t_running */
    uint32_t timer_icr, timer_dcr;
    bool t_running;
    uint64_t t_start_ns, t_base, t_seen;   /* t_seen: expiries already handled */
    uint64_t tsc_deadline;      /* 0: disarmed */
    /* events other than fixed interrupts, for the integrator to poll (vlapic_take_*) */
    bool nmi_pending, init_pending, sipi_pending;
    uint8_t sipi_vector;
};

/* Set up an APIC with initial ID apic_id (the bootstrap processor's if is_bsp) and put it
 * in its power-on state (vlapic_reset). clk must outlive the APIC. */
void vlapic_init(struct vlapic *a, uint32_t apic_id, bool is_bsp,
                 const struct vlapic_clock *clk);

/* Power-on / RESET state (SDM 10.4.7.1): IA32_APIC_BASE 0xFEE00900 (BSP) or 0xFEE00800,
 * xAPIC mode, software-disabled (SVR 0xFF), every LVT masked, IRR/ISR/TMR/TPR/ICR/LDR
 * clear, DFR all ones, timer stopped, no pending events. */
void vlapic_reset(struct vlapic *a);

/* The state a PC BIOS hands to an OS in virtual-wire mode (MP spec 3.6.2.2): software-
 * enabled with spurious vector 0xFF, LINT0 ExtINT unmasked (the 8259 reaches the CPU),
 * LINT1 NMI unmasked. For the BSP of a guest booted without firmware. */
void vlapic_virtual_wire(struct vlapic *a);

/* --- modes and IA32_APIC_BASE --- */
bool vlapic_hw_enabled(const struct vlapic *a);     /* IA32_APIC_BASE.EN */
bool vlapic_sw_enabled(const struct vlapic *a);     /* and SVR bit 8 */
bool vlapic_x2apic(const struct vlapic *a);         /* x2APIC mode */
/* True when the xAPIC page answers (hardware-enabled, not x2APIC mode). Otherwise the
 * caller treats 0xFEE00000 as unclaimed (vlapic_mmio_read then gives all ones). */
bool vlapic_mmio_enabled(const struct vlapic *a);

uint64_t vlapic_base(const struct vlapic *a);
/* WRMSR IA32_APIC_BASE. Returns 0, or -1 for #GP: reserved bits (0-7, 9) set, EXTD
 * without EN, x2APIC -> xAPIC, disabled -> x2APIC (SDM 10.12.5, figure 10-27), or a base
 * address other than 0xFEE00000 (relocation is refused). The BSP bit is read-only
 * (ignored). Going to disabled resets the APIC (vlapic_reset's state, base aside);
 * entering x2APIC mode gives the x2APIC ID and the derived logical ID. */
int vlapic_set_base(struct vlapic *a, uint64_t val);

/* --- xAPIC MMIO: offset within the page (0..0xFFF), 32-bit accesses --- */
/* Registers sit at 16-byte aligned offsets. An offset not so aligned (or beyond the page)
 * reads 0 and a write to it is ignored; a reserved register slot reads 0 and sets ESR's
 * "illegal register address" either way; writes to read-only registers (ID aside, which
 * is writable in xAPIC mode as on P4 and later) are ignored without error. EOI reads 0. */
uint32_t vlapic_mmio_read(struct vlapic *a, uint32_t offset);
void vlapic_mmio_write(struct vlapic *a, uint32_t offset, uint32_t val);

/* --- x2APIC MSRs 0x800-0x8FF --- */
/* Return 0, or -1 for #GP (SDM 10.12.1.2-3, table 10-6): not in x2APIC mode, an MSR not
 * in the table (APR, DFR, RRD, ICR high, CMCI and the holes are reserved), a read of EOI or
 * SELF IPI, a write of a read-only register, a nonzero write to EOI or ESR, reserved bits
 * set in the written value (bits 63:32 of all but the ICR). */
int vlapic_msr_read(struct vlapic *a, uint32_t msr, uint64_t *val);
int vlapic_msr_write(struct vlapic *a, uint32_t msr, uint64_t val);

/* --- IA32_TSC_DEADLINE --- */
/* The armed deadline in TSC-deadline mode, else 0. */
uint64_t vlapic_tsc_deadline_read(const struct vlapic *a);
/* Arms (val != 0) or disarms (0) in TSC-deadline mode; ignored in other modes. A deadline
 * already reached fires at once (before this returns). */
void vlapic_tsc_deadline_write(struct vlapic *a, uint64_t val);

/* --- interrupts in --- */
/* A fixed (or lowest-priority) interrupt message for this APIC: sets IRR, and TMR if
 * level, else clears it. Vectors 0-15 are illegal: ESR "received illegal vector" and
 * dropped. Dropped too while the APIC is hardware- or software-disabled (as Xen and KVM
 * do). Returns true if the vector now stands in IRR. */
bool vlapic_accept(struct vlapic *a, uint8_t vector, bool level);
/* Any delivery mode (VLAPIC_DM_*) for this APIC, as an I/O APIC or IPI message brings
 * it: fixed/lowest as vlapic_accept; NMI, INIT, SIPI set their pending flags (also while
 * software-disabled, SDM 10.4.7.2); SMI and ExtINT messages and reserved modes are
 * dropped (no SMM; ExtINT only comes through LINT0, see vlapic_accepts_pic). Returns true
 * if accepted. */
bool vlapic_deliver(struct vlapic *a, unsigned delivery_mode, uint8_t vector, bool level);

/* LINT0/ExtINT rule: the 8259's INTR may reach the CPU now, i.e. the APIC is hardware-
 * disabled (no APIC in the path), or LVT LINT0 is unmasked with delivery mode ExtINT
 * (virtual-wire mode; a software-disabled APIC has every LVT masked, so it never passes
 * the PIC). The integrator then takes the vector from vpic_ack. */
bool vlapic_accepts_pic(const struct vlapic *a);

/* Whether a message to (dest, logical) is for this APIC (SDM 10.6.2). Physical: the APIC
 * ID (8 bits in xAPIC mode, dest's low byte; 32 in x2APIC) or broadcast (0xFF xAPIC,
 * 0xFFFFFFFF x2APIC). Logical xAPIC: 0xFF always; flat model (DFR 0xF...) when dest & LDR
 * bits 31:24 != 0; cluster model (DFR 0x0...) when the high nibbles match and the low ones
 * share a bit. Logical x2APIC: 0xFFFFFFFF, or same cluster (bits 31:16) sharing a bit of
 * the low 16. A hardware-disabled APIC matches nothing. An 8-bit source (I/O APIC, MSI)
 * aimed at an x2APIC-mode APIC must widen its broadcast 0xFF to 0xFFFFFFFF itself. */
bool vlapic_match_dest(const struct vlapic *a, uint32_t dest, bool logical);

/* --- interrupts out: the CPU's side --- */
/* Highest IRR vector whose priority class (bits 7:4) is above PPR's, or -1 (also when
 * hardware-disabled). A software-disabled APIC still offers what it holds (SDM 10.4.7.2). */
int vlapic_pending_vector(const struct vlapic *a);
/* The CPU took vector (INTA): IRR -> ISR. Ignored if vector is not in IRR. */
void vlapic_ack(struct vlapic *a, uint8_t vector);
/* The processor-priority register now: TPR or the in-service class, whichever is higher. */
uint32_t vlapic_ppr(const struct vlapic *a);
/* TPR as CR8 sees it (bits 7:4 of TPR) and a CR8 write (bits 3:0 of val). */
uint8_t vlapic_cr8(const struct vlapic *a);
void vlapic_set_cr8(struct vlapic *a, uint64_t val);

/* Pending non-fixed events: each returns true once per event and clears it. */
bool vlapic_take_nmi(struct vlapic *a);
bool vlapic_take_init(struct vlapic *a);
bool vlapic_take_sipi(struct vlapic *a, uint8_t *vector);

/* --- timer --- */
/* Move due timer expiries into IRR (one pending interrupt however many periods passed,
 * as hardware coalesces; none while LVT timer is masked, though the count runs on). */
void vlapic_update(struct vlapic *a);
/* Absolute clock (ns, the now_ns time base) when the next unmasked expiry is due (now or
 * earlier if one is already due), or UINT64_MAX if none will come. Note: a guest may
 * program a period of 1 ns; the caller bounds how often it arms its host timer. */
uint64_t vlapic_next_event_ns(const struct vlapic *a);
/* The timer's current-count register now. */
uint32_t vlapic_timer_ccr(const struct vlapic *a);

/* One-line summary (mode, ID, TPR/PPR, highest IRR/ISR, timer) into buf[0..len), NUL-
 * terminated, cut to fit; returns the length without the NUL. */
size_t vlapic_dump(const struct vlapic *a, char *buf, size_t len);

#endif
