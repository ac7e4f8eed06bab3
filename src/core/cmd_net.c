/* `network-list <dom>` (xl's): a domain's vifs with MAC, bridge and frame counters; and
 * `bridges`: each of Kestrel's bridges with its ports and learned MACs. */
#include "core/domain.h"
#include "core/domain_devices.h"
#include "core/domain_net.h"
#include "core/cmd_domain.h"
#include "console/shell.h"

/* Columns: the NIC's frames sent and received, frames for it dropped (no receive buffer
 * posted), and of what it sent, what its bridge refused: spoofed (another source MAC) and
 * flood-limited (flooded beyond the bridge's storm limit, vdev/netswitch.h). */
static int cmd_network_list(int argc, char **argv)
{
    struct domain *d = arg_domain_range(argc, argv, 2, 2);
    if (!d)
        return 1;
    shell_printf("Idx Bridge           MAC                TX frames  RX frames  RX dropped"
                 "  Spoofed  Flood-limited\n");
    unsigned n = d->devices ? d->devices->nvifs : 0;
    for (unsigned i = 0; i < n; i++) {
        const struct domain_vif *v = &d->devices->vifs[i];
        const struct netsw_port *p = &v->sw->port[v->port];
        shell_printf("%-3u %-16s %02x:%02x:%02x:%02x:%02x:%02x  %-9llu  %-9llu  %-10llu  "
                     "%-7llu  %llu\n", i,
                     v->spec.bridge, v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4],
                     v->mac[5], (unsigned long long)v->nic.stats.tx,
                     (unsigned long long)v->nic.stats.rx,
                     (unsigned long long)v->nic.stats.rx_dropped,
                     (unsigned long long)p->spoofed, (unsigned long long)p->flood_limited);
    }
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_network_list_entry, "network-list", 0, "<dom>",
                       "list a domain's network interfaces (xl network-list)", cmd_network_list,
                       domain_name_candidate);

static int cmd_bridges(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static char buf[4096];
    struct netsw *sw;
    for (unsigned i = 0; (sw = bridge_at(i)) != NULL; i++) {
        size_t n = netsw_dump(sw, buf, sizeof(buf));
        if (n)
            shell_printf("%.*s%s", (int)n, buf, buf[n - 1] == '\n' ? "" : "\n");
    }
    return 0;
}
SHELL_COMMAND(cmd_bridges_entry, "bridges", 0, "",
              "Kestrel's bridges: their ports and learned MACs", cmd_bridges);
