/* Software performance counters, the perfc=y build's half (make PERFC=1; the default build
 * links perfc_none.c instead): the counters themselves, the per-device access counts, and
 * Xen's keys `p` (print, "performance counters SHOWN") and `P` (reset), also the commands
 * `perfc` and `perfc-reset`. The output follows Xen's perfc_printall: one line per counter,
 * "<description>  TOTAL[n]", and for an array its non-zero elements below it, four a line,
 * each "<index in hex>[n]" ("other" for the slot past the end). */
#include <stdbool.h>
#include "core/perfc.h"
#include "console/shell.h"
#include "lib/format.h"
#include "lib/string.h"
#include "arch/time.h"

uint64_t perfc_counters[PERFC_NUM];

/* What the table says of each counter: where it starts, how many slots, its description. */
struct perfc_info {
    const char *desc;
    unsigned first, n;      /* n == 0: a single counter */
};

static const struct perfc_info perfc_info[] = {
#define PERFCOUNTER(name, d) { d, PERFC_##name, 0 },
#define PERFCOUNTER_ARRAY(name, d, n_) { d, PERFC_##name, (n_) },
#include "core/perfc_defn.h"
#undef PERFCOUNTER
#undef PERFCOUNTER_ARRAY
};

/* Device accesses, by the device's name (vdev_ops.name): names are compared as pointers
 * first (each device's ops are one static table) and then as strings. */
static struct {
    const char *name;
    uint64_t count;
} devices[PERFC_MAX_DEVICES + 1];   /* the last: "other" (more names than slots) */

static uint64_t reset_ns;

void perfc_dev_access(const char *name)
{
    if (name == NULL)
        name = "?";
    for (unsigned i = 0; i < PERFC_MAX_DEVICES; i++) {
        if (devices[i].name == NULL)
            devices[i].name = name;
        if (devices[i].name == name || strcmp(devices[i].name, name) == 0) {
            devices[i].count++;
            return;
        }
    }
    devices[PERFC_MAX_DEVICES].count++;
}

/* Print the non-zero elements of an array counter, four a line, under its TOTAL. */
static void print_elements(const struct perfc_info *c)
{
    char line[160];
    size_t pos = 0;
    unsigned shown = 0;

    for (unsigned k = 0; k <= c->n; k++) {
        uint64_t v = perfc_counters[c->first + k];
        if (v == 0)
            continue;
        char label[16];
        if (k == c->n)
            snprintf(label, sizeof(label), "other");
        else
            snprintf(label, sizeof(label), "0x%x", k);
        if (shown % 4 == 0) {
            if (pos)
                shell_printf("%s\n", line);
            pos = (size_t)snprintf(line, sizeof(line), "%16s", "");
        }
        pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "  %6s[%10llu]", label,
                                (unsigned long long)v);
        shown++;
    }
    if (pos)
        shell_printf("%s\n", line);
}

static void print_total(const char *desc, uint64_t total)
{
    shell_printf("%-42s  TOTAL[%12llu]\n", desc, (unsigned long long)total);
}

/* Contract: prints every counter; changes nothing. */
static int cmd_perfc(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    uint64_t now = time_now_ns(), since = now - reset_ns;
    shell_printf("Kestrel performance counters SHOWN (now = %llu.%06llu s, counting for "
                 "%llu.%03llu s)\n",
                 (unsigned long long)(now / 1000000000), (unsigned long long)(now / 1000 % 1000000),
                 (unsigned long long)(since / 1000000000),
                 (unsigned long long)(since / 1000000 % 1000));
    for (size_t i = 0; i < sizeof(perfc_info) / sizeof(perfc_info[0]); i++) {
        const struct perfc_info *c = &perfc_info[i];
        uint64_t total = 0;
        for (unsigned k = 0; k <= c->n; k++)
            total += perfc_counters[c->first + k];
        print_total(c->desc, total);
        if (c->n && total)
            print_elements(c);
    }
    for (unsigned i = 0; i <= PERFC_MAX_DEVICES; i++) {
        if (i < PERFC_MAX_DEVICES && devices[i].name == NULL)
            continue;
        if (i == PERFC_MAX_DEVICES && devices[i].count == 0)
            continue;
        char desc[48];
        snprintf(desc, sizeof(desc), "device accesses: %s",
                 i < PERFC_MAX_DEVICES ? devices[i].name : "other");
        print_total(desc, devices[i].count);
    }
    return 0;
}

/* Contract: zeroes every counter (device names stay known, their counts go to 0). */
static int cmd_perfc_reset(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    memset(perfc_counters, 0, sizeof(perfc_counters));
    for (unsigned i = 0; i <= PERFC_MAX_DEVICES; i++)
        devices[i].count = 0;
    reset_ns = time_now_ns();
    shell_printf("Kestrel performance counters RESET (now = %llu.%06llu s)\n",
                 (unsigned long long)(reset_ns / 1000000000),
                 (unsigned long long)(reset_ns / 1000 % 1000000));
    return 0;
}

SHELL_COMMAND(cmd_perfc_entry, "perfc", 'p', "", "print performance counters", cmd_perfc);
SHELL_COMMAND(cmd_perfc_reset_entry, "perfc-reset", 'P', "", "reset performance counters",
              cmd_perfc_reset);
