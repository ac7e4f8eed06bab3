#!/usr/bin/python3
"""Disk and balloon benchmark (issue 17's "Tests and figures"): Debian's stock kernel with
the virtio initramfs and the ext4 root of the virtio tests (tests/linux/mkinitramfs.sh
--virtio, mkrootfs.sh, through tests/system/linux_guest.py), root=/dev/vda, and a second,
raw 64 MiB disk /dev/vdb (zeros) that the jobs write and read with O_DIRECT:

- under Kestrel: a domain (`memory = 256`, `maxmem = 256`, both disks `rw` boot modules,
  QEMU -m 768), Kestrel's virtio-blk on its virtio-mmio transport;
- bare: the same kernel, initrd and images on QEMU's microvm with ACPI (QEMU's own
  virtio-blk-device on virtio-mmio, LNRO0005 in its DSDT, as Kestrel describes its
  devices; -m 256; `tsc_early_khz=` as test_linux_virtio_bare.py explains). The bare
  images are in /dev/shm with cache=unsafe: Kestrel's disk is a boot module in RAM, so
  neither side waits for the host's disk (a guest flush is a no-op on both).

Every round boots both machines at once (the boots are not measured here), warms each up
with one untimed pass of every job, then runs the jobs on one side and the other in turn
(who goes first alternates), so the shared machine's noise hits both alike; a ratio is
taken between the two loops of a pair, seconds apart.

1. disk: each job runs `passes` times in one shell loop, timed from the host (the arrival of
   a line the shell prints just before the loop to that of a line it prints after it: the
   serial line's latency is in both ends and cancels; a null job timed the same way shows
   what is left of it, a few ms), REPS loops a side per round:
     write    dd if=/dev/zero of=/dev/vdb bs=1M count=64 oflag=direct conv=fsync   (x6)
     read     dd if=/dev/vdb of=/dev/null bs=1M count=64 iflag=direct              (x6)
     read64k  dd if=/dev/vdb of=/dev/null bs=64k count=1024 iflag=direct           (x2)
   (busybox dd's O_DIRECT: no page cache in the guest, every byte goes through the device).
   Speed ratio = bare seconds / Kestrel seconds, value min/min over all loops (a
   disturbance only ever slows a run), min/median/max over the pairs. Under Kestrel every
   loop is wrapped in `dump web` before and after (exits by reason) and the guest's
   /sys/block/vdb/stat gives its requests; the same window around the job's null twin
   (the same line typed, `: ` before the command: attaching, the console's echo, the
   markers, the stat reads) is subtracted. `npf` exits are the guest's MMIO accesses:
   the virtio-mmio registers (its APIC is x2APIC, on MSRs), each decoded by Kestrel.
   read64k moves the same bytes as read in 16x the requests, so the two split Kestrel's
   extra time over bare into a cost per exit and a cost per MiB (its copy between the disk
   module and the guest's buffers): extra = c * exits + d * MiB.
2. balloon: `mem-set web 128` typed at the (XEN) prompt, then `list` polled every POLL_S
   until web's row shows 128 MiB: the seconds from sending the command to that row's
   arrival; the same for `mem-set web 256`. `meminfo`'s free frames before, at 128 and
   after say the 128 MiB were really given back. The reference, in the note: the bare
   guest's balloon on QEMU's own virtio-balloon-device, QMP `balloon` then `query-balloon`
   polled alike until its `actual` is the target.

  python3 bench/disk_bench.py [--runs N] [--json PATH]

Cost: a round is ~45 s on the shared 2-core development machine (two Linux boots at once
~15-20 s, the jobs with Kestrel's dumps ~20 s, the balloon ~5 s); the default 4 rounds take
~3 min.
"""
import argparse
import json
import os
import re
import shutil
import socket
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import linux_guest as lg  # noqa: E402
from kestrel import Kestrel  # noqa: E402

GUEST_MEM = 256                 # MiB: the domain's memory (and maxmem), bare QEMU's -m
LOW_MEM = 128                   # mem-set target
KESTREL_MEM = 768               # QEMU -m under Kestrel: the domain, two disk modules, Kestrel
DISK_MIB = 64                   # the raw scratch disk /dev/vdb, and the file each pass moves
REPS = 2                        # timed loops of each job per side per round, interleaved
POLL_S = 0.05                   # between two `list` polls (back to back they slow the guest)
DISKS = ("[ 'target=rootfs.img,vdev=xvda,access=rw', "
         "'target=scratch.img,vdev=xvdb,access=rw' ]")
