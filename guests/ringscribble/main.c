/* ringscribble (hostile): a driver of the virtio-blk disk at 0xFE000000 (virtio-mmio
 * device 0 of a Multiboot domain with a `disk = [...]`) that scribbles on its rings.
 * It probes the device (MagicValue, Version 2, DeviceID 2) and prints what it found, then
 * runs `count=N` rounds (default 0: forever), seeded by `seed=N`, each one of:
 *   - hostile ring contents, then a notify (attack.c): random descriptors, buffers outside
 *     its RAM, at the device's own registers, at 0, huge lengths and totals, NEXT loops,
 *     self-referencing and nested indirect tables, writable before readable, no status
 *     byte, bad block requests, available-index jumps, requests scribbled while pending;
 *   - hostile register writes (regs.c): the queue stopped and moved, QueueNum not a power
 *     of two, QueueReady toggled, random values at random offsets and sizes, features;
 *   - a reset (Status 0) and a new initialisation, right or wrong, sometimes with kicks
 *     held before DRIVER_OK and scribbled over;
 *   - a valid read (valid.c), checked against the disk's formula: after a reset when the
 *     device asks for one (DEVICE_NEEDS_RESET) and at random, else on a restarted queue.
 * Every `report=N` rounds (default 1000) it makes a valid read and prints
 *   ringscribble: <rounds> rounds, <valid> valid reads ok
 *   ringscribble: <breaks> broken, <resets> resets, <notifies> notifies, <bad> bad reads
 * (broken: times the device was seen asking for a reset); a failed valid read prints
 * `ringscribble: valid read N FAILED: ...`. After count rounds: `ringscribble: done, ...`
 * and it powers off. Give it the disk read-only: on a writable disk its scribbles may
 * change the bytes its reads check. Needs at least 4 MiB of RAM. */
#include "rs.h"

static void note_break(struct rs *s)
{
    if (!s->broken_seen && (rs_rd32(R_STATUS) & ST_NEEDS_RESET)) {
        s->broken_seen = true;
        s->breaks++;
    }
}

static void report(const struct rs *s)
{
    printf("ringscribble: %llu rounds, %llu valid reads ok\n", (unsigned long long)s->rounds,
           (unsigned long long)s->valid_ok);
    printf("ringscribble: %llu broken, %llu resets, %llu notifies, %llu bad reads\n",
           (unsigned long long)s->breaks, (unsigned long long)s->resets,
           (unsigned long long)s->notifies, (unsigned long long)s->valid_bad);
}

/* One round: mostly ring contents, then registers, re-initialisations and valid reads. */
static void round_once(struct rs *s)
{
    uint32_t r = rs_below(s, 100);
    if (s->broken_seen && r & 1)
        rs_reinit(s);                   /* scribbling on a stopped device finds little */
    else if (r < 55)
        rs_attack_ring(s);
    else if (r < 80)
        rs_attack_regs(s);
    else if (r < 90)
        rs_reinit(s);
    else
        rs_valid_read(s);
    note_break(s);
}

int main(uint32_t magic, struct mb_info *info)
{
    (void)magic;
    (void)info;
    guest_name = "ringscribble";
    struct rs s = { 0 };
    uint64_t seed = cmdline_num("seed", 1);
    uint64_t count = cmdline_num("count", 0), every = cmdline_num("report", 1000);
    s.seed = (uint32_t)seed * 2654435761u | 1;
    if (!every)
        every = 1000;
    printf("ringscribble: seed %llu, %llu rounds (0: forever), a report every %llu\n",
           (unsigned long long)seed, (unsigned long long)count, (unsigned long long)every);
    if (!rs_zones_check(&s))
        return 1;
    if (!rs_probe(&s)) {
        printf("ringscribble: no version 2 virtio-blk at 0x%08x\n", RS_MMIO);
        return 1;
    }
    rs_zones_init();
    rs_valid_read(&s);
    printf("ringscribble: first valid read %s\n", s.valid_ok ? "ok" : "FAILED");
    for (s.rounds = 1; !count || s.rounds <= count; s.rounds++) {
        round_once(&s);
        if (s.rounds % every == 0) {
            rs_valid_read(&s);
            note_break(&s);
            report(&s);
        }
    }
    s.rounds--;
    printf("ringscribble: done, %llu rounds, %llu valid reads ok, %llu bad\n",
           (unsigned long long)s.rounds, (unsigned long long)s.valid_ok,
           (unsigned long long)s.valid_bad);
    return 0;
}
