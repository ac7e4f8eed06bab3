/* Unit tests for the PCI bus (src/vdev/pci.c) driven through the I/O-port bus as Linux
 * drives it: the type-1 probe of arch/x86/pci/direct.c (byte write to 0xCFB, CONFIG_ADDRESS
 * read back, a host bridge found by class), the host bridge's header, absent functions and
 * buses, the enable bit, BAR-less headers, byte/word accesses, write and write-1-to-clear
 * masks, BAR sizing through a mask, the 0xCF9 reset register inside 0xCF8's dword, reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/pci.h"
#include "vdev/acpi_pm.h"

static struct vdev_bus bus;
static struct vpci_bus pci;
static struct vpci_func host, nic;
static struct vacpi_reset rcr;
static unsigned resets, writes_seen, last_off, last_size;

static void reset_cb(void *ctx) { (void)ctx; resets++; }

static void written(struct vpci_func *f, unsigned off, unsigned size)
{
    assert_ptr_equal(f, &nic);
    writes_seen++;
    last_off = off;
    last_size = size;
}

static uint32_t in(uint16_t port, unsigned size)
{
    uint32_t v = 0;

    assert_true(vdev_bus_io(&bus, port, size, true, &v));
    return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
    assert_true(vdev_bus_io(&bus, port, size, false, &v));
}

static uint32_t addr(unsigned busno, unsigned devfn, unsigned reg)
{
    return 0x80000000u | busno << 16 | devfn << 8 | (reg & 0xfc);
}

/* A configuration read as Linux's pci_conf1_read does it. */
static uint32_t conf1_read(unsigned busno, unsigned devfn, unsigned reg, unsigned size)
{
    out(0xcf8, 4, addr(busno, devfn, reg));
    return in((uint16_t)(0xcfc + (reg & 3)), size);
}

static void conf1_write(unsigned busno, unsigned devfn, unsigned reg, unsigned size, uint32_t v)
{
    out(0xcf8, 4, addr(busno, devfn, reg));
    out((uint16_t)(0xcfc + (reg & 3)), size, v);
}

static int setup(void **state)
{
    (void)state;
    resets = writes_seen = 0;
    vacpi_reset_init(&rcr, reset_cb, NULL);
    vpci_bus_init(&pci, &vacpi_reset_ops, &rcr);
    vpci_host_bridge_init(&host);
    assert_int_equal(vpci_attach(&pci, VPCI_DEVFN(0, 0), &host), 0);
    vdev_bus_init(&bus);
    assert_int_equal(vdev_bus_register(&bus, VPCI_PORT_LO, VPCI_PORT_HI, &vpci_ops, &pci), 0);
    return 0;
}

/* arch/x86/pci/direct.c: pci_check_type1() and pci_sanity_check(). */
static void test_linux_type1_probe(void **state)
{
    uint32_t saved;
    int found = -1;

    (void)state;
    out(0xcfb, 1, 0x01);
    saved = in(0xcf8, 4);
    out(0xcf8, 4, 0x80000000u);
    assert_int_equal(in(0xcf8, 4), 0x80000000u);
    for (unsigned devfn = 0; devfn < 256 && found < 0; devfn++) {
        uint32_t class = conf1_read(0, devfn, 0x0a, 2);

        if (class == 0x0600 || class == 0x0300)
            found = (int)devfn;
    }
    assert_int_equal(found, 0);
    out(0xcf8, 4, saved);
    assert_int_equal(in(0xcf8, 4), saved);
    assert_int_equal(resets, 0);                  /* the 0xCFB byte touched nothing */
}

static void test_host_bridge_header(void **state)
{
    (void)state;
    assert_int_equal(conf1_read(0, 0, 0x00, 4), 0x12378086u);
    assert_int_equal(conf1_read(0, 0, 0x08, 4), 0x06000002u);   /* class, revision */
    assert_int_equal(conf1_read(0, 0, 0x0e, 1), 0x00);           /* type 0, single */
    assert_int_equal(conf1_read(0, 0, 0x34, 1), 0x00);           /* no capabilities */
    assert_int_equal(conf1_read(0, 0, 0x06, 2) & 0x10, 0);
    assert_int_equal(conf1_read(0, 0, 0x3d, 1), 0);              /* no interrupt pin */
    /* Byte and word reads at every offset of the dword. */
    assert_int_equal(conf1_read(0, 0, 0x00, 1), 0x86);
    assert_int_equal(conf1_read(0, 0, 0x01, 1), 0x80);
    assert_int_equal(conf1_read(0, 0, 0x02, 1), 0x37);
    assert_int_equal(conf1_read(0, 0, 0x03, 1), 0x12);
    assert_int_equal(conf1_read(0, 0, 0x02, 2), 0x1237);
    assert_int_equal(conf1_read(0, 0, 0x0b, 1), 0x06);
}

