"""A guest that scribbles on its virtio rings (issue 17, the hostile set): `ringscribble`
drives the virtio-blk disk of its Multiboot domain at 0xFE000000 and fills its descriptor
table, available ring and indirect tables with adversarial content (buffers outside its
RAM, on the device's registers, at 0, huge lengths, NEXT loops, self-referencing and nested
indirect tables, writable before readable, index jumps, scribbles on pending requests),
writes random queue registers, resets the device and reads sector 0 now and then, checking
every byte against the image's formula (guests/ringscribble/mkdisk.py).

Beside the canary and a second copy sharing its disk module read-only: both finish their
rounds with every valid read right (also those after the device asked for a reset), the
canary keeps counting, the shell answers, the read-only disk was never written, and
Kestrel logs at most one line per queue the guests broke (today: none)."""
import os
import re
import time

import pytest

from kestrel import ROOT, guest_elf, write_cfg, domain_lines

ON_BOCHS = os.environ.get("KESTREL_MACHINE") == "bochs"
IMG = os.path.join(ROOT, "build", "guests", "scribble.img")
DISK = ("raw", "[ 'target=scribble.img,vdev=xvda,access=ro' ]")
CANARY = re.compile(rb"\(d1\) canary: (\d+)\r\n")
PROGRESS = re.compile(r"^ringscribble: (\d+) rounds, (\d+) valid reads ok$")
TALLY = re.compile(r"^ringscribble: (\d+) broken, (\d+) resets, (\d+) notifies, (\d+) bad reads$")
DONE = re.compile(r"^ringscribble: done, (\d+) rounds, (\d+) valid reads ok, (\d+) bad$")
# Lines of Kestrel's own about a domain that are not about its virtio rings.
LIFE = re.compile(r"built from|poweroff: requested|restarted as|destroyed")


def canary_count(k):
    counts = [int(m.group(1)) for m in CANARY.finditer(k.output())]
    return counts[-1] if counts else 0


def canary_advances(k, by=10, timeout=20):
    start = canary_count(k)
    end = time.monotonic() + timeout * k.slow
    while canary_count(k) < start + by:
        assert time.monotonic() < end, f"canary stuck at {canary_count(k)} (from {start})"
        time.sleep(0.1)


def scribbler_checks(lines, count):
    """What one ringscribble domain's lines must say after count rounds: it found the disk,
    every valid read was right, and it broke queues (so some reads came after resets)."""
    text = "\n".join(lines)
    assert "ringscribble: virtio-mmio at 0xfe000000: magic 0x74726976 version 2 device 2 " \
           "vendor 0x4b53544c" in lines, text[:2000]
    assert "ringscribble: first valid read ok" in lines, text[:2000]
    assert not [ln for ln in lines if "FAILED" in ln], text[-3000:]
    done = [DONE.match(ln) for ln in lines if DONE.match(ln)]
    assert done, text[-3000:]
    rounds, ok, bad = (int(g) for g in done[-1].groups())
    assert rounds == count and bad == 0 and ok > 0, done[-1].group(0)
    progress = [int(m.group(2)) for m in map(PROGRESS.match, lines) if m]
    assert progress and progress == sorted(progress) and progress[-1] <= ok, progress
    tally = [TALLY.match(ln) for ln in lines if TALLY.match(ln)]
    breaks, resets, notifies, bad_reads = (int(g) for g in tally[-1].groups())
    assert breaks > 0 and resets > breaks and notifies > 0 and bad_reads == 0, \
        tally[-1].group(0)
    return ok, breaks


def block_row(k, dom):
    """`block-list <dom>`'s row for xvda: (reads, writes, errors)."""
    k.mark()
    k.send(f"block-list {dom}\r")
    m = k.expect(rb"\(XEN\) xvda\s+vda\s+ro\s+128\s+scribble\.img\s+(\d+)\s+(\d+)\s+(\d+)\r\n",
                 15)
    return tuple(int(g) for g in m.groups())


@pytest.mark.parametrize("seeds", [(1, 2), (3, 4)])
def test_ringscribble_beside_canary_and_a_sharer(boot, tmp_path, seeds):
    count = 1000 if ON_BOCHS else 6000
    canary = write_cfg(tmp_path, "canary.cfg", name="canary", kernel="canary.elf", memory=4)
    scribblers = [write_cfg(tmp_path, f"s{i}.cfg", name=f"scrib{i}", kernel="ringscribble.elf",
                            memory=4, disk=DISK, extra=f"seed={s} count={count} report=1000",
                            on_poweroff="preserve", on_crash="preserve")
                  for i, s in enumerate(seeds)]
    before = open(IMG, "rb").read()
    k = boot(initrd=[guest_elf("canary"), canary, guest_elf("ringscribble"), IMG] + scribblers)
    k.expect(rb"\(d1\) canary: 1\r\n", 30)
    k.expect_all([rf"\(XEN\) d{dom} \(scrib\d\): (poweroff|crash): ".encode() for dom in (2, 3)],
                 300)
    text = k.text()
    assert "crash" not in "\n".join(ln for ln in text.split("\n") if "(scrib" in ln), \
        text[-3000:]
    breaks = 0
    for dom in (2, 3):
        ok, b = scribbler_checks(domain_lines(k.output(), dom), count)
        breaks += b
        reads, writes, errors = block_row(k, dom)
        # Its checked reads and the well-formed ones among the hostile requests went
        # through; nothing was written to the read-only disk; the bad ones were refused.
        assert reads >= ok and writes == 0 and errors > 0, (reads, writes, errors)
    canary_advances(k)
    rows = k.list_noisy()
    assert rows["canary"]["state"] in ("-b----", "r-----"), rows
    assert "Panic on CPU" not in k.text()
    # At most one line of Kestrel's per broken queue (none today: a broken queue sets
    # DEVICE_NEEDS_RESET and waits for the driver's reset, silently).
    said = [ln for ln in k.text().replace("\r", "").split("\n")
            if re.match(r"\(XEN\) .*\bd[23]\b", ln) and not LIFE.search(ln) and
            not re.search(r"\(d\d+\) ", ln)]
    assert len(said) <= breaks, said[:20]
    assert open(IMG, "rb").read() == before


def test_hostile_board_runs_ringscribble(boot):
    """boards/hostile lists ringscribble, its disk and cfg: booted alone with the canary
    from that list, it scribbles forever (progress lines, every valid read right) while
    the canary counts and the shell answers."""
    mods = []
    for ln in open(os.path.join(ROOT, "boards", "hostile", "modules.list")):
        ln = ln.strip()
        if ln and not ln.startswith("#") and ("canary" in ln or "scrib" in ln):
            mods.append(os.path.join(ROOT, ln.split()[0]))
    assert [os.path.basename(m) for m in mods] == [
        "canary.elf", "canary.cfg", "ringscribble.elf", "scribble.img", "ringscribble.cfg"]
    k = boot(initrd=mods)
    k.expect(rb"\(d1\) canary: 1\r\n", 30)
    k.expect(rb"\(d2\) ringscribble: 2000 rounds, \d+ valid reads ok\r\n", 120)
    canary_advances(k)
    rows = k.list_noisy()
    assert rows["ringscribble"]["state"] in ("-b----", "r-----"), rows
    lines = domain_lines(k.output(), 2)
    assert "ringscribble: first valid read ok" in lines
    assert not [ln for ln in lines if "FAILED" in ln], lines[-20:]
    assert "Panic on CPU" not in k.text()
