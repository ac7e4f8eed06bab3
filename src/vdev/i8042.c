/* Just enough of the 8042 keyboard controller for a guest to reset the machine (Linux's
 * reboot=k, GRUB, most hobby kernels). Controller commands that read something put one
 * byte in the output buffer; those that write something wait for a data byte on 0x60.
 * No keyboard or mouse answers: data bytes meant for them are dropped. */
#include "vdev/i8042.h"
#include "lib/string.h"

#define ST_OBF     0x01
#define ST_SYSFLAG 0x04     /* "system flag": set after a successful self-test */
#define ST_UNLOCKED 0x10    /* "inhibit switch": 1 = keyboard not locked */

static void output(struct vi8042 *k, uint8_t v)
{
    k->out = v;
    k->obf = true;
}

/* Pulse the CPU reset line. */
static void pulse_reset(struct vi8042 *k)
{
    k->resets++;
    if (k->reset)
        k->reset(k->ctx);
}

/* A controller command written to 0x64. */
static void command(struct vi8042 *k, uint8_t cmd)
{
    k->pending_cmd = 0;
    switch (cmd) {
    case 0x20: output(k, k->cmd_byte); break;          /* read command byte */
    case 0x60: k->pending_cmd = cmd; break;            /* write command byte */
    case 0xa7: k->cmd_byte |= 0x20; break;             /* disable aux */
    case 0xa8: k->cmd_byte &= (uint8_t)~0x20; break;   /* enable aux */
    case 0xa9: output(k, 0x01); break;                 /* aux interface test: clock line
                                                          stuck low, i.e. no mouse port */
    case 0xaa: output(k, 0x55); break;                 /* self-test: passed */
    case 0xab: output(k, 0x00); break;                 /* keyboard interface test: ok */
    case 0xad: k->cmd_byte |= 0x10; break;             /* disable keyboard */
    case 0xae: k->cmd_byte &= (uint8_t)~0x10; break;   /* enable keyboard */
    case 0xd0: output(k, k->out_port); break;          /* read output port */
    case 0xd1: k->pending_cmd = cmd; break;            /* write output port */
    case 0xd2:                                         /* write keyboard output buffer */
    case 0xd3: k->pending_cmd = cmd; break;            /* write aux output buffer */
    default:
        /* 0xF0-0xFF pulse the output port bits whose mask bit is 0; bit 0 is reset */
        if ((cmd & 0xf0) == 0xf0 && !(cmd & 1))
            pulse_reset(k);
        break;
    }
}

/* A data byte written to 0x60: the argument of a pending command, else for the keyboard. */
static void data(struct vi8042 *k, uint8_t v)
{
    uint8_t cmd = k->pending_cmd;

    k->pending_cmd = 0;
    if (cmd == 0x60) {
        k->cmd_byte = v;
    } else if (cmd == 0xd2 || cmd == 0xd3) {
        /* Echoed as keyboard data: with no mouse port, the aux loopback Linux tries first
         * comes back without the aux-data status bit, which it reads as "no aux" at once
         * rather than after a timeout. */
        output(k, v);
    } else if (cmd == 0xd1) {
        k->out_port = v;
        if (!(v & 1))                                  /* reset line is active low */
            pulse_reset(k);
    }
}

/* Contract: vdev_write_fn for 0x60 (data) and 0x64 (command). */
static void vi8042_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    (void)size;
    if (port & 4)
        command(dev, (uint8_t)val);
    else
        data(dev, (uint8_t)val);
}

/* Contract: vdev_read_fn: 0x64 is the status (input buffer always empty, system flag
 * set, keyboard not inhibited: bit 4 is the keylock switch, 1 = unlocked), 0x60 the output buffer (the last byte stays readable, OBF clears). */
static uint32_t vi8042_read(void *dev, uint16_t port, unsigned size)
{
    struct vi8042 *k = dev;

    (void)size;
    if (port & 4)
        return ST_SYSFLAG | ST_UNLOCKED | (k->obf ? ST_OBF : 0);
    k->obf = false;
    return k->out;
}

/* Contract: power-on state; the reset callback, its context and the reset count stay. */
static void vi8042_reset(void *dev)
{
    struct vi8042 *k = dev;

    k->cmd_byte = 0x45;         /* keyboard interrupt, system flag, translation */
    k->out_port = 0xcf;         /* reset line high (inactive), A20 enabled */
    k->pending_cmd = 0;
    k->out = 0;
    k->obf = false;
}

void vi8042_init(struct vi8042 *k, void (*reset)(void *ctx), void *ctx)
{
    memset(k, 0, sizeof(*k));
    k->reset = reset;
    k->ctx = ctx;
    vi8042_reset(k);
}

/* Contract: vdev_dump_fn. */
static size_t vi8042_dump(void *dev, char *buf, size_t len)
{
    struct vi8042 *k = dev;
    size_t pos = vdev_put_str(buf, len, 0, "cmd=");

    pos = vdev_put_hex(buf, len, pos, k->cmd_byte, 2);
    pos = vdev_put_str(buf, len, pos, " outport=");
    pos = vdev_put_hex(buf, len, pos, k->out_port, 2);
    pos = vdev_put_str(buf, len, pos, " resets=");
    pos = vdev_put_hex(buf, len, pos, k->resets, 4);
    return pos;
}

const struct vdev_ops vi8042_ops = {
    .name = "i8042",
    .read = vi8042_read,
    .write = vi8042_write,
    .reset = vi8042_reset,
    .dump = vi8042_dump,
    .bytewise = true,
};
