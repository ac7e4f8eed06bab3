/* fpusecret: are a guest's x87/SSE registers its own? Two of these run side by side.
 * `role=writer` fills XMM0-7 with 0x5ec2e7xx words and an x87 value, then over and over:
 * sleeps 10 ms (the other domain runs meanwhile) and checks they are all still there.
 * `role=reader` first reads XMM0-7 as it finds them (a fresh vCPU must see its reset state,
 * zeros, never another domain's values), then keeps its own pattern across sleeps too.
 * Lines: `fpusecret: <role> round <n> ok`, or `fpusecret: LEAK: ...` / `fpusecret: LOST:
 * ...` naming the register, and after rounds= rounds (default 20) `fpusecret: <role> done,
 * <k> bad` and power off. */
#include "guest.h"

typedef uint32_t xmm_t[4];

/* Turn on SSE: CR4.OSFXSR and OSXMMEXCPT, CR0.MP on, EM and TS off. */
static void sse_on(void)
{
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr0 = (cr0 & ~0xcu) | 0x2u;
    cr4 |= 0x600u;
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
    __asm__ volatile("fninit");
}

#define XMM_ALL(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7)
#define LOAD(n)  __asm__ volatile("movdqu %0, %%xmm" #n :: "m"(v[n]));
#define STORE(n) __asm__ volatile("movdqu %%xmm" #n ", %0" : "=m"(v[n]));

static void xmm_load(xmm_t v[8]) { XMM_ALL(LOAD) }
static void xmm_store(xmm_t v[8]) { XMM_ALL(STORE) }

static void fill(xmm_t v[8], uint32_t tag)
{
    for (unsigned r = 0; r < 8; r++)
        for (unsigned w = 0; w < 4; w++)
            v[r][w] = tag | (r << 4) | w;
}

/* How many registers of got differ from want (and report the first by kind). */
static unsigned compare(const char *kind, xmm_t got[8], xmm_t want[8])
{
    unsigned bad = 0;
    for (unsigned r = 0; r < 8; r++)
        if (memcmp(got[r], want[r], sizeof(xmm_t)) != 0) {
            if (!bad)
                printf("fpusecret: %s: xmm%u holds %08x%08x%08x%08x\n", kind, r,
                       (unsigned)got[r][3], (unsigned)got[r][2], (unsigned)got[r][1],
                       (unsigned)got[r][0]);
            bad++;
        }
    return bad;
}

int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "fpusecret";
    char rolebuf[16] = "";
    cmdline_str("role", rolebuf, sizeof(rolebuf));
    bool writer = strcmp(rolebuf, "writer") == 0;
    const char *role = writer ? "writer" : "reader";
    uint64_t rounds = cmdline_num("rounds", 20);
    static xmm_t mine[8], seen[8], zero[8];
    unsigned bad = 0;

    sse_on();
    if (!writer) {
        xmm_store(seen);            /* before anything of ours is in them */
        bad += compare("LEAK", seen, zero) ? 1 : 0;
    }
    fill(mine, writer ? 0x5ec2e700u : 0x0ead0000u);
    xmm_load(mine);
    double x = writer ? 1234.5 : -2.25;
    __asm__ volatile("fldl %0" :: "m"(x));
    for (uint64_t n = 1; n <= rounds; n++) {
        sleep_us(10000);
        xmm_store(seen);
        double top;
        __asm__ volatile("fstl %0" : "=m"(top));
        unsigned lost = compare("LOST", seen, mine);
        if (memcmp(&top, &x, sizeof(x)) != 0) {
            printf("fpusecret: LOST: x87 st0 changed\n");
            lost++;
        }
        bad += lost ? 1 : 0;
        if (!lost)
            printf("fpusecret: %s round %llu ok\n", role, (unsigned long long)n);
        xmm_load(mine);
    }
    printf("fpusecret: %s done, %u bad\n", role, bad);
    return 0;
}
