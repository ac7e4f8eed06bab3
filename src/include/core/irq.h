/* A domain's interrupt wiring, as on a PC (src/core/irq.c): the ISA devices' lines go to
 * both the 8259 pair and the I/O APIC (ISA IRQ 0, the PIT, on I/O APIC pin 2 as the MADT's
 * override says; the others on the pin of their number); the I/O APIC's messages go to the
 * local APIC; the vCPU takes the local APIC's highest deliverable vector, or the 8259's
 * through LINT0 while the local APIC passes it (virtual-wire mode, or no APIC). Every
 * domain has this whole platform: a Multiboot guest simply never leaves virtual-wire mode.
 * Each vCPU has a local APIC (vcpu_lapic(), APIC ID = vCPU id); the 8259 reaches vCPU 0
 * only, the I/O APIC and IPIs whichever vCPUs they name. */
#ifndef KESTREL_CORE_IRQ_H
#define KESTREL_CORE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct domain;
struct vcpu;

#define DOMAIN_LAPIC_BASE  0xFEE00000ull
#define DOMAIN_IOAPIC_BASE 0xFEC00000ull
#define DOMAIN_TIMER_GSI   2u          /* ISA IRQ 0 (the PIT) on the I/O APIC */

/* Set up d's local APIC (in virtual-wire mode, as a BIOS leaves the BSP) and I/O APIC and
 * put their pages on d's MMIO bus. After the port devices are wired. */
void domain_irq_init(struct domain *d);
/* Back to power-on state, as after a RESET of the machine (domain reboot). */
void domain_irq_reset(struct domain *d);

/* Bring every line up to date: PIT edges and the UART's line into the 8259s and the I/O
 * APIC, due local APIC timer expiries into its IRR; first the NICs' unfinished transmit
 * batches (domain_net_poll), whose interrupts are lines too. */
void domain_update_irqs(struct domain *d);
/* The vector v would take if it could now (its IF aside), or -1. */
int vcpu_irq_pending(struct vcpu *v);
/* Take that vector (the CPU's INTA: local APIC IRR to ISR, or the 8259's cycle); -1 if
 * none. */
int vcpu_irq_ack(struct vcpu *v);
/* When a device of v's domain next raises something v could take (time_now_ns scale):
 * the PIT's next IRQ 0 edge if IRQ 0 can reach v, v's local APIC timer's next expiry, the
 * ACPI PM timer's next status change. UINT64_MAX if nothing is due. */
uint64_t vcpu_irq_next_event_ns(const struct vcpu *v);
/* A SIPI started v (an AP) since it last ran: true once, with the SIPI's vector; the
 * caller puts v in the real-mode state a SIPI gives, at vector * 4 KiB. */
bool vcpu_take_sipi(struct vcpu *v, uint8_t *vector);

#endif
