"""SMP bring-up (issue 16, the host's first step): every CPU the firmware describes comes up
(QEMU -smp 2 and 4: its ACPI MADT), the boot log names each one as Xen does ("Booting
processor N/apic eip ..." then "Brought up N CPUs"), `info` counts them (nr_cpus,
online_cpus), `nosmp` and `maxcpus=` hold them back, hot-pluggable slots the MADT marks
disabled are not started, and with the application processors idling the default board's
domains still run on CPU 0. Without -smp (the default of every other test) Kestrel runs on
one CPU as before; the debug image unmaps the guard page under each AP stack. A bad or
missing MADT is covered by the unit tests
(tests/unit/test_fw_cpus.c)."""
import os
import re

import pytest

from kestrel import ROOT
from test_domains import board_modules, board_cfgs

OPTIONS_ONLY = pytest.mark.qemu_only("boot options without domains: QEMU's -smp covers them")


def info_fields(k):
    out = k.cmd("info")
    return dict(re.findall(r"^\(XEN\) (\w+)\s+: (.*?)\r?$", out, re.M))


def booted(k, cpus, timeout=60):
    """Wait for the line that ends SMP bring-up; return the boot log up to the prompt."""
    k.expect(rf"\(XEN\) Brought up {cpus} CPUs?\r\n", timeout)
    k.wait_prompt(30)
    return k.text()


def processors_booted(log):
    """The CPU numbers of the "Booting processor N/apic eip X" lines, in order."""
    return [int(n) for n in re.findall(r"\(XEN\) Booting processor (\d+)/\d+ eip [0-9a-f]+\r",
                                       log)]


def test_four_cpus_come_up_and_domains_still_run(boot):
    k = boot(initrd=board_modules(), smp=4)
    log = booted(k, 4)
    assert processors_booted(log) == [1, 2, 3]
    assert "ACPI MADT: 4 CPUs enabled, 0 disabled" in log
    assert "did not respond" not in log
    assert "virtualization not enabled" not in log
    f = info_fields(k)
    assert f["nr_cpus"] == "4"
    assert f["online_cpus"] == "0-3"
    assert f["nr_domains"] == str(len(board_cfgs()))
    # The domains run (on CPU 0) with the APs idle: hello keeps ticking, list shows them all.
    k.expect(r"\(d1\) hello: tick 2\r\n", 60)
    out = k.cmd("list")
    for c in board_cfgs():
        assert re.search(rf"^\(XEN\) {re.escape(c['name'])}\s+\d+", out, re.M), out


@OPTIONS_ONLY
def test_two_cpus(boot):
    k = boot(smp=2)
    log = booted(k, 2)
    assert processors_booted(log) == [1]
    f = info_fields(k)
    assert f["nr_cpus"] == "2"
    assert f["online_cpus"] == "0-1"


@OPTIONS_ONLY
def test_nosmp_keeps_cpu0_alone(boot):
    k = boot(smp=4, append="nosmp")
    log = booted(k, 1)
    assert processors_booted(log) == []
    assert "SMP: nosmp: 3 CPUs left offline" in log
    f = info_fields(k)
    assert f["nr_cpus"] == "1"
    assert f["online_cpus"] == "0"


@OPTIONS_ONLY
def test_maxcpus_caps_the_count(boot):
    k = boot(smp=4, append="maxcpus=2")
    log = booted(k, 2)
    assert processors_booted(log) == [1]
    assert "SMP: maxcpus=2: 2 CPUs left offline" in log
    assert info_fields(k)["nr_cpus"] == "2"


@OPTIONS_ONLY
def test_bad_maxcpus_is_reported_and_ignored(boot):
    k = boot(smp=4, append="maxcpus=0")
    log = booted(k, 4)
    assert "bad value 'maxcpus=0'" in log
    assert info_fields(k)["nr_cpus"] == "4"


@OPTIONS_ONLY
def test_disabled_madt_entries_are_not_started(boot):
    # QEMU lists the hot-pluggable slots of -smp 2,maxcpus=4 in the MADT, not enabled.
    k = boot(smp="2,maxcpus=4")
    log = booted(k, 2)
    assert "ACPI MADT: 2 CPUs enabled, 2 disabled" in log
    assert processors_booted(log) == [1]
    assert info_fields(k)["nr_cpus"] == "2"


@OPTIONS_ONLY
def test_default_machine_has_one_cpu(boot):
    k = boot()
    log = booted(k, 1)
    assert processors_booted(log) == []
    f = info_fields(k)
    assert f["nr_cpus"] == "1"
    assert f["online_cpus"] == "0"


@pytest.mark.qemu_only("boots the debug image by path (make test builds it)")
def test_debug_image_guards_the_ap_stacks(boot):
    k = boot(kernel=os.path.join(ROOT, "build", "kestrel-debug-checks.elf"), smp=2)
    m = k.expect(r"\(XEN\) CPU1 stack guard pages: stack (0x[0-9a-f]+), double fault "
                 r"(0x[0-9a-f]+), NMI (0x[0-9a-f]+)\r\n", 30)
    booted(k, 2)
    for guard in (g.decode() for g in m.groups()):
        addr = int(guard, 16)
        assert addr % 4096 == 0
        out = k.cmd(f"xd {guard} 16")
        assert f"xd: {guard}..{addr + 15:#x} is not mapped" in out, out
        above = k.cmd(f"xd {addr + 4096:#x} 16")             # the stack itself is there
        assert re.search(rf"^\(XEN\) 0*{addr + 4096:x}: ", above, re.M), above
