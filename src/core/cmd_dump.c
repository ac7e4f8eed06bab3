/* Inspecting a domain from the shell: `dump <dom>` (guest registers, control state, exit
 * counts by reason, device state) and `dumpmem <dom> <gpa> [len]` (hexdump of guest memory,
 * refusing addresses outside it). */
#include "core/domain.h"
#include "core/domain_virtio.h"
#include "core/cmd_domain.h"
#include "core/guestmem.h"
#include "console/shell.h"
#include "lib/ctype.h"
#include "lib/string.h"
#include "lib/gprs.h"

static void shell_line(void *ctx, const char *line)
{
    (void)ctx;
    shell_printf("%s\n", line);
}

static void print_seg(const char *name, const struct vcpu_segment *s)
{
    shell_printf("%-4s sel %04x attr %03x limit %08x base %016llx\n", name, s->sel, s->attr,
                 s->limit, (unsigned long long)s->base);
}

/* One vCPU of d: its state, registers, control state, exit counts and local APIC. */
static void dump_vcpu(struct domain *d, unsigned i)
{
    struct vcpu *v = domain_vcpu(d, i);
    const struct vcpu_regs *r = &v->regs;
    struct vcpu_sregs s;
    arch_vcpu_get_sregs(v, &s);
    shell_printf("d%d (%s) vcpu %u: %s\n", d->id, d->name, i,
                 v->blocked ? "blocked" : d->vcpus[i]->wait_for_sipi ? "waiting for SIPI"
                 : d->state == DOMAIN_RUNNING ? "runnable" : "stopped");
    shell_printf("rip: %016llx   rflags: %016llx   mode: %s\n", (unsigned long long)r->rip,
                 (unsigned long long)r->rflags, v->long_mode ? "64-bit" : "32-bit or less");
    const uint64_t gpr[GPR_COUNT] = {
        r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp,
        r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
    };
    gprs_format(gpr, shell_line, NULL);
    shell_printf("r15: %016llx\n", (unsigned long long)r->r15);
    shell_printf("cr0: %016llx   cr2: %016llx   cr3: %016llx\n", (unsigned long long)s.cr0,
                 (unsigned long long)s.cr2, (unsigned long long)s.cr3);
    shell_printf("cr4: %016llx   efer: %016llx   shadow: %d\n", (unsigned long long)s.cr4,
                 (unsigned long long)s.efer, s.interrupt_shadow);
    print_seg("cs", &s.cs);
    print_seg("ds", &s.ds);
    print_seg("ss", &s.ss);
    print_seg("tr", &s.tr);
    print_seg("gdtr", &s.gdtr);
    print_seg("idtr", &s.idtr);
    shell_printf("exits:");
    uint64_t total = 0;
    for (int e = 0; e < EXIT_COUNT; e++) {
        total += v->exits[e];
        if (v->exits[e])
            shell_printf(" %s=%llu", vcpu_exit_name((enum vcpu_exit)e),
                         (unsigned long long)v->exits[e]);
    }
    shell_printf(" (total %llu)\n", (unsigned long long)total);
    char buf[256];
    size_t n = vlapic_dump(vcpu_lapic(v), buf, sizeof(buf));
    if (n)
        shell_printf("lapic: %.*s\n", (int)n, buf);
}

static int cmd_dump(int argc, char **argv)
{
    struct domain *d = arg_domain_range(argc, argv, 2, 2);
    if (!d)
        return SHELL_EUSAGE;
    uint64_t irqs = 0;
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        dump_vcpu(d, i);
        irqs += domain_vcpu(d, i)->injected_irqs;
    }
    shell_printf("irqs injected: %llu, unemulated port accesses: %llu, POST code %02x\n",
                 (unsigned long long)irqs,
                 (unsigned long long)d->unknown_ports.accesses, d->post.last);
    shell_printf("MSRs that gave #GP: %llu accesses\n", (unsigned long long)d->gp_msrs.accesses);
    char buf[2048];
    size_t n = vdev_bus_dump(&d->bus, buf, sizeof(buf));
    if (n)
        shell_printf("%.*s%s", (int)n, buf, buf[n - 1] == '\n' ? "" : "\n");
    n = vioapic_dump(&d->ioapic, buf, sizeof(buf));
    if (n)
        shell_printf("ioapic: %.*s\n", (int)n, buf);
    n = domain_virtio_dump(d, buf, sizeof(buf));
    if (n)
        shell_printf("%.*s%s", (int)n, buf, buf[n - 1] == '\n' ? "" : "\n");
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_dump_entry, "dump", 0, "<dom>",
                       "guest registers, control state and exit counts", cmd_dump,
                       domain_name_candidate);

