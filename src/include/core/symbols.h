/* The hypervisor's own symbol table (text symbols, generated at link time by
 * tools/gensyms.sh) for stack traces with function names. */
#ifndef KESTREL_CORE_SYMBOLS_H
#define KESTREL_CORE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

/* Name of the function containing addr and addr's offset into it and the function's size;
 * NULL when addr is outside every known function. */
const char *symbol_lookup(uint64_t addr, uint64_t *offset, uint64_t *size);

/* Table layout, as emitted by tools/gensyms.sh: sorted addresses, then name offsets into a
 * blob of NUL-terminated names; `end` is the end of the text section. */
struct symbol_table {
    uint64_t count;
    uint64_t end;
    const uint64_t *addrs;
    const uint32_t *name_offsets;
    const char *names;
};
const char *symbol_table_lookup(const struct symbol_table *t, uint64_t addr,
                                uint64_t *offset, uint64_t *size);

#endif
