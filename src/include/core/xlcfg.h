/* Domain configs in xl.cfg syntax: the `.cfg` Multiboot modules of Kestrel's boot image
 * (see /work/shared/README.md). One cfg describes one predefined guest: its name, which
 * module is its kernel (and ramdisk), its command line, memory, vCPUs, scheduler weight and
 * what to do when it powers off, reboots or crashes.
 *
 * Syntax accepted (a subset of xl.cfg(5)): one `key = value` per line; `#` starts a comment
 * outside quotes; values are "double" or 'single' quoted strings, decimal integers, or
 * [ lists ] of them (lists may span lines and end in a trailing comma). `disk` and `vif`
 * take a list of quoted specs (below); every other key we support refuses a list. Lists are
 * accepted (and ignored) for keys xl knows that we do not use (vfb, pci...). Those
 * known-but-unused keys are reported through the optional warn callback, never fatal, so a
 * cfg written for Xen boots. Unknown keys are an error naming the key.
 *
 * disk = [ 'SPEC', ... ] (xl-disk-configuration(5), the part that applies; xlcfg_disk.c):
 *   key=value form  'format=raw,vdev=xvda,access=rw,target=rootfs.img' (keys format, vdev,
 *                   access, devtype=disk, target; everything after `target=` is the target,
 *                   commas included, so it comes last, as in xl)
 *   positional form 'rootfs.img,raw,xvda,rw' (target, format, vdev, access; a field left
 *                   empty takes its default: 'rootfs.img,,xvda'); both forms mix, a
 *                   positional field filling the first of the four not yet given
 *   legacy prefixes 'file:rootfs.img,xvda,w' (file:, raw:, aio:, tap:aio: mean format raw;
 *                   phy: and qcow:/qcow2:/vhd: are refused)
 *   target: a boot module, by basename; format: raw only; vdev: xvd[a-z], hd[a-z], sd[a-z] or
 *   vd[a-z], required, one disk per letter; access: r/ro or w/rw (default rw). The letter
 *   gives the order: disks[] is sorted by it and the guest sees /dev/vda, /dev/vdb... in that
 *   order, without gaps (xvda and xvdc become vda and vdb).
 *
 * vcpus = N, maxvcpus = M (xl's: M >= N, default N; 1..64). cpus = "LIST" gives every vCPU
 * the hard affinity LIST (core/cpulist.h: "all", "2", "1-3", "0,2", "^1"); the list form
 * cpus = [ "LIST0", "LIST1", ... ] gives vCPU i the i-th (vCPUs past the end keep "all"),
 * at most maxvcpus of them. Whether the host has those CPUs is the builder's check.
 *
 * vif = [ 'SPEC', ... ] (xl-network-configuration(5), the part that applies; xlcfg_vif.c):
 *   'bridge=lan0,mac=00:16:3e:12:34:56': bridge 1..15 of [A-Za-z0-9_.-] (default "xenbr0",
 *   as xl), one vif per bridge; mac six hex octets with ':', unicast (bit 0 of the first
 *   octet clear), not all zero, not given to two vifs. type, model, script, ip, vifname and
 *   rate are ignored with a warning each. An empty spec '' is a vif on xenbr0. Without mac
 *   the vif's mac_set is false: the builder takes xlcfg_vif_default_mac(). */
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
#define XLCFG_DISKS_MAX    8      /* disks per domain */
#define XLCFG_VDEV_MAX     8      /* sizeof(vdev): "xvda" */
#define XLCFG_VIFS_MAX     8      /* vifs per domain (one per bridge) */
#define XLCFG_BRIDGE_MAX   16     /* sizeof(bridge): 1..15 chars of [A-Za-z0-9_.-] */
#define XLCFG_BRIDGE_DEFAULT "xenbr0"
#define XLCFG_VCPUS_MAX    64     /* vcpus, maxvcpus: 1..64 */

/* One `disk` spec. disks[] is sorted by the vdev's letter: disks[i] is the guest's i-th
 * virtio disk (/dev/vda, /dev/vdb... in order). */
struct xlcfg_disk {
    char target[XLCFG_MODULE_MAX];   /* module name (basename of the target) */
    char vdev[XLCFG_VDEV_MAX];       /* as written: "xvda", "hdb", "sdc", "vdd"... */
    bool ro;                         /* access r/ro */
};

/* One `vif` spec. */
struct xlcfg_vif {
    char bridge[XLCFG_BRIDGE_MAX];   /* default "xenbr0"; unique among a domain's vifs */
    uint8_t mac[6];                  /* valid only if mac_set */
    bool mac_set;                    /* false: use xlcfg_vif_default_mac(name, index) */
};

/* What to do when a domain powers off, reboots or crashes (xl's on_* keys). */
enum domain_action { ACTION_DESTROY, ACTION_RESTART, ACTION_PRESERVE, ACTION_RENAME_RESTART };

struct domain_config {
    char name[XLCFG_NAME_MAX];
    char kernel[XLCFG_MODULE_MAX];   /* module name of the guest kernel */
    char ramdisk[XLCFG_MODULE_MAX];  /* module name, "" for none */
    char cmdline[XLCFG_CMDLINE_MAX]; /* `extra` or `cmdline`, "" for none */
    uint32_t memory_mb;              /* default 32, 1..65536 */
    uint32_t maxmem_mb;              /* default = memory_mb; must be >= memory_mb */
    uint32_t vcpus;                  /* vCPUs at boot, default 1, 1..XLCFG_VCPUS_MAX */
    uint32_t maxvcpus;               /* default = vcpus; must be >= vcpus */
    uint64_t cpus[XLCFG_VCPUS_MAX];  /* hard affinity of each vCPU: bit n = host CPU n;
                                        every bit set (default) = any CPU */
    bool cpus_set;                   /* `cpus` was given */
    uint32_t weight;                 /* scheduler weight, default 256, range 1..65535 */
    enum domain_action on_poweroff, on_reboot, on_crash;  /* destroy, restart, destroy */
    bool autostart;                  /* default true */
    struct xlcfg_disk disks[XLCFG_DISKS_MAX];
    unsigned ndisks;
    struct xlcfg_vif vifs[XLCFG_VIFS_MAX];
    unsigned nvifs;
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
 * one line each, e.g. "hello.cfg:5: vfb: ignored (Kestrel has no use for it)". */
int xlcfg_parse(const char *text, size_t len, const char *module, struct domain_config *out,
                char *err, size_t errsz, xlcfg_warn_fn warn, void *ctx);

/* The MAC of a vif written without mac=: Xen's 00:16:3e prefix, then 24 bits from the
 * domain's name and the vif's index, so a domain's vif keeps its MAC across reboots and
 * re-creates. h = FNV-1a (32-bit) of the name's bytes; mac[3] = (h >> 24) & 0x7f (the top
 * bit clear, as xl's random MACs), mac[4] = h >> 16, mac[5] = (h + index) & 0xff: vifs of one
 * domain (index 0..255) never share a MAC. Two domains may (about 1 in 2^23 per pair, or an
 * explicit mac= may equal one): the caller refuses a MAC already on a bridge. name may be
 * NULL (taken as ""). */
void xlcfg_vif_default_mac(const char *name, unsigned index, uint8_t mac[6]);

/* xl's name of an action: "destroy", "restart", "preserve", "rename-restart";
 * "unknown" for anything else. */
const char *domain_action_name(enum domain_action a);

#endif
