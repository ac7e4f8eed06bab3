/* The boot sequence, from kmain (called by arch/x86/boot/head.S in long mode) to the
 * (XEN) prompt: GDT and traps first so any fault panics readably, then the serial console
 * (COM1 at Xen's defaults) so every later step can report, the Multiboot info and boot
 * options, memory, the domains (while the TSC calibration window runs), then the tick and
 * interrupts. */
#include <stdbool.h>
#include "core/boot.h"
#include "core/panic.h"
#include "core/version.h"
#include "mm/frame.h"
#include "mm/heap.h"
#include "console/console.h"
#include "console/log.h"
#include "console/conswitch.h"
#include "arch/cpu.h"
#include "arch/gdt.h"
#include "arch/trap.h"
#include "arch/uart.h"
#include "arch/pic.h"
#include "arch/time.h"
#include "arch/paging.h"
#include "arch/stack_guard.h"
#include "arch/rtc.h"
#include "arch/vga.h"
#include "arch/smp.h"
#include "core/domain.h"
#include "core/dom_console.h"
#include "sched/sched.h"
#include "lib/string.h"

struct boot_info boot_info;
struct bootopts boot_opts;

void *phys_identity(uint64_t pa)
{
    return (void *)(uintptr_t)pa;
}

static void boot_warning(void *ctx, const char *msg)
{
    (void)ctx;
    log_warn("%s", msg);
}

/* A zeroed frame for page tables. */
static uint64_t alloc_table_frame(void)
{
    return frame_alloc_zeroed(1);
}

/* The serial port the console uses: console=com2's, else COM1's (also for input when
 * console= names no serial port). */
static const struct uart_config *serial;

/* Console output: the serial port and/or the VGA text screen, as console= asks. */
static void console_out(const char *s, size_t n)
{
    if (boot_opts.console_uart)
        uart_write(s, n);
    if (boot_opts.console_vga)
        vga_write(s, n);
}

/* Serial IRQ: drain the UART, then acknowledge the PIC. */
static void uart_irq(struct trap_frame *tf)
{
    (void)tf;
    uart_interrupt();
    pic_eoi((unsigned)serial->irq);
}

/* Periodic tick: in polled mode this is what notices serial input; with interrupts it is
 * the safety net for an edge the PIC missed, so output can never stall. */
static void on_tick(void)
{
    uart_poll();
}

/* Log the memory map the loader gave, in Xen's format. */
static void print_memory_map(void)
{
    printk("Multiboot-e820 RAM map:");
    for (size_t i = 0; i < boot_info.mmap_count; i++) {
        const struct mem_region *r = &boot_info.mmap[i];
        printk(" [%016llx, %016llx] (%s)", (unsigned long long)r->base,
               (unsigned long long)(r->base + r->len - 1), mem_region_type_name(r->type));
    }
}

/* Hand RAM to the frame allocator, keeping the image, modules and loader data out. */
static void memory_init(void)
{
    static struct phys_range reserved[BOOT_MAX_MODULES + BOOT_MAX_LOADER_DATA + 1];
    size_t n = 0;
    reserved[n++] = (struct phys_range){ (uint64_t)(uintptr_t)__image_start,
                                         (uint64_t)(uintptr_t)__image_end, "hypervisor image" };
    for (size_t i = 0; i < boot_info.mod_count; i++)
        reserved[n++] = (struct phys_range){ boot_info.mods[i].start, boot_info.mods[i].end,
                                             "module" };
    for (size_t i = 0; i < boot_info.loader_data_count; i++)
        reserved[n++] = boot_info.loader_data[i];
    if (frame_init(boot_info.mmap, boot_info.mmap_count, reserved, n, boot_opts.mem_limit,
                   phys_identity) != 0)
        panic("no usable memory in the memory map");

    uint64_t top = 0;
    for (size_t i = 0; i < boot_info.mmap_count; i++)
        if (boot_info.mmap[i].type == 1 && boot_info.mmap[i].base + boot_info.mmap[i].len > top)
            top = boot_info.mmap[i].base + boot_info.mmap[i].len;
    if (boot_opts.mem_limit && top > boot_opts.mem_limit)
        top = boot_opts.mem_limit;
    paging_init(top, alloc_table_frame);
    stack_guards_init(alloc_table_frame);
    heap_init();

    struct frame_stats fs;
    frame_stats(&fs);
    printk("Memory: %llu KiB usable, %llu KiB free, %llu KiB reserved",
           (unsigned long long)(fs.total * 4), (unsigned long long)(fs.free * 4),
           (unsigned long long)(fs.reserved * 4));

    if (boot_opts.conring_size != log_ring_size()) {
        size_t frames = boot_opts.conring_size / PAGE_SIZE;
        uint64_t pa = frame_alloc_contig(frames, 1);
        if (pa)
            log_ring_resize(phys_identity(pa), boot_opts.conring_size);
        else
            log_warn("conring_size=%u: no memory; keeping %zu bytes",
                     (unsigned)boot_opts.conring_size, log_ring_size());
    }
}

/* Find the CPUs and set the AP trampoline's page aside, before anything else may use low
 * memory; the modules and the loader's data there are stepped around. */
static void smp_find_cpus(void)
{
    static struct phys_range avoid[BOOT_MAX_MODULES + BOOT_MAX_LOADER_DATA];
    size_t n = 0;
    for (size_t i = 0; i < boot_info.mod_count; i++)
        avoid[n++] = (struct phys_range){ boot_info.mods[i].start, boot_info.mods[i].end,
                                          "module" };
    for (size_t i = 0; i < boot_info.loader_data_count; i++)
        avoid[n++] = boot_info.loader_data[i];
    smp_prepare(boot_info.mmap, boot_info.mmap_count, avoid, n, boot_opts.nosmp,
                boot_opts.max_cpus);
}

