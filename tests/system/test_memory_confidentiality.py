"""Memory confidentiality (issue 20): a domain never sees another domain's data, its own
previous incarnation's, or the hypervisor's - not in memory built for it after another
domain was destroyed, not in frames another domain gave back with the balloon, not after a
reboot/restart. And the balloon really frees memory: the host's free frames grow by what
was released, and a released page is out of the guest's reach.

The `secret` guest (guests/secret) first scans every page it holds, word by word, for a
16-byte marker made from this run's random `seed=`, and counts the pages outside its own
image that are not zero; then it writes the marker over all its memory. Every scan here
must find the marker 0 times, over exactly the domain's memory, with nothing nonzero but
the Multiboot information Kestrel writes for it (at 0x8000, MBINFO_AREA_MAX = 16 KiB).
Frames are cleared lazily on first touch under SVM (arch/x86/svm/npt.c) and at build under
VMX (src/core/guestmem.c); with either clearing removed these tests fail: the scans then
find the previous owner's marker."""
import random
import re

from kestrel import write_cfg, guest_elf, domain_lines

MBINFO = (0x8000, 0x8000 + (16 << 10))          # where Kestrel writes the Multiboot info
SCAN = (r"secret: scan: (\d+) pages from 0x0 to 0x([0-9a-f]+), marker (\d+) times, "
        r"(\d+) nonzero pages outside the image\r\n")


def new_seed():
    """This run's marker seed (never 0: the guest refuses it)."""
    return random.getrandbits(32) | 1


def secret_cfg(d, name, seed, memory, **keys):
    """A cfg module `<name>.cfg` running secret with this seed."""
    extra = f"seed={seed:#x}"
    for opt in ("fill", "then", "poke"):
        if opt in keys:
            extra += f" {opt}={keys.pop(opt)}"
    return write_cfg(d, f"{name}.cfg", name=name, kernel="secret.elf", memory=memory,
                     extra=extra, **keys)


def boot_secret(boot, *cfgs, append=""):
    return boot(initrd=[guest_elf("secret"), *cfgs], append=append)


def expect_scan(k, dom, mib, timeout=60):
    """Wait for d<dom>'s scan line and check it: every page of its `mib` MiB read, the
    marker nowhere, nothing but the Multiboot info nonzero outside its image."""
    m = k.expect(rf"\(d{dom}\) " + SCAN, timeout)
    pages, end, found, nonzero = (int(m.group(1)), int(m.group(2), 16), int(m.group(3)),
                                  int(m.group(4)))
    lines = domain_lines(k.output()[:m.end()], dom)
    assert pages == mib * 256 and end == mib << 20, \
        f"d{dom} scanned {pages} pages up to {end:#x}, not its {mib} MiB"
    assert found == 0, f"d{dom} sees the marker {found} times: " + \
        ", ".join(ln for ln in lines if "marker at" in ln)
    odd = [ln for ln in lines if ln.startswith("secret: nonzero page ")
           and not MBINFO[0] <= int(ln.rsplit(" ", 1)[1], 16) < MBINFO[1]]
    assert not odd and nonzero <= (MBINFO[1] - MBINFO[0]) // 4096, \
        f"d{dom} has {nonzero} nonzero pages outside its image: {odd}"


def expect_filled(k, dom, mib, timeout=60):
    """d<dom> wrote the marker over all its memory but its image (a few pages)."""
    m = k.expect(rf"\(d{dom}\) secret: filled (\d+) pages with the marker, 0 read back wrong\r\n", timeout)
    assert mib * 256 - 64 < int(m.group(1)) < mib * 256


def run(k, line):
    """Run a shell command; return its output, and leave the next expect() looking from
    before it (the guest lines the command causes may come before its prompt)."""
    begin = k.mark()
    out = k.cmd(line)
    k.pos = begin
    return out


def free_frames(k):
    m = re.search(r"free: +\d+ KiB \((\d+) frames\)", k.cmd("meminfo"))
    assert m
    return int(m.group(1))


def test_memory_of_a_destroyed_domain_is_cleared_for_the_next(boot, tmp_path):
    """`a` fills its 16 MiB with the marker and is destroyed; `b` (24 MiB, built paused at
    boot and destroyed, so both frees are behind it) is created again and scans: its memory,
    which covers the frames `a` had (first fit), holds no marker."""
    seed = new_seed()
    k = boot_secret(boot, secret_cfg(tmp_path, "a", seed, 16),
                    secret_cfg(tmp_path, "b", seed, 24, fill=0, autostart=0))
    expect_scan(k, 1, 16)
    expect_filled(k, 1, 16)
    k.wait_prompt(10)
    assert "destroyed d2" in k.cmd("destroy b")
    assert "destroyed d1" in k.cmd("destroy a")
    assert "created d3 (b)" in k.cmd("create b.cfg")
    run(k, "unpause b")                  # its cfg says autostart=0
    expect_scan(k, 3, 24)
    assert "Panic" not in k.text()


