#!/usr/bin/python3
"""Run every benchmark this driver knows (bench/<name>_bench.py, each taking --json PATH),
merge their results into bench/results.json under their names, and print one table:
figure, value, target, pass/fail, min/median/max over the runs.

  python3 bench/run_bench.py [--strict] [NAME...]       (make bench)

Each bench writes {"figures": [...], ...raw data}; a figure is a row (see bench/benchlib.py).
miniterm_bench.py predates that and is translated here. Exit status: 1 if a benchmark could
not run (no JSON, or an error); with --strict also if a figure missed its target.
To add a benchmark: write bench/<name>_bench.py that accepts --json PATH, and list it below.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
BENCHES = ["ws", "vmx", "compute", "boot", "density", "console", "sched", "timer", "miniterm",
           "variants", "linux", "disk", "net"]


def miniterm_figures(r):
    """miniterm_bench.py's JSON -> figure rows (ratio per interleaved run pair)."""
    try:
        mt, so = r["results"]["miniterm"]["runs"], r["results"]["socat"]["runs"]
    except (KeyError, TypeError):
        return []
    ratios = sorted(s / m for s, m in zip(so, mt))
    mid = len(ratios) // 2
    med = ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2
    return [dict(figure="miniterm: throughput / socat", value=r["ratio"], unit="x",
                 target=f">= {r['floor']}", **{"pass": r["pass"]},
                 note=f"{r['size_bytes'] // 1024} KiB over a unix socket; value is median/median, "
                      f"per-pair median {med:.3g}",
                 min=ratios[0], median=med, max=ratios[-1], runs=len(ratios))]


def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 10000 else f"{v:.0f}"
    return str(v)


def table(rows):
    head = ("figure", "value", "target", "result", "min", "median", "max", "runs")
    cells = [head]
    for f in rows:
        res = {True: "pass", False: "FAIL", None: "-"}[f.get("pass")]
        cells.append((f["figure"], f"{fmt(f['value'])} {f.get('unit', '')}".strip(),
                      f.get("target") or "-", res, fmt(f.get("min")), fmt(f.get("median")),
                      fmt(f.get("max")), str(f.get("runs", ""))))
    w = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = []
    for n, c in enumerate(cells):
        lines.append("| " + " | ".join(x.ljust(w[i]) for i, x in enumerate(c)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (x + 2) for x in w) + "|")
    return "\n".join(lines)


def main():
    args = sys.argv[1:]
    strict = "--strict" in args
    names = [a for a in args if a != "--strict"] or BENCHES
    results, failed = {}, []
    t_all = time.monotonic()
    for name in names:
        script = os.path.join(HERE, f"{name}_bench.py")
        if not os.path.exists(script):
            print(f"bench {name}: {script} missing", file=sys.stderr)
            failed.append(name)
            continue
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as t:
            out = t.name
        print(f"== {name}", flush=True)
        t0 = time.monotonic()
        p = subprocess.run([PYTHON, script, "--json", out], cwd=os.path.dirname(HERE))
        try:
            with open(out) as f:
                results[name] = json.load(f)
        except (OSError, ValueError):
            results[name] = {"error": f"no JSON (exit {p.returncode})"}
        finally:
            os.unlink(out)
        results[name]["exit_code"] = p.returncode
        results[name]["wall_s"] = round(time.monotonic() - t0, 2)
        if name == "miniterm" and "figures" not in results[name]:
            results[name]["figures"] = miniterm_figures(results[name])
        if "error" in results[name] or not results[name].get("figures"):
            failed.append(name)
        elif p.returncode != 0 and name != "miniterm":     # miniterm exits 1 below its floor
            failed.append(name)
    path = os.path.join(HERE, "results.json")
    merged = {}
    if os.path.exists(path) and len(names) < len(BENCHES):
        try:
            merged = json.load(open(path))          # keep the others' last figures
        except ValueError:
            merged = {}
    merged.update(results)
    rows = [f for n in names for f in results.get(n, {}).get("figures", [])]
    missed = [f["figure"] for f in rows if f.get("pass") is False]
    total = round(time.monotonic() - t_all, 1)
    merged["_summary"] = {"benches": names, "wall_s": total, "missed": missed, "failed": failed,
                          "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    with open(path, "w") as f:
        json.dump(merged, f, indent=2, sort_keys=True)
    print()
    print(table(rows))
    print(f"\n{len(rows)} figures, {len(missed)} missed their target; "
          f"{total:.0f} s in all; wrote {os.path.relpath(path)}"
          + (f"; could not run: {' '.join(failed)}" if failed else ""))
    return 1 if failed or (strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
