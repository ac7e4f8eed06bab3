/* Domain configs in xl.cfg syntax: the `.cfg` Multiboot modules of Kestrel's boot image
 * (see /work/shared/README.md). One cfg describes one predefined guest: its name, which
 * module is its kernel (and ramdisk), its command line, memory, vCPUs, scheduler weight and
 * what to do when it powers off, reboots or crashes.
 *
 * Syntax accepted (a subset of xl.cfg(5)): one `key = value` per line; `#` starts a comment
 * outside quotes; values are "double" or 'single' quoted strings, decimal integers, or
 * [ lists ]. No key we support takes a list, so a list is rejected with a clear error for
 * them, and accepted (and ignored) only for keys xl knows that we do not use (vif, disk...).
 * Those known-but-unused keys are reported through the optional warn callback, never fatal,
 * so a cfg written for Xen boots. Unknown keys are an error naming the key. */
#ifndef KESTREL_CORE_XLCFG_H
#define KESTREL_CORE_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLCFG_NAME_MAX     32     /* sizeof(name): 1..31 chars of [A-Za-z0-9_.-] */
#define XLCFG_MODULE_MAX   64     /* sizeof(kernel), sizeof(ramdisk) */
#define XLCFG_CMDLINE_MAX  512    /* sizeof(cmdline) */
#define XLCFG_MEMORY_DEFAULT 32u  /* MiB, as xl's default for PV guests */
#define XLCFG_MEMORY_MAX   65536u /* MiB */
#define XLCFG_WEIGHT_DEFAULT 256u /* as Xen's credit scheduler */
#define XLCFG_WEIGHT_MAX   65535u

/* What to do when a domain powers off, reboots or crashes (xl's on_* keys). */
enum domain_action { ACTION_DESTROY, ACTION_RESTART, ACTION_PRESERVE, ACTION_RENAME_RESTART };

struct domain_config {
    char name[XLCFG_NAME_MAX];
    char kernel[XLCFG_MODULE_MAX];   /* module name of the guest kernel */
    char ramdisk[XLCFG_MODULE_MAX];  /* module name, "" for none */
    char cmdline[XLCFG_CMDLINE_MAX]; /* `extra` or `cmdline`, "" for none */
    uint32_t memory_mb;              /* default 32, 1..65536 */
    uint32_t maxmem_mb;              /* default = memory_mb; must be >= memory_mb */
    uint32_t vcpus;                  /* 1; more is an error until SMP exists */
    uint32_t weight;                 /* scheduler weight, default 256, range 1..65535 */
    enum domain_action on_poweroff, on_reboot, on_crash;  /* destroy, restart, destroy */
    bool autostart;                  /* default true */
};

/* Receives one warning: a single line, no newline, already naming module and line. */
typedef void (*xlcfg_warn_fn)(void *ctx, const char *line);

/* Fill c with every default (empty name and kernel, which parsing then requires). */
void xlcfg_defaults(struct domain_config *c);

/* Parse a cfg module's text: len bytes, not NUL-terminated, never read past len.
 * module is its name for messages (NULL is taken as "cfg").
 * Returns 0 with *out filled, or -1 with err holding ONE line naming the module, line and
 * key, e.g. "hello.cfg:3: memory: expected a number of MiB, got 'lots'" (*out then holds
 * defaults and whatever was parsed before the error; do not use it). err may be NULL or
 * errsz 0. Known xl keys that Kestrel ignores are reported through warn (may be NULL),
 * one line each, e.g. "hello.cfg:5: vif: ignored (Kestrel has no use for it)". */
int xlcfg_parse(const char *text, size_t len, const char *module, struct domain_config *out,
                char *err, size_t errsz, xlcfg_warn_fn warn, void *ctx);

/* xl's name of an action: "destroy", "restart", "preserve", "rename-restart";
 * "unknown" for anything else. */
const char *domain_action_name(enum domain_action a);

#endif
