/* Domains: guests built from the boot image's modules, each with its vCPUs, its own memory
 * behind nested page tables (NPT or EPT), its emulated legacy devices and a console ring.
 * Kestrel has no dom0: domain ids start at 1. */
#ifndef KESTREL_CORE_DOMAIN_H
#define KESTREL_CORE_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vcpu.h"
#include "core/xlcfg.h"
#include "vdev/vdev.h"
#include "vdev/uart.h"
#include "vdev/pic.h"
#include "vdev/pit.h"
#include "vdev/rtc.h"
#include "vdev/i8042.h"
#include "vdev/port80.h"
#include "vdev/mmio.h"
#include "vdev/lapic.h"
#include "vdev/ioapic.h"
#include "vdev/acpi_pm.h"
#include "vdev/pci.h"

#define DOMAIN_MAX          128
#define DOMAIN_CONRING_SIZE (16u << 10)
#define DOMAIN_RX_QUEUE     1024
#define DOMAIN_LINE_MAX     256
#define DOMAIN_UNKNOWN_PORTS 16     /* distinct unknown ports logged per domain */

enum domain_state {
    DOMAIN_RUNNING,     /* r or b: the vCPU is runnable or blocked */
    DOMAIN_PAUSED,      /* p */
    DOMAIN_SHUTDOWN,    /* s: powered off, kept (on_poweroff=preserve) */
    DOMAIN_CRASHED,     /* c: crashed, kept (on_crash=preserve) */
    DOMAIN_DYING,       /* d: being torn down */
};

enum shutdown_reason { SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT, SHUTDOWN_CRASH };

#define DOMAIN_VCPUS_MAX XLCFG_VCPUS_MAX

/* The first DOMAIN_UNKNOWN_PORTS distinct keys of something a guest does that deserves a
 * log line (an unemulated port, an MSR giving #GP): each is said once, every access only
 * counted, so a guest fuzzing ports or MSRs cannot flood the log (seen_once_note). */
struct seen_once {
    uint32_t keys[DOMAIN_UNKNOWN_PORTS];
    unsigned count;
    uint64_t accesses;
};
enum seen_once_result { SEEN_BEFORE, SEEN_NEW, SEEN_NEW_LAST };
/* Count one access with key: SEEN_NEW when the key is new and has a slot (say so),
 * SEEN_NEW_LAST when it also took the last slot (say that further ones are not said),
 * SEEN_BEFORE otherwise (known, or no slot left). */
enum seen_once_result seen_once_note(struct seen_once *s, uint32_t key);

/* One vCPU with its local APIC, allocated when the domain is built. vCPU 0 is the boot
 * processor; the others (application processors) wait for the INIT-SIPI-SIPI that a guest
 * OS sends them, as on a PC. */
struct domain_vcpu {
    struct vcpu vcpu;               /* first: vcpu_lapic() finds the rest from it */
    struct vlapic lapic;            /* APIC ID = vCPU id (core/irq.h) */
    struct vlapic_clock lapic_clock;
    bool wait_for_sipi;             /* an AP after INIT (or power-on), before its SIPI */
    bool sipi_pending;              /* started by a SIPI: vcpu_take_sipi() gives the vector */
    uint8_t sipi_vector;
};

struct domain_virtio;
struct domain_devices;

