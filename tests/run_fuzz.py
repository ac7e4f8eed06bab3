#!/usr/bin/python3
"""Run each libFuzzer target for a while on a copy of its seed corpus.

  run_fuzz.py [--seconds S] BIN...

New inputs go to build/fuzz-corpus/<target>/ (the committed seeds in tests/fuzz/corpus/ are
only read). A crash fails the run and leaves its reproducer in build/fuzz-crashes/<target>/.
Prints one line per target and the closing `N passed, N failed`.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def seeds_of(name):
    for cand in (name, name.replace("fuzz_", "", 1)):
        d = os.path.join(ROOT, "tests", "fuzz", "corpus", cand)
        if os.path.isdir(d):
            return d
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("bins", nargs="+")
    a = ap.parse_args()
    passed = failed = 0
    for b in a.bins:
        name = os.path.basename(b)
        work = os.path.join(ROOT, "build", "fuzz-corpus", name)
        crashes = os.path.join(ROOT, "build", "fuzz-crashes", name)
        os.makedirs(work, exist_ok=True)
        os.makedirs(crashes, exist_ok=True)
        seeds = seeds_of(name)
        if seeds:
            for f in os.listdir(seeds):
                shutil.copy(os.path.join(seeds, f), work)
        cmd = [b, f"-max_total_time={a.seconds}", "-print_final_stats=1",
               f"-artifact_prefix={crashes}/", "-timeout=10", "-rss_limit_mb=2048", work]
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        runs = ""
        for line in p.stderr.splitlines():
            if line.startswith("stat::number_of_executed_units"):
                runs = line.split(":")[-1].strip()
        if p.returncode == 0:
            passed += 1
            print(f"fuzz {name:28s} ok    {runs} runs in {a.seconds}s")
        else:
            failed += 1
            print(f"fuzz {name:28s} FAILED (reproducer in {crashes})")
            print(p.stderr[-3000:])
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
