/* hcbounds (hostile): makes every hypercall with bad arguments - pointers past the end of
 * its memory, straddling the end, in the gap up to maxmem, near 2^32, into a page it gave
 * back to the balloon; lengths near 2^32; misaligned buffers; unknown numbers, reasons and
 * commands - and checks each result against docs/hypercalls.md itself. One line per check,
 * `hcbounds: <what> -> <result> ok` or `... WRONG (want <x>)`, then
 * `hcbounds: N checks, M wrong`, then it sleeps forever (HC_BLOCK), so whoever runs it can
 * see that Kestrel did not crash it. Needs Kestrel (bare, it says so and powers off). */
#include "guest.h"

static unsigned checks, wrong;

static const char *errname(long r)
{
    switch (r) {
    case KESTREL_EPERM: return "EPERM";
    case KESTREL_ENOMEM: return "ENOMEM";
    case KESTREL_EFAULT: return "EFAULT";
    case KESTREL_EINVAL: return "EINVAL";
    case KESTREL_ENOSYS: return "ENOSYS";
    default: return NULL;
    }
}

static void show(long r)
{
    const char *n = errname(r);
    if (n)
        printf("%s", n);
    else
        printf("%ld", r);
}

/* Make hypercall nr(a1, a2, a3) and check its result is want. */
static long check(const char *what, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                  long want)
{
    long r = hypercall(nr, a1, a2, a3, 0xdeadbeef);
    checks++;
    printf("hcbounds: %s(0x%x, 0x%x, 0x%x) -> ", what, (unsigned)a1, (unsigned)a2,
           (unsigned)a3);
    show(r);
    if (r == want) {
        printf(" ok\n");
    } else {
        wrong++;
        printf(" WRONG (want ");
        show(want);
        printf(")\n");
    }
    return r;
}

/* A check the guest makes on what a call wrote (no hypercall of its own). */
static void verdict(const char *what, bool ok)
{
    checks++;
    if (!ok)
        wrong++;
    printf("hcbounds: %s %s\n", what, ok ? "ok" : "WRONG");
}

static struct kestrel_domain_info info;
static uint8_t scratch[256] __attribute__((aligned(64)));