#define DUMPMEM_MAX 4096

static int cmd_dumpmem(int argc, char **argv)
{
    uint64_t gpa, len = 64;
    struct domain *d = arg_domain_range(argc, argv, 3, 4);
    if (!d)
        return SHELL_EUSAGE;
    if (shell_parse_u64(argv[2], &gpa) != 0) {
        shell_printf("dumpmem: bad address '%s'\n", argv[2]);
        return SHELL_EUSAGE;
    }
    if (argc == 4 && (shell_parse_u64(argv[3], &len) != 0 || len == 0 || len > DUMPMEM_MAX)) {
        shell_printf("dumpmem: bad length '%s' (1..%d)\n", argv[3], DUMPMEM_MAX);
        return SHELL_EUSAGE;
    }
    for (uint64_t off = 0; off < len; off += 16) {
        unsigned char row[16];
        size_t n = len - off < 16 ? (size_t)(len - off) : 16;
        if (domain_copy_from(d, row, gpa + off, n) != 0) {
            shell_printf("dumpmem: %#llx is outside d%d's memory\n",
                         (unsigned long long)(gpa + off), d->id);
            return SHELL_EUSAGE;
        }
        char hex[16 * 3 + 1], asc[17];
        size_t h = 0;
        for (size_t i = 0; i < 16; i++) {
            hex[h++] = i < n ? "0123456789abcdef"[row[i] >> 4] : ' ';
            hex[h++] = i < n ? "0123456789abcdef"[row[i] & 15] : ' ';
            hex[h++] = ' ';
            asc[i] = i < n ? (k_isprint(row[i]) ? (char)row[i] : '.') : ' ';
        }
        hex[h] = '\0';
        asc[16] = '\0';
        shell_printf("%016llx: %s %s\n", (unsigned long long)(gpa + off), hex, asc);
    }
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_dumpmem_entry, "dumpmem", 0, "<dom> <gpa> [len]",
                       "hexdump guest-physical memory (len up to 4096)", cmd_dumpmem,
                       domain_name_candidate);

#define VGA_TEXT_GPA 0xB8000ULL
#define VGA_COLS 80
#define VGA_ROWS 25

/* `vga <dom>`: the guest's VGA text screen as text. Kernels that only write to the screen
 * (like the Multiboot spec's example kernel) can be read over the serial line this way. */
static int cmd_vga(int argc, char **argv)
{
    struct domain *d = arg_domain_range(argc, argv, 2, 2);
    if (!d)
        return SHELL_EUSAGE;
    int last = -1;
    static uint8_t cells[VGA_ROWS][VGA_COLS * 2];
    if (domain_copy_from(d, cells, VGA_TEXT_GPA, sizeof(cells)) != 0) {
        shell_printf("vga: d%d has no memory at %#llx\n", d->id, VGA_TEXT_GPA);
        return SHELL_EUSAGE;
    }
    for (int r = 0; r < VGA_ROWS; r++)
        for (int c = 0; c < VGA_COLS; c++)
            if (cells[r][c * 2] && cells[r][c * 2] != ' ')
                last = r;
    shell_printf("d%d VGA text screen (%d rows shown):\n", d->id, last + 1);
    for (int r = 0; r <= last; r++) {
        char line[VGA_COLS + 1];
        int end = 0;
        for (int c = 0; c < VGA_COLS; c++) {
            uint8_t ch = cells[r][c * 2];
            line[c] = k_isprint(ch) ? (char)ch : ' ';
            if (line[c] != ' ')
                end = c + 1;
        }
        line[end] = '\0';
        shell_printf("|%s\n", line);
    }
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_vga_entry, "vga", 0, "<dom>", "show a domain's VGA text screen",
                       cmd_vga, domain_name_candidate);
