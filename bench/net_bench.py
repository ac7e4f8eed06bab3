#!/usr/bin/python3
"""Network benchmark (issue 18): TCP throughput and ping round trips between two Linux
domains on one Kestrel bridge, against the same kernel booted bare twice by QEMU, and what a
flooding third domain does to that throughput.

- under Kestrel: domains web, db and flood (Debian's kernel, the virtio initramfs of
  tests/linux/mkinitramfs.sh --virtio, 192 MiB each) with a vif on bridge lan0: Kestrel's
  virtio-net NICs and its learning switch (QEMU -m 1024);
- bare: two QEMU microvm machines (ACPI, as test_linux_virtio_bare.py boots them) with the
  same kernel and initramfs, each a virtio-net-device on a QEMU socket netdev, one listening
  and one connecting on 127.0.0.1: QEMU's own virtio-net, frames between the two processes.

All four machines are booted together once (the boots are not measured); then REPS times,
in turn on each side (who goes first alternates), so the shared machine's noise hits both:
1. tcp: db runs `nc -l -p 5000 > /dev/null` in the background, web runs
   `nc <db> 5000 < /tmp/out` (TCP_MIB MiB of random bytes in web's RAM) in one timed line:
   host-timed from the arrival of a marker the shell prints before to one it prints after
   (busybox nc returns once db has closed, i.e. has read everything). MB/s = TCP_MIB MiB /
   seconds; ratio Kestrel MB/s / bare MB/s.
2. ping: `ping -c PINGS <db>` from web: the average round trip busybox prints; ratio
   bare avg / Kestrel avg (a speed ratio: > 1 would be Kestrel faster).
3. flood (Kestrel only): the tcp job while flood runs /bin/netflood (broadcast frames from its
   own MAC, as fast as its kernel takes them; tests/linux/virtio/netflood.c), paired with
   the tcp job without flood just before or after it: ratio MB/s with / without. Kestrel's
   storm control lets flood's frames through at BRIDGE_FLOOD_RATE a second; the rest cost
   flood's own vCPU time (and its share of a 1-CPU Kestrel under TCG).
Kestrel's exits are counted with `dump web` / `dump db` around a tcp loop (by reason).

  python3 bench/net_bench.py [--reps N] [--json PATH]

Cost: ~5 min on the shared 2-core machine (four Linux boots at once, then the jobs).
"""
import argparse
import os
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import linux_guest as lg  # noqa: E402
from kestrel import Kestrel  # noqa: E402

GUEST_MEM = 192
KESTREL_MEM = 1024
TCP_MIB = 16
PINGS = 10
REPS = 3
MACS = {"web": "00:16:3e:00:02:01", "db": "00:16:3e:00:02:02", "flood": "00:16:3e:00:02:03"}
IPS = {"web": "10.0.2.1", "db": "10.0.2.2", "flood": "10.0.2.3"}
RTT = re.compile(r"round-trip min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms")
EXITS = re.compile(r"exits:((?: \w+=\d+)*) \(total (\d+)\)")


# ---- the guests' side ---------------------------------------------------------------------

def timed(sh, command, n, timeout=600):
    """Run command in sh's guest shell between two markers; host seconds between them."""
    return B.guest_marked_seconds(sh.k, f"{command} || echo @@$((0))F{n}", n, lg.PROMPT,
                                  command, timeout)


def listen(sh):
    sh.check("nc -l -p 5000 > /dev/null 2>&1 & echo ok", 30)


def setup(sh, name, src=True):
    sh.check(f"ip link set eth0 up && ip addr add {IPS[name]}/24 dev eth0; echo ok", 30)
    if src:
        sh.check(f"dd if=/dev/urandom of=/tmp/out bs=1M count={TCP_MIB} 2>/dev/null; echo ok",
                 120)


def ping(sh):
    out = sh.check(f"ping -c {PINGS} {IPS['db']}", 60 + 5 * PINGS)
    m = RTT.search(out)
    if not m:
        raise RuntimeError(f"no round-trip line:\n{out}")
    return float(m.group(2))


# ---- Kestrel's side -----------------------------------------------------------------------

