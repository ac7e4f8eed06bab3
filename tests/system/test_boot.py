"""Booting: banner, first prompt, Multiboot info (memory map, modules, loader name), memory
totals against QEMU's -m, mem=, the boot command line and its options, timestamps, the
serial modes (sync_console, polled irq 0) and the clock (uptime against host time)."""
import os
import re
import time

import pytest

from kestrel import Kestrel

pytestmark = pytest.mark.qemu_only(
    "the host's boot as QEMU -kernel gives it (loader name, module paths, memory map and "
    "totals against -m); not a domain test")

MAP_LINE = re.compile(r"^ +\[([0-9a-f]{16}), ([0-9a-f]{16})\] \((\w[\w ]*)\)$")


def kib(text, label):
    """The KiB figure of a meminfo line such as '  total:        261628 KiB (65407 frames)'."""
    m = re.search(r"^\(XEN\)   %s:\s+(\d+) KiB" % re.escape(label), text, re.M)
    assert m, f"no '{label}:' line in:\n{text}"
    return int(m.group(1))


def memory_map(text):
    """[(base, end_inclusive, type)] from the '  [base, end] (type)' lines of text."""
    regions = []
    for ln in Kestrel.lines(text):
        m = MAP_LINE.match(ln)
        if m:
            regions.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    return regions


@pytest.fixture(scope="module")
def modfiles(tmp_path_factory):
    d = tmp_path_factory.mktemp("mods")
    a = d / "alpha.bin"
    b = d / "beta.cfg"
    a.write_bytes(bytes(range(256)) * 20)             # 5120 bytes
    b.write_text('name = "beta"\nkernel = "alpha.bin"\n')
    return str(a), str(b)


@pytest.fixture(scope="module")
def k(modfiles):
    """One boot with two modules (one with arguments) and a few options set."""
    a, b = modfiles
    kk = Kestrel(append="console=com1 com1=115200,8n1,0x3f8,4 conswitch=a loglvl=all "
                        "conring_size=128K",
                 initrd=[a, b + " one two=2"], mem=256)
    kk.wait_prompt(20)
    yield kk
    kk.stop()


ANNOUNCE = "*** Serial input to Xen (type 'CTRL-a' three times to switch input)"


def boot_text(kk):
    """Everything up to the first prompt."""
    out = kk.text()
    return out[:out.index(ANNOUNCE)]


def test_banner_then_prompt(k):
    out = k.text()
    m = re.search(r"^\(XEN\) Kestrel hypervisor (\S+) \(x86-64\)", out, re.M)
    assert m, out
    version = m.group(1)
    # The first prompt comes after the banner, the boot log and the input announcement.
    first_prompt = re.search(re.escape(ANNOUNCE) + r"\r\n\(XEN\) ", out)
    assert first_prompt and m.start() < first_prompt.start(), out
    # The shell answers, and agrees with the banner about the version.
    assert version in k.cmd("version")


def test_boot_log_has_memory_map(k):
    regions = memory_map(k.text())
    assert regions, k.text()
    usable = [r for r in regions if r[2] == "usable"]
    assert usable, regions
    # Sorted, non-overlapping, and the big usable block starts at 1 MiB as QEMU lays it out.
    for (b0, e0, _), (b1, _, _) in zip(regions, regions[1:]):
        assert e0 < b1, regions
    assert any(b == 0x100000 for b, _, _ in usable), regions
    # The same map is what meminfo shows.
    assert memory_map(k.cmd("meminfo")) == regions


def test_boot_loader_name(k):
    assert re.search(r"^\(XEN\) Boot loader: qemu\r?$", k.text(), re.M), k.text()


