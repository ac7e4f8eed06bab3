/* Bringing up the application processors (APs). smp_prepare finds the CPUs in the
 * firmware's tables (fw_cpus.c), plans which to start (smp_plan.c: nosmp, maxcpus=) and sets
 * the trampoline's page aside; smp_boot_cpus then starts them one at a time: the boot CPU
 * gives each its stacks (with guard pages, as its own) and backend pages, writes the
 * trampoline's parameters and sends INIT, SIPI, SIPI through its local APIC's ICR with the
 * Intel SDM's delays (10 ms, 200 us, 200 us, timed by the calibrated TSC), then waits for
 * the AP to report in. The AP (trampoline.S, then ap_entry here) loads its own GDT, TSS and
 * the IDT, takes the boot CPU's control registers, enables its local APIC (timer masked)
 * and the virtualization backend, reports in and idles in sti; hlt. A CPU that does not
 * report in within AP_TIMEOUT_MS is logged, sent INIT again so it cannot wake up later on
 * parameters meant for another, and skipped. */
#include <stddef.h>
#include "arch/smp.h"
#include "arch/percpu.h"
#include "arch/fw_cpus.h"
#include "arch/smp_plan.h"
#include "arch/cpu.h"
#include "arch/gdt.h"
#include "arch/trap.h"
#include "arch/time.h"
#include "arch/paging.h"
#include "arch/stack_guard.h"
#include "arch/virt_backend.h"
#include "mm/frame.h"
#include "console/log.h"
#include "core/debug.h"
#include "lib/format.h"
#include "lib/string.h"

#define LAPIC_BASE       0xFEE00000ULL
#define LAPIC_TPR        0x080
#define LAPIC_SVR        0x0F0
#define LAPIC_ICR_LO     0x300
#define LAPIC_ICR_HI     0x310
#define LAPIC_LVT_TIMER  0x320
#define ICR_INIT_ASSERT  0xC500u        /* INIT, level-triggered, assert */
#define ICR_INIT_DEASSERT 0x8500u       /* INIT, level-triggered, de-assert */
#define ICR_STARTUP      0x0600u        /* STARTUP; the low byte is the start page */
#define ICR_BUSY         (1u << 12)     /* delivery status: send pending */
#define XAPIC_MAX_ID     254u           /* 255 is the broadcast id */
#define AP_TIMEOUT_MS    10000u         /* generous: an emulated AP on a loaded host is slow */
#define CR4_VMXE_BIT     (1ULL << 13)
#define CR4_OSXSAVE_BIT  (1ULL << 18)
#define EFER_LME_BIT     (1ULL << 8)
#define EFER_NXE_BIT     (1ULL << 11)

/* An AP's stack area, in pages from its start: guard, stack, guard, #DF stack, guard, NMI. */
#define AREA_PAGES (3 + PERCPU_STACK_PAGES + 2 * PERCPU_IST_PAGES)

/* Mirrors tramp_params at the end of trampoline.S. */
struct trampoline_params {
    uint32_t cr3;
    uint32_t efer;
    uint64_t stack_top;
    uint64_t percpu;
    uint64_t entry;
};
/* trampoline.S reads these at +0, +4, +8, +16 and +24. */
_Static_assert(offsetof(struct trampoline_params, efer) == 4, "trampoline.S layout");
_Static_assert(offsetof(struct trampoline_params, stack_top) == 8, "trampoline.S layout");
_Static_assert(offsetof(struct trampoline_params, percpu) == 16, "trampoline.S layout");
_Static_assert(offsetof(struct trampoline_params, entry) == 24, "trampoline.S layout");

extern const char trampoline_start[], trampoline_end[], tramp_params[];
extern char boot_stack_top[], boot_stack_guard[];

static struct smp_plan plan;
static uint64_t trampoline_pa;
static unsigned cpus_online = 1;
static uint64_t bsp_cr0, bsp_cr4, bsp_xcr0;    /* what each AP takes over */

