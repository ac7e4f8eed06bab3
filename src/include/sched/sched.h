/* The scheduler: weighted fair sharing of the CPU between the vCPUs of all domains (policy
 * in sched/policy.h), preemption by the host tick, blocked vCPUs that cost nothing, and the
 * main loop that also serves the serial console and idles with HLT. */
#ifndef KESTREL_SCHED_SCHED_H
#define KESTREL_SCHED_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

void sched_init(uint64_t slice_ns);
void sched_vcpu_init(struct vcpu *v, uint32_t weight);
/* Runnable from now on (a domain started or unpaused). */
void sched_vcpu_start(struct vcpu *v);
/* Off the CPU for good or until started again (paused, shut down, destroyed). */
void sched_vcpu_stop(struct vcpu *v);
/* The vCPU waits for an interrupt or its wake_at_ns (HLT, HC_BLOCK). */
void sched_vcpu_block(struct vcpu *v);
/* End the vCPU's slice now (HC_YIELD). */
void sched_vcpu_yield(struct vcpu *v);
void sched_set_vcpu_weight(struct vcpu *v, uint32_t weight);
/* An interrupt or IPI arrived for blocked vCPU v: runnable again, and the vCPU on the CPU
 * ends its slice so that v runs soon (another vCPU of its guest may be waiting for it). */
void sched_vcpu_kick(struct vcpu *v);
/* Serve the console and run vCPUs forever. */
__attribute__((noreturn)) void sched_loop(void);
/* The scheduler period (sched_slice_ms=), in ns. */
uint64_t sched_slice_ns(void);
/* The vCPU on the CPU now, or NULL. */
struct vcpu *sched_current(void);
/* How often the CPU was idle, in ns since boot. */
uint64_t sched_idle_ns(void);

#endif
