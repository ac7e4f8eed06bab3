#!/usr/bin/python3
"""Run Kestrel's test suites and print one closing line `N passed, N failed`.

  run_tests.py [--unit BIN...] [--fuzz-replay BIN...] [--system PATH...] [-k EXPR]
               [--debug-smoke IMAGE LIST]

Unit tests are cmocka programs (each test case counts; a program still running after
UNIT_TIMEOUT_S is stopped and its running case counts as failed); fuzz replays run each libFuzzer
target once over its seed corpus (tests/fuzz/corpus/<target>/, one count per target);
system tests are pytest directories or files, run in one pytest with Debian's python3
(junit XML counts; skipped tests are counted apart and their reasons listed). A system run
in which no test ran (pytest collected none, or skipped them all) counts as one failure.
--debug-smoke runs the system tests LIST names (tests/system/debug_smoke.txt: paths and node
ids, `!id` to leave one out) again with KESTREL_IMAGE=IMAGE, the debug build: each counts
again, as `debug <name>` in the skip report.
"""
import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


# A unit test binary runs in a second or two; one still running after this long is stuck
# (a loop that never ends is a failure, not a wait: make test must end).
UNIT_TIMEOUT_S = 120 * float(os.environ.get("KESTREL_TEST_SLOW", "1"))


def run_unit_binary(b, env):
    """(output, return code); on timeout the output so far, the test case that was running
    named, and return code None."""
    try:
        p = subprocess.run([b], capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=UNIT_TIMEOUT_S)
        return p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out = "".join(x.decode(errors="replace") if isinstance(x, bytes) else (x or "")
                      for x in (e.stdout, e.stderr))
        running = re.findall(r"\[ RUN      \] (\S+)", out)
        return out + (f"\ntimed out after {UNIT_TIMEOUT_S:.0f} s in "
                      f"{running[-1] if running else '?'}\n"), None


def run_unit(bins):
    passed = failed = 0
    for b in bins:
        name = os.path.basename(b)
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout")
        out, rc = run_unit_binary(b, env)
        if rc is None:          # stuck: what finished counts, the stuck case fails
            ok = len(re.findall(r"\[       OK \] ", out))
            bad = len(re.findall(r"\[  FAILED  \] \S", out)) + 1
        else:
            ok = sum(int(n) for n in re.findall(r"\[  PASSED  \] (\d+) test", out))
            bad = sum(int(n) for n in re.findall(r"\[  FAILED  \] (\d+) test", out))
            if rc != 0 and bad == 0:
                bad = 1          # crashed before cmocka could count
        passed += ok
        failed += bad
        status = "ok" if bad == 0 else "FAILED"
        print(f"unit  {name:36s} {ok:4d} passed {bad:4d} failed  {status}")
        if bad:
            print(out[-4000:])
    return passed, failed


def run_fuzz_replay(bins):
    passed = failed = 0
    for b in bins:
        name = os.path.basename(b)
        corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
        if not os.path.isdir(corpus):
            corpus = os.path.join(ROOT, "tests", "fuzz", "corpus", name.replace("fuzz_", "", 1))
        if not os.path.isdir(corpus):
            print(f"fuzz  {name:36s} no corpus: FAILED")
            failed += 1
            continue
        files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
        p = subprocess.run([b, "-runs=0"] + files, capture_output=True, text=True, cwd=ROOT)
        if p.returncode == 0:
            passed += 1
            print(f"fuzz  {name:36s} replayed {len(files)} inputs  ok")
        else:
            failed += 1
            print(f"fuzz  {name:36s} FAILED\n{p.stderr[-4000:]}")
    return passed, failed


def report_skips(suites):
    """One line per test module and skip reason: how many of its tests were skipped, why."""
    why = {}
    for case in (c for s in suites for c in s.iter("testcase")):
        sk = case.find("skipped")
        if sk is not None:
            key = (case.get("classname", "?"), sk.get("message", ""))
            why[key] = why.get(key, 0) + 1
    for (where, message), n in sorted(why.items()):
        print(f"skipped {n:4d}  {where}: {message}")


def run_system(paths, kexpr, image=None, deselect=()):
    # One XML per machine (tests/system/conftest.py): make test and make test-vmx may run
    # side by side.
    machine = os.environ.get("KESTREL_MACHINE", "qemu")
    xml = os.path.join(ROOT, "build", "system-tests.xml" if machine == "qemu" else
                       f"system-tests-{machine}.xml")
    env = None
    if image:
        xml = xml.replace(".xml", "-debug-smoke.xml")
        env = dict(os.environ, KESTREL_IMAGE=os.path.abspath(image))
    os.makedirs(os.path.dirname(xml), exist_ok=True)
    cmd = ["/usr/bin/python3", "-m", "pytest", "-p", "no:cacheprovider", "-q",
           "--junitxml", xml, "-o", "junit_family=xunit1"] + list(paths)
    for d in deselect:
        cmd += ["--deselect", d]
    jobs = os.environ.get("KESTREL_TEST_JOBS")
    if kexpr:
        cmd += ["-k", kexpr]
    if jobs:
        cmd += ["-n", jobs]
    if os.path.exists(xml):
        os.remove(xml)                  # a stale report must not count for this run
    p = subprocess.run(cmd, cwd=ROOT, env=env)
    if not os.path.exists(xml):
        return 0, 1, 0
    root = ET.parse(xml).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    total = sum(int(s.get("tests", 0)) for s in suites)
    bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    if image:
        for case in (c for s in suites for c in s.iter("testcase")):
            case.set("classname", "debug " + case.get("classname", "?"))
    report_skips(suites)
    if p.returncode not in (0, 1) and bad == 0:
        bad = 1                         # 5: pytest collected nothing; 2-4: it could not run
    if total - skipped == 0:
        print("no system test ran: " + " ".join(paths)
              + (f" -k {kexpr!r}" if kexpr else ""))
        bad = max(bad, 1)
    return max(total - bad - skipped, 0), bad, skipped


def read_smoke_list(path):
    """LIST file -> (paths and node ids to run, node ids to leave out)."""
    run, skip = [], []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line.startswith("!"):
                skip.append(line[1:].strip())
            elif line:
                run.append(line)
    return run, skip


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unit", nargs="*", default=[])
    ap.add_argument("--fuzz-replay", nargs="*", default=[])
    ap.add_argument("--system", nargs="+")
    ap.add_argument("-k")
    ap.add_argument("--debug-smoke", nargs=2, metavar=("IMAGE", "LIST"))
    a = ap.parse_args()
    passed = failed = skipped = 0
    if a.unit:
        p, f = run_unit(a.unit)
        passed, failed = passed + p, failed + f
    if a.fuzz_replay:
        p, f = run_fuzz_replay(a.fuzz_replay)
        passed, failed = passed + p, failed + f
    if a.system:
        r = run_system(a.system, a.k)
        passed, failed = passed + r[0], failed + r[1]
        skipped += r[2]
    if a.debug_smoke:
        image, listfile = a.debug_smoke
        run, skip = read_smoke_list(listfile)
        print(f"debug smoke: {len(run)} paths on {image}", flush=True)
        if not os.path.exists(image):
            print(f"debug smoke: {image} is missing: FAILED")
            failed += 1
        else:
            r = run_system(run, a.k, image=image, deselect=skip)
            passed, failed = passed + r[0], failed + r[1]
            skipped += r[2]
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