static inline volatile uint32_t *lapic(uint32_t reg)
{
    return (volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg);
}

/* The firmware tables' reader: physical memory through the identity map, where mapped. */
static bool fw_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    (void)ctx;
    if (len == 0 || pa + len < pa || !paging_range_mapped(pa, len))
        return false;
    memcpy(buf, (const void *)(uintptr_t)pa, len);
    return true;
}

static void fw_warn(void *ctx, const char *msg)
{
    (void)ctx;
    log_warn("%s", msg);
}

/* The EBDA's address from the BIOS data area (0: none given). */
static uint64_t ebda_address(void)
{
    uint16_t seg = 0;
    fw_read(NULL, 0x40E, &seg, sizeof(seg));
    return (uint64_t)seg << 4;
}

/* Log what the tables said and what the plan leaves out. */
static void report_plan(const struct fw_cpus *fw, bool found, bool nosmp, unsigned max_cpus)
{
    if (found)
        printk("%s: %u CPU%s enabled, %u disabled; local APICs at %llx", fw->source,
               fw->count, fw->count == 1 ? "" : "s", fw->disabled,
               (unsigned long long)fw->lapic_pa);
    else
        printk("SMP: no ACPI MADT or MP table describes the CPUs: CPU 0 alone");
    printk("SMP: Allowing %u CPU%s (%u hotplug CPUs)", plan.count, plan.count == 1 ? "" : "s",
           found ? fw->disabled : 0);
    if (nosmp && plan.capped)
        printk("SMP: nosmp: %u CPU%s left offline", plan.capped, plan.capped == 1 ? "" : "s");
    else if (plan.capped)
        printk("SMP: maxcpus=%u: %u CPU%s left offline", max_cpus, plan.capped,
               plan.capped == 1 ? "" : "s");
    if (plan.unreachable)
        log_warn("SMP: %u CPU%s with APIC ids above %u left offline (xAPIC mode)",
                 plan.unreachable, plan.unreachable == 1 ? "" : "s", XAPIC_MAX_ID);
}

void smp_prepare(const struct mem_region *map, size_t n, const struct phys_range *avoid,
                 size_t navoid, bool nosmp, unsigned max_cpus)
{
    static struct fw_cpus fw;
    const struct fw_reader reader = { fw_read, NULL, fw_warn, NULL };
    bool found = fw_find_cpus(&reader, &fw) == 0;
    bool have_lapic = (cpuid(1, 0).edx >> 9) & 1;

    percpu_init(NULL, 1);                       /* cpu_apic_id needs to know of the LAPIC */
    smp_plan_cpus(found ? &fw : NULL, cpu_apic_id(), max_cpus, nosmp, XAPIC_MAX_ID, &plan);
    if (plan.count > 1 && !have_lapic) {
        log_warn("SMP: this CPU has no local APIC to start the others with");
        plan.count = 1;
    }
    if (plan.count > 1 && (read_cr3() & ~0xFFFULL) >= (1ULL << 32)) {
        log_warn("SMP: the page tables lie above 4 GiB, out of the trampoline's reach");
        plan.count = 1;
    }
    if (plan.count > 1) {
        trampoline_pa = smp_pick_trampoline(map, n, avoid, navoid, ebda_address());
        if (!trampoline_pa) {
            log_warn("SMP: no free page below 1 MiB for the AP trampoline");
            plan.count = 1;
        }
    }
    report_plan(&fw, found, nosmp, max_cpus);
    percpu_init(plan.apic_id, plan.count);
    struct percpu *bsp = percpu_of(0);
    bsp->stack_top = (uint64_t)(uintptr_t)boot_stack_top;
    bsp->guard[0] = boot_stack_guard;
    bsp->guard[1] = gdt_ist_stack_guard(IST_DOUBLE_FAULT);
    bsp->guard[2] = gdt_ist_stack_guard(IST_NMI);
}

