/* The virtio-mmio transport (virtio 1.2, section 4.2; the "modern" version 2 register
 * layout only, no legacy version 1 registers): one virtio device (vdev/virtio.h) behind one
 * 0x200-byte register window on a domain's MMIO bus (vdev/mmio.h), its interrupt a line,
 * active high, asserted while InterruptStatus is not 0 (the DSDT gives its GSI as edge-
 * triggered: the line rises again on each event after the driver's InterruptACK).
 *
 * Where the devices sit (the ACPI DSDT describes each as a "LNRO0005" device, the id
 * Linux's virtio_mmio driver matches): device n (< VIRTIO_MMIO_MAX_DEVICES) at
 * VIRTIO_MMIO_BASE + n * VIRTIO_MMIO_STRIDE, on I/O APIC GSI VIRTIO_MMIO_GSI_BASE + n.
 *
 * Access rules (everything the guest writes is untrusted):
 * - registers (offsets below 0x100) take only aligned 32-bit accesses; any other size or
 *   alignment reads 0 and is ignored when written (counted in bad_accesses);
 * - write-only registers read 0, read-only ones ignore writes, offsets naming no register
 *   read 0 and ignore writes;
 * - the configuration space at 0x100 takes 1-, 2- and 4-byte naturally aligned accesses
 *   wholly inside the device's config_size; others read 0 / are ignored;
 * - a queue's setup registers (QueueNum, QueueDesc/Driver/Device) are written only while
 *   that queue is not ready; QueueSel naming no queue makes every queue register read 0
 *   and ignore writes;
 * - QueueReady = 1 is refused (stays 0) unless QueueNum is a power of two no larger than
 *   QueueNumMax and the areas are aligned as 2.7 requires (desc 16, driver 2, device 4);
 * - Status bits are only ever added by the driver (a write keeps the bits already set);
 *   writing 0 resets the device and every queue. FEATURES_OK is refused (reads back clear)
 *   unless the driver's features are a subset of the offered ones and include VERSION_1;
 *   DRIVER_OK is refused without FEATURES_OK; DriverFeatures is frozen after FEATURES_OK;
 * - notifications reach the device only for a ready queue after DRIVER_OK and before
 *   DEVICE_NEEDS_RESET.
 *
 * Not locked: the caller serialises accesses and the device's calls (one vCPU). */
#ifndef KESTREL_VDEV_VIRTIO_MMIO_H
#define KESTREL_VDEV_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vdev/mmio.h"
#include "vdev/virtio.h"
#include "vdev/virtq.h"

/* Guest-physical placement (the DSDT, core/acpi_tables.h, describes the same). */
#define VIRTIO_MMIO_BASE         0xFE000000u
#define VIRTIO_MMIO_STRIDE       0x1000u
#define VIRTIO_MMIO_SIZE         0x200u
#define VIRTIO_MMIO_MAX_DEVICES  8u
#define VIRTIO_MMIO_GSI_BASE     16u     /* I/O APIC pins 16..23: PCI-style, no override */

#define VIRTIO_MMIO_MAGIC        0x74726976u  /* "virt" */
#define VIRTIO_MMIO_VERSION      2u
#define VIRTIO_MMIO_VENDOR       0x4b53544cu  /* "KSTL" read as a little-endian word */

/* Register offsets (4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000u
#define VIRTIO_MMIO_VERSION_REG         0x004u
#define VIRTIO_MMIO_DEVICE_ID           0x008u
#define VIRTIO_MMIO_VENDOR_ID           0x00cu
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010u
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014u
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020u
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024u
#define VIRTIO_MMIO_QUEUE_SEL           0x030u
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034u
#define VIRTIO_MMIO_QUEUE_NUM           0x038u
#define VIRTIO_MMIO_QUEUE_READY         0x044u
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050u
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060u
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064u
#define VIRTIO_MMIO_STATUS              0x070u
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080u
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084u
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090u
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094u
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0u
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4u
#define VIRTIO_MMIO_SHM_SEL             0x0acu
#define VIRTIO_MMIO_SHM_LEN_LOW         0x0b0u
#define VIRTIO_MMIO_SHM_LEN_HIGH        0x0b4u
#define VIRTIO_MMIO_SHM_BASE_LOW        0x0b8u
#define VIRTIO_MMIO_SHM_BASE_HIGH       0x0bcu
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fcu
#define VIRTIO_MMIO_CONFIG              0x100u

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE        1u
#define VIRTIO_STATUS_DRIVER             2u
#define VIRTIO_STATUS_DRIVER_OK          4u
#define VIRTIO_STATUS_FEATURES_OK        8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED             128u

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_MMIO_INT_VRING   1u      /* used buffers on some queue */
#define VIRTIO_MMIO_INT_CONFIG  2u      /* configuration changed (or device needs reset) */

