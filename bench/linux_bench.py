#!/usr/bin/python3
"""Linux guest benchmark (issue 15's "Performance"): Debian's stock kernel with the busybox
initramfs of the Linux tests (tests/linux/fetch-kernel.sh, mkinitramfs.sh, through
tests/system/linux_guest.py) as a Kestrel domain (`memory = 256`, `extra = "console=ttyS0"`,
QEMU -m 512) against the same kernel and initrd booted bare by `qemu -kernel` (-m 256: the
guest memory the domain has), both under QEMU -accel tcg -cpu max. Every round boots both,
back to back, the order alternating from one round to the next, so the machine's noise (it
is shared) hits both sides alike; ratios are taken inside a round.

1. boot: seconds from QEMU's start to the initramfs's marker line (linux_guest.boot_seconds,
   the same wait on both sides). Split in the note, from the kernel's own printk time of
   `Run /init`: what came before the kernel's clock started (QEMU, Kestrel and its loader,
   the decompressor) and the kernel's own boot.
2. md5: `dd if=/dev/zero bs=1M count=64 | md5sum` in the guest's shell, timed from the host:
   the arrival of a line the shell prints just before the job to that of a line it prints
   just after (the serial line's latency is in both ends and cancels). One untimed warm-up
   job, then JOBS timed ones per boot; per boot the fastest counts. Speed ratio = bare
   seconds / Kestrel seconds. The guest's own `time` (real) is kept in the raw data.
3. exits: the idle domain (shell at its prompt, console back at the (XEN) shell), IDLE_S
   seconds after its last command, then `dump web` twice EXIT_S seconds apart: exits per
   second, in all and by reason (the host's clock around each `dump`).
4. idle cost: burn guests (autostart = 0, `work=` iterations, their own rdtsc count, as in
   compute_bench.py) started one after another with `unpause` in the same Kestrel:
   beside the idle Linux domain (B) or alone (A: the Linux domain paused; a paused domain
   is never scheduled and its timers are not armed, sched.c's wake_blocked skips it), in
   the order BAABBAAB, so a drift of the machine's load hits both alike. Speed ratio =
   alone cycles / beside cycles. Cross-check in the raw data and the note: one burn job per
   round in a Kestrel with no Linux domain at all.
Values: for the time ratios the best of all runs on each side (a disturbance only ever
slows a run: min/min, as compute_bench.py does); min/median/max are the per-round ratios.

  python3 bench/linux_bench.py [--runs N] [--json PATH]

Cost: a round is one Linux boot under Kestrel (~10-15 s) with its jobs, waits and 8 burn
runs, one bare boot (~7-10 s) with its jobs, and a burn-only Kestrel: 60-80 s on the
shared 2-core development machine; the default 4 rounds took 5 min 6 s there (load ~5).
"""
import argparse
import os
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import linux_guest as lg  # noqa: E402
from kestrel import Kestrel, write_cfg  # noqa: E402

GUEST_MEM = 256                 # MiB: the domain's memory and the bare QEMU's -m
KESTREL_MEM = 512               # QEMU -m under Kestrel: the domain, the burn guests, Kestrel
JOB = "dd if=/dev/zero bs=1M count=64 2>/dev/null | md5sum"
JOBS = 2                        # timed md5 jobs per boot (after one warm-up)
IDLE_S = 10                     # idle before the exit counters are read
EXIT_S = 8                      # seconds between the two reads
SETTLE_S = 2                    # after `unpause web`: let the woken kernel's timers run out
BURN_WORK = 200000000           # ~1 s of burn under TCG here
BURN_ORDER = "BAABBAAB"         # burn beside the idle Linux domain (B) / alone (A): balanced
BURN_DONE = rb"\(d(\d+)\) burn: done \d+ in (\d+) cycles"
RUN_INIT = re.compile(rb"\[\s*(\d+\.\d+)\] Run /init as init process")
EXITS = re.compile(r"exits:((?: \w+=\d+)*) \(total (\d+)\)")


# ---- the guest's side ---------------------------------------------------------------------

