/* Per-vCPU DR0-DR3 (and DR6 where the backend does not switch it); see arch/debugregs.h. */
#include <stddef.h>
#include "arch/debugregs.h"

static struct dr_state *owner;     /* whose values the registers hold; NULL: nobody's */

/* Save DR0-DR3 (and DR6 when asked) into d. */
static void dr_save(struct dr_state *d)
{
    __asm__ volatile("mov %%db0, %0" : "=r"(d->db[0]));
    __asm__ volatile("mov %%db1, %0" : "=r"(d->db[1]));
    __asm__ volatile("mov %%db2, %0" : "=r"(d->db[2]));
    __asm__ volatile("mov %%db3, %0" : "=r"(d->db[3]));
    if (d->with_dr6)
        __asm__ volatile("mov %%db6, %0" : "=r"(d->dr6));
}

/* Load DR0-DR3 (and DR6 when asked) from d. */
static void dr_load(const struct dr_state *d)
{
    __asm__ volatile("mov %0, %%db0" :: "r"(d->db[0]));
    __asm__ volatile("mov %0, %%db1" :: "r"(d->db[1]));
    __asm__ volatile("mov %0, %%db2" :: "r"(d->db[2]));
    __asm__ volatile("mov %0, %%db3" :: "r"(d->db[3]));
    if (d->with_dr6)
        __asm__ volatile("mov %0, %%db6" :: "r"(d->dr6));
}

void dr_state_reset(struct dr_state *d, bool with_dr6)
{
    if (owner == d)
        owner = NULL;
    *d = (struct dr_state){ .dr6 = 0xFFFF0FF0ULL, .with_dr6 = with_dr6 };
}

void dr_state_forget(struct dr_state *d)
{
    if (owner == d)
        owner = NULL;
}

/* Contract in the header. The owner's values are read back from the CPU only when the owner
 * changes (the guest writes them without exits): an ordinary exit costs nothing. */
void dr_enter(struct dr_state *d)
{
    if (owner == d)
        return;
    if (owner)
        dr_save(owner);
    dr_load(d);
    owner = d;
}
