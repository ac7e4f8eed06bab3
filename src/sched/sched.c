/* The main loop: serve serial input (so the shell answers whatever the guests do), apply
 * pending domain shutdowns, wake blocked vCPUs, pick the next vCPU by the weighted policy
 * and run it until its slice ends, it blocks, or the operator types; idle with HLT when
 * nothing is runnable. The host timer (tick or deadline) interrupts a guest even when it
 * runs with IF=0, because physical interrupts always exit (SVM's INTR intercept, VMX's
 * external-interrupt exiting). */
#include "sched/sched.h"
#include "sched/policy.h"
#include "core/domain.h"
#include "core/perfc.h"
#include "console/console.h"
#include "console/log.h"
#include "console/shell.h"
#include "arch/cpu.h"
#include "arch/time.h"
#include "arch/uart.h"

static struct sched_runq runq;      /* CPU 0's queue: the only one running guests today */
static uint64_t slice_ns = SCHED_SLICE_NS_DEFAULT;
static struct vcpu *current;
static uint64_t idle_ns;
static struct vcpu *last_run;       /* the vCPU that ran the last slice (perfc's switches) */

void sched_init(uint64_t ns)
{
    sched_runq_init(&runq);
    slice_ns = ns ? ns : SCHED_SLICE_NS_DEFAULT;
    sched_set_slice(slice_ns);
}

uint64_t sched_slice_ns(void) { return slice_ns; }
struct vcpu *sched_current(void) { return current; }
uint64_t sched_idle_ns(void) { return idle_ns; }

void sched_vcpu_init(struct vcpu *v, uint32_t weight)
{
    sched_entity_init(&v->se, v->dom->id, weight);
}

void sched_vcpu_start(struct vcpu *v)
{
    v->blocked = false;
    v->wake_at_ns = 0;
    if (!v->se.runnable)
        sched_enqueue(&runq, &v->se);
}

void sched_vcpu_stop(struct vcpu *v)
{
    v->blocked = false;
    v->stop = true;
    sched_dequeue(&runq, &v->se);
}

void sched_vcpu_block(struct vcpu *v)
{
    PERFC_INC(sched_blocks);
    v->blocked = true;
    v->stop = true;
    sched_dequeue(&runq, &v->se);
}

void sched_vcpu_yield(struct vcpu *v)
{
    PERFC_INC(sched_yields);
    v->stop = true;
}

void sched_vcpu_kick(struct vcpu *v)
{
    if (!v->blocked)
        return;
    PERFC_INC(sched_wakeups);
    sched_vcpu_start(v);
    if (current && current != v)
        current->stop = true;
}

void sched_set_vcpu_weight(struct vcpu *v, uint32_t weight)
{
    sched_set_weight(&runq, &v->se, weight);
}

/* Hand every byte that arrived on the serial line to the console. */
static void serve_console(void)
{
    int c;
    while ((c = uart_getc()) >= 0)
        console_input((unsigned char)c);
}

/* Put back on the queue each blocked vCPU whose interrupt or timeout has come; true if
 * one did. *next_due: when the earliest of those still blocked is due (UINT64_MAX: none). */
static bool wake_blocked(uint64_t now, uint64_t *next_due)
{
    bool woke = false;
    uint64_t next = UINT64_MAX;
    for (struct domain *d = domain_first(); d; d = domain_next(d))
        for (unsigned i = 0; i < d->nr_vcpus; i++) {
            struct vcpu *v = domain_vcpu(d, i);
            if (d->state != DOMAIN_RUNNING || !v->blocked)
                continue;
            if (vcpu_should_wake(v, now)) {
                PERFC_INC(sched_wakeups);
                sched_vcpu_start(v);
                woke = true;
                continue;
            }
            uint64_t due = vcpu_next_event_ns(v);
            if (due < next)
                next = due;
        }
    *next_due = next;
    return woke;
}