def boot_split(k, seconds):
    """(seconds before the kernel's clock started, the kernel's seconds to `Run /init`)."""
    m = RUN_INIT.search(k.output())
    if not m:
        return None, None
    return seconds - float(m.group(1)), float(m.group(1))


def timed_job(k, n):
    """Run JOB in the guest shell reached through k (at its prompt); return (host seconds
    between the shell's line before the job and its line after, the guest's `time` real)."""
    k.mark()
    k.send(f"echo @@$((0))S{n}; time sh -c '{JOB}'; echo @@$((0))T{n}\r")
    k.expect(rf"@@0S{n}\r?\n".encode(), 60)
    t0 = time.monotonic()
    m = k.expect(rf"(?s)real\s+(\d+)m\s*([\d.]+)s.*?@@0T{n}\r?\n".encode(), 180)
    t1 = time.monotonic()
    k.expect(re.escape(lg.PROMPT), 30)
    return t1 - t0, int(m.group(1)) * 60 + float(m.group(2))


def md5_jobs(k):
    """The warm-up job, then JOBS timed ones: [(host s, guest s)]."""
    timed_job(k, 0)
    return [timed_job(k, n) for n in range(1, JOBS + 1)]


# ---- Kestrel's side -----------------------------------------------------------------------

def dump_exits(k, dom="web"):
    """(host time at the middle of the `dump` command, {reason: count}, total)."""
    t0 = time.monotonic()
    out = k.cmd(f"dump {dom}", 30)
    t1 = time.monotonic()
    m = EXITS.search(out)
    if not m:
        raise RuntimeError(f"no exit counts in `dump {dom}`:\n{out}")
    counts = {kv.split("=")[0]: int(kv.split("=")[1]) for kv in m.group(1).split()}
    return (t0 + t1) / 2, counts, int(m.group(2))


def burn(k, dom_name):
    """`unpause <dom_name>` (a burn guest built paused); its cycle count."""
    k.mark()
    k.send(f"unpause {dom_name}\r")
    return int(k.expect(BURN_DONE, 180).group(2))


def burn_cfgs(tmp, count):
    return [B.guest_elf("burn")] + [
        write_cfg(tmp, f"b{i}.cfg", name=f"b{i}", kernel="burn.elf", memory=4, autostart=0,
                  extra=f"work={BURN_WORK} report=0", on_poweroff="destroy")
        for i in range(count)]


def kestrel_round(tmp):
    """One Linux boot under Kestrel, with the md5 jobs, the idle exits and the burn runs."""
    vmlinuz, initrd = lg.assets()
    mods = [vmlinuz, initrd, lg.linux_cfg(tmp, memory=GUEST_MEM)] + burn_cfgs(tmp,
                                                                             len(BURN_ORDER))
    k = Kestrel(initrd=mods, mem=KESTREL_MEM)
    try:
        r = {}
        r["boot_s"] = lg.boot_seconds(k)
        r["pre_kernel_s"], r["kernel_s"] = boot_split(k, r["boot_s"])
        lg.wait_boot(k, 1, "web")
        _, r["boot_exits"], r["boot_exits_total"] = dump_exits(k)
        sh = lg.attach(k, "web", 1)
        t_jobs = time.monotonic()
        r["md5"] = md5_jobs(sh.k)
        t_jobs = time.monotonic() - t_jobs
        lg.to_xen(k)
        _, after, total = dump_exits(k)
        r["md5_exits_per_s"] = {e: (after[e] - r["boot_exits"].get(e, 0)) / t_jobs
                                for e in after}
        r["md5_exits_total_per_s"] = (total - r["boot_exits_total"]) / t_jobs
        time.sleep(IDLE_S)
        a = dump_exits(k)
        time.sleep(EXIT_S)
        b = dump_exits(k)
        dt = b[0] - a[0]
        r["exit_window_s"] = dt
        r["exits_per_s"] = {e: (b[1].get(e, 0) - a[1].get(e, 0)) / dt for e in b[1]}
        r["exits_total_per_s"] = (b[2] - a[2]) / dt
        beside, alone, paused = [], [], False
        for i, side in enumerate(BURN_ORDER):
            if (side == "A") != paused:
                paused = not paused
                k.cmd("pause web" if paused else "unpause web", 30)
                if not paused:
                    time.sleep(SETTLE_S)
            (alone if paused else beside).append(burn(k, f"b{i}"))
        r["burn_beside"], r["burn_alone_paused"] = beside, alone
        return r
    finally:
        k.stop()


