#!/usr/bin/python3
"""Scheduler benchmark (figure 7): CPU shares of CPU-bound domains (the burn guest, no work
limit, no output) under Kestrel's weighted scheduler, in three set-ups: 2 equal domains,
4 equal domains, and a 1:2 weighted pair (`weight = 256` and `512`, Kestrel's name for
xl's cpu_weight). The CPU time of each domain is `se.ran_ns`, the counter behind `list`'s
Time(s); we read it from `runq` (`ran N ms`, ms rather than list's 0.1 s resolution) at the
start and end of each of RUNS windows of WINDOW seconds in one boot, and take each domain's
share of the time used in the window.
Figures: equal set-ups: smallest share / largest share (1.0 is perfect fairness); weighted
pair: heavy share / light share (2.0 is exact), per window.

  python3 bench/sched_bench.py [--runs N] [--window S] [--json PATH]
"""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

RUNQ = re.compile(r"d(\d+)v\d+ weight (\d+) vruntime \d+ ran (\d+) ms")


def ran(k):
    return {int(d): int(ms) for d, _, ms in RUNQ.findall(k.cmd("runq", 20))}


def shares(tmp, tag, weights, runs, window):
    mods = [B.guest_elf("burn")]
    for i, w in enumerate(weights):
        mods.append(B.write_cfg(tmp, f"{tag}{i}.cfg", name=f"{tag}{i}", kernel="burn.elf",
                                memory=4, weight=w, extra="report=0"))
    k = B.boot_kestrel(mods)
    try:
        for _ in weights:
            k.expect(rb"burn: starting", 60)
        k.wait_prompt(20)
        out = []
        before = ran(k)
        for _ in range(runs):
            time.sleep(window)
            after = ran(k)
            used = {d: after[d] - before.get(d, 0) for d in after}
            total = sum(used.values()) or 1
            out.append([used[d] / total for d in sorted(used)])
            before = after
        return out
    finally:
        k.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--window", type=float, default=2.0)
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = B.tmpdir()
    figs, raw = [], {}
    for tag, weights in (("eq2", [256, 256]), ("eq4", [256] * 4)):
        s = shares(tmp, tag, weights, a.runs, a.window)
        raw[tag] = s
        figs.append(B.figure(f"sched: {len(weights)} equal burns, min/max CPU share",
                             [min(x) / max(x) for x in s], ">= 0.9", "x",
                             note="median shares " + " ".join(
                                 f"{B.median([x[i] for x in s]):.3f}" for i in range(len(weights)))))
    s = shares(tmp, "w", [256, 512], a.runs, a.window)
    raw["w12"] = s
    figs.append(B.figure("sched: 1:2 weighted pair, CPU ratio", [x[1] / x[0] for x in s],
                         "1.8..2.2", "x", note="weights 256 and 512, median shares "
                         f"{B.median([x[0] for x in s]):.3f} {B.median([x[1] for x in s]):.3f}"))
    B.write(a.json, figs, shares=raw, window_s=a.window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
