#!/usr/bin/python3
"""World-switch benchmark (figure 1): the wsbench guest times, with rdtsc, each round trip of
a null hypercall (HC_NOP by VMMCALL) and of a CPUID exit (leaf 0x40000000), ITERS samples each,
and prints the median. It runs as the only domain of build/kestrel.elf and of the bench-only
build/kestrel-floor.elf (whose exit fast path resumes the guest at once after VMMCALL and
CPUID: bare VMRUN/#VMEXIT cost), back to back, RUNS times.
Figures: Kestrel median / floor median per run (min/median/max over the runs).

  python3 bench/ws_bench.py [--runs N] [--iters N] [--json PATH]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

LINE = (rb"wsbench: vmmcall min (\d+) median (\d+) mean (\d+) cycles; "
        rb"cpuid min (\d+) median (\d+) mean (\d+) cycles")


def one(kernel, tmp, iters):
    # vmmcall=1: the floor does not emulate CPUID, so the guest cannot detect Kestrel there.
    mods = B.domain_modules(tmp, "wsbench", extra=f"iters={iters} vmmcall=1")
    k = B.boot_kestrel(mods, kernel=kernel)
    try:
        m = k.expect(LINE + rb"[^\r\n]*\r\n", 120)
        return {"vmmcall": int(m.group(2)), "cpuid": int(m.group(5)),
                "vmmcall_min": int(m.group(1)), "cpuid_min": int(m.group(4))}
    finally:
        k.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--json")
    a = ap.parse_args()
    for p in (B.ELF, B.FLOOR_ELF, B.guest_elf("wsbench")):
        if not os.path.exists(p):
            sys.exit(f"ws_bench: {p} is missing (make bench builds it)")
    tmp = B.tmpdir()
    kes, flo = [], []
    for _ in range(a.runs):
        kes.append(one(B.ELF, tmp, a.iters))
        flo.append(one(B.FLOOR_ELF, tmp, a.iters))
    figs = []
    for op in ("vmmcall", "cpuid"):
        ratios = [k[op] / f[op] for k, f in zip(kes, flo)]
        figs.append(B.figure(f"world switch {op}: Kestrel / floor", ratios, "<= 1.2", "x",
                             note=f"median cycles Kestrel {B.median([k[op] for k in kes]):.0f}, "
                                  f"floor {B.median([f[op] for f in flo]):.0f}"))
    B.write(a.json, figs, kestrel=kes, floor=flo, iters=a.iters)
    return 0


if __name__ == "__main__":
    sys.exit(main())