def burn_only_round(tmp):
    """A Kestrel with one burn guest and no Linux domain: its cycles (the cross-check)."""
    k = Kestrel(initrd=burn_cfgs(tmp, 1), mem=KESTREL_MEM)
    try:
        k.expect(rb"\*\*\* Serial input to Xen", 60)
        k.wait_prompt(30)
        return burn(k, "b0")
    finally:
        k.stop()


def bare_round():
    """The same kernel and initrd booted bare, with the same md5 jobs."""
    vmlinuz, initrd = lg.assets()
    k = Kestrel(kernel=vmlinuz, initrd=initrd, append="console=ttyS0", mem=GUEST_MEM)
    try:
        r = {"boot_s": lg.boot_seconds(k)}
        r["pre_kernel_s"], r["kernel_s"] = boot_split(k, r["boot_s"])
        k.expect(re.escape(lg.SHELL_BANNER), 60)
        lg.Shell(k).sync()
        r["md5"] = md5_jobs(k)
        return r
    finally:
        k.stop()


# ---- figures ------------------------------------------------------------------------------

def med(xs):
    xs = [x for x in xs if x is not None]
    return B.median(xs) if xs else float("nan")


def top(rs, key, fmt=".0f", n=4):
    """'reason median, ...' of the n largest per-reason counts in rs[i][key] (medians)."""
    names = {e for r in rs for e in r[key]}
    meds = {e: med([r[key].get(e, 0) for r in rs]) for e in names}
    return ", ".join(f"{e} {meds[e]:{fmt}}" for e in sorted(meds, key=meds.get, reverse=True)[:n])


def split(rs, i):
    """Of the fastest boot in rs: its seconds before the kernel's clock (i=0) or the
    kernel's own seconds to Run /init (i=1), as text."""
    best = min(rs, key=lambda r: r["boot_s"])
    v = (best["pre_kernel_s"], best["kernel_s"])[i]
    return "n/a" if v is None else f"{v:.2f}"


