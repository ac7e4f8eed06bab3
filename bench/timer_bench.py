#!/usr/bin/python3
"""Guest timer benchmark: how well a guest's timers are kept. The `timer` guest runs its PIT
at 1000 Hz for 1000 ms of halting and counts the interrupts, then times 50 sleeps of 1 ms
(HC_BLOCK under Kestrel; PIT + hlt bare), all against its own TSC. Under Kestrel it runs
beside a `burn` domain that never stops computing (the hard case: the waiting guest must
preempt a CPU hog); bare it runs alone under the same QEMU. RUNS pairs, back to back.
Figures (no target in the issues; both ~1 when guest timers are kept as on bare metal):
  PIT interrupts: Kestrel / bare (a host that wakes guests only at its 100 Hz tick: ~0.1)
  1 ms sleep: bare time / Kestrel time (ditto: ~0.1)

  python3 bench/timer_bench.py [--runs N] [--json PATH]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

ARGS = "pit_hz=1000 ms=1000 sleeps=50 sleep_us=1000"
IRQS = rb"timer: pit 1000 Hz: (\d+) irqs in (\d+) ms"
SLEEPS = rb"timer: 50 sleeps of 1000 us took (\d+) us"


def measure(k):
    try:
        m = k.expect(IRQS, 120)
        rate = int(m.group(1)) * 1000 / int(m.group(2))
        return rate, int(k.expect(SLEEPS, 120).group(1)) / 50
    finally:
        k.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = B.tmpdir()
    mods = (B.domain_modules(tmp, "burn", extra="report=0")
            + B.domain_modules(tmp, "timer", extra=ARGS))
    bare, kes = [], []
    for _ in range(a.runs):
        bare.append(measure(B.boot_bare("timer", append=ARGS)))
        kes.append(measure(B.boot_kestrel(mods)))
    irq = [k[0] / b[0] for b, k in zip(bare, kes)]
    slp = [b[1] / k[1] for b, k in zip(bare, kes)]
    med = lambda xs: B.spread(xs)["median"]  # noqa: E731
    figs = [
        B.figure("timer: PIT 1000 Hz irqs beside a CPU hog, Kestrel / bare", irq, None, "x",
                 note=f"median {med([k[0] for k in kes]):.0f}/s under Kestrel, "
                      f"{med([b[0] for b in bare]):.0f}/s bare"),
        B.figure("timer: 1 ms sleep beside a CPU hog, bare / Kestrel time", slp, None, "x",
                 note=f"median {med([k[1] for k in kes]):.0f} us under Kestrel, "
                      f"{med([b[1] for b in bare]):.0f} us bare"),
    ]
    B.write(a.json, figs, bare=bare, kestrel=kes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