class KestrelSide:
    """Kestrel with web, db and flood on lan0; each job attaches to the domain it needs."""

    def __init__(self, tmp):
        a = lg.virtio_assets()
        cfgs = [lg.linux_cfg(tmp, n, ramdisk="initrd-virtio.gz", memory=GUEST_MEM,
                             vif=("raw", f"[ 'bridge=lan0,mac={MACS[n]}' ]"))
                for n in ("web", "db", "flood")]
        self.k = Kestrel(initrd=[a["vmlinuz"], a["initrd"]] + cfgs, mem=KESTREL_MEM)
        self.dom = {}

    def ready(self):
        k = self.k
        for dom, name in ((1, "web"), (2, "db"), (3, "flood")):
            lg.wait_boot(k, dom, name, 3 * lg.BOOT_S, since=0)
            self.dom[name] = dom
        for name in ("web", "db", "flood"):
            setup(self.shell(name), name, src=name == "web")
            lg.to_xen(k)
        sh = self.shell("web")
        ping(sh)                                        # ARP, first touches
        lg.to_xen(k)

    def shell(self, name):
        return lg.attach(self.k, name, self.dom[name])

    def exits(self, name):
        m = EXITS.search(self.k.cmd(f"dump {name}", 30))
        if not m:
            return {}, 0
        return {kv.split("=")[0]: int(kv.split("=")[1]) for kv in m.group(1).split()}, \
            int(m.group(2))

    def tcp(self, n):
        listen(self.shell("db"))
        lg.to_xen(self.k)
        (wa, wt), (da, dt) = self.exits("web"), self.exits("db")
        s = timed(self.shell("web"), f"nc {IPS['db']} 5000 < /tmp/out", n)
        lg.to_xen(self.k)
        (wb, wt2), (db, dt2) = self.exits("web"), self.exits("db")
        return {"s": s, "web_exits": {e: wb[e] - wa.get(e, 0) for e in wb},
                "db_exits": {e: db[e] - da.get(e, 0) for e in db},
                "web_exits_total": wt2 - wt, "db_exits_total": dt2 - dt}

    def ping(self):
        r = ping(self.shell("web"))
        lg.to_xen(self.k)
        return r

    def flood(self, on):
        sh = self.shell("flood")
        if on:
            sh.check("netflood eth0 0 > /tmp/flood.out 2>&1 & echo $! > /tmp/flood.pid", 30)
        else:
            sh.check("kill $(cat /tmp/flood.pid); sleep 2; cat /tmp/flood.out", 60)
        lg.to_xen(self.k)

    def flood_counters(self):
        m = re.search(r"port \d+ " + re.escape(MACS["flood"]) + r" tx (\d+)/\d+B [^\n]*"
                      r"flood-limited (\d+)", self.k.cmd("bridges"))
        return (int(m.group(1)), int(m.group(2))) if m else (0, 0)

    def stop(self):
        self.k.stop()


# ---- bare QEMU ----------------------------------------------------------------------------




class BareSide:
    """Two microvm QEMUs joined by a socket netdev: web listens, db connects."""

    def __init__(self):
        a = lg.virtio_assets()
        port = B.free_port()
        self.m = {}
        for name, how in (("web", f"listen=127.0.0.1:{port}"),
                          ("db", f"connect=127.0.0.1:{port}")):
            extra = ["-M", "microvm,acpi=on,rtc=on", "-netdev", f"socket,id=n0,{how}",
                     "-device", f"virtio-net-device,netdev=n0,mac={MACS[name]}"]
            self.m[name] = Kestrel(kernel=a["vmlinuz"], initrd=a["initrd"], mem=GUEST_MEM,
                                   extra=extra,
                                   append=f"console=ttyS0 tsc_early_khz={lg.tsc_khz()}")
            if name == "web":
                time.sleep(1)                           # listening before db connects
        self.sh = {}

    def ready(self):
        for name, k in self.m.items():
            k.expect(re.escape(lg.MARKER) + r"\r?\n", 3 * lg.BOOT_S)
            k.expect(re.escape(lg.SHELL_BANNER), 60)
            sh = lg.Shell(k)
            sh.sync()
            setup(sh, name, src=name == "web")
            self.sh[name] = sh
        ping(self.sh["web"])

    def tcp(self, n):
        listen(self.sh["db"])
        return {"s": timed(self.sh["web"], f"nc {IPS['db']} 5000 < /tmp/out", n)}

    def ping(self):
        return ping(self.sh["web"])

    def stop(self):
        for k in self.m.values():
            k.stop()


# ---- figures ------------------------------------------------------------------------------

def mb_s(seconds):
    return TCP_MIB * 1.048576 / seconds


def top_exits(samples, key, n=4):
    names = {e for s in samples for e in s[key]}
    per = {e: B.median([s[key].get(e, 0) / (TCP_MIB * 1024 * 1024 / 1448) for s in samples])
           for e in names}
    return ", ".join(f"{e} {per[e]:.2f}" for e in sorted(per, key=per.get, reverse=True)[:n])