/* Same port and line settings? (field by field: the struct has padding) */
static bool uart_config_same(const struct uart_config *a, const struct uart_config *b)
{
    return a->baud == b->baud && a->clock_hz == b->clock_hz && a->data_bits == b->data_bits &&
           a->stop_bits == b->stop_bits && a->parity == b->parity &&
           a->io_base == b->io_base && a->irq == b->irq;
}

/* Move the console from COM1 at Xen's defaults (where boot began) to the port and settings
 * com1=/com2=/console= asked for. A port where no UART answers leaves the console where it
 * was, with a warning: the operator still has a console to read it on. */
static void serial_console_init(void)
{
    const struct uart_config *want = boot_opts.console_uart == 2 ? &boot_opts.com2
                                                                 : &boot_opts.com1;
    if (uart_config_same(want, serial))
        return;
    if (uart_init(want)) {
        serial = want;
        return;
    }
    uart_init(serial);
    if (boot_opts.console_uart == 2)
        boot_opts.console_uart = 1;
    log_warn("com%d: no UART at port %#x; the console stays on com1 at %#x",
             want == &boot_opts.com2 ? 2 : 1, want->io_base, serial->io_base);
}

/* Serial interrupts and the tick; input is polled from the tick when irq is 0. */
static void interrupts_init(void)
{
    pic_init();
    if (serial->irq > 0 && serial->irq < 16) {
        trap_register((uint8_t)(IRQ_VECTOR_BASE + serial->irq), uart_irq);
        pic_unmask((unsigned)serial->irq);
    }
    uart_enable_irq();
    tick_start(on_tick);
    irq_enable();
}

/* Serial input switching among domains: Xen -> each live domain by id -> Xen. */
static int console_next_owner(int current)
{
    /* After a domain that has gone away, domain_next(NULL) starts again from the first. */
    const struct domain *d = current == CONSWITCH_XEN ? domain_first()
                                                      : domain_next(domain_by_id(current));
    for (; d; d = domain_next(d))
        if (d->state == DOMAIN_RUNNING || d->state == DOMAIN_PAUSED)
            return d->id;
    return CONSWITCH_XEN;
}

static void console_to_domain(int domid, const unsigned char *bytes, size_t n)
{
    struct domain *d = domain_by_id(domid);
    if (d)
        domain_console_in(d, bytes, n);
}

static const struct console_domain_ops domain_console_ops = {
    .next = console_next_owner,
    .deliver = console_to_domain,
};

void kmain(uint32_t magic, uint32_t info_pa);
void kmain(uint32_t magic, uint32_t info_pa)
{
    gdt_init();
    traps_init();

    /* Output first, with Xen's default COM1 settings, so that a bad command line or a
     * malformed Multiboot info can already be reported. */
    bootopts_defaults(&boot_opts);
    static struct uart_config com1_default;
    com1_default = boot_opts.com1;
    serial = &com1_default;
    uart_init(serial);
    uart_set_sync(true);
    console_init(uart_write, boot_opts.conswitch_char);

    if (multiboot_parse(magic, info_pa, phys_identity, &boot_info, boot_warning, NULL) != 0)
        panic("not booted by a Multiboot loader (magic %08x); cannot continue", magic);
    bootopts_parse(&boot_opts, boot_info.cmdline, boot_warning, NULL);
    serial_console_init();
    if (boot_opts.console_vga)
        vga_init();
    console_init(console_out, boot_opts.conswitch_char);
    log_set_levels(boot_opts.loglvl, boot_opts.loglvl_rate);
    log_set_guest_levels(boot_opts.guest_loglvl, boot_opts.guest_loglvl_rate);
    log_set_timestamps(boot_opts.console_timestamps);
    panic_set_noreboot(boot_opts.noreboot);
    time_init();
    if (boot_opts.console_timestamps != CONSOLE_TS_NONE)
        time_calibrate();   /* stamped lines want the clock from the first line on */
    log_set_clock(time_now_ns);

    printk("Kestrel hypervisor %s (x86-64) - one image, no dom0%s", kestrel_version,
           kestrel_build_flags);
    printk("Boot loader: %s", boot_info.loader_name[0] ? boot_info.loader_name : "unknown");
    printk("Command line: %s", boot_info.cmdline);
    print_memory_map();
    for (size_t i = 0; i < boot_info.mod_count; i++)
        printk("Module %zu: [%016llx, %016llx) %s", i,
               (unsigned long long)boot_info.mods[i].start,
               (unsigned long long)boot_info.mods[i].end, boot_info.mods[i].string);

    memory_init();
    smp_find_cpus();
    rtc_init();
    sched_init((uint64_t)boot_opts.sched_slice_ms * 1000000ULL);
    console_set_domain_ops(&domain_console_ops);
    /* Domains are built while the TSC calibration window (time_init) is still open, so
     * the window costs the boot nothing; the tick needs its result, so it starts after. */
    domains_build_from_boot();
    time_calibrate();
    printk("TSC: %llu.%03llu MHz", (unsigned long long)(tsc_hz() / 1000000),
           (unsigned long long)(tsc_hz() / 1000 % 1000));
    smp_boot_cpus();        /* the APs idle; domains run on CPU 0 */
    interrupts_init();
    uart_set_sync(boot_opts.sync_console);
    if (boot_opts.sync_console)
        printk("sync_console: console output is synchronous (debugging only)");
    /* Kestrel has no dom0 to hand the console to: input stays with the (XEN) shell, and
     * CTRL-<c>x3 moves it on to each domain in turn. */
    console_switch_input(CONSWITCH_XEN);
    sched_loop();
}