/* Feature bits 28..41 belong to the transport (6): a device's own bits there are dropped
 * and the transport offers its own, VIRTIO_MMIO_TRANSPORT_FEATURES. */
#define VIRTIO_TRANSPORT_FEATURE_MASK   (((1ull << 42) - 1) & ~((1ull << 28) - 1))
#define VIRTIO_MMIO_TRANSPORT_FEATURES  \
    (VIRTIO_F_VERSION_1 | VIRTIO_F_RING_INDIRECT_DESC | VIRTIO_F_RING_EVENT_IDX)

struct virtio_transport {
    const struct virtio_dev_ops *ops;
    void *dev;
    struct virtq_mem mem;               /* copied at init */
    struct virtq vq[VIRTIO_MAX_QUEUES];
    uint64_t offered;                   /* DeviceFeatures, all 64 bits */
    uint64_t driver_features;           /* as written so far; negotiated once FEATURES_OK */
    bool driver_features_stray;         /* a bit written above the 64 offered */
    uint32_t device_features_sel, driver_features_sel, queue_sel;
    uint32_t status;
    uint32_t interrupt_status;
    uint32_t config_generation;
    uint32_t kick_pending;              /* queues notified before DRIVER_OK (bit per queue) */
    /* Counters for the dump line. */
    uint64_t notifies, interrupts, bad_accesses;
};

/* Set t up for device dev with ops (kept by pointer) and guest memory mem (copied), in the
 * reset state. Returns 0, or -1 (t unusable) if ops lacks config_read, notify or reset, has
 * more than VIRTIO_MAX_QUEUES queues, none, or a queue_max of 0 or above VIRTQ_MAX_NUM, or
 * mem lacks read/write. */
int virtio_mmio_init(struct virtio_transport *t, const struct virtio_dev_ops *ops, void *dev,
                     const struct virtq_mem *mem);

/* Device reset, as the driver's write of 0 to Status or a machine reset: the device's
 * reset op, every queue forgotten, status, selectors, features and InterruptStatus 0.
 * ConfigGeneration keeps counting (it only has to change when the config does). */
void virtio_mmio_reset(struct virtio_transport *t);

/* One register access at offset off of the window (size 1, 2, 4 or 8; off may be anything:
 * outside the window reads 0 / is ignored). Follows the access rules above. */
uint32_t virtio_mmio_read(struct virtio_transport *t, uint64_t off, unsigned size);
void virtio_mmio_write(struct virtio_transport *t, uint64_t off, unsigned size, uint32_t val);

/* The interrupt line: asserted (true) while InterruptStatus is not 0, active high. The
 * caller drives its I/O APIC pin with this after every access and every device call that
 * may change it; on an edge-triggered pin it also makes each new interrupt (the
 * `interrupts` counter moved) a fresh edge (core/domain_virtio.c). */
bool virtio_mmio_irq_line(const struct virtio_transport *t);

/* The MMIO bus's view of a transport (dev = the struct virtio_transport *). */
extern const struct vdev_mmio_ops virtio_mmio_ops;

/* One line for the shell's dump: device, status, features, each set-up queue, interrupt
 * status, generation, counters; into buf[0..len), NUL-terminated, cut to fit. Returns the
 * length written without the NUL. */
size_t virtio_mmio_dump(const struct virtio_transport *t, char *buf, size_t len);

#endif
