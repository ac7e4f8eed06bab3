"""Shared helpers of the *_bench.py scripts (make bench): booting Kestrel or a bare guest under
the system-test harness, statistics, and the figure records that run_bench.py tabulates.

A figure is one row of the table:
  {"figure": name, "value": v, "unit": u, "target": "<= 1.2", "pass": bool|None,
   "min": ..., "median": ..., "max": ..., "runs": n, "note": text}
value is the median of the per-run values (for ratios: of the per-run ratios of measurements
taken back to back), min/max their spread. pass is None for a figure with no target.
"""
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from kestrel import Kestrel, ELF, guest_elf, write_cfg  # noqa: E402,F401

FLOOR_ELF = os.path.join(ROOT, "build", "kestrel-floor.elf")
DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
MEM = 256                       # -m for every side-by-side pair unless a bench says otherwise


def guest_marked_seconds(k, body, n, prompt, what, timeout=300):
    """Time `body` in the guest shell reached through k (at its prompt): send `echo @@S<n>;
    body; echo @@T<n>` and return the host seconds between the two marker lines. body
    prints `@@0F<n>` (`echo @@$((0))F<n>`) when it fails: that raises RuntimeError naming
    `what`. The markers are computed by the shell, so the echo of the typed line never
    matches; prompt is the guest shell's prompt, awaited at the end."""
    k.mark()
    k.send(f"echo @@$((0))S{n}; {body}; echo @@$((0))T{n}\r")
    k.expect(rf"@@0S{n}\r?\n".encode(), 60)
    t0 = time.monotonic()
    m = k.expect(rf"@@0(T|F){n}\r?\n".encode(), timeout)
    t1 = time.monotonic()
    k.expect(re.escape(prompt), 30)
    if m.group(1) == b"F":
        raise RuntimeError(f"`{what}` failed in the guest")
    return t1 - t0


def free_port():
    """A TCP port on 127.0.0.1 free right now (for a QEMU socket netdev)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def boot_kestrel(modules, mem=MEM, append="", kernel=ELF):
    """Kestrel with boot modules (paths); returns the harness (QEMU started, clock running)."""
    return Kestrel(append=append, initrd=list(modules), mem=mem, kernel=kernel)


def boot_bare(name, append="", mem=MEM):
    """An in-tree guest booted bare by QEMU -kernel (isa-debug-exit lets it power off)."""
    return Kestrel(kernel=guest_elf(name), append=append, mem=mem, extra=DEBUG_EXIT)


def domain_modules(tmp, name, count=1, cfg_name=None, **cfg):
    """Boot modules for `count` domains of in-tree guest `name`: its ELF once, then one cfg
    per domain (`<cfg_name><i>.cfg`, domain name `<cfg_name><i>`), keys from cfg."""
    cfg_name = cfg_name or name
    mods = [guest_elf(name)]
    for i in range(count):
        keys = dict(name=f"{cfg_name}{i}" if count > 1 else cfg_name, kernel=f"{name}.elf",
                    memory=4, on_poweroff="destroy", on_crash="destroy")
        keys.update(cfg)
        mods.append(write_cfg(tmp, f"{cfg_name}{i}.cfg", **keys))
    return mods


def tmpdir():
    return tempfile.mkdtemp(prefix="kestrel-bench.")


def spread(values):
    """min/median/max/runs of a list of numbers."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values),
            "runs": len(values), "values": list(values)}


def figure(name, values, target=None, unit="", note="", value=None):
    """A table row from per-run values. target: None, "<= x", ">= x" or "x..y"."""
    s = spread(values) if values else {"min": None, "median": None, "max": None, "runs": 0,
                                       "values": []}
    v = s["median"] if value is None else value
    ok = None
    if target is not None and v is not None:
        t = target.replace(" ", "")
        if t.startswith("<="):
            ok = v <= float(t[2:])
        elif t.startswith(">="):
            ok = v >= float(t[2:])
        elif ".." in t:
            lo, hi = (float(x) for x in t.split(".."))
            ok = lo <= v <= hi
    elif target is not None:
        ok = False
    return dict(figure=name, value=v, unit=unit, target=target, **{"pass": ok}, note=note, **s)


def write(path, figures, **extra):
    """Write {"figures": [...], ...extra} to path (if given) and print the rows."""
    for f in figures:
        v = f["value"]
        vs = "n/a" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))
        res = {True: "pass", False: "FAIL", None: "-"}[f["pass"]]
        print(f"  {f['figure']}: {vs} {f['unit']} (target {f['target'] or '-'}: {res})"
              + (f"  [{f['note']}]" if f["note"] else ""))
    if path:
        with open(path, "w") as fh:
            json.dump(dict(figures=figures, **extra), fh, indent=2)


def median(xs):
    return statistics.median(xs)
