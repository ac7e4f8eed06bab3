"""SMP Linux guests (issue 16, the guest's side): `vcpus = N` in a Linux domain's cfg gives
Debian's stock kernel N vCPUs, each with its own local APIC listed in the MADT. The kernel
starts its application processors itself (INIT-SIPI-SIPI), sends IPIs between them, and
its scheduler spreads work over all of them:

- a 2-vCPU and a 4-vCPU domain boot side by side; inside, `nproc` and /proc/cpuinfo show N
  CPUs with APIC IDs 0..N-1, dmesg says "Total of N processors activated" and is clean (no
  BUG, WARNING:, Call Trace, Oops, nor a TSC marked unstable);
- every CPU takes its local timer, and IPIs (function-call or rescheduling interrupts) are
  delivered; N md5sums run in parallel give the right sums and every CPU's busy time grows;
- `list` shows N vCPUs, `vcpu-list` a row per vCPU, `dump` every vCPU; `pause` stops all of
  them and `unpause` brings the guest back;
- `reboot` inside a 2-vCPU guest restarts it with 2 vCPUs again; `poweroff` ends it.

Kestrel runs every vCPU on CPU 0 for now, so the vCPUs take turns there: nothing here
measures how fast (bench/ does). Cost: two Linux boots at once and one reboot, ~2-3 min
under TCG here."""
import re

import pytest

from kestrel import Kestrel
import linux_guest as lg

pytestmark = pytest.mark.qemu_only(
    "a Linux boot on Bochs costs minutes: tests/vmx/test_vmx_linux.py boots one there")

DOMS = {"web": (1, 2), "db": (2, 4)}       # name: (domain id, vCPUs)


@pytest.fixture(scope="module")
def smp(tmp_path_factory):
    d = tmp_path_factory.mktemp("smp")
    cfgs = [lg.linux_cfg(d, name, vcpus=n) for name, (_, n) in DOMS.items()]
    k = Kestrel(initrd=lg.linux_modules(d, *cfgs), mem=1024)
    try:
        for name, (dom, _) in DOMS.items():
            lg.wait_boot(k, dom, name, 2 * lg.BOOT_S, since=0)
        yield k
    finally:
        k.stop()


def shell(k, name):
    return lg.attach(k, name, DOMS[name][0])


def cpu_busy(sh):
    """{cpu index: user+nice+system ticks} from the guest's /proc/stat."""
    busy = {}
    for ln in sh.check("grep '^cpu[0-9]' /proc/stat").splitlines():
        f = ln.split()
        busy[int(f[0][3:])] = int(f[1]) + int(f[2]) + int(f[3])
    return busy


def test_each_domain_is_built_with_its_vcpus(smp):
    text = smp.text()
    for name, (dom, n) in DOMS.items():
        assert re.search(rf"\(XEN\) d{dom} \({name}\): built from {name}\.cfg: 256 MiB, "
                         rf"{n} vCPUs, ", text), name
    rows = smp.xl_list()
    assert rows["web"]["vcpus"] == 2 and rows["db"]["vcpus"] == 4, rows
    out = smp.cmd("vcpu-list")
    for name, (dom, n) in DOMS.items():
        got = sorted(int(v) for v in re.findall(rf"\b{name}\s+{dom}\s+(\d+)\s+0\s+\S{{3}}", out))
        assert got == list(range(n)), out
    dump = smp.cmd("dump db")
    assert [int(v) for v in re.findall(r"d2 \(db\) vcpu (\d+): ", dump)] == [0, 1, 2, 3], dump
    assert dump.count("lapic: ") == 4, dump


@pytest.mark.parametrize("name", list(DOMS))
def test_the_guest_sees_every_vcpu_and_a_clean_dmesg(smp, name):
    n = DOMS[name][1]
    sh = shell(smp, name)
    try:
        assert sh.check("nproc") == f"{n}\n"
        ids = re.findall(r"^apicid\s*:\s*(\d+)$", sh.check("cat /proc/cpuinfo"), re.M)
        assert sorted(int(i) for i in ids) == list(range(n)), ids
        out = sh.check("dmesg")
        assert f"smpboot: Total of {n} processors activated" in out
        count, bad = lg.dmesg_problems(sh)
        assert count > 100 and not bad, bad
    finally:
        lg.to_xen(smp)


@pytest.mark.parametrize("name", list(DOMS))
def test_every_vcpu_takes_timer_interrupts_and_ipis_and_runs_a_parallel_job(smp, name):
    n = DOMS[name][1]
    sh = shell(smp, name)
    try:
        rows = {}
        for ln in sh.check("cat /proc/interrupts").splitlines():
            m = re.match(r"\s*(\w+):((?:\s+\d+){%d})" % n, ln)
            if m:
                rows[m.group(1)] = [int(x) for x in m.group(2).split()]
        assert all(c > 0 for c in rows["LOC"]), rows["LOC"]            # each APIC's timer
        assert sum(rows["CAL"][1:]) + sum(rows["RES"][1:]) > 0, rows   # IPIs reached the APs
        before = cpu_busy(sh)
        want = "96995b58d4cbf6aaa9041b4f00c7f6ae  -\n"                  # 8 MiB of zeroes
        out = sh.check(" & ".join(["head -c 8m /dev/zero | md5sum"] * n) + " & wait", 600)
        assert out == want * n, out
        after = cpu_busy(sh)
        assert sorted(after) == list(range(n))
        assert all(after[c] > before[c] for c in range(n)), (before, after)
    finally:
        lg.to_xen(smp)


def test_pause_stops_every_vcpu_and_unpause_brings_it_back(smp):
    assert smp.cmd("pause db").strip() in ("", "(XEN)")
    assert "p" in smp.xl_list()["db"]["state"]
    out = smp.cmd("vcpu-list")
    states = re.findall(r"\bdb\s+2\s+\d+\s+0\s+(\S{3})", out)
    assert states == ["-p-"] * 4, out
    smp.cmd("unpause db")
    assert "p" not in smp.xl_list()["db"]["state"]
    sh = shell(smp, "db")
    try:
        assert sh.check("nproc") == "4\n"
    finally:
        lg.to_xen(smp)


def test_reboot_keeps_its_vcpus_and_poweroff_ends_it(smp):
    sh = shell(smp, "web")
    smp.mark()
    smp.send("reboot\r")
    smp.expect(rb"\(XEN\) d1 \(web\): reboot[^\r\n]*on_reboot=restart\r\n", 120)
    m = smp.expect(rb"\(XEN\) d1 \(web\): restarted as d(\d+)", 60)
    new = int(m.group(1))
    assert re.search(rf"\(XEN\) d{new} \(web\): built from web\.cfg: 256 MiB, 2 vCPUs, ",
                     smp.text())
    lg.wait_boot(smp, new, "web", 2 * lg.BOOT_S)
    sh = lg.attach(smp, "web", new)
    assert sh.check("nproc") == "2\n"
    smp.mark()
    smp.send("poweroff\r")
    smp.expect(rf"\(XEN\) d{new} \(web\): poweroff[^\r\n]*on_poweroff=destroy\r\n".encode(),
               120)
    smp.expect(re.escape(lg.TO_XEN), 30)
    smp.wait_prompt(10)
    assert "web" not in smp.xl_list()
