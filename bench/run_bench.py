#!/usr/bin/python3
"""Run every benchmark this driver knows (bench/<name>_bench.py, each taking --json PATH),
merge their results into bench/results.json under their names, and print a table.

  python3 bench/run_bench.py [NAME...]       (make bench)

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
BENCHES = ["boot", "miniterm"]


def flatten(prefix, v, rows):
    if isinstance(v, dict):
        for k, x in v.items():
            flatten(f"{prefix}.{k}" if prefix else k, x, rows)
    elif isinstance(v, list):
        rows.append((prefix, f"[{len(v)} values]"))
    else:
        rows.append((prefix, f"{v:.4g}" if isinstance(v, float) else str(v)))


def main():
    names = sys.argv[1:] or BENCHES
    results, failed = {}, []
    for name in names:
        script = os.path.join(HERE, f"{name}_bench.py")
        if not os.path.exists(script):
            print(f"bench {name}: {script} missing", file=sys.stderr)
            failed.append(name)
            continue
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as t:
            out = t.name
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
        if p.returncode != 0:
            failed.append(name)
    path = os.path.join(HERE, "results.json")
    merged = {}
    if os.path.exists(path) and len(names) < len(BENCHES):
        try:
            merged = json.load(open(path))          # keep the others' last figures
        except ValueError:
            merged = {}
    merged.update(results)
    with open(path, "w") as f:
        json.dump(merged, f, indent=2, sort_keys=True)
    rows = []
    for name in names:
        flatten(name, results.get(name, {}), rows)
    w = max((len(r[0]) for r in rows), default=10)
    print()
    print(f"{'figure':<{w}}  value")
    print(f"{'-' * w}  -----")
    for k, v in rows:
        print(f"{k:<{w}}  {v}")
    print(f"\nwrote {os.path.relpath(path)}" + (f"; failed: {' '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