def test_frames_given_back_by_the_balloon_are_cleared_for_others(boot, tmp_path):
    """`a` fills its 32 MiB and is ballooned down to 4 MiB (mem-set): the 28 MiB it gave
    back hold its marker. `b` is then built from them (8 MiB) and scans them clean; then
    `b` grows to 40 MiB (mem-set) and every page it is given is zero and marker-free too."""
    seed = new_seed()
    k = boot_secret(boot, secret_cfg(tmp_path, "a", seed, 32, maxmem=32),
                    secret_cfg(tmp_path, "b", seed, 8, maxmem=40, fill=0, autostart=0))
    expect_scan(k, 1, 32)
    expect_filled(k, 1, 32)
    k.wait_prompt(10)
    assert "destroyed d2" in k.cmd("destroy b")
    run(k, "mem-set a 4")
    k.expect(r"\(d1\) secret: target 1024 pages, holding 1024 pages\r\n", 30)
    k.wait_prompt(10)
    assert k.xl_list()["a"]["mem"] == 4
    assert "created d3 (b)" in k.cmd("create b.cfg")
    run(k, "unpause b")                  # its cfg says autostart=0
    expect_scan(k, 3, 8)
    k.wait_prompt(10)
    run(k, "mem-set b 40")
    k.expect(r"\(d3\) secret: target 10240 pages, holding 10240 pages\r\n", 60)
    got = [re.match(r"secret: got (\d+) pages at page 0x[0-9a-f]+: marker (\d+) times, "
                    r"(\d+) nonzero pages$", ln)
           for ln in domain_lines(k.output(), 3) if ln.startswith("secret: got ")]
    assert all(got) and sum(int(g.group(1)) for g in got) == 32 * 256, got
    assert [(g.group(2), g.group(3)) for g in got] == [("0", "0")] * len(got), \
        [g.group(0) for g in got]
    assert "Panic" not in k.text()


def test_a_domain_restarted_after_its_own_reboot_sees_nothing_of_its_past(boot, tmp_path):
    """`a` scans, fills and reboots itself (HC_SHUTDOWN reboot, on_reboot=restart): each new
    incarnation is built where the last one was and must not see its marker."""
    seed = new_seed()
    k = boot_secret(boot, secret_cfg(tmp_path, "a", seed, 16, then="reboot",
                                     on_reboot="restart"))
    for dom in (1, 2, 3):
        expect_scan(k, dom, 16)
        expect_filled(k, dom, 16)
        k.expect(rf"\(XEN\) d{dom} \(a\): restarted as d{dom + 1}\r\n", 30)
    assert "Panic" not in k.text()


def test_a_domain_restarted_by_the_shell_reboot_sees_nothing_of_its_past(boot, tmp_path):
    """`reboot a` from the shell (on_reboot=restart) after `a` filled its memory: the new
    incarnation's scan finds no marker."""
    seed = new_seed()
    k = boot_secret(boot, secret_cfg(tmp_path, "a", seed, 16, on_reboot="restart"))
    expect_scan(k, 1, 16)
    expect_filled(k, 1, 16)
    k.expect(r"\(d1\) secret: target 4096 pages, holding 4096 pages\r\n", 30)
    k.wait_prompt(10)
    run(k, "reboot a")
    k.expect(r"\(XEN\) d1 \(a\): restarted as d2\r\n", 30)
    expect_scan(k, 2, 16)
    assert "Panic" not in k.text()


def test_balloon_returns_frames_to_the_host_and_the_guest_cannot_reach_them(boot, tmp_path):
    """mem-set 32 -> 8 MiB: the host's free frames (meminfo) grow by the 6144 frames released
    (less the few page-table frames splitting the 2 MiB runs takes), and the guest's read of
    a page it gave back ends it like any access outside its memory: the read never returns
    a value, and the shell's dumpmem cannot reach that page either."""
    seed = new_seed()
    k = boot_secret(boot, secret_cfg(tmp_path, "a", seed, 32, maxmem=32, poke=1,
                                     on_crash="preserve"))
    expect_filled(k, 1, 32)
    k.expect(r"\(d1\) secret: target 8192 pages, holding 8192 pages\r\n", 30)
    k.wait_prompt(10)
    before = free_frames(k)
    run(k, "mem-set a 8")
    k.expect(r"\(d1\) secret: target 2048 pages, holding 2048 pages\r\n", 30)
    k.expect(r"\(d1\) secret: reading released page 0x800000\r\n", 10)
    m = k.expect(r"\(XEN\) d1 \(a\): crash: (access|write) of guest-physical (0x[0-9a-f]+) "
                 r"outside its \d+ MiB at rip 0x[0-9a-f]+; on_crash=preserve\r\n", 15)
    assert int(m.group(2), 16) == 0x800000
    k.wait_prompt(10)
    grown = free_frames(k) - before
    released = (32 - 8) * 256
    assert released - 64 <= grown <= released, f"free frames grew by {grown}, not ~{released}"
    assert not any(ln.startswith("secret: read 0x") for ln in domain_lines(k.output(), 1))
    row = k.xl_list()["a"]
    assert row["state"] == "----c-" and row["mem"] == 8
    out = k.cmd("dumpmem a 0x800000 16")
    assert "outside d1's memory" in out, out
    assert "outside d1's memory" not in k.cmd("dumpmem a 0x7ff000 16")