# name: (command, passes per timed loop); every pass moves DISK_MIB MiB.
JOBS = {
    "write": (f"dd if=/dev/zero of=/dev/vdb bs=1M count={DISK_MIB} oflag=direct conv=fsync",
              6),
    "read": (f"dd if=/dev/vdb of=/dev/null bs=1M count={DISK_MIB} iflag=direct", 6),
    "read64k": (f"dd if=/dev/vdb of=/dev/null bs=64k count={DISK_MIB * 16} iflag=direct", 2),
}
# Each job's null twin: the same line typed (so the same console echo in the exit window),
# the command made a no-op by the shell's `:`; one pass.
NULL_JOBS = {f"null-{name}": (f": {command}", 1) for name, (command, _) in JOBS.items()}
EXITS = re.compile(r"exits:((?: \w+=\d+)*) \(total (\d+)\)")
LIST_WEB = rb"\(XEN\) web {20,}\s+\d+\s+(\d+)\s+\d+\s+[r-][b-][p-]"
FREE_FRAMES = re.compile(r"free: +\d+ KiB \((\d+) frames\)")


# ---- the guest's side ---------------------------------------------------------------------

def timed_loop(k, command, passes, n):
    """Run `command` passes times in one shell loop in the guest shell reached through k (at
    its prompt); return the host seconds between the shell's line before the loop and its
    line after. A failing pass ends the loop and raises."""
    body = (f"i=0; while [ $i -lt {passes} ]; do {command} 2>/dev/null "
            f"|| {{ echo @@$((0))F{n}; break; }}; i=$((i+1)); done")
    return B.guest_marked_seconds(k, body, n, lg.PROMPT, command)


def blk_stat(sh):
    """/sys/block/vdb/stat -> {requests (reads + writes + flushes), bytes (read + written)}."""
    f = [int(x) for x in sh.check("cat /sys/block/vdb/stat").split()]
    flushes = f[14] if len(f) > 14 else 0
    return {"reads": f[0], "writes": f[4], "flushes": flushes,
            "requests": f[0] + f[4] + flushes, "bytes": (f[2] + f[6]) * 512}


def guest_job(sh, job, n):
    """One timed loop of job (command, passes) with the disk's counters around it:
    {s (per pass), passes, requests, bytes, ...} (counts in all passes)."""
    command, passes = job
    before = blk_stat(sh)
    seconds = timed_loop(sh.k, command, passes, n)
    after = blk_stat(sh)
    r = {key: after[key] - before[key] for key in before}
    r["s"], r["passes"] = seconds / passes, passes
    return r


def warm_up(sh):
    """One untimed pass of each job (first touches, the guest's code paths)."""
    for command, _ in JOBS.values():
        sh.check(command, 120)


# ---- Kestrel's side -----------------------------------------------------------------------

def dump_exits(k, dom="web"):
    """({reason: count}, total) of `dump <dom>`."""
    out = k.cmd(f"dump {dom}", 30)
    m = EXITS.search(out)
    if not m:
        raise RuntimeError(f"no exit counts in `dump {dom}`:\n{out}")
    counts = {kv.split("=")[0]: int(kv.split("=")[1]) for kv in m.group(1).split()}
    return counts, int(m.group(2))


def exit_window(k, dom, job):
    """`dump web`, attach, job(shell), back to Xen, `dump web`: (job's result, {reason:
    exits in the window}, total)."""
    a, ta = dump_exits(k)
    sh = lg.attach(k, "web", dom)
    r = job(sh)
    lg.to_xen(k)
    b, tb = dump_exits(k)
    return r, {e: b[e] - a.get(e, 0) for e in b}, tb - ta


def list_mem(k):
    """web's memory (MiB) in a `list` typed now: its row, without waiting for quiet."""
    k.mark()
    k.send("list\r")
    mib = int(k.expect(LIST_WEB, 30).group(1))
    k.expect(rb"\(XEN\) $", 30)
    return mib


def free_frames(k):
    m = FREE_FRAMES.search(k.cmd("meminfo", 30))
    return int(m.group(1)) if m else None


