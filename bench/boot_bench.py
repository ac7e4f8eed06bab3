#!/usr/bin/python3
"""Boot benchmark: time from starting QEMU (TCG) to the first `(XEN) ` prompt on the serial
line, over N runs (min/median/max), and the size of build/kestrel.elf.

  python3 bench/boot_bench.py [--runs N] [--json PATH]

Uses the system-test harness (tests/system/kestrel.py): COM1 is a unix socket with wait=on,
so the clock starts when QEMU is spawned and stops when the prompt has arrived.
"""
import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from kestrel import Kestrel, ELF  # noqa: E402

FLOOR_S = 1.0                  # issue 3: first prompt under 1 s
SIZE_FLOOR = 256 * 1024        # issue 3: image under 256 KiB


def one_boot():
    k = Kestrel()
    try:
        k.expect(r"\*\*\* Serial input to Xen [^\r]*\r\n\(XEN\) ", 30)
        return time.monotonic() - k.t_start
    finally:
        k.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", help="write results as JSON to this path")
    a = ap.parse_args()
    if not os.path.exists(ELF):
        sys.exit("boot_bench: build/kestrel.elf is missing; run 'make' first")
    times = [one_boot() for _ in range(a.runs)]
    size = os.path.getsize(ELF)
    res = {
        "boot_to_prompt_s": {"runs": a.runs, "min": min(times),
                             "median": statistics.median(times), "max": max(times),
                             "floor": FLOOR_S},
        "image_bytes": {"value": size, "floor": SIZE_FLOOR},
    }
    print(f"boot to first (XEN) prompt: min {min(times):.3f} s, median "
          f"{statistics.median(times):.3f} s, max {max(times):.3f} s ({a.runs} runs)")
    print(f"build/kestrel.elf: {size} bytes ({size / 1024:.1f} KiB)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
    ok = statistics.median(times) < FLOOR_S and size < SIZE_FLOOR
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