def test_modules_listed(k, modfiles):
    a, b = modfiles
    out = k.text()
    # Boot log: one line per module with its range and string.
    m0 = re.search(r"Module 0: \[([0-9a-f]+), ([0-9a-f]+)\) (\S+)", out)
    m1 = re.search(r"Module 1: \[([0-9a-f]+), ([0-9a-f]+)\) (.+?)\r", out)
    assert m0 and m1, out
    assert m0.group(3) == a and m1.group(3) == b + " one two=2"
    assert int(m0.group(2), 16) - int(m0.group(1), 16) == os.path.getsize(a)
    assert int(m1.group(2), 16) - int(m1.group(1), 16) == os.path.getsize(b)
    # The modules command: names are the basenames of the first word, sizes are exact.
    rows = [ln.split() for ln in k.lines(k.cmd("modules"))[1:] if ln.strip()]
    assert [r[4] for r in rows] == ["alpha.bin", "beta.cfg"], rows
    assert [int(r[3]) for r in rows] == [os.path.getsize(a), os.path.getsize(b)]
    # Modules are page aligned and kept out of the allocator.
    reserved = k.cmd("meminfo")
    for r in rows:
        assert int(r[1], 16) % 4096 == 0
        assert re.search(r"\[%s, %s\) module" % (r[1], r[2]), reserved), reserved


def test_cmdline_shows_raw_line_and_parsed_values(k):
    out = k.cmd("cmdline")
    raw = re.search(r"^\(XEN\) command line: (.*?)\r$", out, re.M).group(1)
    assert raw.endswith("console=com1 com1=115200,8n1,0x3f8,4 conswitch=a loglvl=all "
                        "conring_size=128K")
    assert raw.split()[0].endswith("kestrel.elf")     # the image name, as QEMU passes it
    lines = k.lines(out)
    assert "  com1 = 115200/1843200,8n1,0x3f8,4" in lines
    assert "  conswitch = a" in lines
    assert "  loglvl = all/all" in lines
    assert "  conring_size = 131072" in lines
    assert "  console = com1" in lines
    assert "  raw = " + raw in lines


@pytest.mark.parametrize("mem_mb", [128, 256, 1024])
def test_meminfo_consistent_with_qemu_m(mem_mb):
    with Kestrel(mem=mem_mb) as kk:
        kk.wait_prompt(20)
        out = kk.cmd("meminfo")
    regions = memory_map(out)
    in_map = sum(e - b + 1 for b, e, t in regions if t == "usable") >> 10
    assert kib(out, "RAM in map") == in_map
    total, free, reserved = kib(out, "total"), kib(out, "free"), kib(out, "reserved")
    assert total <= in_map
    assert in_map <= mem_mb * 1024
    assert total > 0.9 * mem_mb * 1024, (total, mem_mb)
    assert free + reserved + kib(out, "used") == total
    assert 0 < reserved < 4096          # the image, the bitmap, the loader's data: small


def test_mem_limits_usable_memory():
    with Kestrel(append="mem=64M", mem=256) as kk:
        kk.wait_prompt(20)
        out = kk.cmd("meminfo")
        cmdline = kk.cmd("cmdline")
    assert kib(out, "mem= limit") == 64 * 1024
    total = kib(out, "total")
    assert 0.9 * 64 * 1024 < total <= 64 * 1024, total
    # The map itself still shows all of QEMU's RAM: mem= limits use, not the map.
    assert kib(out, "RAM in map") > 200 * 1024
    assert "  mem = %d" % (64 << 20) in Kestrel.lines(cmdline)


BAD_OPTIONS = [
    ("frobnicate=1", r"unknown boot option 'frobnicate=1'"),
    ("nosuchflag", r"unknown boot option 'nosuchflag'"),
    ("com1=garbage", r"bad value 'com1=garbage': .*baud 'garbage'"),
    ("com1=115200,9x9", r"bad value 'com1=115200,9x9': .*format '9x9'"),
    ("conswitch=12", r"bad value 'conswitch=12'"),
    ("conring_size=abc", r"bad value 'conring_size=abc'"),
    ("loglvl=bogus", r"bad value 'loglvl=bogus'"),
    ("console_timestamps=sometimes", r"bad value 'console_timestamps=sometimes'"),
    ("sync_console=maybe", r"bad value 'sync_console=maybe'"),
    ("mem=lots", r"bad value 'mem=lots'"),
]


