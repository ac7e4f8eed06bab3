# Unit tests for the learning Ethernet switch behind bridges (src/vdev/netswitch.c,
# issue 18); the second binary shrinks the FDB to two entries to reach the full case; the
# third is storm control (a port's flooding limited by a token bucket).
UNIT_TESTS += test_netswitch test_netswitch_fdb test_netswitch_storm
test_netswitch_SRCS := src/vdev/netswitch.c tests/unit/test_netswitch.c
test_netswitch_fdb_SRCS := src/vdev/netswitch.c tests/unit/test_netswitch_fdb.c
test_netswitch_fdb_CFLAGS := -DNETSW_FDB_SIZE=2
test_netswitch_storm_SRCS := src/vdev/netswitch.c tests/unit/test_netswitch_storm.c
