#!/usr/bin/python3
"""Build variants' cost (issue 19): the world-switch round trips of wsbench (HC_NOP by VMMCALL
and a CPUID exit, ITERS samples each, the median) on the default image, the debug image
(make DEBUG=1: build/kestrel-debug-checks.elf) and the counters image (make PERFC=1:
build/kestrel-perfc.elf), booted in turn, RUNS times. Figures: each variant's median over the
default's, per run (min/median/max over the runs). No target: the README reports them.

  python3 bench/variants_bench.py [--runs N] [--iters N] [--json PATH]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
from ws_bench import one  # noqa: E402

DEFAULT = os.path.join(B.ROOT, "build", "kestrel.elf")
VARIANTS = {"debug": os.path.join(B.ROOT, "build", "kestrel-debug-checks.elf"),
            "perfc": os.path.join(B.ROOT, "build", "kestrel-perfc.elf")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--json")
    a = ap.parse_args()
    for p in [DEFAULT, B.guest_elf("wsbench")] + list(VARIANTS.values()):
        if not os.path.exists(p):
            sys.exit(f"variants_bench: {p} is missing (make bench builds it)")
    tmp = B.tmpdir()
    runs = {"default": [], **{v: [] for v in VARIANTS}}
    for _ in range(a.runs):
        runs["default"].append(one(DEFAULT, tmp, a.iters))
        for v, image in VARIANTS.items():
            runs[v].append(one(image, tmp, a.iters))
    figs = []
    for v in VARIANTS:
        for op in ("vmmcall", "cpuid"):
            ratios = [x[op] / d[op] for x, d in zip(runs[v], runs["default"])]
            figs.append(B.figure(
                f"world switch {op}: {v} / default", ratios, None, "x",
                note=f"median cycles {v} {B.median([x[op] for x in runs[v]]):.0f}, "
                     f"default {B.median([d[op] for d in runs['default']]):.0f}"))
    B.write(a.json, figs, iters=a.iters, **runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
