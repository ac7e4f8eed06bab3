/* fpusecret: are a guest's x87/SSE and breakpoint registers its own? Two of these run side
 * by side. `role=writer` fills XMM0-7 with 0x5ec2e7xx words, an x87 value and DR0-DR3 with
 * addresses (DR7 stays 0: no breakpoint is armed), then over and over: sleeps 10 ms (the
 * other domain runs meanwhile) and checks they are all still there. `role=reader` first
 * reads XMM0-7 and DR0-DR3 as it finds them (a fresh vCPU must see its reset state, zeros,
 * never another domain's values), then keeps its own pattern across sleeps too.
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

/* DR0-DR3. */
static void dr_store(uint32_t d[4])
{
    __asm__ volatile("mov %%db0, %0" : "=r"(d[0]));
    __asm__ volatile("mov %%db1, %0" : "=r"(d[1]));
    __asm__ volatile("mov %%db2, %0" : "=r"(d[2]));
    __asm__ volatile("mov %%db3, %0" : "=r"(d[3]));
}

static void dr_load(const uint32_t d[4])
{
    __asm__ volatile("mov %0, %%db0" :: "r"(d[0]));
    __asm__ volatile("mov %0, %%db1" :: "r"(d[1]));
    __asm__ volatile("mov %0, %%db2" :: "r"(d[2]));
    __asm__ volatile("mov %0, %%db3" :: "r"(d[3]));
}

/* How many of DR0-DR3 differ from want (the first one reported as kind). */
static unsigned dr_compare(const char *kind, const uint32_t want[4])
{
    uint32_t got[4];
    unsigned bad = 0;
    dr_store(got);
    for (unsigned i = 0; i < 4; i++)
        if (got[i] != want[i]) {
            if (!bad)
                printf("fpusecret: %s: dr%u holds %08x\n", kind, i, (unsigned)got[i]);
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
    static const uint32_t dr_zero[4];
    uint32_t dr_mine[4];
    unsigned bad = 0;

    sse_on();
    if (!writer) {
        xmm_store(seen);            /* before anything of ours is in them */
        bad += compare("LEAK", seen, zero) ? 1 : 0;
        bad += dr_compare("LEAK", dr_zero) ? 1 : 0;
    }
    for (unsigned i = 0; i < 4; i++)
        dr_mine[i] = (writer ? 0x5ec2e7d0u : 0x0eadd000u) + 4 * i;
    dr_load(dr_mine);
    fill(mine, writer ? 0x5ec2e700u : 0x0ead0000u);
    xmm_load(mine);
    double x = writer ? 1234.5 : -2.25;
    __asm__ volatile("fldl %0" :: "m"(x));
    for (uint64_t n = 1; n <= rounds; n++) {
        sleep_us(10000);
        xmm_store(seen);
        double top;
        __asm__ volatile("fstl %0" : "=m"(top));
        unsigned lost = compare("LOST", seen, mine) + dr_compare("LOST", dr_mine);
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
