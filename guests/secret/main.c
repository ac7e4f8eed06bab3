/* secret: proves memory confidentiality from inside a domain. Every incarnation first SCANS
 * all the memory it holds (every 4 KiB page from guest-physical 0 to the end, read word by
 * word) for a 16-byte marker derived from `seed=N`, then (with fill=1, the default) FILLS
 * every page it holds except its own image with that marker, then does what `then=` says:
 *   wait      (default) follow the balloon target like guests/balloon: release pages from
 *             the top when `mem-set` lowers it, and when it rises take pages back and scan
 *             each one for the marker (and for anything not zero) before touching it;
 *   reboot    HC_SHUTDOWN reboot (the cfg's on_reboot runs);
 *   poweroff  HC_SHUTDOWN poweroff.
 * Lines:
 *   secret: scan: <p> pages from 0x0 to 0x<end>, marker <m> times, <z> nonzero pages
 *           outside the image
 *   secret: marker at 0x<gpa>           (the first few places it was found)
 *   secret: nonzero page 0x<gpa>        (the first few such pages outside the image)
 *   secret: filled <p> pages with the marker, <b> read back wrong
 *   secret: target <t> pages, holding <h> pages
 *   secret: got <n> pages at page 0x<pfn>: marker <m> times, <z> nonzero pages
 * With `poke=1` (and then=wait), once it has released pages down to a lowered target it
 * reads the first page it gave back: `secret: reading released page 0x<gpa>`. That access
 * must end the domain (a nested page fault outside its memory); were the page still
 * reachable it would print `secret: read 0x<word> from released page 0x<gpa>`.
 * A domain built from memory another domain (or its own previous incarnation, or the
 * hypervisor) wrote must find the marker 0 times, and its fresh pages must read zero. */
#include "guest.h"

#define PAGE 4096u
#define CHUNK 4096u                  /* pages per balloon hypercall */
#define SHOW 4                       /* addresses printed per kind of finding */

static uint32_t marker[4];           /* the pattern; its own 16 bytes are not a finding */

struct scan_result {
    uint32_t pages, found, nonzero;
};

static bool in_image(uint32_t a)
{
    return a >= (uint32_t)_image_start && a < (uint32_t)_image_end;
}

/* Scan pages [pfn, pfn + n): count 16-byte blocks equal to the marker (anywhere, the image
 * included) and nonzero pages outside the image; print the first few of each. */
static void scan(uint32_t pfn, uint32_t n, struct scan_result *r)
{
    const uint32_t m0 = marker[0], m1 = marker[1], m2 = marker[2], m3 = marker[3];
    const uint32_t self = (uint32_t)marker;
    r->pages = r->found = r->nonzero = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = (pfn + i) * PAGE;
        const volatile uint32_t *p = (const volatile uint32_t *)a;
        uint32_t any = 0;
        for (uint32_t w = 0; w < PAGE / 4; w += 4) {
            uint32_t x0 = p[w], x1 = p[w + 1], x2 = p[w + 2], x3 = p[w + 3];
            any |= x0 | x1 | x2 | x3;
            if (x0 == m0 && x1 == m1 && x2 == m2 && x3 == m3 && a + w * 4 != self) {
                if (r->found < SHOW)
                    printf("secret: marker at 0x%x\n", (unsigned)(a + w * 4));
                r->found++;
            }
        }
        if (any && !in_image(a)) {
            if (r->nonzero < SHOW)
                printf("secret: nonzero page 0x%x\n", (unsigned)a);
            r->nonzero++;
        }
        r->pages++;
    }
}

/* Pages of [pfn, pfn + n) outside the image that do not hold the marker in every block. */
static uint32_t verify(uint32_t pfn, uint32_t n)
{
    uint32_t bad = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = (pfn + i) * PAGE;
        if (in_image(a))
            continue;
        const volatile uint32_t *p = (const volatile uint32_t *)a;
        for (uint32_t w = 0; w < PAGE / 4; w += 4)
            if (p[w] != marker[0] || p[w + 1] != marker[1] || p[w + 2] != marker[2] ||
                p[w + 3] != marker[3]) {
                bad++;
                break;
            }
    }
    return bad;
}

/* Write the marker over pages [pfn, pfn + n), except the image's; returns pages written. */
static uint32_t fill(uint32_t pfn, uint32_t n)
{
    uint32_t done = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = (pfn + i) * PAGE;
        if (in_image(a))
            continue;
        volatile uint32_t *p = (volatile uint32_t *)a;
        for (uint32_t w = 0; w < PAGE / 4; w += 4) {
            p[w] = marker[0];
            p[w + 1] = marker[1];
            p[w + 2] = marker[2];
            p[w + 3] = marker[3];
        }
        done++;
    }
    return done;
}

