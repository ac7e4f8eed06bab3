/* Just enough of the 8042 keyboard controller (ports 0x60 data, 0x64 status/command) for a
 * guest to reset the machine: command 0xFE (or any pulse command with bit 0 clear), or
 * command 0xD1 followed by an output-port byte with bit 0 (reset line) clear, calls the
 * reset callback. There is no keyboard or mouse behind it. */
#ifndef KESTREL_VDEV_I8042_H
#define KESTREL_VDEV_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/vdev.h"

struct vi8042 {
    void (*reset)(void *ctx);
    void *ctx;
    uint8_t cmd_byte;       /* controller command byte (0x20 reads, 0x60 writes) */
    uint8_t out_port;       /* output port (0xD0 reads, 0xD1 writes) */
    uint8_t pending_cmd;    /* command waiting for its data byte on 0x60, or 0 */
    uint8_t out;            /* output buffer (last byte; reads of 0x60 return it) */
    bool obf;               /* output buffer full (status bit 0) */
    uint64_t resets;        /* times the reset line was pulsed */
};

/* Power-on state. reset(ctx) is called from the guest's write that asks for a reset; it
 * may be NULL. */
void vi8042_init(struct vi8042 *k, void (*reset)(void *ctx), void *ctx);

extern const struct vdev_ops vi8042_ops;   /* register on 0x60 and 0x64 (two ranges) */

#endif