def figures(r):
    figs = []
    kt, bt = r["kestrel"]["tcp"], r["bare"]["tcp"]
    if kt and bt:
        pairs = [b["s"] / k["s"] for k, b in zip(kt, bt)]
        ks, bs = min(s["s"] for s in kt), min(s["s"] for s in bt)
        segs = TCP_MIB * 1024 * 1024 / 1448
        figs.append(B.figure(
            f"net: TCP {TCP_MIB} MiB between two domains, Kestrel speed / bare", pairs,
            ">= 0.5", "x", value=bs / ks,
            note=(f"busybox nc web -> db, host-timed, best of {len(kt)} a side: Kestrel "
                  f"{mb_s(ks):.1f} MB/s, bare (two microvm QEMUs, socket netdev) "
                  f"{mb_s(bs):.1f} MB/s; Kestrel's exits per 1448-byte segment: web "
                  f"{B.median([s['web_exits_total'] for s in kt]) / segs:.2f} "
                  f"({top_exits(kt, 'web_exits')}), db "
                  f"{B.median([s['db_exits_total'] for s in kt]) / segs:.2f} "
                  f"({top_exits(kt, 'db_exits')}); value = min/min, spread per pair")))
        for side, label, ss in (("kestrel", "Kestrel", kt), ("bare", "bare", bt)):
            figs.append(B.figure(f"net: TCP MB/s, {label}", [mb_s(s["s"]) for s in ss], None,
                                 "MB/s", value=mb_s(min(s["s"] for s in ss))))
    kp, bp = r["kestrel"]["ping"], r["bare"]["ping"]
    if kp and bp:
        figs.append(B.figure(
            "net: ping round trip, bare / Kestrel", [b / k for k, b in zip(kp, bp)], ">= 0.5",
            "x", value=min(bp) / min(kp),
            note=(f"`ping -c {PINGS}` web -> db, busybox's average: Kestrel best "
                  f"{min(kp):.3f} ms (median {B.median(kp):.3f}), bare best {min(bp):.3f} ms "
                  f"(median {B.median(bp):.3f}); value = min/min")))
    kf = r["kestrel"]["flood"]
    if kf:
        ratios = [f["s_without"] / f["s_with"] for f in kf]
        figs.append(B.figure(
            "net: TCP with a third domain flooding / without", ratios, None, "x",
            value=B.median(ratios),
            note=(f"Kestrel, web -> db {TCP_MIB} MiB while flood runs netflood (broadcast, "
                  f"own MAC), paired with a run without; with: median "
                  f"{mb_s(B.median([f['s_with'] for f in kf])):.1f} MB/s, without "
                  f"{mb_s(B.median([f['s_without'] for f in kf])):.1f} MB/s; the bridge "
                  f"passed {sum(f['passed'] for f in kf)} of flood's frames and limited "
                  f"{sum(f['limited'] for f in kf)} in {sum(f['flood_s'] for f in kf):.0f} s; "
                  f"value = median of the pairs")))
    return figs


def run(reps, r):
    """Boot all four machines, then reps interleaved rounds of the jobs, into r."""
    tmp = B.tmpdir()
    ks = bs = None
    try:
        ks = KestrelSide(tmp)
        bs = BareSide()
        bs.ready()
        ks.ready()
        n = 0
        for i in range(reps):
            for side in ((ks, bs) if i % 2 == 0 else (bs, ks)):
                key = "kestrel" if side is ks else "bare"
                n += 1
                r[key]["tcp"].append(side.tcp(n))
                r[key]["ping"].append(side.ping())
            # the flood pair: without (the tcp sample just taken) and with
            p0, l0 = ks.flood_counters()
            t0 = time.monotonic()
            ks.flood(True)
            n += 1
            with_s = ks.tcp(n)["s"]
            ks.flood(False)
            t1 = time.monotonic()
            p1, l1 = ks.flood_counters()
            r["kestrel"]["flood"].append({"s_with": with_s,
                                          "s_without": r["kestrel"]["tcp"][-1]["s"],
                                          "passed": p1 - p0, "limited": l1 - l0,
                                          "flood_s": t1 - t0})
            print(f"  rep {i + 1}/{reps} done", flush=True)
    finally:
        for side in (ks, bs):
            if side:
                side.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=REPS)
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists(B.ELF):
        sys.exit("net_bench: build/kestrel.elf is missing; run 'make' first")
    lg.virtio_assets()
    errors, r = [], {"kestrel": {"tcp": [], "ping": [], "flood": []},
                     "bare": {"tcp": [], "ping": []}}
    try:
        run(a.reps, r)
    except Exception as e:  # noqa: BLE001 - reported with whatever figures there are
        errors.append(f"{type(e).__name__}: {str(e)[-600:]}")
        traceback.print_exc()
    figs = figures(r)
    B.write(a.json, figs, results=r, errors=errors, tcp_mib=TCP_MIB, pings=PINGS,
            guest_mem_mib=GUEST_MEM)
    return 1 if errors or not figs else 0


if __name__ == "__main__":
    sys.exit(main())
