/* A domain's network interfaces (src/core/domain_net.c): a virtio-net NIC per `vif` spec of
 * its cfg, each plugged into the bridge the spec names, a learning switch inside Kestrel
 * (vdev/netswitch.h) that exists once any vif names it. A NIC may only send frames with its
 * own MAC (the spec's, or a stable one from the domain's name and the vif's index), so a
 * domain cannot pass for another, and its frames reach only the bridges it has vifs on. */
#ifndef KESTREL_CORE_DOMAIN_NET_H
#define KESTREL_CORE_DOMAIN_NET_H

#include <stddef.h>
#include <stdint.h>
#include "core/xlcfg.h"
#include "vdev/netswitch.h"
#include "vdev/virtio_net.h"

struct domain;

#define DOMAIN_BRIDGES_MAX 8
/* Every bridge's storm limit (vdev/netswitch.h): a port floods (broadcast, multicast,
 * unknown unicast) at most this many frames a second, in bursts of BRIDGE_FLOOD_BURST.
 * ARP, DHCP and IPv6 neighbour discovery need a few a second; a domain flooding more only
 * loses its own excess frames, counted as flood-limited. */
#define BRIDGE_FLOOD_RATE  200u
#define BRIDGE_FLOOD_BURST 64u

struct domain_vif {
    struct xlcfg_vif spec;
    uint8_t mac[6];
    struct netsw *sw;
    int port;
    struct vnet nic;
};

/* d's vifs from its cfg, on its virtio-mmio slots. 0, or -1 with one line in err (too many
 * bridges, a MAC already on the bridge, no slot left). */
int domain_net_devices(struct domain *d, const char *cfgname, char *err, size_t errsz);
/* d's vCPU is about to run, or is checked for wakeup: NICs whose last transmit batch ran
 * out of budget send their next batch (vdev/virtio_net.h), so a full ring drains a bounded
 * batch per turn, in the sender's time. */
void domain_net_poll(struct domain *d);
/* Unplug d's vifs from their bridges (domain teardown). */
void domain_net_unplug(struct domain *d);
/* The bridge named name, or NULL; the i-th bridge (NULL past the last), for `bridges`. */
struct netsw *bridge_named(const char *name);
struct netsw *bridge_at(unsigned i);

#endif
