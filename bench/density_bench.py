#!/usr/bin/python3
"""Density benchmark (figure 5), under QEMU -m 512: Kestrel boots with COUNT (default 128, its
domain limit) domains of the canary guest at `memory = 4` (all from one kernel module), and we
count the domains that printed their first line (`canary: alive ...`) within the time limit.
Then the hypervisor's own memory per domain: `meminfo`'s used frames with COUNT domains
against a boot with one, per extra domain, minus the domain's 4 MiB of guest memory (so it
is what Kestrel keeps for a domain: nested page tables, VMCB, console ring, heap, ...).
Repeated RUNS times (both boots each time).

  python3 bench/density_bench.py [--runs N] [--count N] [--json PATH]
"""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

MEM = 512
GUEST_KIB = 4096


def boot(tmp, count, wait_s):
    mods = B.domain_modules(tmp, "canary", count=count, cfg_name="c", extra="period_ms=600000")
    k = B.boot_kestrel(mods, mem=MEM)
    try:
        k.expect(rb"\*\*\* Serial input to Xen", 120)
        # Every domain is built before the prompt; wait until each built one has spoken.
        built = len(set(re.findall(rb"\(XEN\) d(\d+) \(c\d*\): built", k.output())))
        deadline = time.monotonic() + wait_s
        alive = set()
        while time.monotonic() < deadline:
            alive = set(re.findall(rb"\(d(\d+)\) canary: alive", k.output()))
            if len(alive) >= built:
                break
            time.sleep(0.1)
        time.sleep(0.3)
        k.wait_prompt(30)
        out = k.cmd("meminfo", 30)
        used = int(re.search(r"used:\s+\d+ KiB \((\d+) frames\)", out).group(1))
        return len(alive), built, used
    finally:
        k.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--count", type=int, default=128)
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = B.tmpdir()
    counts, per_dom, raw = [], [], []
    for _ in range(a.runs):
        _, built1, used1 = boot(tmp, 1, 20)
        n, built, used = boot(tmp, a.count, 60)
        counts.append(n)
        kib = (used - used1) * 4 / max(built - built1, 1) - GUEST_KIB
        per_dom.append(kib)
        raw.append(dict(alive=n, built=built, used_frames=used, used_frames_1=used1))
    figs = [B.figure(f"density: 4 MiB domains running in -m {MEM}", counts, ">= 64", "domains",
                     note=f"{a.count} configured (Kestrel's limit is 128)"),
            B.figure("density: hypervisor memory per domain", per_dom, "<= 64", "KiB",
                     note="meminfo used frames, per extra domain, minus its 4 MiB")]
    B.write(a.json, figs, runs=raw, count=a.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
