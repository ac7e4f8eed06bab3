#!/usr/bin/env python3
"""Throughput benchmark: miniterm against socat on a unix socket.

A unix-socket server (standing in for a QEMU chardev) writes SIZE bytes
of console-like text followed by an end marker, then closes. Each
client is timed from the server's accept() to the client's exit:

  (a) miniterm -d unix:PATH --expect MARKER   (script mode, stdout to
      /dev/null or to a file with --stdout-file; --regex makes MARKER a
      regex rather than a literal string)
  (b) socat - UNIX-CONNECT:PATH               (stdout likewise)

Each runs --repeat times (default 5). Prints min/median/max seconds per
client and the ratio of miniterm's throughput to socat's (median over
median); writes the numbers as JSON to --json PATH. Exits 1 if the
ratio is below --floor (default 0.8), 2 if a client failed.

Standard library only. Usage:
  python3 bench/miniterm_bench.py [--json out.json] [--size BYTES]
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
MARKER = b"\r\n(XEN) MINITERM-BENCH-END\r\n"


def payload(size):
    """SIZE bytes of hypervisor-console-like lines."""
    line = b"(XEN) d0v0 0123456789abcdef: the quick brown fox jumps over\r\n"
    reps = size // len(line) + 1
    return (line * reps)[:size]


def serve_once(listener, data, result):
    """Accepts one client, sends data, closes; records accept time."""
    conn, _ = listener.accept()
    result["t0"] = time.perf_counter()
    try:
        conn.sendall(data)
    except OSError as e:
        result["error"] = str(e)
    finally:
        conn.close()


def time_client(argv, data, sock_path, out_path):
    """Runs one client against a fresh server; returns seconds from
    accept to client exit."""
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(1)
    result = {}
    server = threading.Thread(target=serve_once,
                              args=(listener, data, result), daemon=True)
    server.start()
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.PIPE)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise RuntimeError("%s timed out" % argv[0])
    t1 = time.perf_counter()
    server.join(5)
    listener.close()
    if proc.returncode != 0 or "t0" not in result or "error" in result:
        raise RuntimeError("%s failed (exit %s): %s %s" % (
            argv[0], proc.returncode, err.decode(errors="replace").strip(),
            result.get("error", "")))
    if out_path != os.devnull and os.path.getsize(out_path) < len(data):
        raise RuntimeError("%s wrote only %d of %d bytes" % (
            argv[0], os.path.getsize(out_path), len(data)))
    return t1 - result["t0"]


def summary(times, size):
    med = statistics.median(times)
    return {"runs": times, "min": min(times), "median": med,
            "max": max(times), "mib_per_s": size / med / 2**20}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="write results as JSON to this path")
    ap.add_argument("--size", type=int, default=1 << 20,
                    help="payload bytes (default 1 MiB)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--floor", type=float, default=0.8,
                    help="minimum miniterm/socat throughput ratio")
    ap.add_argument("--miniterm",
                    default=os.path.join(ROOT, "tools", "miniterm", "miniterm"))
    ap.add_argument("--stdout-file", action="store_true",
                    help="send client output to a file, not /dev/null")
    ap.add_argument("--regex", action="store_true",
                    help="expect the marker through a regex, not a literal")
    args = ap.parse_args()

    if not os.access(args.miniterm, os.X_OK):
        subprocess.run(["make", "-s", "-C", os.path.dirname(args.miniterm)],
                       check=True)
    socat = shutil.which("socat")
    if socat is None:
        print("miniterm_bench: socat is not installed", file=sys.stderr)
        return 2
    data = payload(args.size) + MARKER
    with tempfile.TemporaryDirectory(prefix="miniterm-bench-") as tmp:
        sock = os.path.join(tmp, "console.sock")
        out = os.path.join(tmp, "out") if args.stdout_file else os.devnull
        clients = {
            "miniterm": [args.miniterm, "-d", "unix:" + sock, "--timeout",
                         "30", "--expect", r"MINITERM-BENCH-E[N]D\r$" if args.regex
                         else "MINITERM-BENCH-END"],
            "socat": [socat, "-", "UNIX-CONNECT:" + sock],
        }
        times = {name: [] for name in clients}
        try:
            for _ in range(args.repeat):  # interleaved, to share any noise
                for name, argv in clients.items():
                    times[name].append(time_client(argv, data, sock, out))
        except RuntimeError as e:
            print("miniterm_bench: %s" % e, file=sys.stderr)
            return 2

    results = {name: summary(t, len(data)) for name, t in times.items()}
    ratio = results["socat"]["median"] / results["miniterm"]["median"]
    for name, r in results.items():
        print("%-9s min %.4f s  median %.4f s  max %.4f s  (%.1f MiB/s)" % (
            name, r["min"], r["median"], r["max"], r["mib_per_s"]))
    ok = ratio >= args.floor
    print("throughput ratio miniterm/socat: %.2f (floor %.2f: %s)" % (
        ratio, args.floor, "ok" if ok else "BELOW FLOOR"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"size_bytes": len(data), "repeat": args.repeat,
                       "stdout": "file" if args.stdout_file else "/dev/null",
                       "expect": "regex" if args.regex else "literal",
                       "results": results, "ratio": ratio,
                       "floor": args.floor, "pass": ok}, f, indent=2)
            f.write("\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
