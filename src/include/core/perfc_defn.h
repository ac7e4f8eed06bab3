/* The software performance counters (make PERFC=1), as Xen's perfc_defn.h lists its own:
 * PERFCOUNTER(name, description) is one counter, PERFCOUNTER_ARRAY(name, description, n)
 * n counters indexed 0..n-1 plus one more that counts every index >= n ("other"). Included
 * by core/perfc.h and src/core/perfc.c with both macros defined; adding a line here adds a
 * counter, which PERFC_INC(name) / PERFC_INCA(name, index) then count. */

/* Exits, by backend and reason. */
PERFCOUNTER_ARRAY(exits_svm,        "SVM #VMEXITs by exit code",            0x404)
PERFCOUNTER_ARRAY(exits_vmx,        "VMX exits by basic reason",            80)
PERFCOUNTER(exits_fast,             "exits finished by the fast path")
/* Hypercalls by number (src/include/public/kestrel.h). */
PERFCOUNTER_ARRAY(hypercalls,       "hypercalls by number",                 HC_COUNT)
/* Interrupts. */
PERFCOUNTER(irqs_injected,          "interrupts injected into guests")
PERFCOUNTER(host_irqs,              "host interrupts taken")
/* Device accesses: by device name, counted apart by perfc_dev_access (see core/perfc.h). */
PERFCOUNTER(io_unclaimed,           "port I/O that no device claimed")
/* The scheduler. */
PERFCOUNTER(sched_switches,         "scheduler: switches to another vCPU")
PERFCOUNTER(sched_slices,           "scheduler: slices run")
PERFCOUNTER(sched_wakeups,          "scheduler: wake-ups of blocked vCPUs")
PERFCOUNTER(sched_blocks,           "scheduler: vCPUs blocked (HLT, HC_BLOCK)")
PERFCOUNTER(sched_yields,           "scheduler: yields")
PERFCOUNTER(sched_migrations,       "scheduler: migrations (one CPU: none yet)")
PERFCOUNTER(sched_idle,             "scheduler: idle halts")
/* Memory. */
PERFCOUNTER(frames_allocated,       "frames allocated")
PERFCOUNTER(frames_freed,           "frames freed")
PERFCOUNTER(heap_allocs,            "heap blocks allocated")
PERFCOUNTER(heap_frees,             "heap blocks freed")
