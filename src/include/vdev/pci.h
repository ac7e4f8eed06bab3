/* A virtual PCI bus 0 reached through configuration mechanism #1 (PCI Local Bus 3.0,
 * 3.2.2.3.2), as Linux's arch/x86/pci/direct.c probes it:
 *   0xCF8      CONFIG_ADDRESS: 32-bit accesses only; bit 31 enable, bus 23:16, device
 *              15:11, function 10:8, register 7:2 (bits 30:24 and 1:0 read 0);
 *   0xCFC-CFF  CONFIG_DATA: 1-, 2- or 4-byte accesses into the selected dword.
 * Byte accesses at 0xCF9 are the PC's reset control register, not CONFIG_ADDRESS: the bus
 * forwards them to the device given at init (vdev/acpi_pm.h's vacpi_reset_ops). Every other
 * access to 0xCF8-0xCFB reads all ones and is dropped.
 * Bus 0 holds up to 256 functions (devfn = device << 3 | function), each a struct
 * vpci_func that its device embeds: 256 bytes of configuration space with a mask of the
 * bits the guest may write and a mask of the bits it clears by writing 1 (status bits),
 * plus optional hooks. Absent functions, other buses and CONFIG_DATA with the enable bit
 * clear read all ones; writes to them are dropped. A BAR is a register whose write mask
 * clears its size bits, so the guest's sizing (write ~0, read back) works with no code.
 * Device 00:00.0 is normally the host bridge: vpci_host_bridge_init() makes one. */
#ifndef KESTREL_VDEV_PCI_H
#define KESTREL_VDEV_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/vdev.h"

#define VPCI_PORT_LO         0xcf8u     /* register [VPCI_PORT_LO, VPCI_PORT_HI] */
#define VPCI_PORT_HI         0xcffu
#define VPCI_CONFIG_ADDRESS  0xcf8u
#define VPCI_CONFIG_DATA     0xcfcu
#define VPCI_RESET_PORT      0xcf9u
#define VPCI_DEVFN(dev, fn)  ((unsigned)(dev) << 3 | (unsigned)(fn))
#define VPCI_CFG_SIZE        256u

/* The host bridge 00:00.0: Intel 82441FX (440FX) PMC, as QEMU's pc machine has. Linux
 * needs a host bridge (class 0x0600) or VGA device on bus 0 to accept mechanism #1. */
#define VPCI_HOST_VENDOR     0x8086u
#define VPCI_HOST_DEVICE     0x1237u
#define VPCI_HOST_REVISION   0x02u

/* Standard header registers used here. */
#define VPCI_VENDOR_ID       0x00u
#define VPCI_DEVICE_ID       0x02u
#define VPCI_COMMAND         0x04u
#define VPCI_STATUS          0x06u
#define VPCI_REVISION        0x08u
#define VPCI_CLASS_PROG      0x09u      /* prog-if, then subclass 0x0a, class 0x0b */
#define VPCI_CACHE_LINE      0x0cu
#define VPCI_LATENCY         0x0du
#define VPCI_HEADER_TYPE     0x0eu
#define VPCI_BAR0            0x10u
#define VPCI_INTERRUPT_LINE  0x3cu
#define VPCI_INTERRUPT_PIN   0x3du

struct vpci_func {
    uint8_t cfg[VPCI_CFG_SIZE];         /* what reads return */
    uint8_t wmask[VPCI_CFG_SIZE];       /* bits a write replaces */
    uint8_t w1cmask[VPCI_CFG_SIZE];     /* bits a write of 1 clears (not in wmask) */
    /* Optional, called after the guest wrote bytes [off, off + size) of cfg (a device
     * remaps a BAR, reacts to the command register...). */
    void (*written)(struct vpci_func *f, unsigned off, unsigned size);
    /* Optional, called on a machine reset to return cfg to its power-on state. */
    void (*reset)(struct vpci_func *f);
    void *ctx;                          /* the device's own, for its hooks */
};

struct vpci_bus {
    uint32_t config_address;
    struct vpci_func *funcs[256];       /* bus 0 by devfn; NULL = absent */
    const struct vdev_ops *cf9_ops;     /* byte accesses at 0xCF9, may be NULL */
    void *cf9_dev;
};

/* An empty bus 0 with CONFIG_ADDRESS 0; cf9_ops/cf9_dev (may be NULL) take byte accesses
 * at 0xCF9 (the reset register) and are reset with the bus. */
void vpci_bus_init(struct vpci_bus *b, const struct vdev_ops *cf9_ops, void *cf9_dev);

/* Put f at devfn (< 256) on bus 0. Returns 0, or -1 if devfn is out of range or taken or
 * f is NULL. The guest sees functions 1-7 of a device only if function 0 is present and
 * says it is multi-function (header type bit 7), as it probes them. */
int vpci_attach(struct vpci_bus *b, unsigned devfn, struct vpci_func *f);

/* A type 0 header with no BARs, capabilities or interrupt pin: the IDs, class (class <<
 * 16 | subclass << 8 | prog-if) and revision given, and the writable bits every function
 * has (command: I/O, memory, bus master, parity, SERR, INTx disable; status error bits
 * write-1-to-clear; cache line size, latency timer, interrupt line). No hooks. */
void vpci_func_init(struct vpci_func *f, uint16_t vendor, uint16_t device, uint32_t class_code,
                    uint8_t revision);

/* The host bridge above (class 0x060000), whose reset hook restores it. */
void vpci_host_bridge_init(struct vpci_func *f);

/* Configuration read / write of size 1, 2 or 4 at offset off of bus 0's devfn, as the
 * guest's CONFIG_DATA access does (an access must not cross a dword: else all ones /
 * dropped). Exposed for the tests and for other transports. */
uint32_t vpci_cfg_read(const struct vpci_bus *b, unsigned devfn, unsigned off, unsigned size);
void vpci_cfg_write(struct vpci_bus *b, unsigned devfn, unsigned off, unsigned size, uint32_t val);

/* An access the exit fast path may finish without the run loop (it has no effect beyond
 * the bus's registers): CONFIG_ADDRESS as a dword, read or written, and a CONFIG_DATA read.
 * Does it as vpci_ops would (*val gets an IN's value) and returns true, or does nothing and
 * returns false (CONFIG_DATA writes reach a function's hook, 0xCF9 resets). */
bool vpci_fast_io(struct vpci_bus *b, uint16_t port, unsigned size, bool in, uint32_t *val);

extern const struct vdev_ops vpci_ops;   /* [VPCI_PORT_LO, VPCI_PORT_HI] */

#endif