/* Send one IPI through the ICR and wait (bounded) until the local APIC has sent it. */
static bool icr_send(uint32_t apic_id, uint32_t low)
{
    *lapic(LAPIC_ICR_HI) = apic_id << 24;
    *lapic(LAPIC_ICR_LO) = low;
    for (unsigned i = 0; i < 1000; i++) {
        if (!(*lapic(LAPIC_ICR_LO) & ICR_BUSY))
            return true;
        udelay(10);
    }
    return false;
}

static volatile bool stopping;         /* smp_stop_others: every other CPU halts */

/* Contract in arch/smp.h. An NMI gets through whatever the other CPUs are doing (running a
 * guest included: it exits); each then parks in smp_nmi_stops. */
void smp_stop_others(void)
{
    stopping = true;
    if (smp_cpus_online() > 1)
        icr_send(0, 0xC4400u);          /* NMI, assert, to all excluding self */
}

/* Contract in arch/smp.h. */
bool smp_nmi_stops(void)
{
    if (!stopping)
        return false;
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* INIT, SIPI, SIPI (Intel SDM vol. 3, 9.4.4.1 / 10.6). */
static bool start_ap(uint32_t apic_id, uint8_t vector)
{
    if (!icr_send(apic_id, ICR_INIT_ASSERT))
        return false;
    udelay(10000);
    icr_send(apic_id, ICR_INIT_DEASSERT);
    for (int i = 0; i < 2; i++) {
        if (!icr_send(apic_id, ICR_STARTUP | vector))
            return false;
        udelay(200);
    }
    return true;
}

/* Give CPU c its stacks (guard pages under each) and the backend's pages. */
static bool give_memory(struct percpu *c)
{
    uint64_t area = frame_alloc_contig(AREA_PAGES, 1);
    if (!area)
        return false;
    uint64_t stack = area + FRAME_SIZE;
    uint64_t df = stack + PERCPU_STACK_PAGES * FRAME_SIZE + FRAME_SIZE;
    uint64_t nmi = df + PERCPU_IST_PAGES * FRAME_SIZE + FRAME_SIZE;
    c->guard[0] = (const void *)(uintptr_t)area;
    c->guard[1] = (const void *)(uintptr_t)(df - FRAME_SIZE);
    c->guard[2] = (const void *)(uintptr_t)(nmi - FRAME_SIZE);
    c->stack_top = stack + PERCPU_STACK_PAGES * FRAME_SIZE;
    c->ist_top[0] = df + PERCPU_IST_PAGES * FRAME_SIZE;
    c->ist_top[1] = nmi + PERCPU_IST_PAGES * FRAME_SIZE;
    stack_guard_page(c->guard[0], "AP");
    stack_guard_page(c->guard[1], "AP double fault");
    stack_guard_page(c->guard[2], "AP NMI");
    if (DEBUG_BUILD)
        log_info("CPU%u stack guard pages: stack %p, double fault %p, NMI %p", c->index,
                 c->guard[0], c->guard[1], c->guard[2]);
    if (virt_backend()) {
        c->virt_area_pa = frame_alloc_zeroed(VIRT_CPU_AREA_PAGES);
        if (!c->virt_area_pa)
            return false;
    }
    return true;
}

static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

/* Where an AP arrives in C, on its own stack, from trampoline.S; never returns. */
void ap_entry(struct percpu *c);
void ap_entry(struct percpu *c)
{
    gdt_init_cpu(c->gdt, &c->tss, c->ist_top[0], c->ist_top[1]);
    traps_load_cpu();
    write_cr0(bsp_cr0);
    write_cr4(bsp_cr4 & ~CR4_VMXE_BIT);         /* the backend sets VMXE itself */
    if (bsp_cr4 & CR4_OSXSAVE_BIT)
        __asm__ volatile("xsetbv" :: "c"(0), "a"((uint32_t)bsp_xcr0),
                         "d"((uint32_t)(bsp_xcr0 >> 32)));
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1ULL << 11));
    *lapic(LAPIC_TPR) = 0;
    *lapic(LAPIC_LVT_TIMER) = 0x10000 | VECTOR_TIMER;  /* masked: no tick on APs yet */
    *lapic(LAPIC_SVR) = 0x100 | VECTOR_SPURIOUS;
    if (virt_backend() &&
        !arch_virt_cpu_enable(c->virt_area_pa, c->virt_why, sizeof(c->virt_why)) &&
        !c->virt_why[0])
        snprintf(c->virt_why, sizeof(c->virt_why), "unknown reason");
    /* Report in through this_cpu(): were the lookup by APIC id wrong, c would stay offline
     * and the boot CPU would say so ("did not respond"). */
    __atomic_store_n(&this_cpu()->online, true, __ATOMIC_RELEASE);
    for (;;)
        cpu_wait_for_interrupt();
}