static void test_bar_less_and_masks(void **state)
{
    (void)state;
    for (unsigned reg = 0x10; reg <= 0x24; reg += 4) {
        conf1_write(0, 0, reg, 4, 0xffffffffu);
        assert_int_equal(conf1_read(0, 0, reg, 4), 0);           /* no BAR */
    }
    conf1_write(0, 0, 0x00, 4, 0);                               /* IDs are read-only */
    assert_int_equal(conf1_read(0, 0, 0x00, 4), 0x12378086u);
    conf1_write(0, 0, 0x04, 2, 0xffff);
    assert_int_equal(conf1_read(0, 0, 0x04, 2), 0x0547);
    conf1_write(0, 0, 0x05, 1, 0x00);                            /* byte of command */
    assert_int_equal(conf1_read(0, 0, 0x04, 2), 0x0047);
    conf1_write(0, 0, 0x0c, 1, 0x10);
    conf1_write(0, 0, 0x0d, 1, 0x40);
    assert_int_equal(conf1_read(0, 0, 0x0c, 4), 0x00004010);
    conf1_write(0, 0, 0x3c, 1, 0x0b);
    assert_int_equal(conf1_read(0, 0, 0x3c, 2), 0x000b);
    /* Status: error bits clear when written with 1, stay when written with 0. */
    host.cfg[0x07] = 0xf9;
    conf1_write(0, 0, 0x06, 2, 0x0000);
    assert_int_equal(conf1_read(0, 0, 0x06, 2), 0xf900);
    conf1_write(0, 0, 0x06, 2, 0x8100);
    assert_int_equal(conf1_read(0, 0, 0x06, 2), 0x7800);
    conf1_write(0, 0, 0x04, 4, 0xffff0000u);                     /* dword: both */
    assert_int_equal(conf1_read(0, 0, 0x04, 4), 0);
}

static void test_absent_functions_and_buses(void **state)
{
    (void)state;
    for (unsigned dev = 1; dev < 32; dev++)
        assert_int_equal(conf1_read(0, VPCI_DEVFN(dev, 0), 0, 4), 0xffffffffu);
    assert_int_equal(conf1_read(0, VPCI_DEVFN(0, 1), 0, 4), 0xffffffffu);
    conf1_write(0, VPCI_DEVFN(3, 0), 0x04, 4, 0x7);             /* dropped */
    assert_int_equal(conf1_read(1, 0, 0, 4), 0xffffffffu);      /* other buses */
    assert_int_equal(conf1_read(255, 0, 0, 2), 0xffff);
    conf1_write(1, 0, 0x0c, 1, 0x55);
    assert_int_equal(conf1_read(0, 0, 0x0c, 1), 0);             /* not bus 0's */
    out(0xcf8, 4, 0x00000000u);                                  /* enable clear */
    assert_int_equal(in(0xcfc, 4), 0xffffffffu);
    assert_int_equal(in(0xcfe, 1), 0xff);
    out(0xcfc, 4, 0);
    assert_int_equal(conf1_read(0, 0, 0, 4), 0x12378086u);
}

static void test_config_address_register(void **state)
{
    (void)state;
    out(0xcf8, 4, 0xffffffffu);
    assert_int_equal(in(0xcf8, 4), 0x80fffffcu);                 /* 30:24, 1:0 read 0 */
    out(0xcf8, 2, 0x1234);                                       /* not 32-bit: ignored */
    out(0xcfa, 2, 0x1234);
    out(0xcf8, 1, 0x12);
    out(0xcfb, 1, 0x12);
    assert_int_equal(in(0xcf8, 4), 0x80fffffcu);
    assert_int_equal(in(0xcf8, 1), 0xff);
    assert_int_equal(in(0xcf8, 2), 0xffff);
    assert_int_equal(in(0xcfa, 1), 0xff);
    assert_int_equal(in(0xcfb, 1), 0xff);
    out(0xcf8, 4, addr(0, 0, 0x08));                             /* register 7:2 */
    assert_int_equal(in(0xcfc, 4), 0x06000002u);
    out(0xcf8, 4, addr(0, 0, 0x08) | 3);                         /* 1:0 ignored */
    assert_int_equal(in(0xcf8, 4), addr(0, 0, 0x08));
    assert_int_equal(in(0xcfc, 4), 0x06000002u);
}