def mem_set(k, mib, timeout=120):
    """`mem-set web <mib>`, then `list` every POLL_S until it shows mib: (seconds from the
    command's Enter to that list's row, seconds the last poll took, polls)."""
    k.mark()
    t0 = time.monotonic()
    k.type_line(f"mem-set web {mib}")
    k.wait_prompt(30, quiet=0.02)
    polls, end = 0, t0 + timeout * k.slow
    while True:
        p0 = time.monotonic()
        got = list_mem(k)
        polls += 1
        t = time.monotonic()
        if got == mib:
            return t - t0, t - p0, polls
        if t > end:
            raise RuntimeError(f"after mem-set web {mib}, list shows {got} MiB after "
                               f"{t - t0:.0f} s")
        time.sleep(POLL_S)


def balloon(k):
    """mem-set down to LOW_MEM and back up: {down_s, up_s, polls, free frames, exits}."""
    r = {"free0": free_frames(k)}
    for key, mib in (("down", LOW_MEM), ("up", GUEST_MEM)):
        a, ta = dump_exits(k)
        r[key + "_s"], r[key + "_poll_s"], r[key + "_polls"] = mem_set(k, mib)
        b, tb = dump_exits(k)
        r[key + "_exits"] = {e: b[e] - a.get(e, 0) for e in b}
        r[key + "_exits_total"] = tb - ta
        r["free_" + key] = free_frames(k)
    return r


def start_kestrel(tmp, rootfs, scratch):
    """QEMU running Kestrel with the domain web on its two disks (booting)."""
    a = lg.virtio_assets()
    cfg = lg.linux_cfg(tmp, "web", ramdisk="initrd-virtio.gz", memory=GUEST_MEM,
                       maxmem=GUEST_MEM, extra="console=ttyS0 root=/dev/vda",
                       disk=("raw", DISKS))
    return Kestrel(initrd=[a["vmlinuz"], a["initrd"], rootfs, scratch, cfg], mem=KESTREL_MEM)


def kestrel_ready(k):
    """Wait for web's shell on its disk; warm up; back at Xen's prompt. Returns web's id."""
    dom = int(k.expect(rb"\(XEN\) d(\d+) \(web\): built from web\.cfg", 60).group(1))
    problem = lg.boot_to_rootfs(k, dom, "web", since=0)
    if problem:
        raise RuntimeError(problem)
    warm_up(lg.attach(k, "web", dom))
    lg.to_xen(k)
    return dom


def kestrel_job(k, dom, job, n):
    """guest_job in an exit window: its result with "exits" {reason: n} and "exits_total"."""
    r, exits, total = exit_window(k, dom, lambda sh: guest_job(sh, job, n))
    r["exits"], r["exits_total"] = exits, total
    return r


# ---- bare QEMU ----------------------------------------------------------------------------

