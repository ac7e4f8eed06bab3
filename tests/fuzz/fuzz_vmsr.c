/* libFuzzer target for the guest MSR model (arch/x86/vmsr.c): a sequence of RDMSR/WRMSR
 * from a hostile guest, each a 13-byte record (op, index, value), on the vendor the first
 * byte picks. Checks the model's own promises: a refused write changes nothing, an
 * accepted one reads back (for the MSRs that keep what they are given), PAT and the MTRRs
 * only ever hold valid memory types, and the APIC base never gets a reserved bit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "arch/vmsr.h"

/* Every byte of v is one of the types in the bit mask `ok`. */
static int types_in(uint64_t v, unsigned ok)
{
    for (int i = 0; i < 8; i++)
        if (!((ok >> ((v >> (8 * i)) & 0xff)) & 1) || ((v >> (8 * i)) & 0xff) > 7)
            return 0;
    return 1;
}

static uint32_t pick_index(uint32_t raw)
{
    static const uint32_t known[] = {
        0x10, 0x17, 0x1b, 0x3a, 0x3b, 0x8b, 0xfe, 0x179, 0x17a, 0x1a0, 0x1d9, 0x200, 0x201,
        0x20e, 0x20f, 0x210, 0x250, 0x258, 0x26f, 0x277, 0x2ff, 0xc0010010, 0xc0010015,
        0xc0010114, 0xc0010117,
    };
    return (raw & 0x80000000u) ? raw : known[raw % (sizeof(known) / sizeof(known[0]))];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    vmsr_cpu = (struct vmsr_cpu){ .amd = data[0] & 1, .phys_bits = 32 + (data[0] >> 3) % 21,
                                  .nx = (data[0] >> 1) & 1 };
    struct vmsr_state m;
    vmsr_reset(&m);
    uint64_t tsc = 0;
    for (size_t at = 1; at + 13 <= size; at += 13) {
        uint8_t op = data[at];
        uint32_t raw;
        uint64_t val;
        memcpy(&raw, data + at + 1, 4);
        memcpy(&val, data + at + 5, 8);
        uint32_t msr = pick_index(raw);
        tsc += op;
        if (op & 1) {
            uint64_t out;
            vmsr_read(&m, msr, tsc, &out);
            continue;
        }
        struct vmsr_state before = m;
        int rc = vmsr_write(&m, msr, val, tsc);
        if (rc != 0 && rc != -1)
            abort();
        if (rc == -1 && memcmp(&before, &m, sizeof(m)) != 0)
            abort();                                /* a #GP changed state */
        uint64_t back;
        if (rc == 0 && (msr == 0x277 || msr == 0x2ff || msr == 0x1b || msr == 0x200) &&
            (vmsr_read(&m, msr, tsc, &back) != 0 || back != val))
            abort();                                /* an accepted write did not stick */
        if (!types_in(m.pat, 0xf3) || !types_in(m.mtrr_fixed[0], 0x73) ||
            (m.apic_base & 0x6ff))
            abort();
    }
    return 0;
}
