/* A virtual PCI bus 0 behind configuration mechanism #1 (see vdev/pci.h). The bus only
 * routes: CONFIG_ADDRESS picks a function, CONFIG_DATA reads its bytes or writes them
 * through its masks; what a function is lives in its struct vpci_func. */
#include "vdev/pci.h"
#include "lib/string.h"

#define ADDR_ENABLE   0x80000000u
#define ADDR_KEPT     0x80fffffcu   /* enable, bus, device, function, register */

static uint32_t ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Contract: see pci.h. */
void vpci_bus_init(struct vpci_bus *b, const struct vdev_ops *cf9_ops, void *cf9_dev)
{
    memset(b, 0, sizeof(*b));
    b->cf9_ops = cf9_ops;
    b->cf9_dev = cf9_dev;
}

/* Contract: see pci.h. */
int vpci_attach(struct vpci_bus *b, unsigned devfn, struct vpci_func *f)
{
    if (devfn >= 256 || !f || b->funcs[devfn])
        return -1;
    b->funcs[devfn] = f;
    return 0;
}

/* Store the low n bytes of v little-endian at p[off]. */
static void set_reg(uint8_t *p, unsigned off, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[off + i] = (uint8_t)(v >> (8 * i));
}

/* Contract: see pci.h. */
void vpci_func_init(struct vpci_func *f, uint16_t vendor, uint16_t device, uint32_t class_code,
                    uint8_t revision)
{
    memset(f, 0, sizeof(*f));
    set_reg(f->cfg, VPCI_VENDOR_ID, vendor, 2);
    set_reg(f->cfg, VPCI_DEVICE_ID, device, 2);
    set_reg(f->cfg, VPCI_REVISION, revision, 1);
    set_reg(f->cfg, VPCI_CLASS_PROG, class_code, 3);
    set_reg(f->wmask, VPCI_COMMAND, 0x0547, 2);
    set_reg(f->w1cmask, VPCI_STATUS, 0xf900, 2);
    set_reg(f->wmask, VPCI_CACHE_LINE, 0xff, 1);
    set_reg(f->wmask, VPCI_LATENCY, 0xff, 1);
    set_reg(f->wmask, VPCI_INTERRUPT_LINE, 0xff, 1);
}

static void host_bridge_reset(struct vpci_func *f)
{
    vpci_host_bridge_init(f);
}

/* Contract: see pci.h. */
void vpci_host_bridge_init(struct vpci_func *f)
{
    vpci_func_init(f, VPCI_HOST_VENDOR, VPCI_HOST_DEVICE, 0x060000, VPCI_HOST_REVISION);
    f->reset = host_bridge_reset;
}

/* The function an access at devfn/off/size reaches, or NULL (absent, or a bad access). */
static struct vpci_func *target(const struct vpci_bus *b, unsigned devfn, unsigned off,
                                unsigned size)
{
    if (devfn >= 256 || (size != 1 && size != 2 && size != 4) || off >= VPCI_CFG_SIZE ||
        (off & 3) + size > 4)
        return NULL;
    return b->funcs[devfn];
}

/* Contract: see pci.h. */
uint32_t vpci_cfg_read(const struct vpci_bus *b, unsigned devfn, unsigned off, unsigned size)
{
    const struct vpci_func *f = target(b, devfn, off, size);
    uint32_t v = 0;

    if (!f)
        return ones(size);
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)f->cfg[off + i] << (8 * i);
    return v;
}

/* Contract: see pci.h. */
void vpci_cfg_write(struct vpci_bus *b, unsigned devfn, unsigned off, unsigned size, uint32_t val)
{
    struct vpci_func *f = target(b, devfn, off, size);

    if (!f)
        return;
    for (unsigned i = 0; i < size; i++) {
        uint8_t byte = (uint8_t)(val >> (8 * i)), *c = &f->cfg[off + i];

        *c = (uint8_t)((*c & ~f->wmask[off + i]) | (byte & f->wmask[off + i]));
        *c = (uint8_t)(*c & ~(byte & f->w1cmask[off + i]));
    }
    if (f->written)
        f->written(f, off, size);
}

/* The devfn and register CONFIG_ADDRESS selects for a CONFIG_DATA access at port, or false
 * when it selects nothing (enable bit clear, or a bus other than 0). */
