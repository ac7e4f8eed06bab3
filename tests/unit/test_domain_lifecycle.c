/* Unit tests for the domain life cycle: src/core/domain.c and domain_build.c, run on the
 * host with the real cfg reader, Multiboot loader, guest memory (over fake_p2m.c) and
 * device models; the backend's vCPU, the scheduler, the clock and the console's input
 * owner are recording stubs, and the boot modules are host buffers. Covers: building from
 * a cfg module (ids from 1, memory populated, kernel loaded, autostart or paused, errors
 * naming the module and leaving nothing allocated), destroy (everything given back, input
 * returned to the shell), and what domains_reap does for each on_poweroff / on_reboot /
 * on_crash action (destroy, restart with a new id not sooner than 1 s after the build,
 * preserve in state s or c, rename-restart with xl's stamped name), a second shutdown being
 * ignored, and pause/unpause. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/domain.h"
#include "core/dom_console.h"
#include "core/guestmem.h"
#include "core/domain_build.h"
#include "core/multiboot.h"
#include "console/conswitch.h"
#include "fake_p2m.h"

struct boot_info boot_info;

/* ---- stubs ----------------------------------------------------------------------------- */
static uint64_t now_ns;
uint64_t time_now_ns(void) { return now_ns; }
uint64_t rtc_boot_epoch(void) { return 1700000000ull; }     /* 2023-11-14 22:13:20 UTC */
uint64_t tsc_hz(void) { return 2000000000ull; }
size_t arch_random_bytes(void *buf, size_t len) { memset(buf, 0x42, len); return len; }
uint64_t arch_vcpu_tsc(struct vcpu *v) { (void)v; return now_ns * 2; }

static int vcpus_live, runnable;
bool arch_virt_init(char *why, size_t n) { (void)why; (void)n; return true; }
const char *arch_virt_name(void) { return "host test backend"; }
int arch_vcpu_create(struct vcpu *v) { v->arch = &vcpus_live; vcpus_live++; return 0; }
void arch_vcpu_destroy(struct vcpu *v) { assert_non_null(v->arch); v->arch = NULL; vcpus_live--; }
static uint32_t reset_entry, reset_info;
static struct vcpu_entry reset_state;
void arch_vcpu_reset(struct vcpu *v, const struct vcpu_entry *e, uint64_t root)
{
    (void)v; (void)root;
    reset_entry = (uint32_t)e->regs.rip;        /* the Multiboot entry state: EIP, EBX */
    reset_info = (uint32_t)e->regs.rbx;
    reset_state = *e;
}
void *kzalloc(size_t n) { return calloc(1, n); }
void kfree(void *p) { free(p); }
uint64_t arch_p2m_create(void) { return fake_p2m_new(); }
void sched_vcpu_init(struct vcpu *v, uint32_t w) { (void)v; (void)w; }
void sched_vcpu_start(struct vcpu *v) { (void)v; runnable++; }
void sched_vcpu_stop(struct vcpu *v) { v->stop = true; if (runnable) runnable--; }
void sched_vcpu_kick(struct vcpu *v) { (void)v; }
struct vcpu *sched_current(void) { return NULL; }

static int input_owner = CONSWITCH_XEN;
int console_input_owner(void) { return input_owner; }
void console_switch_input(int owner) { input_owner = owner; }
void domain_console_out(struct domain *d, uint8_t b) { (void)d; (void)b; }