int main(uint32_t magic, struct mb_info *mbi)
{
    (void)magic;
    (void)mbi;
    guest_name = "hcbounds";
    if (!under_kestrel) {
        printf("hcbounds: not under Kestrel\n");
        return 0;
    }
    printf("hcbounds: every hypercall with bad arguments\n");

    /* What the domain has: its own HC_DOMAIN_INFO, to start with a good call. */
    check("DOMAIN_INFO", HC_DOMAIN_INFO, (uint32_t)&info, 0, 0, 0);
    uint32_t mem = (uint32_t)(info.memory_kb * 1024), max = (uint32_t)(info.max_kb * 1024);
    verdict("DOMAIN_INFO says our id and RAM", info.domid == kestrel_domid &&
            mem == (uint32_t)mbi_ram_end() && max >= mem && info.vcpus == 1);
    printf("hcbounds: memory 0x%x, maxmem 0x%x\n", (unsigned)mem, (unsigned)max);
    const uint32_t U32MAX = 0xffffffffu;

    /* ---- HC_CONSOLE_WRITE ---- */
    static const char edge[] = "hcbounds: edge\r\n";     /* 16 bytes */
    memcpy((void *)(mem - 16), edge, 16);
    check("CONSOLE_WRITE last 16 bytes", HC_CONSOLE_WRITE, mem - 16, 16, 0, 16);
    static const char odd[] = "xhcbounds: odd\r\n";
    check("CONSOLE_WRITE misaligned", HC_CONSOLE_WRITE, (uint32_t)odd + 1, 15, 0, 15);
    check("CONSOLE_WRITE len 0", HC_CONSOLE_WRITE, mem, 0, 0, 0);
    check("CONSOLE_WRITE past the end", HC_CONSOLE_WRITE, mem, 1, 0, KESTREL_EFAULT);
    check("CONSOLE_WRITE straddling the end", HC_CONSOLE_WRITE, mem - 1, 2, 0, KESTREL_EFAULT);
    /* Straddling after more than one internal chunk: the bytes before the end are
     * harmless text in case they come out. */
    char *leak = (char *)(mem - 300);
    memset(leak, '.', 300);
    memcpy(leak, "hcbounds: leaked ", 17);
    memcpy(leak + 254, "\r\n", 2);
    check("CONSOLE_WRITE straddling 300 bytes in", HC_CONSOLE_WRITE, mem - 300, 400, 0,
          KESTREL_EFAULT);
    if (max > mem)
        check("CONSOLE_WRITE in the maxmem gap", HC_CONSOLE_WRITE, max - 16, 16, 0,
              KESTREL_EFAULT);
    check("CONSOLE_WRITE at 2 GiB", HC_CONSOLE_WRITE, 0x80000000u, 16, 0, KESTREL_EFAULT);
    check("CONSOLE_WRITE at 4 GiB - 4 KiB", HC_CONSOLE_WRITE, 0xfffff000u, 4096, 0,
          KESTREL_EFAULT);
    check("CONSOLE_WRITE at 4 GiB - 1", HC_CONSOLE_WRITE, U32MAX, 1, 0, KESTREL_EFAULT);
    check("CONSOLE_WRITE wrapping 4 GiB", HC_CONSOLE_WRITE, U32MAX - 7, 16, 0, KESTREL_EFAULT);
    check("CONSOLE_WRITE len 4097", HC_CONSOLE_WRITE, (uint32_t)scratch, 4097, 0,
          KESTREL_EINVAL);
    check("CONSOLE_WRITE len 2^31", HC_CONSOLE_WRITE, (uint32_t)scratch, 0x80000000u, 0,
          KESTREL_EINVAL);
    check("CONSOLE_WRITE len 2^32-1", HC_CONSOLE_WRITE, (uint32_t)scratch, U32MAX, 0,
          KESTREL_EINVAL);

    /* ---- HC_DOMAIN_INFO and HC_TIME ---- */
    memset(scratch, 0, sizeof(scratch));
    check("DOMAIN_INFO misaligned", HC_DOMAIN_INFO, (uint32_t)scratch + 3, 0, 0, 0);
    struct kestrel_domain_info i2;
    memcpy(&i2, scratch + 3, sizeof(i2));
    verdict("DOMAIN_INFO misaligned contents", i2.domid == info.domid &&
            i2.memory_kb == info.memory_kb && memcmp(i2.name, info.name, 32) == 0);
    check("DOMAIN_INFO at the very end", HC_DOMAIN_INFO, mem - sizeof(info), 0, 0, 0);
    check("DOMAIN_INFO past the end", HC_DOMAIN_INFO, mem, 0, 0, KESTREL_EFAULT);
    check("DOMAIN_INFO straddling the end", HC_DOMAIN_INFO, mem - 8, 0, 0, KESTREL_EFAULT);
    check("DOMAIN_INFO at 4 GiB - 1", HC_DOMAIN_INFO, U32MAX, 0, 0, KESTREL_EFAULT);
    check("DOMAIN_INFO at 4 GiB - 16", HC_DOMAIN_INFO, U32MAX - 15, 0, 0, KESTREL_EFAULT);
    check("DOMAIN_INFO at 2 GiB", HC_DOMAIN_INFO, 0x80000000u, 0, 0, KESTREL_EFAULT);
    check("TIME misaligned", HC_TIME, (uint32_t)scratch + 5, 0, 0, 0);
    struct kestrel_time t;
    memcpy(&t, scratch + 5, sizeof(t));
    verdict("TIME misaligned contents", t.tsc_hz != 0 && t.uptime_ns >= t.domain_ns &&
            t.domain_ns != 0);
    check("TIME past the end", HC_TIME, mem, 0, 0, KESTREL_EFAULT);
    check("TIME straddling the end", HC_TIME, mem - 4, 0, 0, KESTREL_EFAULT);
    check("TIME at 4 GiB - 8", HC_TIME, U32MAX - 7, 0, 0, KESTREL_EFAULT);
    if (max > mem)
        check("TIME in the maxmem gap", HC_TIME, mem + 4096, 0, 0, KESTREL_EFAULT);

    /* ---- HC_MEMORY_OP ---- */
    uint32_t max_pages = max / 4096;
    check("MEMORY_OP TARGET", HC_MEMORY_OP, KESTREL_MEMOP_TARGET, U32MAX, U32MAX,
          (long)(info.target_kb / 4));
    check("MEMORY_OP CURRENT", HC_MEMORY_OP, KESTREL_MEMOP_CURRENT, U32MAX, U32MAX,
          (long)(info.memory_kb / 4));
    check("MEMORY_OP cmd 4", HC_MEMORY_OP, 4, mem - 4096, 1, KESTREL_EINVAL);
    check("MEMORY_OP cmd 2^32-1", HC_MEMORY_OP, U32MAX, mem - 4096, 1, KESTREL_EINVAL);
    for (uint32_t cmd = KESTREL_MEMOP_DECREASE; cmd <= KESTREL_MEMOP_INCREASE; cmd++) {
        const char *c = cmd ? "MEMORY_OP INCREASE" : "MEMORY_OP DECREASE";
        char what[64];
        static const struct { const char *why; uint32_t gpa_from_top, pages; } bad[] = {
            { "misaligned", 4096 - 1, 1 },
            { "misaligned by 2 KiB", 2048, 1 },
        };
        for (unsigned i = 0; i < 2; i++) {
            snprintf(what, sizeof(what), "%s %s", c, bad[i].why);
            check(what, HC_MEMORY_OP, cmd, mem - bad[i].gpa_from_top, bad[i].pages,
                  KESTREL_EINVAL);
        }
        snprintf(what, sizeof(what), "%s at maxmem", c);
        check(what, HC_MEMORY_OP, cmd, max, 1, KESTREL_EINVAL);
        snprintf(what, sizeof(what), "%s straddling maxmem", c);
        check(what, HC_MEMORY_OP, cmd, max - 4096, 2, KESTREL_EINVAL);
        snprintf(what, sizeof(what), "%s more pages than maxmem", c);
        check(what, HC_MEMORY_OP, cmd, 0, max_pages + 1, KESTREL_EINVAL);
        snprintf(what, sizeof(what), "%s 2^32-1 pages", c);
        check(what, HC_MEMORY_OP, cmd, 0, U32MAX, KESTREL_EINVAL);
        snprintf(what, sizeof(what), "%s 2^20 pages (4 GiB)", c);
        check(what, HC_MEMORY_OP, cmd, 0, 0x100000u, KESTREL_EINVAL);
        snprintf(what, sizeof(what), "%s at 4 GiB - 4 KiB", c);
        check(what, HC_MEMORY_OP, cmd, 0xfffff000u, 1, KESTREL_EINVAL);
        snprintf(what, sizeof(what), "%s at 4 GiB - 4 KiB, 2^32-1 pages", c);
        check(what, HC_MEMORY_OP, cmd, 0xfffff000u, U32MAX, KESTREL_EINVAL);
    }
    /* A page given back is no longer ours: pointers into it are bad, then it comes back. */
    uint32_t hole = mem - 8192;
    check("MEMORY_OP DECREASE one page", HC_MEMORY_OP, KESTREL_MEMOP_DECREASE, hole, 1, 1);
    check("CONSOLE_WRITE into a released page", HC_CONSOLE_WRITE, hole, 16, 0, KESTREL_EFAULT);
    check("CONSOLE_WRITE running into it", HC_CONSOLE_WRITE, hole - 8, 16, 0, KESTREL_EFAULT);
    check("DOMAIN_INFO into a released page", HC_DOMAIN_INFO, hole + 100, 0, 0, KESTREL_EFAULT);
    check("TIME into a released page", HC_TIME, hole - 4, 0, 0, KESTREL_EFAULT);
    check("MEMORY_OP INCREASE it again", HC_MEMORY_OP, KESTREL_MEMOP_INCREASE, hole, 1, 1);
    check("CONSOLE_WRITE len 0 into it", HC_CONSOLE_WRITE, hole, 0, 0, 0);
    check("TIME into it again", HC_TIME, hole, 0, 0, 0);

    /* ---- HC_SHUTDOWN with reasons that do not exist (the good ones would end us) ---- */
    check("SHUTDOWN reason 3", HC_SHUTDOWN, 3, 0, 0, KESTREL_EINVAL);
    check("SHUTDOWN reason 2^31", HC_SHUTDOWN, 0x80000000u, 0, 0, KESTREL_EINVAL);
    check("SHUTDOWN reason 2^32-1", HC_SHUTDOWN, U32MAX, 0, 0, KESTREL_EINVAL);

    /* ---- HC_YIELD, HC_NOP: arguments ignored ---- */
    check("YIELD with junk", HC_YIELD, U32MAX, mem, U32MAX, 0);
    check("NOP with junk", HC_NOP, U32MAX, U32MAX, U32MAX, 0);

    /* ---- HC_BLOCK: timeouts near 2^32 us are capped at 1 h; our PIT tick wakes us ---- */
    pit_start(100);
    sti();
    check("BLOCK 2^32-1 us (woken by IRQ 0)", HC_BLOCK, U32MAX, 0, 0, 0);
    check("BLOCK 1 us", HC_BLOCK, 1, 0, 0, 0);
    irq_mask(IRQ_PIT);

    /* ---- numbers that do not exist ---- */
    check("hypercall 8", HC_COUNT, 0, 0, 0, KESTREL_ENOSYS);
    check("hypercall 0x100", 0x100, (uint32_t)scratch, 16, 0, KESTREL_ENOSYS);
    check("hypercall 2^31", 0x80000000u, 0, 0, 0, KESTREL_ENOSYS);
    check("hypercall 2^32-1", U32MAX, 0, 0, 0, KESTREL_ENOSYS);

    /* Still ourselves after all that. */
    struct kestrel_domain_info after;
    check("DOMAIN_INFO after all that", HC_DOMAIN_INFO, (uint32_t)&after, 0, 0, 0);
    verdict("memory unchanged", after.memory_kb == info.memory_kb);

    printf("hcbounds: %u checks, %u wrong\n", checks, wrong);
    for (;;)
        sleep_us(1000000);
}
