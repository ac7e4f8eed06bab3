/* The host's processors as the firmware describes them: the ACPI MADT (found through the
 * RSDP in the EBDA or the BIOS area, then the XSDT or RSDT) and, where there is no ACPI,
 * the Intel MultiProcessor table ("_MP_" floating pointer, then its configuration table).
 *
 * These parsers touch no hardware: physical memory is read through a callback, so they
 * build and are tested on the host against tables a test constructs. Firmware tables are
 * input like any other: a bad checksum, a length that runs off the table or an entry that
 * cannot be walked gives one warning line and the search moves on, never a crash. */
#ifndef KESTREL_ARCH_FW_CPUS_H
#define KESTREL_ARCH_FW_CPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_CPUS_MAX 64              /* processors recorded; more are counted in `dropped` */

/* Copy len bytes of physical memory at pa into buf; false if that memory is not there. */
typedef bool (*fw_read_fn)(void *ctx, uint64_t pa, void *buf, size_t len);
/* One complaint: a single line, no prefix, no newline. */
typedef void (*fw_warn_fn)(void *ctx, const char *msg);

struct fw_reader {
    fw_read_fn read;
    void *ctx;
    fw_warn_fn warn;                /* may be NULL */
    void *warn_ctx;
};

struct fw_cpu {
    uint32_t apic_id;
    uint32_t acpi_uid;              /* ACPI processor UID; the MP table has none (0) */
    bool bsp;                       /* the MP table's BP flag; ACPI does not say (false) */
};

struct fw_cpus {
    struct fw_cpu cpu[FW_CPUS_MAX]; /* enabled processors, in table order, no duplicates */
    unsigned count;
    unsigned disabled;              /* entries marked not enabled (absent or hot-pluggable) */
    unsigned dropped;               /* enabled ones past FW_CPUS_MAX */
    uint64_t lapic_pa;              /* the local APICs' physical address the table gives */
    const char *source;             /* "ACPI MADT", "MP table", "MP default configuration" */
};

/* Where the RSDP is: the first KiB of the EBDA, then 0xE0000-0xFFFFF, on 16-byte
 * boundaries, the first with a valid checksum. 0 and *pa, or -1. */
int acpi_find_rsdp(const struct fw_reader *r, uint64_t *pa);
/* The enabled processors of the MADT reached from the RSDP at rsdp_pa (XSDT when the RSDP
 * is version 2 and has one, else the RSDT). 0 with at least one processor, else -1 (one
 * warning says why). */
int acpi_madt_cpus(const struct fw_reader *r, uint64_t rsdp_pa, struct fw_cpus *out);
/* Where the MP floating pointer is: the first KiB of the EBDA, the last KiB of base
 * memory, then 0xF0000-0xFFFFF. 0 and *pa, or -1. */
int mp_find_floating(const struct fw_reader *r, uint64_t *pa);
/* The enabled processors of the MP configuration the floating pointer at pa describes
 * (its table, or one of the default configurations: two CPUs, APIC ids 0 and 1). 0 with
 * at least one processor, else -1 (one warning says why). */
int mp_table_cpus(const struct fw_reader *r, uint64_t pa, struct fw_cpus *out);
/* The ACPI MADT if there is a usable one, else the MP table. 0, or -1 when neither
 * describes a processor (the caller then runs on the boot CPU alone). */
int fw_find_cpus(const struct fw_reader *r, struct fw_cpus *out);

#endif