static char logbuf[8192];
void log_printf(int level, const char *fmt, ...)
{
    (void)level;
    size_t n = strlen(logbuf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(logbuf + n, sizeof(logbuf) - n, fmt, ap);
    va_end(ap);
    strncat(logbuf, "\n", sizeof(logbuf) - strlen(logbuf) - 1);
}

/* ---- boot modules ---------------------------------------------------------------------- */
static uint8_t kernel[8192];
static char cfgs[4][512];

static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* A Multiboot a.out-kludge kernel loaded at 1 MiB, entry 1 MiB + 0x40. */
static void make_kernel(void)
{
    memset(kernel, 0x90, sizeof(kernel));
    uint32_t flags = 0x00010003;
    w32(kernel, 0x1BADB002u);
    w32(kernel + 4, flags);
    w32(kernel + 8, (uint32_t)-(0x1BADB002u + flags));
    w32(kernel + 12, 0x100000);         /* header_addr */
    w32(kernel + 16, 0x100000);         /* load_addr */
    w32(kernel + 20, 0x100000 + sizeof(kernel));
    w32(kernel + 24, 0x100000 + sizeof(kernel));
    w32(kernel + 28, 0x100040);         /* entry */
    memcpy(kernel + 0x100, "KERNEL-MARK", 11);
}

static void add_module(const char *name, const void *start, size_t len)
{
    struct boot_module *m = &boot_info.mods[boot_info.mod_count++];
    m->start = (uint64_t)(uintptr_t)start;
    m->end = m->start + len;
    m->string = name;
    snprintf(m->name, sizeof(m->name), "%s", name);
}

/* Module index of a new cfg with these lines (kernel k.elf and memory 4 unless given). */
static int add_cfg(const char *file, const char *body)
{
    int i = (int)boot_info.mod_count;
    char *c = cfgs[i - 1];
    snprintf(c, sizeof(cfgs[0]), "%s%s%s", strstr(body, "kernel") ? "" : "kernel = \"k.elf\"\n",
             strstr(body, "memory") ? "" : "memory = 4\n", body);
    add_module(file, c, strlen(c));
    return i;
}

static int setup(void **state)
{
    (void)state;
    fake_p2m_reset();
    /* Forget every domain of an earlier test (their frames went with the reset). */
    for (struct domain *d = domain_first(); d; d = domain_first())
        domain_free_slot(d);
    memset(&boot_info, 0, sizeof(boot_info));
    make_kernel();
    add_module("k.elf", kernel, sizeof(kernel));
    logbuf[0] = 0;
    now_ns = 5000000000ull;
    vcpus_live = runnable = 0;
    input_owner = CONSWITCH_XEN;
    domains_build_from_boot();              /* finds virtualization; no cfg yet */
    assert_non_null(strstr(logbuf, "No domain configs"));
    logbuf[0] = 0;
    return 0;
}

static struct domain *build(int module)
{
    char err[192] = "";
    struct domain *d = domain_create_from_module(module, err, sizeof(err));
    if (!d)
        fail_msg("not built: %s", err);
    return d;
}

/* ---- building and destroying ----------------------------------------------------------- */

static void test_build_loads_and_starts(void **state)
{
    (void)state;
    int m = add_cfg("a.cfg", "name = \"alpha\"\nmaxmem = 8\n");
    unsigned frames0 = fake_frames_used;
    struct domain *d = build(m);
    assert_string_equal(d->name, "alpha");
    assert_int_equal(d->state, DOMAIN_RUNNING);
    assert_int_equal(runnable, 1);
    assert_int_equal(d->mem_pages, 4 * 256);
    assert_int_equal(d->max_pages, 8 * 256);
    assert_int_equal(d->target_pages, 4 * 256);
    assert_int_equal(d->created_ns, now_ns);
    assert_non_null(d->con_ring);
    /* Guest memory, a 16 KiB console ring: nothing else. */
    assert_int_equal(fake_frames_used - frames0, 4 * 256 + DOMAIN_CONRING_SIZE / 4096);
    /* The kernel is at 1 MiB and the vCPU at its entry with the info at 0x8000. */
    char mark[12] = "";
    assert_int_equal(domain_copy_from(d, mark, 0x100100, 11), 0);
    assert_string_equal(mark, "KERNEL-MARK");
    assert_int_equal(reset_entry, 0x100040);
    assert_int_equal(reset_info, 0x8000);
    uint32_t magic_flags;
    assert_int_equal(domain_copy_from(d, &magic_flags, 0x8000, 4), 0);
    assert_true(magic_flags & 1);           /* MB_INFO_MEMORY */
    char want[64];
    snprintf(want, sizeof(want), "d%d (alpha): built from a.cfg: 4 MiB", d->id);
    assert_non_null(strstr(logbuf, want));
}

/* A Linux 2.15 x86-64 bzImage (a header and 64 KiB of "kernel") with an initrd: the
 * builder takes the Linux boot protocol because of the header alone. */
static uint8_t bzimage[5 * 512 + 65536], initrd[8192];
static void make_bzimage(void)
{
    memset(bzimage, 0, sizeof(bzimage));
    bzimage[0x1f1] = 4;
    bzimage[0x201] = 0x6a;
    memcpy(bzimage + 0x202, "HdrS", 4);
    bzimage[0x206] = 0x0f; bzimage[0x207] = 0x02;
    bzimage[0x211] = 0x01;
    w32(bzimage + 0x22c, 0x7fffffff);
    w32(bzimage + 0x230, 0x200000);
    bzimage[0x234] = 1;
    bzimage[0x236] = 1;                     /* XLF_KERNEL_64 */
    w32(bzimage + 0x238, 2047);
    w32(bzimage + 0x258, 0x1000000);        /* pref_address 16 MiB */
    w32(bzimage + 0x260, 0x800000);
    memcpy(bzimage + 5 * 512, "LINUX-MARK", 10);
    memset(initrd, 0x17, sizeof(initrd));
}

static void test_build_linux_by_its_header(void **state)
{
    (void)state;
    make_bzimage();
    add_module("vmlinuz", bzimage, sizeof(bzimage));
    add_module("initrd.gz", initrd, sizeof(initrd));
    int m = add_cfg("web.cfg", "name = \"web\"\nkernel = \"vmlinuz\"\nramdisk = \"initrd.gz\"\n"
                    "memory = 28\nextra = \"console=ttyS0\"\n");
    struct domain *d = build(m);
    char mark[11] = "", cmd[16] = "";
    uint8_t zp[4096];
    assert_int_equal(domain_copy_from(d, mark, 0x1000000, 10), 0);
    assert_string_equal(mark, "LINUX-MARK");
    assert_int_equal(domain_copy_from(d, zp, 0x7000, sizeof(zp)), 0);
    assert_memory_equal(zp + 0x202, "HdrS", 4);
    uint32_t initrd_addr, initrd_size, cmd_ptr;
    memcpy(&initrd_addr, zp + 0x218, 4);
    memcpy(&initrd_size, zp + 0x21c, 4);
    memcpy(&cmd_ptr, zp + 0x228, 4);
    assert_int_equal(initrd_size, sizeof(initrd));
    uint8_t first;
    assert_int_equal(domain_copy_from(d, &first, initrd_addr, 1), 0);
    assert_int_equal(first, 0x17);
    assert_int_equal(domain_copy_from(d, cmd, cmd_ptr, 14), 0);
    assert_string_equal(cmd, "console=ttyS0");
    /* The 64-bit entry: RIP = kernel + 0x200, RSI = zero page, long mode with paging. */
    assert_int_equal(reset_state.regs.rip, 0x1000200);
    assert_int_equal(reset_state.regs.rsi, 0x7000);
    assert_int_equal(reset_state.efer & 0x400, 0x400);
    uint64_t pml4e;
    assert_int_equal(domain_copy_from(d, &pml4e, reset_state.cr3, 8), 0);
    assert_int_equal(pml4e & 1, 1);
    assert_non_null(strstr(logbuf, "Linux boot protocol 2.15"));
}

static void test_build_linux_too_old_is_one_error(void **state)
{
    (void)state;
    make_bzimage();
    bzimage[0x206] = 0x04;                  /* protocol 2.04 */
    add_module("vmlinuz", bzimage, sizeof(bzimage));
    int m = add_cfg("old.cfg", "name = \"old\"\nkernel = \"vmlinuz\"\nmemory = 28\n");
    unsigned frames0 = fake_frames_used;
    char err[192] = "";
    assert_null(domain_create_from_module(m, err, sizeof(err)));
    assert_non_null(strstr(err, "old.cfg: kernel vmlinuz:"));
    assert_non_null(strstr(err, "2.04"));
    assert_int_equal(fake_frames_used, frames0);
    assert_int_equal(domain_count(), 0);
}

/* A Linux domain's RAM must end below the device pages: more is one error, nothing built. */
static void test_build_linux_memory_cap(void **state)
{
    (void)state;
    make_bzimage();
    add_module("vmlinuz", bzimage, sizeof(bzimage));
    int m = add_cfg("big.cfg", "name = \"big\"\nkernel = \"vmlinuz\"\nmemory = 28\n"
                    "maxmem = 4096\n");
    unsigned frames0 = fake_frames_used;
    char err[192] = "";
    assert_null(domain_create_from_module(m, err, sizeof(err)));
    assert_non_null(strstr(err, "big.cfg: memory: a Linux domain has at most 3072 MiB"));
    assert_int_equal(fake_frames_used, frames0);
}

static void test_build_paused_ids_and_errors(void **state)
{
    (void)state;
    int a = add_cfg("a.cfg", "name = \"a\"\nautostart = 0\n");
    int dup = add_cfg("dup.cfg", "name = \"a\"\n");
    int nok = add_cfg("nok.cfg", "name = \"nok\"\nkernel = \"missing.elf\"\n");
    int big = add_cfg("big.cfg", "name = \"big\"\nmemory = 1024\n");
    struct domain *d = build(a);
    assert_int_equal(d->state, DOMAIN_PAUSED);
    assert_int_equal(runnable, 0);
    int first_id = d->id;
    unsigned frames = fake_frames_used;
    char err[192];
    assert_null(domain_create_from_module(dup, err, sizeof(err)));
    assert_non_null(strstr(err, "dup.cfg: name: a domain named 'a' exists"));
    assert_null(domain_create_from_module(nok, err, sizeof(err)));
    assert_non_null(strstr(err, "nok.cfg: kernel: no boot module named 'missing.elf'"));
    assert_null(domain_create_from_module(big, err, sizeof(err)));
    assert_non_null(strstr(err, "big.cfg: memory: not enough free memory for 1024 MiB"));
    assert_null(domain_create_from_module(99, err, sizeof(err)));
    /* Failed builds leave nothing behind: no frames, vCPUs or domains. */
    assert_int_equal(fake_frames_used, frames);
    assert_int_equal(vcpus_live, 1);
    assert_int_equal(domain_count(), 1);
    /* Ids only go up, even after failures and destroys. */
    domain_destroy(d);
    struct domain *d2 = build(a);
    assert_true(d2->id > first_id);
}

static void test_destroy_gives_everything_back(void **state)
{
    (void)state;
    int m = add_cfg("a.cfg", "name = \"a\"\n");
    unsigned frames0 = fake_frames_used;
    struct domain *d = build(m);
    input_owner = d->id;                    /* the operator is attached to it */
    domain_destroy(d);
    assert_int_equal(fake_frames_used, frames0);
    assert_int_equal(fake_bad_frees, 0);
    assert_int_equal(vcpus_live, 0);
    assert_int_equal(runnable, 0);
    assert_int_equal(domain_count(), 0);
    assert_int_equal(input_owner, CONSWITCH_XEN);
}

/* ---- shutdown and domains_reap --------------------------------------------------------- */

static struct domain *shut(const char *actions, enum shutdown_reason why)
{
    char body[256];
    snprintf(body, sizeof(body), "name = \"g\"\n%s\n", actions);
    struct domain *d = build(add_cfg("g.cfg", body));
    domain_shutdown(d, why, "test");
    assert_true(d->shutdown_pending);
    assert_true(domain_vcpu(d, 0)->stop);
    return d;
}

static void test_on_poweroff_destroy(void **state)
{
    (void)state;
    unsigned frames0 = fake_frames_used;
    struct domain *d = shut("on_poweroff = \"destroy\"", SHUTDOWN_POWEROFF);
    char s[7];
    domain_state_letters(d, s);
    assert_string_equal(s, "---s--");       /* until the reap */
    char want[64];
    snprintf(want, sizeof(want), "d%d (g): poweroff: test; on_poweroff=destroy", d->id);
    assert_non_null(strstr(logbuf, want));
    domains_reap();
    assert_int_equal(domain_count(), 0);
    assert_int_equal(fake_frames_used, frames0);
}

static void test_on_crash_preserve_keeps_it_crashed(void **state)
{
    (void)state;
    struct domain *d = shut("on_crash = \"preserve\"", SHUTDOWN_CRASH);
    input_owner = d->id;
    domains_reap();
    assert_int_equal(domain_count(), 1);
    assert_int_equal(d->state, DOMAIN_CRASHED);
    assert_false(d->shutdown_pending);
    assert_int_equal(input_owner, CONSWITCH_XEN);
    char s[7];
    domain_state_letters(d, s);
    assert_string_equal(s, "----c-");
    assert_int_equal(d->mem_pages, 4 * 256);      /* kept, for dump */
    /* Shutting a preserved domain down again does nothing. */
    logbuf[0] = 0;
    domain_shutdown(d, SHUTDOWN_POWEROFF, "again");
    assert_false(d->shutdown_pending);
    assert_string_equal(logbuf, "");
    /* Nor can it be paused. */
    assert_int_equal(domain_pause(d), -1);
}

static void test_on_poweroff_preserve_is_s(void **state)
{
    (void)state;
    struct domain *d = shut("on_poweroff = \"preserve\"", SHUTDOWN_POWEROFF);
    domains_reap();
    assert_int_equal(d->state, DOMAIN_SHUTDOWN);
}

static void test_on_reboot_restart_waits_a_second_then_new_id(void **state)
{
    (void)state;
    struct domain *d = shut("on_reboot = \"restart\"", SHUTDOWN_REBOOT);
    int old = d->id;
    /* Built at now_ns: not within the first second. */
    now_ns += 999999999;
    domains_reap();
    assert_true(d->shutdown_pending);
    assert_int_equal(domain_count(), 1);
    now_ns += 1;
    domains_reap();
    assert_int_equal(domain_count(), 1);
    struct domain *n = domain_lookup("g");
    assert_non_null(n);
    assert_int_equal(n->id, old + 1);
    assert_int_equal(n->state, DOMAIN_RUNNING);
    assert_false(n->shutdown_pending);
    assert_int_equal(n->created_ns, now_ns);
    assert_int_equal(vcpus_live, 1);
    char want[64];
    snprintf(want, sizeof(want), "d%d (g): restarted as d%d", old, old + 1);
    assert_non_null(strstr(logbuf, want));
}

static void test_a_second_shutdown_is_ignored(void **state)
{
    (void)state;
    struct domain *d = shut("on_crash = \"destroy\"\non_poweroff = \"preserve\"", SHUTDOWN_CRASH);
    domain_shutdown(d, SHUTDOWN_POWEROFF, "later");
    assert_int_equal(d->last_shutdown, SHUTDOWN_CRASH);
    domains_reap();
    assert_int_equal(domain_count(), 0);    /* on_crash won */
}

static void test_rename_restart(void **state)
{
    (void)state;
    struct domain *d = shut("on_crash = \"rename-restart\"", SHUTDOWN_CRASH);
    now_ns = 5000000000ull + 1000000000ull;
    domains_reap();
    /* 1700000000 + 6 s = 2023-11-14 22:13 UTC. */
    assert_string_equal(d->name, "g-20231114T2213Z");
    assert_int_equal(d->state, DOMAIN_CRASHED);
    struct domain *n = domain_lookup("g");
    assert_non_null(n);
    assert_true(n != d);
    assert_int_equal(n->state, DOMAIN_RUNNING);
    assert_int_equal(domain_count(), 2);
    /* The same minute again: the old id is appended to keep names unique. */
    domain_shutdown(n, SHUTDOWN_CRASH, "again");
    now_ns += 1000000000ull;
    int nid = n->id;
    domains_reap();
    char want[32];
    snprintf(want, sizeof(want), "g-20231114T2213Z-%d", nid);
    assert_string_equal(n->name, want);
    assert_int_equal(domain_count(), 3);
}

static void test_pause_unpause(void **state)
{
    (void)state;
    struct domain *d = build(add_cfg("a.cfg", "name = \"a\"\n"));
    assert_int_equal(domain_pause(d), 0);
    assert_int_equal(runnable, 0);
    assert_int_equal(domain_pause(d), -1);
    char s[7];
    domain_state_letters(d, s);
    assert_string_equal(s, "--p---");
    assert_int_equal(domain_unpause(d), 0);
    assert_int_equal(runnable, 1);
    assert_int_equal(domain_unpause(d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_build_loads_and_starts, setup),
        cmocka_unit_test_setup(test_build_linux_by_its_header, setup),
        cmocka_unit_test_setup(test_build_linux_too_old_is_one_error, setup),
        cmocka_unit_test_setup(test_build_linux_memory_cap, setup),
        cmocka_unit_test_setup(test_build_paused_ids_and_errors, setup),
        cmocka_unit_test_setup(test_destroy_gives_everything_back, setup),
        cmocka_unit_test_setup(test_on_poweroff_destroy, setup),
        cmocka_unit_test_setup(test_on_crash_preserve_keeps_it_crashed, setup),
        cmocka_unit_test_setup(test_on_poweroff_preserve_is_s, setup),
        cmocka_unit_test_setup(test_on_reboot_restart_waits_a_second_then_new_id, setup),
        cmocka_unit_test_setup(test_a_second_shutdown_is_ignored, setup),
        cmocka_unit_test_setup(test_rename_restart, setup),
        cmocka_unit_test_setup(test_pause_unpause, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
