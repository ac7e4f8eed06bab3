/* The POST code port 0x80: keeps the last byte written (a guest's progress marker, shown
 * by dump) and reads it back. Guests also write here just to delay. */
#ifndef KESTREL_VDEV_PORT80_H
#define KESTREL_VDEV_PORT80_H

#include <stdint.h>

#include "vdev/vdev.h"

struct vport80 {
    uint8_t last;
    uint64_t writes;
};

/* Power-on state: last code 0, no writes. */
void vport80_init(struct vport80 *p);

extern const struct vdev_ops vport80_ops;   /* 0x80 */

#endif