def start_bare(rootfs, scratch, qmp_path):
    """QEMU's microvm (virtio-blk-device on virtio-mmio, ACPI, a virtio-balloon-device)
    booting the same kernel and initrd from these images, its QMP on qmp_path."""
    a = lg.virtio_assets()
    extra = ["-M", "microvm,acpi=on,rtc=on", "-device", "virtio-balloon-device",
             "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    for i, path in enumerate((rootfs, scratch)):
        extra += ["-drive", f"file={path},format=raw,if=none,id=disk{i},cache=unsafe",
                  "-device", f"virtio-blk-device,drive=disk{i}"]
    return Kestrel(kernel=a["vmlinuz"], initrd=a["initrd"], mem=GUEST_MEM, extra=extra,
                   append=f"console=ttyS0 tsc_early_khz={lg.tsc_khz()} root=/dev/vda")


def bare_ready(k):
    """Wait for the bare guest's shell on its disk; warm up; its Shell."""
    k.expect(re.escape(lg.ROOTFS_MARKER) + r"\r?\n", lg.BOOT_S)
    k.expect(re.escape(lg.SHELL_BANNER), 60)
    sh = lg.Shell(k)
    sh.sync()
    warm_up(sh)
    return sh


class Qmp:
    """A minimal QMP client (QEMU's JSON monitor) on a unix socket: execute() returns a
    command's "return" value; events in between are skipped."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.file = self.sock.makefile("rb")
        self.reply()                                    # the greeting
        self.execute("qmp_capabilities")

    def reply(self):
        while True:
            line = self.file.readline()
            if not line:
                raise RuntimeError("QMP socket closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def execute(self, command, **arguments):
        req = {"execute": command}
        if arguments:
            req["arguments"] = arguments
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        msg = self.reply()
        if "error" in msg:
            raise RuntimeError(f"QMP {command}: {msg['error']}")
        return msg.get("return")

    def close(self):
        self.file.close()
        self.sock.close()


def bare_mem_set(qmp, mib, timeout=120):
    """QMP `balloon` to mib MiB, then `query-balloon` every POLL_S until its actual is mib:
    (seconds from the command to that answer, seconds the last poll took, polls)."""
    t0 = time.monotonic()
    qmp.execute("balloon", value=mib << 20)
    polls, end = 0, t0 + timeout
    while True:
        p0 = time.monotonic()
        got = qmp.execute("query-balloon")["actual"] >> 20
        polls += 1
        t = time.monotonic()
        if got == mib:
            return t - t0, t - p0, polls
        if t > end:
            raise RuntimeError(f"bare balloon to {mib} MiB: actual {got} MiB after "
                               f"{t - t0:.0f} s")
        time.sleep(POLL_S)


def bare_balloon(qmp_path):
    """The bare guest's balloon down to LOW_MEM and back up: {down_s, up_s, ...}."""
    qmp = Qmp(qmp_path)
    try:
        r = {}
        for key, mib in (("down", LOW_MEM), ("up", GUEST_MEM)):
            r[key + "_s"], r[key + "_poll_s"], r[key + "_polls"] = bare_mem_set(qmp, mib)
        return r
    finally:
        qmp.close()


def zero_image(directory):
    """A DISK_MIB MiB file of zeros (written, not sparse) named scratch.img; its path."""
    path = os.path.join(directory, "scratch.img")
    block = bytes(1 << 20)
    with open(path, "wb") as f:
        for _ in range(DISK_MIB):
            f.write(block)
    return path


# ---- a round: both machines up, their jobs interleaved -------------------------------------

def one_round(i, tmp, shm, rootfs, scratch):
    """Kestrel and bare booted together (boots are not timed here), then each job REPS
    times on each side, the two sides alternating (who goes first alternates too), then
    the balloons, one side after the other. {"kestrel" / "bare": {"jobs": {name:
    [result]}, "balloon": {...}}}."""
    bare_disks = [lg.disk_copy(shm, "rootfs"), zero_image(shm)]
    qmp_path = os.path.join(shm, "qmp.sock")
    k = b = None
    try:
        k = start_kestrel(tmp, rootfs, scratch)
        b = start_bare(*bare_disks, qmp_path)
        dom = kestrel_ready(k)
        sh = bare_ready(b)
        kes, bare = {"jobs": {}}, {"jobs": {}}
        plan = list(NULL_JOBS.items()) + [(name, job) for _ in range(REPS)
                                       for name, job in JOBS.items()]
        for n, (name, job) in enumerate(plan):
            for side in (("k", "b") if (n + i) % 2 == 0 else ("b", "k")):
                if side == "k":
                    kes["jobs"].setdefault(name, []).append(kestrel_job(k, dom, job, n))
                else:
                    bare["jobs"].setdefault(name, []).append(guest_job(sh, job, n))
        for side in (("k", "b") if i % 2 == 0 else ("b", "k")):
            if side == "k":
                kes["balloon"] = balloon(k)
            else:
                bare["balloon"] = bare_balloon(qmp_path)
        return {"kestrel": kes, "bare": bare}
    finally:
        for m in (k, b):
            if m:
                m.stop()
        for path in bare_disks:
            os.unlink(path)


# ---- figures ------------------------------------------------------------------------------

def samples(rounds, side, job):
    return [s for r in rounds for s in r[side]["jobs"][job]]


def best(rounds, side, job):
    """The fastest pass time (s) of job on side."""
    return min(s["s"] for s in samples(rounds, side, job))


def mib_s(seconds):
    return DISK_MIB / seconds


def job_exits(r, job):
    """Of one round's Kestrel side: per sample of job, ({reason: exits}, total, requests),
    the window of the job's null twin subtracted (attaching, typing the line and its echo,
    the markers, the stat reads)."""
    null = r["kestrel"]["jobs"]["null-" + job][0]
    out = []
    for s in r["kestrel"]["jobs"][job]:
        reasons = {e: s["exits"].get(e, 0) - null["exits"].get(e, 0) for e in s["exits"]}
        out.append((reasons, s["exits_total"] - null["exits_total"],
                    max(s["requests"] - null["requests"], 1)))
    return out


def exits_per(rounds, job, per="request", reason=None):
    """Median over the samples of job's exits (all, or one reason) per request or per pass."""
    vals = []
    for r in rounds:
        for (reasons, total, reqs), s in zip(job_exits(r, job), r["kestrel"]["jobs"][job]):
            n = reasons.get(reason, 0) if reason else total
            vals.append(n / (reqs if per == "request" else s["passes"]))
    return B.median(vals)


def by_reason(rounds, job, n=4):
    """'reason exits/request, ...' of the n largest (medians over the samples)."""
    names = {e for r in rounds for s in r["kestrel"]["jobs"][job] for e in s["exits"]}
    per = {e: exits_per(rounds, job, reason=e) for e in names}
    return ", ".join(f"{e} {per[e]:.1f}" for e in sorted(per, key=per.get, reverse=True)[:n])


def split_costs(rounds):
    """Kestrel's extra seconds over bare per pass, from read and read64k (the same bytes in
    16x the requests, best passes): extra = c * exits + d * MiB; (c, d, the read pass's
    extra, its exits), or None when the two do not separate."""
    x1 = best(rounds, "kestrel", "read") - best(rounds, "bare", "read")
    x2 = best(rounds, "kestrel", "read64k") - best(rounds, "bare", "read64k")
    e1 = exits_per(rounds, "read", per="pass")
    e2 = exits_per(rounds, "read64k", per="pass")
    if e2 <= e1:
        return None
    c = (x2 - x1) / (e2 - e1)
    return c, (x1 - c * e1) / DISK_MIB, x1, e1


def job_figure(rounds, job, what, target):
    pairs = [(k["s"], b["s"]) for r in rounds for k, b in zip(r["kestrel"]["jobs"][job],
                                                              r["bare"]["jobs"][job])]
    ks, bs = best(rounds, "kestrel", job), best(rounds, "bare", job)
    command, passes = JOBS[job]
    reqs = [B.median([s["requests"] / s["passes"] for s in samples(rounds, side, job)])
            for side in ("kestrel", "bare")]
    return B.figure(
        f"disk: {what} {DISK_MIB} MiB, Kestrel speed / bare", [b / k for k, b in pairs],
        target, "x", value=bs / ks,
        note=(f"`{command}`, {passes} passes a loop, host-timed, best of "
              f"{len(pairs)} loops a side: Kestrel {ks * 1000:.0f} ms a pass "
              f"({mib_s(ks):.0f} MiB/s), bare {bs * 1000:.0f} ms ({mib_s(bs):.0f} MiB/s); "
              f"requests a pass {reqs[0]:.0f} / {reqs[1]:.0f}; Kestrel's exits "
              f"{exits_per(rounds, job, per='pass'):.0f} a pass, "
              f"{exits_per(rounds, job):.1f} a request, npf (virtio-mmio registers) "
              f"{exits_per(rounds, job, reason='npf'):.1f} (by reason: "
              f"{by_reason(rounds, job)}); value = min/min, min/median/max per pair"))


def disk_figures(rounds):
    figs = [job_figure(rounds, "write", "sequential write", ">= 0.5"),
            job_figure(rounds, "read", "sequential read", ">= 0.5"),
            job_figure(rounds, "read64k", "read in 64 KiB requests", None)]
    for side, label in (("kestrel", "Kestrel"), ("bare", "bare")):
        for job in ("write", "read"):
            figs.append(B.figure(f"disk: {job} MiB/s, {label}",
                                 [mib_s(s["s"]) for s in samples(rounds, side, job)], None,
                                 "MiB/s", value=mib_s(best(rounds, side, job))))
    split = split_costs(rounds)
    null = "/".join(f"{min(s['s'] for s in samples(rounds, side, 'null-read')) * 1000:.0f}"
                    for side in ("kestrel", "bare"))
    if split:
        c, d, x1, e1 = split
        figs.append(B.figure(
            "disk: Kestrel's extra time per exit", [], None, "us", value=c * 1e6,
            note=(f"from read and read64k (same bytes, 16x the requests), best passes: "
                  f"Kestrel - bare = c * exits + d * MiB; d = {d * 1e3:.2f} ms per MiB "
                  f"(Kestrel copying between the disk module and the guest's buffers); "
                  f"of a {DISK_MIB} MiB read's extra {x1 * 1e3:.0f} ms: {e1:.0f} exits "
                  f"{c * e1 * 1e3:.0f} ms, the copy {d * DISK_MIB * 1e3:.0f} ms; the null "
                  f"job (what is left of the markers' latency) {null} ms")))
    return figs


def balloon_figures(rounds):
    figs = []
    bs = [r["kestrel"]["balloon"] for r in rounds]
    freed = B.median([(b["free_down"] - b["free0"]) * 4 / 1024 for b in bs
                      if b["free0"] is not None and b["free_down"] is not None] or [0])
    back = B.median([(b["free0"] - b["free_up"]) * 4 / 1024 for b in bs
                     if b["free0"] is not None and b["free_up"] is not None] or [0])
    for key, what, note in (
            ("down", f"balloon: mem-set web {LOW_MEM} -> list shows {LOW_MEM}",
             f"from {GUEST_MEM} MiB; meminfo's free memory grew by {freed:.0f} MiB"),
            ("up", f"balloon: mem-set web {GUEST_MEM} -> list shows {GUEST_MEM}",
             f"from {LOW_MEM} MiB; meminfo's free memory back to the start's "
             f"{back:+.0f} MiB")):
        vals = [b[key + "_s"] for b in bs]
        bare = [r["bare"]["balloon"][key + "_s"] for r in rounds]
        poll = B.median([b[key + "_poll_s"] for b in bs])
        polls = B.median([b[key + "_polls"] for b in bs])
        exits = B.median([b[key + "_exits_total"] for b in bs])
        npf = B.median([b[key + "_exits"].get("npf", 0) for b in bs])
        figs.append(B.figure(what, vals, None, "s", value=min(vals),
                             note=(f"{note}; `list` polled every {POLL_S * 1000:.0f} ms "
                                   f"({polls:.0f} polls, {poll * 1000:.0f} ms each: the "
                                   f"resolution is their sum); the domain's exits meanwhile "
                                   f"{exits:.0f}, npf {npf:.0f}; bare QEMU's own balloon "
                                   f"(QMP balloon, query-balloon polled alike) best "
                                   f"{min(bare):.3f} s, median {B.median(bare):.3f} s; "
                                   f"value = best of {len(vals)}")))
    return figs


def figures(rounds):
    ok = [r for r in rounds if "kestrel" in r and "bare" in r]
    if not ok:
        return [B.figure(name, [], ">= 0.5", "x", note="no round completed (see errors)")
                for name in (f"disk: sequential write {DISK_MIB} MiB, Kestrel speed / bare",
                             f"disk: sequential read {DISK_MIB} MiB, Kestrel speed / bare")]
    return disk_figures(ok) + balloon_figures(ok)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(B.ELF):
        sys.exit("disk_bench: build/kestrel.elf is missing; run 'make' first")
    lg.virtio_assets()
    tmp = B.tmpdir()
    shm = tmp
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        shm = os.path.join("/dev/shm", os.path.basename(tmp))
        os.makedirs(shm)
    rounds, errors = [], []
    t0 = time.monotonic()
    try:
        rootfs, scratch = lg.disk_copy(tmp, "rootfs"), zero_image(tmp)
        for i in range(a.runs):
            try:
                rounds.append(one_round(i, tmp, shm, rootfs, scratch))
            except Exception as e:  # noqa: BLE001 - a failed round is reported, the rest kept
                errors.append(f"round {i}: {type(e).__name__}: {str(e)[-600:]}")
                traceback.print_exc()
            print(f"  round {i + 1}/{a.runs} done at {time.monotonic() - t0:.0f} s",
                  flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if shm != tmp:
            shutil.rmtree(shm, ignore_errors=True)
    figs = figures(rounds)
    B.write(a.json, figs, rounds=rounds, errors=errors, guest_mem_mib=GUEST_MEM,
            kestrel_qemu_mem_mib=KESTREL_MEM, disk_mib=DISK_MIB, reps=REPS,
            jobs={name: {"command": c, "passes": p} for name, (c, p) in JOBS.items()})
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