static bool selected(const struct vpci_bus *b, uint16_t port, unsigned *devfn, unsigned *off)
{
    uint32_t a = b->config_address;

    if (!(a & ADDR_ENABLE) || ((a >> 16) & 0xff) != 0)
        return false;
    *devfn = (a >> 8) & 0xff;
    *off = (a & 0xfc) + (port - VPCI_CONFIG_DATA);
    return true;
}

/* Contract: vdev_read_fn over 0xCF8-0xCFF. */
static uint32_t vpci_read(void *dev, uint16_t port, unsigned size)
{
    struct vpci_bus *b = dev;
    unsigned devfn, off;

    if (port == VPCI_CONFIG_ADDRESS && size == 4)
        return b->config_address;
    if (port == VPCI_RESET_PORT && size == 1 && b->cf9_ops)
        return b->cf9_ops->read(b->cf9_dev, port, 1) & 0xff;
    if (port >= VPCI_CONFIG_DATA && port <= VPCI_PORT_HI && selected(b, port, &devfn, &off))
        return vpci_cfg_read(b, devfn, off, size);
    return ones(size);
}

/* Contract: vdev_write_fn over 0xCF8-0xCFF. */
static void vpci_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
    struct vpci_bus *b = dev;
    unsigned devfn, off;

    if (port == VPCI_CONFIG_ADDRESS && size == 4)
        b->config_address = val & ADDR_KEPT;
    else if (port == VPCI_RESET_PORT && size == 1 && b->cf9_ops)
        b->cf9_ops->write(b->cf9_dev, port, 1, val & 0xff);
    else if (port >= VPCI_CONFIG_DATA && port <= VPCI_PORT_HI && selected(b, port, &devfn, &off))
        vpci_cfg_write(b, devfn, off, size, val);
}

/* Contract: see pci.h. */
bool vpci_fast_io(struct vpci_bus *b, uint16_t port, unsigned size, bool in, uint32_t *val)
{
    if (port == VPCI_CONFIG_ADDRESS && size == 4) {
        if (in)
            *val = b->config_address;
        else
            b->config_address = *val & ADDR_KEPT;
        return true;
    }
    if (in && port >= VPCI_CONFIG_DATA && port <= VPCI_PORT_HI &&
        (size == 1 || size == 2 || size == 4) && port + size - 1 <= VPCI_PORT_HI) {
        *val = vpci_read(b, port, size);
        return true;
    }
    return false;
}

/* Machine reset: CONFIG_ADDRESS 0, every function's reset hook, the 0xCF9 device. */
static void vpci_reset(void *dev)
{
    struct vpci_bus *b = dev;

    b->config_address = 0;
    for (unsigned i = 0; i < 256; i++)
        if (b->funcs[i] && b->funcs[i]->reset)
            b->funcs[i]->reset(b->funcs[i]);
    if (b->cf9_ops && b->cf9_ops->reset)
        b->cf9_ops->reset(b->cf9_dev);
}

/* Contract: vdev_dump_fn: "addr=XXXXXXXX funcs=N" and the 0xCF9 device's summary. */
static size_t vpci_dump(void *dev, char *buf, size_t len)
{
    struct vpci_bus *b = dev;
    unsigned n = 0;
    size_t pos;

    for (unsigned i = 0; i < 256; i++)
        n += b->funcs[i] != NULL;
    pos = vdev_put_str(buf, len, 0, "addr=");
    pos = vdev_put_hex(buf, len, pos, b->config_address, 8);
    pos = vdev_put_str(buf, len, pos, " funcs=");
    pos = vdev_put_hex(buf, len, pos, n, 2);
    if (b->cf9_ops && b->cf9_ops->dump && len > pos + 2) {
        size_t m;

        pos = vdev_put_str(buf, len, pos, " ");
        m = b->cf9_ops->dump(b->cf9_dev, buf + pos, len - pos);
        pos += m < len - pos ? m : len - pos - 1;   /* trust no dump's count */
    }
    return pos;
}

const struct vdev_ops vpci_ops = {
    .name = "pci",
    .read = vpci_read,
    .write = vpci_write,
    .reset = vpci_reset,
    .dump = vpci_dump,
};
