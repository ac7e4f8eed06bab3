"""Boot options do what they say, not only parse (issue 20): `sched_slice_ms=` is the
scheduler's period (the slices `runq` reports, and how long a vCPU waits beside a CPU hog),
`guest_loglvl=` filters the guests' lines on the serial console, and RAM above 4 GiB is
used for domains (QEMU `-m 6G`)."""
import random
import re
import struct
import time

import pytest

from kestrel import guest_elf, write_cfg, domain_lines

SLICE = re.compile(r"d(\d+)v\d+ weight (\d+) vruntime \d+ ran \d+ ms slice (\d+) us")


def hogs(tmp_path, weights=(256, 256)):
    """Two CPU hogs (burn, no output) as initrd modules, with the given weights."""
    mods = []
    for i, w in enumerate(weights):
        mods += [guest_elf("burn"), write_cfg(tmp_path, f"h{i}.cfg", name=f"h{i}",
                                              kernel="burn.elf", memory=4, weight=w,
                                              extra="report=0")]
    return mods


# ---- sched_slice_ms= ---------------------------------------------------------------------

def test_sched_slice_ms_is_the_period_runq_shares_out(boot, tmp_path):
    """sched_slice_ms=40 with weights 1:3: `runq` says period 40 ms and gives the two
    runnable vCPUs 10 and 30 ms (the default 10 ms period would give 2.5 and 7.5); `info`
    says 40 too."""
    k = boot(initrd=hogs(tmp_path, (256, 768)), append="sched_slice_ms=40")
    k.expect(r"\(d2\) burn: starting", 30)
    k.wait_prompt(10)
    r = k.cmd("runq")
    assert "weighted fair (credit-like), period 40 ms," in r, r
    assert {int(w): int(us) for _, w, us in SLICE.findall(r)} == {256: 10000, 768: 30000}, r
    assert re.search(r"sched_slice_ms +: 40\r?\n", k.cmd("info"))


def test_sched_slice_ms_is_how_long_a_vcpu_waits_beside_a_hog(boot, tmp_path):
    """sched_slice_ms=1000 with two equal CPU hogs (slicegap and burn): each runs 500 ms at
    a time, so slicegap, which watches its own TSC, sees gaps (the other's slice) of over
    300 ms again and again. With the default 10 ms period they are ~5 ms and a gap over 300
    ms is only the host stalling QEMU. Only lower bounds: a busy host lengthens gaps."""
    k = boot(initrd=[guest_elf("slicegap"),
                     write_cfg(tmp_path, "g.cfg", name="g", kernel="slicegap.elf", memory=4,
                               extra="ms=4000 long_ms=300"),
                     guest_elf("burn"),
                     write_cfg(tmp_path, "b.cfg", name="b", kernel="burn.elf", memory=4,
                               extra="report=0")],
             append="sched_slice_ms=1000")
    line = re.compile(r"\(d1\) slicegap: 4000 ms: (\d+) gaps over 1 ms, (\d+) over 300 ms, "
                      r"longest (\d+) ms\r\n")
    longs, windows = 0, []
    while longs < 6:
        assert len(windows) < 15, f"only {longs} gaps over 300 ms in: {windows}"
        m = k.expect(line.pattern, 60)
        windows.append(m.group(0).decode().strip())
        longs += int(m.group(2))


# ---- guest_loglvl= -----------------------------------------------------------------------

def portfuzz_boot(boot, tmp_path, append):
    """A portfuzz domain (it touches unemulated ports: guest-caused info lines)."""
    cfg = write_cfg(tmp_path, "p.cfg", name="p", kernel="portfuzz.elf", memory=4)
    k = boot(initrd=[guest_elf("portfuzz"), cfg], append=append)
    k.expect(r"\(d1\) [^\r\n]*portfuzz: 131072 ops", 60)
    return k


UNEMULATED = re.compile(r"\(XEN\) d1: (?:read|write) of unemulated port")


def test_guest_loglvl_all_shows_guest_caused_lines(boot, tmp_path):
    """guest_loglvl=all: the lines a guest's own actions cause (an unemulated port, at
    level info) reach the console; the guest's console lines are printed as always."""
    k = portfuzz_boot(boot, tmp_path, "guest_loglvl=all")
    assert UNEMULATED.search(k.text()), k.text()[-2000:]
    assert "guest_loglvl = all/all" in k.cmd("cmdline")


def test_guest_loglvl_default_keeps_guest_info_lines_off_the_console(boot, tmp_path):
    """Xen's default guest_loglvl=none/warning: guest-caused info lines stay in the log ring
    only, even with the host's loglvl=all; `dmesg` still has them. The guest's console
    output is not a log message (as xenconsoled's is not) and is printed regardless."""
    k = portfuzz_boot(boot, tmp_path, "loglvl=all")
    assert not UNEMULATED.search(k.text()), UNEMULATED.findall(k.text())[:3]
    assert domain_lines(k.output(), 1), "the guest's own lines must still print"
    assert "guest_loglvl = none/warning" in k.cmd("cmdline")
    assert re.search(r"d1: (?:read|write) of unemulated port", k.cmd("dmesg", 30))


# ---- RAM above 4 GiB ---------------------------------------------------------------------

def marker_bytes(seed):
    """The 16 bytes guests/secret writes for this seed (xorshift32 words, none zero)."""
    s, words = seed, []
    while len(words) < 4:
        s ^= (s << 13) & 0xffffffff
        s ^= s >> 17
        s ^= (s << 5) & 0xffffffff
        if s:
            words.append(s)
    return struct.pack("<4I", *words)


def xd_bytes(k, addr, n=16):
    out = k.cmd(f"xd {addr:#x} {n}")
    m = re.search(rf"{addr:016x}: ((?:[0-9a-f]{{2}} ){{{n}}})", out)
    return bytes.fromhex(m.group(1).replace(" ", "")) if m else None


@pytest.mark.qemu_only("boots QEMU with -m 6G")
def test_ram_above_4g_is_used_for_domains(boot, tmp_path):
    """With 6 GiB (3 GiB of it below 4 GiB), a 3584 MiB domain is built, scans every page
    of it, writes its marker over all of it and reads it back; its memory is more than all
    the RAM below 4 GiB, and its marker is seen in host memory above 4 GiB (`xd`)."""
    seed = random.getrandbits(32) | 1
    mib = 3584
    cfg = write_cfg(tmp_path, "big.cfg", name="big", kernel="secret.elf", memory=mib,
                    extra=f"seed={seed:#x}")
    k = boot(initrd=[guest_elf("secret"), cfg], mem=6144)
    k.expect(rf"\(d1\) secret: scan: {mib * 256} pages from 0x0 to 0x{mib << 20:x}, "
             r"marker 0 times", 300)
    k.expect(r"\(d1\) secret: filled \d+ pages with the marker, 0 read back wrong\r\n", 300)
    k.wait_prompt(10)
    usable_low = 0
    for s, e in re.findall(r"\[([0-9a-f]{16}), ([0-9a-f]{16})\] \(usable\)", k.cmd("meminfo")):
        s, e = int(s, 16), min(int(e, 16) + 1, 1 << 32)
        usable_low += max(e - s, 0)
    assert usable_low < mib << 20, f"{usable_low:#x} bytes below 4 GiB: not a test"
    assert int(re.search(r"total_memory +: (\d+)", k.cmd("info")).group(1)) > 4096
    want = marker_bytes(seed)
    seen = [a for a in range(1 << 32, 7 << 30, 256 << 20) if xd_bytes(k, a) == want]
    assert seen, "the domain's marker is nowhere in host memory above 4 GiB"
    assert "Panic" not in k.text()
