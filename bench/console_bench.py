#!/usr/bin/python3
"""Console benchmark (figure 6): the flood guest writes SIZE bytes (default 1 MiB) to its
UART as fast as it can, then `flood: done <n> bytes crc32 <hex>` (CRC-32 of exactly what it
wrote). As a Kestrel domain its bytes reach the serial line as `(d1) ` lines; bare, as they
are. Throughput = SIZE / (time from the first flood line to the done line, on the host clock
of the socket reader). For Kestrel the payload is rebuilt from the `(d1) ` lines (prefixes and
the console's prompt-redraw sequences removed) and its CRC must match the guest's: any lost
or altered byte fails the run. Figure: Kestrel throughput / bare throughput, best of N
(min bare time / min Kestrel time: on this shared machine a disturbance only slows a run);
min/median/max are the per-pair ratios.

  python3 bench/console_bench.py [--runs N] [--size BYTES] [--json PATH]
"""
import argparse
import os
import re
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

START = rb"flood: 00000000 "
DONE = rb"flood: done (\d+) bytes crc32 ([0-9a-f]{8})\r\n"


def run(k, kestrel, a_timeout=300):
    try:
        k.expect(START, 60)
        t0 = time.monotonic()
        m = k.expect(DONE, a_timeout)
        t1 = time.monotonic()
        n, crc = int(m.group(1)), int(m.group(2), 16)
        out = k.output()
        if kestrel:
            lines = [ln for d, ln in re.findall(rb"\(d(\d+)\) ([^\r\n]*)\r\n", out) if d == b"1"]
            body = [ln for ln in lines if ln.startswith(b"flood: ") and not
                    ln.startswith(b"flood: done")]
            data = b"".join(ln + b"\r\n" for ln in body)
        else:
            i = out.find(START)
            j = out.find(b"\r\nflood: done")
            data = out[i:j]
        got = zlib.crc32(data[:n]) & 0xffffffff
        return {"s": t1 - t0, "bytes": n, "crc_ok": got == crc and len(data) >= n}
    finally:
        k.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--json")
    a = ap.parse_args()
    if a.size % 64:
        sys.exit("console_bench: --size must be a multiple of 64 (whole flood lines)")
    tmp = B.tmpdir()
    mods = B.domain_modules(tmp, "flood", extra=f"bytes={a.size}")
    kes, bare = [], []
    for _ in range(a.runs):
        bare.append(run(B.boot_bare("flood", append=f"bytes={a.size}"), False))
        kes.append(run(B.boot_kestrel(mods), True))
    ok = all(r["crc_ok"] for r in kes + bare)
    ratios = [b["s"] / k["s"] for k, b in zip(kes, bare)]
    mib = a.size / 2**20
    figs = [B.figure("console: Kestrel / bare UART throughput", ratios, None, "x",
                     value=min(b["s"] for b in bare) / min(k["s"] for k in kes),
                     note=f"{mib:g} MiB: {mib / B.median([k['s'] for k in kes]):.3f} MiB/s Kestrel, "
                          f"{mib / B.median([b['s'] for b in bare]):.3f} MiB/s bare"),
            B.figure("console: CRC-32 of every run matches", [1.0 if ok else 0.0], ">= 1", "",
                     note="all bytes arrived" if ok else "BYTES LOST OR ALTERED")]
    B.write(a.json, figs, kestrel=kes, bare=bare, size=a.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