/* Start CPU c through the trampoline; true once it has reported in. */
static bool boot_one(struct percpu *c, volatile struct trampoline_params *p)
{
    p->cr3 = (uint32_t)read_cr3();
    p->efer = (uint32_t)(rdmsr(MSR_EFER) & (EFER_LME_BIT | EFER_NXE_BIT));
    p->stack_top = c->stack_top;
    p->percpu = (uint64_t)(uintptr_t)c;
    p->entry = (uint64_t)(uintptr_t)ap_entry;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    printk("Booting processor %u/%u eip %llx", c->index, c->apic_id,
           (unsigned long long)trampoline_pa);
    if (!start_ap(c->apic_id, (uint8_t)(trampoline_pa >> 12)))
        return false;
    for (unsigned ms = 0; ms < AP_TIMEOUT_MS; ms++) {
        for (unsigned i = 0; i < 10; i++) {
            if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
                return true;
            udelay(100);
        }
    }
    return false;
}

void smp_boot_cpus(void)
{
    size_t size = (size_t)(trampoline_end - trampoline_start);
    if (plan.count > 1 && size > FRAME_SIZE) {
        log_warn("SMP: the trampoline is %zu bytes, over a page", size);
        plan.count = 1;
    }
    if (plan.count > 1) {
        memcpy((void *)(uintptr_t)trampoline_pa, trampoline_start, size);
        bsp_cr0 = read_cr0();
        bsp_cr4 = read_cr4();
        bsp_xcr0 = (bsp_cr4 & CR4_OSXSAVE_BIT) ? read_xcr0() : 0;
    }
    volatile struct trampoline_params *p = (volatile struct trampoline_params *)
        (uintptr_t)(trampoline_pa + (uint64_t)(tramp_params - trampoline_start));
    for (unsigned i = 1; i < plan.count; i++) {
        struct percpu *c = percpu_of(i);
        if (!give_memory(c)) {
            log_warn("CPU%u: no memory for its stacks; not started", i);
            continue;
        }
        if (!boot_one(c, p)) {
            printk("CPU%u did not respond", i);
            icr_send(c->apic_id, ICR_INIT_ASSERT);      /* park it: it must not wake later */
            continue;
        }
        cpus_online++;
        if (c->virt_why[0])
            log_warn("CPU%u: virtualization not enabled: %s", i, c->virt_why);
    }
    printk("Brought up %u CPU%s", cpus_online, cpus_online == 1 ? "" : "s");
}

unsigned smp_cpu_index(void)
{
    return this_cpu()->index;
}

unsigned smp_cpus_online(void)
{
    return cpus_online;
}

void smp_online_list(char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (unsigned i = 0; percpu_of(i); i++) {
        if (!percpu_of(i)->online || (i > 0 && percpu_of(i - 1)->online))
            continue;                               /* not the start of a run */
        unsigned last = i;
        while (percpu_of(last + 1) && percpu_of(last + 1)->online)
            last++;
        int w = last == i ? snprintf(buf + pos, size - pos, "%s%u", pos ? "," : "", i)
                          : snprintf(buf + pos, size - pos, "%s%u-%u", pos ? "," : "", i, last);
        if (w < 0 || (size_t)w >= size - pos)
            return;
        pos += (size_t)w;
    }
}
