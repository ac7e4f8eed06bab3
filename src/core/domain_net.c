/* A domain's vifs and Kestrel's bridges (contract in core/domain_net.h). The bridges are a
 * small static table: one per name any vif ever gave, kept while Kestrel runs (an empty
 * bridge costs nothing but its slot). */
#include "core/domain_net.h"
#include "core/domain.h"
#include "core/domain_devices.h"
#include "core/domain_virtio.h"
#include "arch/time.h"
#include "lib/format.h"
#include "lib/string.h"

static struct netsw bridges[DOMAIN_BRIDGES_MAX];
static unsigned nbridges;

struct netsw *bridge_named(const char *name)
{
    for (unsigned i = 0; i < nbridges; i++)
        if (strcmp(bridges[i].name, name) == 0)
            return &bridges[i];
    return NULL;
}

struct netsw *bridge_at(unsigned i)
{
    return i < nbridges ? &bridges[i] : NULL;
}

/* The bridge of that name, made on first use; NULL when the table is full. */
static struct netsw *bridge_get(const char *name)
{
    struct netsw *sw = bridge_named(name);
    if (sw || nbridges >= DOMAIN_BRIDGES_MAX)
        return sw;
    netsw_init(&bridges[nbridges], name);
    netsw_set_storm_limit(&bridges[nbridges], BRIDGE_FLOOD_RATE, BRIDGE_FLOOD_BURST);
    return &bridges[nbridges++];
}

/* The switch's delivery into a NIC, and the NIC's sending into its switch. */
static void deliver(void *ctx, const uint8_t *frame, size_t len)
{
    struct domain_vif *v = ctx;
    vnet_receive(&v->nic, frame, len);
}

static int send(void *ctx, const uint8_t *frame, size_t len)
{
    struct domain_vif *v = ctx;
    netsw_set_time(v->sw, time_now_ns());
    netsw_send(v->sw, v->port, frame, len);
    return 0;
}

int domain_net_devices(struct domain *d, const char *cfgname, char *err, size_t errsz)
{
    struct domain_devices *dev = d->devices;
    char why[96];
    for (unsigned i = 0; i < d->cfg.nvifs; i++) {
        struct domain_vif *v = &dev->vifs[i];
        v->spec = d->cfg.vifs[i];
        if (v->spec.mac_set)
            memcpy(v->mac, v->spec.mac, 6);
        else
            xlcfg_vif_default_mac(d->cfg.name, i, v->mac);
        v->sw = bridge_get(v->spec.bridge);
        if (!v->sw) {
            snprintf(err, errsz, "%s: vif %u: at most %u bridges", cfgname, i,
                     DOMAIN_BRIDGES_MAX);
            return -1;
        }
        v->port = netsw_attach(v->sw, v->mac, deliver, v);
        if (v->port < 0) {
            snprintf(err, errsz, "%s: vif %u: bridge %s is full or already has MAC "
                     "%02x:%02x:%02x:%02x:%02x:%02x", cfgname, i, v->spec.bridge, v->mac[0],
                     v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
            return -1;
        }
        dev->nvifs = i + 1;             /* unplugged again on any later failure */
        vnet_init(&v->nic, v->mac, send, v);
        int slot = domain_virtio_add(d, &vnet_ops, &v->nic, why, sizeof(why));
        if (slot < 0) {
            snprintf(err, errsz, "%s: vif %u: %s", cfgname, i, why);
            return -1;
        }
        v->nic.t = &d->virtio->t[slot];
    }
    return 0;
}

void domain_net_unplug(struct domain *d)
{
    if (!d->devices)
        return;
    for (unsigned i = 0; i < d->devices->nvifs; i++)
        netsw_detach(d->devices->vifs[i].sw, d->devices->vifs[i].port);
    d->devices->nvifs = 0;
}

void domain_net_poll(struct domain *d)
{
    if (!d->devices)
        return;
    for (unsigned i = 0; i < d->devices->nvifs; i++)
        if (d->devices->vifs[i].nic.tx_pending)
            vnet_poll(&d->devices->vifs[i].nic);
}
