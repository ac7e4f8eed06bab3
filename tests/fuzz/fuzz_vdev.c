/* libFuzzer target for the virtual devices: a hostile guest's view. All devices sit on one
 * bus as in a domain; the input is a script of port reads and writes (any port, any size),
 * clock steps (small and huge), INTA cycles, IRQ line changes and console bytes. Besides
 * ASan/UBSan, checks the invariants the hypervisor relies on: unclaimed ports read all
 * ones, the PIC's acknowledged vector is the pending one, the PIT's next event lies in the
 * future, the UART never accepts more than it has room for. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vdev/vdev.h"
#include "vdev/uart.h"
#include "vdev/pic.h"
#include "vdev/pit.h"
#include "vdev/rtc.h"
#include "vdev/i8042.h"
#include "vdev/port80.h"

struct machine {
    struct vdev_bus bus;
    struct vuart uart;
    struct vpic pic;
    struct vpit pit;
    struct vrtc rtc;
    struct vi8042 kbc;
    struct vport80 post;
    uint64_t now_ns, wall_s, sent, resets;
};

static uint64_t clock_ns(void *ctx) { return ((struct machine *)ctx)->now_ns; }
static uint64_t wall(void *ctx) { return ((struct machine *)ctx)->wall_s; }
static void tx(void *ctx, uint8_t b) { (void)b; ((struct machine *)ctx)->sent++; }
static void reset(void *ctx) { ((struct machine *)ctx)->resets++; }

static void build(struct machine *m)
{
    vdev_bus_init(&m->bus);
    vuart_init(&m->uart, tx, m);
    vpic_init(&m->pic);
    vpit_init(&m->pit, clock_ns, m);
    vrtc_init(&m->rtc, wall, m, 128ull << 20);
    vi8042_init(&m->kbc, reset, m);
    vport80_init(&m->post);
    if (vdev_bus_register(&m->bus, 0x3f8, 0x3ff, &vuart_ops, &m->uart) ||
        vdev_bus_register(&m->bus, 0x20, 0x21, &vpic_ops, &m->pic) ||
        vdev_bus_register(&m->bus, 0xa0, 0xa1, &vpic_ops, &m->pic) ||
        vdev_bus_register(&m->bus, 0x4d0, 0x4d1, &vpic_ops, &m->pic) ||
        vdev_bus_register(&m->bus, 0x40, 0x43, &vpit_ops, &m->pit) ||
        vdev_bus_register(&m->bus, 0x61, 0x61, &vpit_port61_ops, &m->pit) ||
        vdev_bus_register(&m->bus, 0x70, 0x71, &vrtc_ops, &m->rtc) ||
        vdev_bus_register(&m->bus, 0x60, 0x60, &vi8042_ops, &m->kbc) ||
        vdev_bus_register(&m->bus, 0x64, 0x64, &vi8042_ops, &m->kbc) ||
        vdev_bus_register(&m->bus, 0x80, 0x80, &vport80_ops, &m->post))
        abort();
}

/* Ports the script picks from (devices and their neighbours), so most accesses hit. */
static const uint16_t ports[16] = { 0x3f8, 0x20, 0xa0, 0x4d0, 0x40, 0x43, 0x61, 0x70,
                                    0x60, 0x64, 0x80, 0x3fc, 0x21, 0xa1, 0x42, 0x3f0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct machine m;
    size_t i = 0;
    char dump[512];

    build(&m);
    m.now_ns = 0;
    m.wall_s = 1700000000;
    while (i + 3 <= size) {
        uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
        uint16_t port = (uint16_t)(ports[a & 15] + (a >> 4));
        unsigned sz = 1u << (op >> 6 & 3);       /* 1, 2, 4 or 8 (bad) */
        uint32_t v = (uint32_t)b * 0x01010101u;
        bool hit;

        i += 3;
        switch (op & 15) {
        case 0: case 1: case 2: case 3:          /* OUT */
            vdev_bus_io(&m.bus, port, sz, false, &v);
            break;
        case 4: case 5: case 6: case 7:          /* IN */
            hit = vdev_bus_io(&m.bus, port, sz, true, &v);
            if (!hit && sz <= 4 && v != (sz == 4 ? 0xffffffffu : (1u << (8 * sz)) - 1))
                abort();
            if (sz > 4 && v != 0xffffffffu)
                abort();
            break;
        case 8:                                  /* time passes: ns to many years */
            m.now_ns += (uint64_t)b << (a & 63 ? (a % 58) : 0);
            m.wall_s += b;
            break;
        case 9: {                                /* INTA */
            int want = vpic_pending_vector(&m.pic), got = vpic_ack(&m.pic);
            if (want != got || got > 255)
                abort();
            break;
        }
        case 10:
            vpic_set_irq(&m.pic, a, b & 1);
            break;
        case 11: {                               /* console input */
            size_t room = vuart_rx_room(&m.uart), n = a & 31;
            if (n > size - i)
                n = size - i;
            if (vuart_rx_push(&m.uart, data + i, n) > room)
                abort();
            break;
        }
        case 12: {                               /* the hypervisor's timer work */
            uint64_t next = vpit_next_event_ns(&m.pit);
            if (next != UINT64_MAX && next <= m.now_ns)
                abort();
            if (vpit_irq0_edges(&m.pit)) {
                vpic_set_irq(&m.pic, 0, true);
                vpic_set_irq(&m.pic, 0, false);
            }
            vpic_set_irq(&m.pic, 4, vuart_irq_line(&m.uart));
            break;
        }
        case 13:
            vdev_bus_dump(&m.bus, dump, a % sizeof(dump));
            break;
        case 14:
            if (a == 0x5a)
                vdev_bus_reset(&m.bus);
            break;
        default:                                 /* any port at all */
            vdev_bus_io(&m.bus, (uint16_t)(a << 8 | b), sz, op & 0x10, &v);
            break;
        }
    }
    return 0;
}
