"""A flood costs only the flooder (issue 18): three Linux domains on bridge lan0 (Debian's
kernel, the virtio initramfs with /bin/netflood, tests/linux/virtio/netflood.c). flood sends
broadcast frames with its own MAC as fast as its kernel takes them while web sends db a 16
MiB file over TCP: the file arrives with the same md5sum and Kestrel's shell answers `list`
meanwhile; the bridge passed at most its storm limit of flood's frames (BRIDGE_FLOOD_RATE a
second after a burst of BRIDGE_FLOOD_BURST, core/domain_net.h) and counted the rest as
flood-limited, so db and web received only that many. A flood with another source MAC is
dropped whole and counted as spoofed. Nothing here depends on speed: the only bound is the
storm limit over the flood's wall-clock duration, with slack. One Kestrel, three boots."""
import re
import time

import pytest

from kestrel import Kestrel
import linux_guest as lg

NAMES = ("flood", "web", "db")
MACS = {"flood": "00:16:3e:00:01:01", "web": "00:16:3e:00:01:02", "db": "00:16:3e:00:01:03"}
IPS = {"flood": "10.0.1.1", "web": "10.0.1.2", "db": "10.0.1.3"}
FLOOD_RATE, FLOOD_BURST = 200, 64       # core/domain_net.h's BRIDGE_FLOOD_RATE, _BURST


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    d = tmp_path_factory.mktemp("netflood")
    a = lg.virtio_assets()
    cfgs = [lg.linux_cfg(d, n, ramdisk="initrd-virtio.gz", memory=192,
                         vif=("raw", f"[ 'bridge=lan0,mac={MACS[n]}' ]")) for n in NAMES]
    k = Kestrel(initrd=[a["vmlinuz"], a["initrd"]] + cfgs, mem=1024)
    try:
        for dom, name in enumerate(NAMES, 1):
            lg.wait_boot(k, dom, name, 3 * lg.BOOT_S, since=0)
        k.shells = {}
        for dom, name in enumerate(NAMES, 1):
            sh = lg.attach(k, name, dom)
            sh.check(f"ip link set eth0 up && ip addr add {IPS[name]}/24 dev eth0; echo ok", 30)
            k.shells[name] = (dom, sh)
            lg.to_xen(k)
        yield k
    finally:
        k.stop()


def shell(k, name):
    dom, _ = k.shells[name]
    return lg.attach(k, name, dom)


def port_counters(k, name):
    """name's port on lan0 from `bridges`: {tx, rx, spoofed, dropped, flood_limited}."""
    m = re.search(r"port \d+ " + re.escape(MACS[name]) + r" tx (\d+)/\d+B rx (\d+)/\d+B "
                  r"spoofed (\d+) dropped (\d+) flood-limited (\d+)", k.cmd("bridges"))
    assert m, f"{name}'s port is not in `bridges`"
    return dict(zip(("tx", "rx", "spoofed", "dropped", "flood_limited"), map(int, m.groups())))


def start_flood(k, args):
    sh = shell(k, "flood")
    sh.check(f"netflood eth0 0 {args} > /tmp/flood.out 2>&1 & echo $! > /tmp/flood.pid", 30)
    lg.to_xen(k)


def stop_flood(k):
    """SIGTERM to netflood; the number of frames its kernel took (sent)."""
    sh = shell(k, "flood")
    out = ""
    sh.check("kill $(cat /tmp/flood.pid); echo ok", 60)
    for _ in range(60):
        out = sh.check("sleep 1; cat /tmp/flood.out", 30)
        if "netflood: sent" in out:
            break
    lg.to_xen(k)
    m = re.search(r"netflood: sent (\d+) frames", out)
    assert m, f"netflood printed no count:\n{out}"
    return int(m.group(1))


def test_the_flooder_is_in_the_initramfs(net):
    sh = shell(net, "flood")
    status, out = sh.run("netflood", 30)
    lg.to_xen(net)
    if "not found" in out:
        pytest.skip("no /bin/netflood in the initramfs (no gcc on the host)")
    assert status == 2 and "usage" in out, out


def test_a_broadcast_flood_costs_only_the_flooder(net):
    """flood floods; web -> db 16 MiB over TCP arrives whole; `list` answers meanwhile; the
    bridge let through at most the storm limit of flood's frames and counted the rest."""
    sh = shell(net, "db")
    sh.check("(nc -l -p 5000 > /tmp/in; md5sum /tmp/in > /tmp/in.md5) > /dev/null 2>&1 &"
             " echo started")
    lg.to_xen(net)
    sh = shell(net, "web")
    want = sh.check("dd if=/dev/urandom of=/tmp/out bs=1M count=16 2>/dev/null; "
                    "md5sum /tmp/out", 120).split()[0]
    lg.to_xen(net)

    before = port_counters(net, "flood")
    t0 = time.monotonic()
    start_flood(net, "own")
    sh = shell(net, "web")
    sh.check(f"(nc {IPS['db']} 5000 < /tmp/out; echo $? > /tmp/nc.rc) > /dev/null 2>&1 &"
             " echo started")
    lg.to_xen(net)
    for _ in range(3):                  # the shell answers during the flood
        out = net.cmd("list", timeout=60)
        assert "flood" in out and "web" in out and "db" in out, out
    rc = ""
    sh = shell(net, "web")
    for _ in range(120):
        rc = sh.check("sleep 5; cat /tmp/nc.rc 2>/dev/null; true", 60).strip()
        if rc:
            break
    lg.to_xen(net)
    mid = port_counters(net, "flood")
    sent = stop_flood(net)
    elapsed = time.monotonic() - t0
    after = port_counters(net, "flood")
    assert rc == "0", f"web's nc did not finish during the flood (status {rc!r})"

    sh = shell(net, "db")
    got = []
    for _ in range(60):
        got = sh.check("sleep 1; cat /tmp/in.md5 2>/dev/null; true").split()
        if got:
            break
    lg.to_xen(net)
    assert got and got[0] == want, f"db received md5 {got}, web sent {want}"

    passed = after["tx"] - before["tx"]
    limited = after["flood_limited"] - before["flood_limited"]
    allowed = FLOOD_BURST + FLOOD_RATE * elapsed * 1.5 + 20
    print(f"flood: {sent} frames sent by the guest in {elapsed:.0f} s, {passed} passed the "
          f"bridge (limit {allowed:.0f}), {limited} flood-limited")
    assert mid["flood_limited"] > before["flood_limited"], \
        "the bridge limited none of flood's frames while web's transfer ran"
    assert passed <= allowed, f"the bridge passed {passed} flooded frames in {elapsed:.0f} s"
    assert passed + limited >= sent * 0.9, (passed, limited, sent)


def test_a_spoofing_flood_is_dropped_and_counted(net):
    """flood floods with another source MAC: every frame is counted as spoofed on its
    port and none reaches db."""
    before, db_before = port_counters(net, "flood"), port_counters(net, "db")
    start_flood(net, "00:16:3e:00:01:99 ff:ff:ff:ff:ff:ff")
    sh = shell(net, "web")
    sh.check("sleep 10; echo ok", 60)
    lg.to_xen(net)
    sent = stop_flood(net)
    after, db_after = port_counters(net, "flood"), port_counters(net, "db")
    spoofed = after["spoofed"] - before["spoofed"]
    assert sent > 0
    assert spoofed >= sent * 0.9, f"{spoofed} counted spoofed of {sent} sent"
    assert db_after["rx"] - db_before["rx"] < 50, "db received the spoofed flood"
    assert after["flood_limited"] == before["flood_limited"]
