/* Address -> function name for stack traces, by binary search over the sorted table that
 * the second link pass embeds in section .ksyms. */
#include "core/symbols.h"

/* Emitted by tools/gensyms.sh (an empty table in the first link pass). */
extern const uint64_t ksyms_count;
extern const uint64_t ksyms_end;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];

const char *symbol_table_lookup(const struct symbol_table *t, uint64_t addr,
                                uint64_t *offset, uint64_t *size)
{
    if (t->count == 0 || addr < t->addrs[0] || addr >= t->end)
        return NULL;
    uint64_t lo = 0, hi = t->count;        /* find the last entry with addrs[i] <= addr */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (t->addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    uint64_t next = lo + 1 < t->count ? t->addrs[lo + 1] : t->end;
    if (offset)
        *offset = addr - t->addrs[lo];
    if (size)
        *size = next - t->addrs[lo];
    return t->names + t->name_offsets[lo];
}

const char *symbol_lookup(uint64_t addr, uint64_t *offset, uint64_t *size)
{
    struct symbol_table t = {
        .count = ksyms_count, .end = ksyms_end, .addrs = ksyms_addrs,
        .name_offsets = ksyms_name_offsets, .names = ksyms_names,
    };
    return symbol_table_lookup(&t, addr, offset, size);
}
