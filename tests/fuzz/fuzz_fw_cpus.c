/* libFuzzer target for the firmware CPU tables (arch/x86/fw_cpus.c). The input is physical
 * memory from address 0 (and again from 0xE0000, where the RSDP search looks); the RSDP
 * and the MP floating pointer are tried at address 16 and searched for. Checks: nothing
 * reads outside the input (the reader refuses, ASan would flag the parser), the list has
 * no duplicate APIC id, at most FW_CPUS_MAX entries, and 0 is returned exactly when it
 * holds a processor. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/fw_cpus.h"

struct mem {
    const uint8_t *p;
    size_t n;
};

static bool fuzz_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    const struct mem *m = ctx;
    if (pa >= 0xE0000 && pa < 0x100000)
        pa -= 0xE0000;
    if (pa >= m->n || len > m->n - pa)
        return false;
    memcpy(buf, m->p + pa, len);
    return true;
}

static void check(int rc, const struct fw_cpus *c)
{
    if (c->count > FW_CPUS_MAX || (rc == 0) != (c->count > 0))
        abort();
    for (unsigned i = 0; i < c->count; i++)
        for (unsigned j = i + 1; j < c->count; j++)
            if (c->cpu[i].apic_id == c->cpu[j].apic_id)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem m = { data, size };
    const struct fw_reader r = { fuzz_read, &m, NULL, NULL };
    static struct fw_cpus c;
    check(acpi_madt_cpus(&r, 16, &c), &c);
    check(mp_table_cpus(&r, 16, &c), &c);
    check(fw_find_cpus(&r, &c), &c);
    return 0;
}
