/* strio: string I/O, as a guest kernel may use it. Each check prints `strio: <what> ok` or
 * `strio: <what> FAILED ...`, then `strio: done, <n> failed` and powers off:
 *   rep outsb   a line to the UART in one instruction (it appears as this guest's output)
 *   outsb       the same line one element at a time, DF=1 (backwards through memory)
 *   rep insb    16 bytes from the UART's scratch register after writing 0x5a to it
 *   fs: outsb   a segment override: FS points at a copy of the text 64 bytes further on
 *   rep outsw   8 words to port 0x80 (POST codes), counting RCX down to 0
 *   rep outsb x10000  longer than one exit's batch of the emulation
 * and last `rep outsb` from beyond the guest's memory (`strio: outsb from beyond memory`):
 * bare that is ROM (`strio: still running`), under Kestrel the domain crashes, as it does
 * for any access outside its memory. */
#include "guest.h"

#define COM1 0x3f8
static unsigned failed;

static void check(const char *what, bool ok, const char *detail)
{
    printf("strio: %s %s%s%s\n", what, ok ? "ok" : "FAILED", ok ? "" : " ", ok ? "" : detail);
    failed += !ok;
}

/* Write this guest's FS base through a new GDT entry (index 3) - a flat 32-bit data
 * segment based at base - and load FS with it. */
static void set_fs_base(uint32_t base)
{
    static uint64_t gdt[4];
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } old, now;
    __asm__ volatile("sgdt %0" : "=m"(old));
    const uint64_t *cur = (const uint64_t *)old.base;
    for (unsigned i = 0; i < 3 && i * 8 + 7 <= old.limit; i++)
        gdt[i] = cur[i];
    gdt[3] = 0x00cf92000000ffffULL | ((uint64_t)(base & 0xffffff) << 16) |
             ((uint64_t)(base >> 24) << 56);
    now.limit = sizeof(gdt) - 1;
    now.base = (uint32_t)gdt;
    __asm__ volatile("lgdt %0\n\tmov %1, %%fs" :: "m"(now), "r"(0x18) : "memory");
}

int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "strio";
    static const char line[] = "strio: written by rep outsb\r\n";
    uint32_t n = sizeof(line) - 1;
    const char *src = line;
    __asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(n) : "d"(COM1) : "memory");
    check("rep outsb", n == 0 && src == line + sizeof(line) - 1, "registers not advanced");

    /* Stored reversed, sent from its end downwards: it comes out forwards. */
    static const char fwd[] = "strio: outsb, each, backwards\r\n";
    static char back[sizeof(fwd) - 1];
    for (unsigned i = 0; i < sizeof(back); i++)
        back[i] = fwd[sizeof(back) - 1 - i];
    src = back + sizeof(back) - 1;
    for (unsigned i = 0; i < sizeof(back); i++)
        __asm__ volatile("std; outsb; cld" : "+S"(src) : "d"(COM1) : "memory");
    check("outsb with DF=1", (uintptr_t)src + 1 == (uintptr_t)back, "rsi not stepped down");

    outb(COM1 + 7, 0x5a);
    uint8_t buf[16];
    memset(buf, 0, sizeof(buf));
    uint8_t *dst = buf;
    n = sizeof(buf);
    __asm__ volatile("cld; rep insb" : "+D"(dst), "+c"(n) : "d"(COM1 + 7) : "memory");
    bool all = n == 0 && dst == buf + sizeof(buf);
    for (unsigned i = 0; i < sizeof(buf); i++)
        all = all && buf[i] == 0x5a;
    check("rep insb", all, "bytes or registers wrong");

    static char texts[128];
    memcpy(texts, "strio: not this text\r\n", 22);
    memcpy(texts + 64, "strio: fs: override\r\n", 21);
    set_fs_base(64);
    src = texts;                      /* fs:[esi] = texts + 64 */
    n = 21;
    __asm__ volatile("cld; rep outsb %%fs:(%%esi), (%%dx)"
                     : "+S"(src), "+c"(n) : "d"(COM1) : "memory");
    check("fs: outsb", n == 0, "not all sent");

    static const uint16_t words[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    const uint16_t *w = words;
    n = 8;
    __asm__ volatile("cld; rep outsw" : "+S"(w), "+c"(n) : "d"(0x80) : "memory");
    check("rep outsw", n == 0 && w == words + 8, "registers not advanced");

    static uint8_t big[10000];
    const uint8_t *b = big;
    n = sizeof(big);                  /* more than one exit's batch: continues on re-entry */
    __asm__ volatile("cld; rep outsb" : "+S"(b), "+c"(n) : "d"(0x80) : "memory");
    check("rep outsb x10000", n == 0 && b == big + sizeof(big), "registers not advanced");

    printf("strio: done, %u failed\n", failed);

    /* Last: a source beyond this guest's memory. Bare, that is ROM and reads fine; under
     * Kestrel it is what any access there is, the end of the domain (on_crash). */
    printf("strio: outsb from beyond memory\n");
    src = (const char *)0xfff00000u;
    n = 4;
    __asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(n) : "d"(0x80) : "memory");
    printf("strio: still running\n");
    return 0;
}