static long memop(uint32_t cmd, uint32_t pfn, uint32_t n)
{
    return hypercall(HC_MEMORY_OP, cmd, pfn * PAGE, n, 0);
}

/* Follow the balloon target forever, scanning every page taken back before touching it. */
static __attribute__((noreturn)) void follow_target(uint32_t top, bool poke)
{
    uint32_t floor = (uint32_t)_image_end / PAGE + 16;
    long last_t = -1, last_c = -1, last_err = 0;
    bool released = false;
    for (;;) {
        long t = memop(KESTREL_MEMOP_TARGET, 0, 0), c = memop(KESTREL_MEMOP_CURRENT, 0, 0);
        if (t < 0 || c < 0) {
            printf("secret: memory op failed: target %ld current %ld\n", t, c);
            sleep_us(1000000);
            continue;
        }
        if (t != last_t || c != last_c)
            printf("secret: target %ld pages, holding %ld pages\n", t, c);
        last_t = t;
        last_c = c;
        if (poke && released && c == t) {
            uint32_t a = top * PAGE;
            printf("secret: reading released page 0x%x\n", (unsigned)a);
            uint32_t v = *(volatile uint32_t *)a;
            printf("secret: read 0x%08x from released page 0x%x\n", (unsigned)v, (unsigned)a);
            poke = false;
        }
        if (c > t && top > floor) {
            uint32_t n = (uint32_t)(c - t);
            if (n > CHUNK) n = CHUNK;
            if (n > top - floor) n = top - floor;
            long r = memop(KESTREL_MEMOP_DECREASE, top - n, n);
            if (r == (long)n) {
                top -= n;
                released = true;
                continue;
            }
            if (r != last_err)
                printf("secret: DECREASE of %u pages at page 0x%x returned %ld\n",
                       (unsigned)n, (unsigned)(top - n), r);
            last_err = r;
        } else if (c < t) {
            uint32_t n = (uint32_t)(t - c);
            if (n > CHUNK) n = CHUNK;
            long r = memop(KESTREL_MEMOP_INCREASE, top, n);
            if (r > 0) {
                struct scan_result s;
                scan(top, (uint32_t)r, &s);
                printf("secret: got %ld pages at page 0x%x: marker %u times, %u nonzero "
                       "pages\n", r, (unsigned)top, (unsigned)s.found, (unsigned)s.nonzero);
                top += (uint32_t)r;
                continue;
            }
            if (r < 0 && r != last_err)
                printf("secret: INCREASE of %u pages at page 0x%x returned %ld\n",
                       (unsigned)n, (unsigned)top, r);
            last_err = r;
        }
        sleep_us(100000);
    }
}

int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "secret";
    /* Everything from the command line first: the fill overwrites the Multiboot info. */
    uint32_t seed = (uint32_t)cmdline_num("seed", 0);
    bool do_fill = cmdline_num("fill", 1) != 0, poke = cmdline_num("poke", 0) != 0;
    char then[16] = "wait";
    cmdline_str("then", then, sizeof(then));
    if (!seed)
        panic("no seed= on the command line");
    uint32_t s = seed;
    for (int i = 0; i < 4; i++) {
        do
            marker[i] = xorshift32(&s);
        while (!marker[i]);
    }
    uint32_t top;                    /* pages [0, top) are held */
    if (under_kestrel) {
        struct kestrel_domain_info di;
        if (hypercall(HC_DOMAIN_INFO, (uint32_t)&di, 0, 0, 0) != 0)
            panic("HC_DOMAIN_INFO failed");
        top = (uint32_t)(di.memory_kb / 4);
    } else {
        top = (uint32_t)(mbi_ram_end() / PAGE);
    }
    printf("secret: d%u holds %u pages, seed 0x%08x, then %s\n", (unsigned)kestrel_domid,
           (unsigned)top, (unsigned)seed, then);

    struct scan_result r;
    scan(0, top, &r);
    printf("secret: scan: %u pages from 0x0 to 0x%x, marker %u times, %u nonzero pages "
           "outside the image\n", (unsigned)r.pages, (unsigned)(top * PAGE), (unsigned)r.found,
           (unsigned)r.nonzero);
    if (do_fill) {
        uint32_t n = fill(0, top);
        printf("secret: filled %u pages with the marker, %u read back wrong\n", (unsigned)n,
               (unsigned)verify(0, top));
    }

    if (strcmp(then, "reboot") == 0)
        shutdown(KESTREL_SHUTDOWN_REBOOT);
    if (strcmp(then, "poweroff") == 0)
        shutdown(KESTREL_SHUTDOWN_POWEROFF);
    if (!under_kestrel)
        return 0;
    follow_target(top, poke);
}