static void test_reset_port_inside_cf8(void **state)
{
    (void)state;
    assert_int_equal(in(0xcf9, 1), 0x00);
    out(0xcf8, 4, 0x80000600u);                                  /* 0x06 in 0xCF9's byte */
    assert_int_equal(resets, 0);
    out(0xcf9, 2, 0x0606);                                       /* not a byte access */
    assert_int_equal(resets, 0);
    assert_int_equal(in(0xcf8, 4), 0x80000600u);
    out(0xcf9, 1, 0x02);
    assert_int_equal(resets, 0);
    assert_int_equal(in(0xcf9, 1), 0x02);
    out(0xcf9, 1, 0x06);
    assert_int_equal(resets, 1);
    assert_int_equal(in(0xcf8, 4), 0x80000600u);                 /* untouched */
    /* Without a reset device, 0xCF9 is nothing. */
    vpci_bus_init(&pci, NULL, NULL);
    assert_int_equal(in(0xcf9, 1), 0xff);
    out(0xcf9, 1, 0x06);
    assert_int_equal(resets, 1);
}

static void test_device_slot_with_bar(void **state)
{
    (void)state;
    vpci_func_init(&nic, 0x1af4, 0x1041, 0x020000, 1);
    nic.cfg[VPCI_HEADER_TYPE] = 0x80;                            /* multi-function */
    nic.wmask[0x11] = 0xf0;                                      /* BAR0: 4 KiB memory */
    nic.wmask[0x12] = 0xff;
    nic.wmask[0x13] = 0xff;
    nic.written = written;
    assert_int_equal(vpci_attach(&pci, VPCI_DEVFN(3, 0), &nic), 0);
    assert_int_equal(vpci_attach(&pci, VPCI_DEVFN(3, 0), &host), -1);  /* taken */
    assert_int_equal(vpci_attach(&pci, 256, &host), -1);
    assert_int_equal(vpci_attach(&pci, 5, NULL), -1);
    assert_int_equal(conf1_read(0, VPCI_DEVFN(3, 0), 0, 4), 0x10411af4u);
    conf1_write(0, VPCI_DEVFN(3, 0), 0x10, 4, 0xffffffffu);      /* sizing */
    assert_int_equal(conf1_read(0, VPCI_DEVFN(3, 0), 0x10, 4), 0xfffff000u);
    assert_int_equal(writes_seen, 1);
    assert_int_equal(last_off, 0x10);
    assert_int_equal(last_size, 4);
    conf1_write(0, VPCI_DEVFN(3, 0), 0x12, 2, 0xc000);           /* place it at 0xc0000000 */
    conf1_write(0, VPCI_DEVFN(3, 0), 0x10, 2, 0x0000);
    assert_int_equal(conf1_read(0, VPCI_DEVFN(3, 0), 0x10, 4), 0xc0000000u);
    assert_int_equal(writes_seen, 3);
    assert_int_equal(last_off, 0x10);
    assert_int_equal(last_size, 2);
    /* A direct access that crosses a dword is refused. */
    assert_int_equal(vpci_cfg_read(&pci, VPCI_DEVFN(3, 0), 0x0f, 2), 0xffff);
    vpci_cfg_write(&pci, VPCI_DEVFN(3, 0), 0x12, 4, 0);
    assert_int_equal(writes_seen, 3);
    assert_int_equal(vpci_cfg_read(&pci, 300, 0, 4), 0xffffffffu);
    assert_int_equal(vpci_cfg_read(&pci, 0, 256, 1), 0xff);
    assert_int_equal(vpci_cfg_read(&pci, 0, 0, 3), 0xffffff);
}