def figures(rounds):
    ok = [r for r in rounds if "kestrel" in r and "bare" in r]
    if not ok:
        return [B.figure(name, [], target, unit, note="no round completed (see errors)")
                for name, target, unit in (
                    ("linux: boot to init, Kestrel / bare", "<= 1.25", "x"),
                    ("linux: md5sum 64 MiB, Kestrel speed / bare", ">= 0.95", "x"),
                    ("linux: idle domain exits/s, total", None, "/s"),
                    ("linux: burn speed beside an idle Linux domain / alone", ">= 0.98", "x"))]
    kes = [r["kestrel"] for r in ok]
    bare = [r["bare"] for r in ok]
    figs = []
    kb, bb = [r["boot_s"] for r in kes], [r["boot_s"] for r in bare]
    figs.append(B.figure(
        "linux: boot to init, Kestrel / bare", [k / b for k, b in zip(kb, bb)], "<= 1.25",
        "x", value=min(kb) / min(bb),
        note=(f"QEMU start -> `{lg.MARKER}`, best of {len(ok)}: Kestrel {min(kb):.2f} s, bare "
              f"{min(bb):.2f} s (medians {med(kb):.2f} / {med(bb):.2f}); of the fastest boots, "
              f"before the kernel's clock (QEMU, loader, decompressor) {split(kes, 0)} / "
              f"{split(bare, 0)} s, the kernel's printk time to Run /init {split(kes, 1)} / "
              f"{split(bare, 1)} s; the domain's exits to "
              f"its shell: {med([r['boot_exits_total'] for r in kes]):.0f} "
              f"({top(kes, 'boot_exits')})"
              f"; value = min/min")))
    for side, rs in (("Kestrel", kb), ("bare", bb)):
        figs.append(B.figure(f"linux: boot to init, {side}", rs, None, "s"))
    km = [min(h for h, _ in r["md5"]) for r in kes]
    bm = [min(h for h, _ in r["md5"]) for r in bare]
    figs.append(B.figure(
        "linux: md5sum 64 MiB, Kestrel speed / bare", [b / k for k, b in zip(km, bm)],
        ">= 0.95", "x", value=min(bm) / min(km),
        note=(f"`{JOB}` in the guest shell, host-timed, best of {len(ok)} boots x {JOBS} "
              f"jobs: Kestrel {min(km):.2f} s, bare {min(bm):.2f} s ({64 / min(km):.1f} / "
              f"{64 / min(bm):.1f} MiB/s); the guests' own `time`: "
              f"{min(g for r in kes for _, g in r['md5']):.2f} / "
              f"{min(g for r in bare for _, g in r['md5']):.2f} s; exits/s during the jobs "
              f"{med([r['md5_exits_total_per_s'] for r in kes]):.0f} "
              f"({top(kes, 'md5_exits_per_s', '.0f')}); value = min/min")))
    idle = [r for r in kes if "exits_total_per_s" in r]
    figs.append(B.figure(
        "linux: idle domain exits/s, total", [r["exits_total_per_s"] for r in idle], None,
        "/s", note=f"`dump web` twice {EXIT_S} s apart, {IDLE_S} s after its last command"))
    totals = {}
    for r in idle:
        for e, v in r["exits_per_s"].items():
            totals[e] = totals.get(e, 0) + v
    for e in sorted(totals, key=totals.get, reverse=True)[:4]:
        if totals[e] / len(idle) >= 0.5:          # the reasons that matter: 1 in 2 s or more
            figs.append(B.figure(f"linux: idle domain exits/s, {e}",
                                 [r["exits_per_s"].get(e, 0) for r in idle], None, "/s"))
    al = [c for r in kes for c in r["burn_alone_paused"]]
    be = [c for r in kes for c in r["burn_beside"]]
    per = [min(r["burn_alone_paused"]) / min(r["burn_beside"]) for r in kes]
    solo = [r["burn_only"] for r in ok if r.get("burn_only")]
    figs.append(B.figure(
        "linux: burn speed beside an idle Linux domain / alone", per, ">= 0.98", "x",
        value=min(al) / min(be),
        note=(f"burn work={BURN_WORK}, {len(be)} runs each side ({BURN_ORDER} per round, alone = "
              f"the Linux domain paused): best {min(be) / 1e6:.0f} M cycles beside, "
              f"{min(al) / 1e6:.0f} M alone"
              + (f"; in a Kestrel with no Linux domain {min(solo) / 1e6:.0f} M" if solo else "")
              + "; value = min/min")))
    return figs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(B.ELF):
        sys.exit("linux_bench: build/kestrel.elf is missing; run 'make' first")
    tmp = B.tmpdir()
    rounds, errors = [], []
    t0 = time.monotonic()
    for i in range(a.runs):
        r = {}
        order = ("kestrel", "bare") if i % 2 == 0 else ("bare", "kestrel")
        try:
            for side in order:
                r[side] = kestrel_round(tmp) if side == "kestrel" else bare_round()
            r["burn_only"] = burn_only_round(tmp)
        except Exception as e:  # noqa: BLE001 - a failed round is reported, the rest kept
            errors.append(f"round {i}: {type(e).__name__}: {str(e)[-600:]}")
            traceback.print_exc()
        rounds.append(r)
        print(f"  round {i + 1}/{a.runs} done at {time.monotonic() - t0:.0f} s", flush=True)
    figs = figures(rounds)
    B.write(a.json, figs, rounds=rounds, errors=errors, guest_mem_mib=GUEST_MEM,
            kestrel_qemu_mem_mib=KESTREL_MEM, md5_jobs_per_boot=JOBS, burn_work=BURN_WORK,
            idle_s=IDLE_S, exit_window_s=EXIT_S)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
