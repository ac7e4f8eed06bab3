/* The POST code port 0x80: a guest's progress marker. Writes are also a classic I/O delay,
 * so they must stay cheap: store the byte, count it. */
#include "vdev/port80.h"

/* Contract: see port80.h. */
void vport80_init(struct vport80 *p)
{
    p->last = 0;
    p->writes = 0;
}

/* Contract: vdev_write_fn: keep the low byte. */
static void vport80_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vport80 *p = dev;

    (void)port;
    (void)size;
    p->last = (uint8_t)val;
    p->writes++;
}

/* Contract: vdev_read_fn: the last code written. */
static uint32_t vport80_read(void *dev, uint16_t port, unsigned size)
{
    struct vport80 *p = dev;

    (void)port;
    (void)size;
    return p->last;
}

/* Contract: vdev_dump_fn: "post=XX writes=N" (hex). */
static size_t vport80_dump(void *dev, char *buf, size_t len)
{
    struct vport80 *p = dev;
    size_t pos = vdev_put_str(buf, len, 0, "post=");

    pos = vdev_put_hex(buf, len, pos, p->last, 2);
    pos = vdev_put_str(buf, len, pos, " writes=");
    return vdev_put_hex(buf, len, pos, p->writes, 8);
}

/* The code survives a reset on purpose: it shows how far the guest got before it. */
const struct vdev_ops vport80_ops = {
    .name = "post",
    .read = vport80_read,
    .write = vport80_write,
    .dump = vport80_dump,
    .bytewise = true,
};
