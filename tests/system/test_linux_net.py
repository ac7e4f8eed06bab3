"""Networks between domains (issue 18): three Linux domains (Debian's kernel, the virtio
initramfs, which loads virtio_net) with vifs: web and db on bridge lan0, other on lan1.
Kestrel's bridges are learning switches: web pings db, a 16 MiB file goes from web to db over
TCP (busybox nc) and arrives with the same md5sum, other on lan1 receives none of it, and a
frame web sends with another source MAC is dropped and counted. One Kestrel, three boots:
about 1.5 min."""
import re

import pytest

from kestrel import Kestrel
import linux_guest as lg

MACS = {"web": "00:16:3e:00:00:01", "db": "00:16:3e:00:00:02", "other": "00:16:3e:00:00:03"}
IPS = {"web": "10.0.0.1", "db": "10.0.0.2", "other": "10.0.0.3"}
BRIDGE = {"web": "lan0", "db": "lan0", "other": "lan1"}


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    d = tmp_path_factory.mktemp("net")
    a = lg.virtio_assets()
    cfgs = [lg.linux_cfg(d, n, ramdisk="initrd-virtio.gz", memory=192,
                         vif=("raw", f"[ 'bridge={BRIDGE[n]},mac={MACS[n]}' ]"))
            for n in ("web", "db", "other")]
    k = Kestrel(initrd=[a["vmlinuz"], a["initrd"]] + cfgs, mem=1024)
    try:
        for dom, name in ((1, "web"), (2, "db"), (3, "other")):
            lg.wait_boot(k, dom, name, 3 * lg.BOOT_S, since=0)
        shells = {}
        for dom, name in ((1, "web"), (2, "db"), (3, "other")):
            sh = lg.attach(k, name, dom)
            sh.check(f"ip link set eth0 up && ip addr add {IPS[name]}/24 dev eth0; echo ok", 30)
            shells[name] = (dom, sh)
            lg.to_xen(k)
        k.shells = shells
        yield k
    finally:
        k.stop()


def rx_frames(k, name):
    """The RX frame counter of name's vif 0, from network-list."""
    rows = [ln for ln in k.cmd(f"network-list {name}").splitlines() if re.match(r"\(XEN\) 0 ", ln)]
    assert rows, f"no vif in network-list {name}"
    return int(rows[0].split()[5])      # (XEN) idx bridge mac tx rx dropped


def test_the_nic_is_there_with_its_mac(net):
    dom, sh = net.shells["web"]
    lg.attach(net, "web", dom)
    out = sh.check("cat /sys/class/net/eth0/address")
    lg.to_xen(net)
    assert out.strip() == MACS["web"]
    rows = net.cmd("network-list web")
    assert "lan0" in rows and MACS["web"] in rows, rows


def test_ping_between_two_domains_on_one_bridge(net):
    before = rx_frames(net, "other")
    dom, sh = net.shells["web"]
    lg.attach(net, "web", dom)
    status, out = sh.run(f"ping -c 3 -W 5 {IPS['db']}", 60)
    lg.to_xen(net)
    assert status == 0 and "3 packets received" in out, out
    assert rx_frames(net, "other") == before, "a frame of lan0 reached lan1"


def test_a_16_mib_tcp_transfer_arrives_whole(net):
    ddom, dsh = net.shells["db"]
    wdom, wsh = net.shells["web"]
    lg.attach(net, "db", ddom)
    dsh.check("(nc -l -p 5000 > /tmp/in; md5sum /tmp/in > /tmp/in.md5) > /dev/null 2>&1 &"
              " echo started")
    lg.to_xen(net)
    lg.attach(net, "web", wdom)
    want = wsh.check("dd if=/dev/urandom of=/tmp/out bs=1M count=16 2>/dev/null; "
                     "md5sum /tmp/out", 120).split()[0]
    status, out = wsh.run(f"nc {IPS['db']} 5000 < /tmp/out", 300)
    lg.to_xen(net)
    assert status == 0, out
    lg.attach(net, "db", ddom)
    got = ""
    for _ in range(60):
        got = dsh.check("sleep 1; cat /tmp/in.md5 2>/dev/null; true").split()
        if got:
            break
    lg.to_xen(net)
    assert got and got[0] == want, f"db received md5 {got}, web sent {want}"


def test_a_spoofed_source_mac_is_dropped_and_counted(net):
    """web takes another MAC: its frames are dropped by the bridge and counted as spoofed
    against its port, so db never answers; with its own MAC back, it is heard again."""
    def spoofed():
        m = re.search(r"port \d+ " + re.escape(MACS["web"]) + r" [^\n]* spoofed (\d+)",
                      net.cmd("bridges"))
        assert m, "web's port is not in `bridges`"
        return int(m.group(1))
    before = spoofed()
    dom, sh = net.shells["web"]
    lg.attach(net, "web", dom)
    sh.check("ip link set eth0 address 00:16:3e:00:00:09; echo ok", 30)
    status, out = sh.run(f"ping -c 2 -W 2 {IPS['db']}", 60)
    sh.check(f"ip link set eth0 address {MACS['web']}; echo ok", 30)
    back, out2 = sh.run(f"ping -c 1 -W 5 {IPS['db']}", 60)
    lg.to_xen(net)
    assert status != 0, "db answered frames sent with another MAC:\n" + out
    assert spoofed() > before, "the bridge did not count web's spoofed frames"
    assert back == 0, "web is not heard again with its own MAC:\n" + out2