def test_bad_options_one_line_each_and_boot_goes_on():
    with Kestrel(append=" ".join(o for o, _ in BAD_OPTIONS)) as kk:
        kk.wait_prompt(20)
        log = boot_text(kk)
        for opt, rx in BAD_OPTIONS:
            hits = [ln for ln in Kestrel.lines(log) if opt in ln and "line:" not in ln]
            assert len(hits) == 1, (opt, hits)
            assert re.search(rx, hits[0]), (opt, hits[0])
        # Boot went on with the defaults.
        parsed = Kestrel.lines(kk.cmd("cmdline"))
        for want in ("  com1 = 115200/1843200,8n1,0x3f8,4", "  conswitch = a",
                     "  conring_size = 65536", "  loglvl = warning/warning",
                     "  console_timestamps = none", "  sync_console = false",
                     "  mem = 0 (no limit)"):
            assert want in parsed, (want, parsed)
        assert "Kestrel" in kk.cmd("version")


def test_console_timestamps_boot():
    with Kestrel(append="console_timestamps=boot") as kk:
        kk.wait_prompt(20)
        stamped = re.findall(r"^\(XEN\) \[ *(\d+)\.(\d{6})\] (.*?)\r$", kk.text(), re.M)
        texts = [t for _, _, t in stamped]
        assert any(t.startswith("Kestrel hypervisor") for t in texts), kk.text()
        assert any(t.startswith("Memory:") for t in texts)
        secs = [int(s) + int(us) / 1e6 for s, us, _ in stamped]
        assert secs == sorted(secs) and secs[-1] < 5
        # Log lines written later carry later stamps; shell output carries none.
        kk.mark()
        out = kk.cmd("d")
        later = re.findall(r"^\(XEN\) \[ *(\d+)\.(\d{6})\] ", out, re.M)
        assert later and int(later[0][0]) + int(later[0][1]) / 1e6 >= secs[-1]
        assert "console_timestamps = boot" in kk.cmd("cmdline")


def test_sync_console():
    with Kestrel(append="sync_console") as kk:
        kk.wait_prompt(20)
        assert "sync_console: console output is synchronous" in kk.text()
        assert "  sync_console = true" in Kestrel.lines(kk.cmd("cmdline"))
        # A long output (meminfo, regs, clock...) arrives whole.
        out = kk.cmd("*")
        assert "'*' pressed -> done" in out
        assert kk.cmd("uptime").startswith("(XEN) up ")


def test_polled_com1_irq0_gives_a_working_shell():
    with Kestrel(append="com1=115200,8n1,0x3f8,0") as kk:
        kk.wait_prompt(20)
        assert "  com1 = 115200/1843200,8n1,0x3f8,0 (polled)" in Kestrel.lines(kk.cmd("cmdline"))
        # Typing a burst longer than the UART FIFO still arrives intact.
        line = "x" * 200
        out = kk.cmd(line)
        assert f"unknown command '{line}' (try 'help')" in out
        for _ in range(3):
            assert "Kestrel" in kk.cmd("version")


def test_uptime_tracks_wall_time():
    """uptime within 1% of host monotonic time over ~5 s. Each reading is bracketed by host
    times taken before sending and when the answer arrives, so command latency is allowed
    for; the guest's interval must lie within the bracket's (a midpoint comparison would
    hold only if both readings' latencies were alike, which a loaded host does not give)."""
    with Kestrel() as kk:
        kk.wait_prompt(20)

        def reading():
            kk.mark()
            t0 = time.monotonic()
            kk.send("uptime\r")
            m = kk.expect(r"up (\d+\.\d+) s", 20)
            t1 = time.monotonic()
            kk.wait_prompt(20)
            return float(m.group(1)), t0, t1

        u1, a0, a1 = reading()
        time.sleep(5)
        u2, b0, b1 = reading()
    guest = u2 - u1
    lo, hi = b0 - a1, b1 - a0          # the host interval surely contains the guest's
    assert lo * 0.99 <= guest <= hi * 1.01, (guest, lo, hi)
