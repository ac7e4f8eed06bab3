#!/usr/bin/python3
"""World-switch benchmark on Intel VMX (issue 8): figure 1 of make bench, measured under Bochs
(`cpu: model=corei7_skylake_x`, tests/vmx/kestrel_bochs.py) instead of QEMU.

The wsbench guest times, with rdtsc, each round trip of a null hypercall (HC_NOP by VMCALL)
and of a CPUID exit (leaf 0x40000000), ITERS samples each, and prints the medians. It runs as
the only domain of build/kestrel.elf and of the bench-only build/kestrel-floor.elf (whose
vmx_fastpath_floor.c resumes the guest at once after VMCALL and CPUID: the bare VM exit /
VMRESUME cost), back to back, RUNS times.
Figures: Kestrel median / floor median per pair (min/median/max over the pairs).

Bochs' TSC counts emulated instructions (one tick each, VM exit and entry included), so under
Bochs these cycles are path lengths in instructions, nearly free of noise: the figure is
(floor path + Kestrel's exit handling) / floor path. See docs/performance.md.

  python3 bench/vmx_bench.py [--runs N] [--iters N] [--json PATH]
"""
import argparse
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib as B  # noqa: E402

sys.path.insert(0, os.path.join(B.ROOT, "tests", "vmx"))
from kestrel_bochs import KestrelBochs, BOCHS, CPU  # noqa: E402

LINE = (rb"wsbench: vmcall min (\d+) median (\d+) mean (\d+) cycles; "
        rb"cpuid min (\d+) median (\d+) mean (\d+) cycles")
RDTSC = rb"wsbench: rdtsc min (\d+) median (\d+) cycles"


def one(kernel, tmp, iters):
    """One Bochs boot of kernel with wsbench as its only domain; the guest's medians/mins.
    vmcall=1: the floor does not emulate CPUID, so the guest cannot ask Kestrel for its
    hypercall instruction there; forced on both sides so both run the same guest code."""
    mods = B.domain_modules(tmp, "wsbench", extra=f"iters={iters} vmcall=1")
    k = KestrelBochs(initrd=mods, kernel=kernel, cpu=CPU)
    try:
        e = k.expect(RDTSC, 120)
        m = k.expect(LINE + rb"[^\r\n]*\r\n", 120)
        return {"vmcall": int(m.group(2)), "cpuid": int(m.group(5)),
                "vmcall_min": int(m.group(1)), "cpuid_min": int(m.group(4)),
                "rdtsc": int(e.group(2))}
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
            sys.exit(f"vmx_bench: {p} is missing (make bench builds it)")
    if not os.path.exists(BOCHS) or not shutil.which("xorriso"):
        sys.exit("vmx_bench: Bochs or xorriso missing (tests/deps/vmx.txt)")
    tmp = B.tmpdir()
    kes, flo = [], []
    t0 = time.monotonic()
    for _ in range(a.runs):
        kes.append(one(B.ELF, tmp, a.iters))
        flo.append(one(B.FLOOR_ELF, tmp, a.iters))
    figs = []
    for op in ("vmcall", "cpuid"):
        ratios = [k[op] / f[op] for k, f in zip(kes, flo)]
        km, fm = B.median([k[op] for k in kes]), B.median([f[op] for f in flo])
        figs.append(B.figure(f"world switch VMX {op} (Bochs): Kestrel / floor", ratios,
                             "<= 1.2", "x",
                             note=f"median Bochs TSC (= instructions) Kestrel {km:.0f}, "
                                  f"floor {fm:.0f}, Kestrel's exit path {km - fm:.0f}"))
    B.write(a.json, figs, kestrel=kes, floor=flo, iters=a.iters, cpu=CPU,
            wall_s=round(time.monotonic() - t0, 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
