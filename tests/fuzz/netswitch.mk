# libFuzzer target for the learning Ethernet switch (src/vdev/netswitch.c): random attach,
# detach and send sequences checked against a reference model of where frames must go.
FUZZ_TARGETS += fuzz_netswitch
fuzz_netswitch_SRCS := src/vdev/netswitch.c tests/fuzz/fuzz_netswitch.c
