/* Unit test for a domain's virtio interrupt lines (src/core/domain_virtio.c's
 * domain_virtio_lines) on an edge-triggered I/O APIC pin, as the DSDT describes them: every
 * interrupt the device raises is one delivery, also one raised while the line was still
 * high (after the driver's ACK but before the next look, or before any ACK), and nothing
 * is delivered again while no new interrupt came. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "core/domain.h"
#include "core/domain_virtio.h"

/* domain_virtio.c's other functions need these; the lines alone never call them. */
int domain_copy_from(struct domain *d, void *dst, uint64_t gpa, size_t n)
{ (void)d; (void)dst; (void)gpa; (void)n; return -1; }
int domain_copy_to(struct domain *d, uint64_t gpa, const void *src, size_t n)
{ (void)d; (void)gpa; (void)src; (void)n; return -1; }
void *kzalloc(size_t n) { (void)n; return NULL; }
void kfree(void *p) { (void)p; }
int vdev_mmio_register(struct vdev_mmio_bus *b, uint64_t base, uint64_t size,
                       const struct vdev_mmio_ops *ops, void *dev)
{ (void)b; (void)base; (void)size; (void)ops; (void)dev; return 0; }

static struct domain dom;
static struct domain_virtio virtio;
static unsigned delivered;

static bool deliver(void *ctx, uint8_t vector, uint8_t dest, bool logical, unsigned mode,
                    bool level)
{
    (void)ctx; (void)dest; (void)logical; (void)mode; (void)level;
    assert_int_equal(vector, 0x41);
    delivered++;
    return true;
}

static void raise_irq(struct virtio_transport *t)
{
    t->interrupt_status |= 1;           /* what virtio_mmio.c's raise() does */
    t->interrupts++;
}

static void test_each_interrupt_is_one_edge(void **state)
{
    (void)state;
    memset(&dom, 0, sizeof(dom));
    memset(&virtio, 0, sizeof(virtio));
    dom.virtio = &virtio;
    virtio.n = 1;
    vioapic_init(&dom.ioapic, deliver, NULL);
    unsigned pin = VIRTIO_MMIO_GSI_BASE;
    dom.ioapic.redir[pin] = 0x41;       /* edge, active high, unmasked, fixed, CPU 0 */
    struct virtio_transport *t = &virtio.t[0];

    domain_virtio_lines(&dom);
    assert_int_equal(delivered, 0);
    raise_irq(t);
    domain_virtio_lines(&dom);
    assert_int_equal(delivered, 1);
    domain_virtio_lines(&dom);          /* nothing new: no second delivery */
    assert_int_equal(delivered, 1);
    raise_irq(t);                       /* a second one before the driver's ACK */
    domain_virtio_lines(&dom);
    assert_int_equal(delivered, 2);
    t->interrupt_status = 0;            /* the driver's ACK ... */
    raise_irq(t);                       /* ... and a new one before the next look */
    domain_virtio_lines(&dom);
    assert_int_equal(delivered, 3);
    t->interrupt_status = 0;            /* ACK, looked at: the line falls, nothing sent */
    domain_virtio_lines(&dom);
    assert_int_equal(delivered, 3);
    assert_false(dom.ioapic.lines & (1u << pin));
    raise_irq(t);
    domain_virtio_lines(&dom);
    assert_int_equal(delivered, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_interrupt_is_one_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