static uint64_t earliest(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Run v until its slice ends, it blocks or stops, a blocked vCPU wakes, or the operator
 * typed something. The host timer is armed for the earliest of the slice's end, v's own
 * next event (its PIT) and the blocked vCPUs' (others_due), and re-armed when that time
 * has come: a guest that never exits still stops on time, its timer interrupts arrive at
 * its PIT's rate rather than the host tick's, and a vCPU waking from HLT or HC_BLOCK gets
 * the CPU when its event is due (its vruntime, floored at one slice behind, puts it first)
 * instead of after the running vCPU's slice, as Xen's credit scheduler boosts wakers. */
static void run_slice(struct vcpu *v, uint64_t others_due)
{
    uint64_t start = time_now_ns(), now = start;
    uint64_t end = start + sched_slice_for(&runq, &v->se);
    uint64_t deadline = earliest(end, vcpu_next_event_ns(v), others_due);
    timer_deadline(deadline);
    PERFC_INC(sched_slices);
    if (PERFC_BUILD && v != last_run)
        PERFC_INC(sched_switches);
    if (PERFC_BUILD)
        last_run = v;
    current = v;
    v->stop = false;
    while (!v->stop) {
        vcpu_prepare_entry(v);
        arch_vcpu_run_once(v);
        now = time_now_ns();
        if (now >= end || uart_rx_pending())
            break;
        if (now >= deadline) {
            if (wake_blocked(now, &others_due))
                break;
            deadline = earliest(end, vcpu_next_event_ns(v), others_due);
            timer_deadline(deadline);
        }
    }
    current = NULL;
    sched_charge(&runq, &v->se, now - start);
}

void sched_loop(void)
{
    for (;;) {
        serve_console();
        domains_reap();
        uint64_t now = time_now_ns();
        console_idle(now);
        uint64_t due;
        wake_blocked(now, &due);
        struct sched_entity *e = sched_pick(&runq);
        if (e) {
            struct vcpu *v = (struct vcpu *)((char *)e - __builtin_offsetof(struct vcpu, se));
            run_slice(v, due);
            continue;
        }
        /* Nothing runnable: sleep until the next interrupt (the earliest blocked vCPU's
         * event, the tick at the latest). */
        timer_deadline(due);
        irq_disable();
        if (uart_rx_pending()) {
            irq_enable();
            continue;
        }
        uint64_t t0 = time_now_ns();
        PERFC_INC(sched_idle);
        cpu_wait_for_interrupt();
        idle_ns += time_now_ns() - t0;
    }
}

static int cmd_runq(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf("'r' pressed -> dumping run queues\n");
    shell_printf("scheduler: weighted fair (credit-like), period %llu ms, idle %llu ms\n",
                 (unsigned long long)(slice_ns / 1000000),
                 (unsigned long long)(idle_ns / 1000000));
    shell_printf("CPU[00] runnable=%u min_vruntime=%llu\n", runq.nr_runnable,
                 (unsigned long long)runq.min_vruntime);
    for (struct sched_entity *e = runq.head; e; e = e->next) {
        struct vcpu *v = (struct vcpu *)((char *)e - __builtin_offsetof(struct vcpu, se));
        shell_printf("  d%dv%d weight %u vruntime %llu ran %llu ms slice %llu us\n", e->id,
                     v->id, e->weight, (unsigned long long)e->vruntime,
                     (unsigned long long)(e->ran_ns / 1000000),
                     (unsigned long long)(sched_slice_for(&runq, e) / 1000));
    }
    for (struct domain *d = domain_first(); d; d = domain_next(d))
        for (unsigned i = 0; i < d->nr_vcpus; i++) {
            struct vcpu *v = domain_vcpu(d, i);
            if (!v->se.runnable)
                shell_printf("  d%dv%u not runnable (%s)\n", d->id, i,
                             v->blocked ? "blocked" : d->state == DOMAIN_PAUSED ? "paused"
                             : domain_vcpu_of(v)->wait_for_sipi ? "waiting for SIPI"
                                                                : "stopped");
        }
    return 0;
}
SHELL_DIAG_COMMAND(cmd_runq_entry, "runq", 'r', "dump run queues", cmd_runq, 3);
