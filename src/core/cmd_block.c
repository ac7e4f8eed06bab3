/* `block-list <dom>` (xl's): a domain's virtio disks, one per `disk` spec of its cfg, in the
 * order the guest sees them (/dev/vda, /dev/vdb...), with the module behind each and its
 * request counters. */
#include "core/domain.h"
#include "core/domain_devices.h"
#include "core/cmd_domain.h"
#include "console/shell.h"

static int cmd_block_list(int argc, char **argv)
{
    struct domain *d = arg_domain_range(argc, argv, 2, 2);
    if (!d)
        return 1;
    shell_printf("Vdev   Guest  Access  Sectors     Target                    Reads     Writes    "
                 "Errors\n");
    unsigned n = d->devices ? d->devices->ndisks : 0;
    for (unsigned i = 0; i < n; i++) {
        const struct domain_disk *k = &d->devices->disks[i];
        shell_printf("%-6s vd%c    %-6s  %-10llu  %-24s  %-8llu  %-8llu  %llu\n",
                     k->spec.vdev, 'a' + i, k->spec.ro ? "ro" : "rw",
                     (unsigned long long)k->blk.capacity, k->spec.target,
                     (unsigned long long)k->blk.stats.reads,
                     (unsigned long long)k->blk.stats.writes,
                     (unsigned long long)k->blk.stats.errors);
    }
    return 0;
}
SHELL_COMMAND_COMPLETE(cmd_block_list_entry, "block-list", 0, "<dom>",
                       "list a domain's virtual disks (xl block-list)", cmd_block_list,
                       domain_name_candidate);
