/* Unit tests for the learning switch's full FDB (src/vdev/netswitch.c), built with
 * NETSW_FDB_SIZE 2 (tests/unit/netswitch.mk) so three ports overflow it: a new source
 * evicts the least recently seen entry, whose MAC is then flooded to again. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/netswitch.h"

#if NETSW_FDB_SIZE != 2
#error "built with -DNETSW_FDB_SIZE=2"
#endif

static unsigned rx[4];
static struct netsw sw;

static void nic_rx(void *ctx, const uint8_t *frame, size_t len)
{
    (void)frame;
    (void)len;
    rx[(uintptr_t)ctx]++;
}

/* Send a 60-byte frame from port a (MAC ..:0a) to port b's MAC (..:0b). */
static void send_ab(int a, int b)
{
    uint8_t f[60] = { 0x02, 0, 0, 0, 0, (uint8_t)b, 0x02, 0, 0, 0, 0, (uint8_t)a, 0x08, 0x00 };

    netsw_send(&sw, a, f, sizeof(f));
}

static bool learned(int port)
{
    for (unsigned i = 0; i < NETSW_FDB_SIZE; i++)
        if (sw.fdb[i].used && sw.fdb[i].mac[5] == port)
            return true;
    return false;
}

static void test_full_fdb_evicts_least_recently_seen(void **state)
{
    (void)state;
    netsw_init(&sw, "tiny");
    for (int i = 0; i < 3; i++) {
        const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)i };
        assert_int_equal(netsw_attach(&sw, mac, nic_rx, (void *)(uintptr_t)i), i);
    }
    send_ab(0, 1);
    send_ab(1, 0);                      /* FDB {0, 1}: to 0 only */
    assert_int_equal(rx[0], 1);
    assert_int_equal(rx[2], 1);
    send_ab(0, 1);                      /* 0 seen again: 1 is now the oldest */
    send_ab(2, 1);                      /* learning 2 evicts 1 */
    assert_int_equal(sw.fdb_evicted, 1);
    assert_true(learned(0) && learned(2) && !learned(1));
    memset(rx, 0, sizeof(rx));
    send_ab(0, 1);                      /* 1 unknown again: flooded to 1 and 2 */
    assert_int_equal(rx[1], 1);
    assert_int_equal(rx[2], 1);
    send_ab(0, 2);                      /* 2 still known: to 2 only */
    assert_int_equal(rx[1], 1);
    assert_int_equal(rx[2], 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_fdb_evicts_least_recently_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