static void test_unaligned_data_accesses(void **state)
{
    (void)state;
    out(0xcf8, 4, addr(0, 0, 0));
    assert_int_equal(in(0xcfd, 2), 0x3780);                      /* bytes 1-2 */
    assert_int_equal(in(0xcfd, 4), 0xff123780u);                 /* split; 0xD00 is no one's */
    assert_int_equal(in(0xcff, 2), 0xff12);
}

static void test_reset_and_dump(void **state)
{
    char text[256];

    (void)state;
    conf1_write(0, 0, 0x0d, 1, 0x40);
    out(0xcf9, 1, 0x02);
    out(0xcf8, 4, 0x80000010u);
    vdev_bus_dump(&bus, text, sizeof(text));
    assert_non_null(strstr(text, "pci 0cf8-0cff: addr=80000010 funcs=01 rcr=02"));
    vdev_bus_reset(&bus);
    assert_int_equal(in(0xcf8, 4), 0);
    assert_int_equal(in(0xcf9, 1), 0);
    assert_int_equal(conf1_read(0, 0, 0x0d, 1), 0);
    assert_int_equal(conf1_read(0, 0, 0x00, 4), 0x12378086u);
}

/* The exit fast path's accesses (vpci_fast_io): CONFIG_ADDRESS as a dword and CONFIG_DATA
 * reads are done as through the bus; data writes (a function's hook) and 0xCF9 (reset) are
 * refused untouched. */
static void test_fast_path(void **state)
{
    uint32_t v = addr(0, 0, 0x08);

    (void)state;
    assert_true(vpci_fast_io(&pci, 0xcf8, 4, false, &v));
    assert_int_equal(in(0xcf8, 4), addr(0, 0, 0x08));
    v = 0;
    assert_true(vpci_fast_io(&pci, 0xcf8, 4, true, &v));
    assert_int_equal(v, addr(0, 0, 0x08));
    assert_true(vpci_fast_io(&pci, 0xcfc, 4, true, &v));
    assert_int_equal(v, conf1_read(0, 0, 0x08, 4));            /* class and revision */
    v = addr(0, 0, 0x00);
    assert_true(vpci_fast_io(&pci, 0xcf8, 4, false, &v));
    assert_true(vpci_fast_io(&pci, 0xcfe, 2, true, &v));
    assert_int_equal(v, 0x1237);                               /* the device ID's word */
    v = addr(7, 0, 0x08);                                      /* an absent bus */
    assert_true(vpci_fast_io(&pci, 0xcf8, 4, false, &v));
    assert_true(vpci_fast_io(&pci, 0xcfc, 4, true, &v));
    assert_int_equal(v, 0xffffffffu);
    assert_true(vpci_fast_io(&pci, 0xcfd, 1, true, &v));
    assert_int_equal(v, 0xff);
    /* refused: data writes, 0xCF9 either way, CONFIG_ADDRESS narrower than a dword, an
     * access running past 0xCFF */
    v = addr(0, 0, 0x04);
    out(0xcf8, 4, v);
    v = 0x0007;
    assert_false(vpci_fast_io(&pci, 0xcfc, 2, false, &v));
    assert_int_equal(conf1_read(0, 0, 0x04, 2), 0);
    v = 0x06;
    assert_false(vpci_fast_io(&pci, 0xcf9, 1, false, &v));
    assert_int_equal(resets, 0);
    assert_false(vpci_fast_io(&pci, 0xcf9, 1, true, &v));
    assert_false(vpci_fast_io(&pci, 0xcf8, 1, false, &v));
    assert_false(vpci_fast_io(&pci, 0xcfe, 4, true, &v));
    assert_int_equal(in(0xcf8, 4), addr(0, 0, 0x04));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_linux_type1_probe, setup),
        cmocka_unit_test_setup(test_host_bridge_header, setup),
        cmocka_unit_test_setup(test_bar_less_and_masks, setup),
        cmocka_unit_test_setup(test_absent_functions_and_buses, setup),
        cmocka_unit_test_setup(test_config_address_register, setup),
        cmocka_unit_test_setup(test_reset_port_inside_cf8, setup),
        cmocka_unit_test_setup(test_device_slot_with_bar, setup),
        cmocka_unit_test_setup(test_unaligned_data_accesses, setup),
        cmocka_unit_test_setup(test_reset_and_dump, setup),
        cmocka_unit_test_setup(test_fast_path, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