struct domain {
    int id;
    bool used;
    char name[32];
    struct domain_config cfg;
    int cfg_module;             /* boot module index of its cfg, for `create` */
    enum domain_state state;
    enum shutdown_reason last_shutdown;
    bool shutdown_pending;      /* applied by domains_reap(), outside the vCPU's exit path */
    uint64_t p2m_root;          /* guest-physical map: NPT (SVM) or EPT (VMX) */
    uint64_t mem_pages;         /* 4 KiB pages held now */
    uint64_t max_pages, target_pages;
    uint64_t created_ns;
    unsigned nr_vcpus;              /* 1..DOMAIN_VCPUS_MAX, cfg's maxvcpus */
    struct domain_vcpu *vcpus[DOMAIN_VCPUS_MAX];
    /* devices */
    struct vdev_bus bus;
    struct vdev_mmio_bus mmio;      /* device registers in guest-physical memory */
    struct vuart uart;
    struct vpic pic;
    struct vpit pit;
    struct vrtc rtc;
    struct vi8042 kbd;
    struct vport80 post;
    struct vioapic ioapic;
    struct vacpi_pm pm;             /* ACPI PM1 block and timer (0x600-0x60B) */
    struct vacpi_reset rcr;         /* reset control register (0xCF9) */
    struct vpci_bus pci;            /* PCI bus 0 behind 0xCF8/0xCFC */
    struct vpci_func host_bridge;   /* its 00:00.0 */
    struct domain_virtio *virtio;   /* virtio-mmio devices, NULL: none (core/domain_virtio.h) */
    struct domain_devices *devices; /* what they are (core/domain_devices.h), Linux only */
    struct seen_once unknown_ports;  /* unemulated ports, each logged once (core/vcpu.c) */
    struct seen_once gp_msrs;        /* MSRs that gave #GP, each logged once */
    /* console: ring of raw output, a line being assembled for the (dN) prefix, input queue */
    char *con_ring;
    uint64_t con_written;
    char line[DOMAIN_LINE_MAX];
    unsigned line_len;
    uint8_t rx[DOMAIN_RX_QUEUE];
    unsigned rx_head, rx_tail;
    uint64_t con_bytes, con_dropped_input;
};

/* vCPU i (< d->nr_vcpus) of d, and a vCPU's local APIC. */
static inline struct vcpu *domain_vcpu(const struct domain *d, unsigned i)
{
    return &d->vcpus[i]->vcpu;
}
static inline struct domain_vcpu *domain_vcpu_of(struct vcpu *v)
{
    return (struct domain_vcpu *)v;
}
static inline struct vlapic *vcpu_lapic(struct vcpu *v)
{
    return &domain_vcpu_of(v)->lapic;
}
static inline const struct vlapic *vcpu_lapic_const(const struct vcpu *v)
{
    return &((const struct domain_vcpu *)v)->lapic;
}

/* Build every domain whose cfg module is in the boot image (autostart ones are started),
 * after enabling virtualization. Errors name the module, line and key; that domain is
 * skipped and the others boot. */
void domains_build_from_boot(void);
/* Create a domain from a boot module's cfg (the shell's `create`). Returns it or NULL with
 * a reason in err. */
struct domain *domain_create_from_module(int cfg_module, char *err, size_t errsz);
/* Virtualization is available (SVM with NPT or VMX with EPT found and enabled). */
bool virt_available(void);
const char *virt_unavailable_reason(void);

/* The domain table's slots: a free one with the next id and the slot cleared, or NULL when
 * all DOMAIN_MAX are in use; give one back (destroy does, after domain_unbuild). */
struct domain *domain_alloc_slot(void);
void domain_free_slot(struct domain *d);

void domain_destroy(struct domain *d);
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);
/* The guest (or the shell) asks for a shutdown; the cfg's on_* action is applied. */
void domain_shutdown(struct domain *d, enum shutdown_reason why, const char *detail);
/* Apply pending shutdown actions (destroy, restart with a new id, preserve, rename-restart);
 * called by the scheduler loop, never from inside a vCPU exit. */
void domains_reap(void);
/* Crash with a log line naming what happened, then on_crash. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Change the balloon target (mem-set) or the ceiling (mem-max), in MiB. */
int domain_set_target(struct domain *d, uint64_t mib, char *err, size_t errsz);
int domain_set_max(struct domain *d, uint64_t mib, char *err, size_t errsz);

struct domain *domain_by_id(int id);
/* By name or id, as the shell's arguments give them. */
struct domain *domain_lookup(const char *name_or_id);
/* Iterate: first/next live domain in id order (NULL at the end). */
struct domain *domain_first(void);
struct domain *domain_next(const struct domain *d);
unsigned domain_count(void);
/* Shell completer (shell_complete_fn): the live domains' names for the first argument. */
const char *domain_name_candidate(const char *line, unsigned word, unsigned i);
/* xl list's state letters "r-----" for d. */
void domain_state_letters(const struct domain *d, char out[7]);

#endif
