"""A kernel built outside this repository boots as a domain (issue 4): the Multiboot
specification's example kernel from Debian's `multiboot` package, built unchanged by
tests/external/build-multiboot-example.sh. It only writes to the VGA text screen, which
the shell's `vga <dom>` command renders; its lines must show what Kestrel gave it."""
import glob
import os
import re
import shutil
import struct
import subprocess

import pytest

from kestrel import ROOT, write_cfg
from test_domains import hexdump_bytes

SCRIPT = os.path.join(ROOT, "tests", "external", "build-multiboot-example.sh")
MEM = 8


OUT = os.path.join(ROOT, "build", "ext", "multiboot")     # the script's default


def tools_needed():
    """The programs the build script will run: apt-get and dpkg-deb only while the package
    is not unpacked in OUT yet."""
    tools = ["zcat", "awk", "sed", "gcc"]
    if not os.path.isdir(os.path.join(OUT, "pkg")):
        tools.insert(0, "dpkg-deb")
        if not glob.glob(os.path.join(OUT, "multiboot_*.deb")):
            tools.insert(0, "apt-get")
    return tools


@pytest.fixture(scope="module")
def kernel():
    # Only a missing tool skips (tests/deps/domains.txt lists its package); a build that
    # fails with the tools present - a failed download included - fails the test.
    missing = [t for t in tools_needed() if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: the example kernel cannot be built")
    p = subprocess.run([SCRIPT, OUT], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"{SCRIPT} failed:\n{p.stderr}"
    return p.stdout.strip().splitlines()[-1]


def read_guest(k, dom, gpa, n):
    data = b""
    while len(data) < n:
        chunk = min(4096, n - len(data))
        first, got = hexdump_bytes(k.cmd(f"dumpmem {dom} {gpa + len(data):#x} {chunk}"))
        assert first == gpa + len(data) and len(got) == chunk
        data += got
    return data


def test_multiboot_spec_example_kernel_boots_and_sees_its_boot_info(boot, tmp_path, kernel):
    cfg = write_cfg(tmp_path, "mbex.cfg", name="mbex", kernel=os.path.basename(kernel),
                    memory=MEM, extra="from=kestrel-test")
    k = boot(initrd=[kernel, cfg])
    k.expect(r"d1 \(mbex\): built from mbex.cfg", 30)
    k.wait_prompt(10)
    screen = ""
    for _ in range(50):                          # until it has printed its last line
        screen = k.cmd("vga mbex")
        if "Halted." in screen:
            break
    assert "Halted." in screen, screen
    rows = [ln[len("(XEN) |"):] for ln in screen.replace("\r", "").split("\n")
            if ln.startswith("(XEN) |")]
    text = "\n".join(rows)
    # magic: the kernel complains only when it is wrong
    assert "Invalid magic number" not in text
    flags = int(re.search(r"^flags = 0x([0-9a-f]+)$", text, re.M).group(1), 16)
    m = re.search(r"^mem_lower = (\d+)KB, mem_upper = (\d+)KB$", text, re.M)
    mem_lower, mem_upper = int(m.group(1)), int(m.group(2))
    assert mem_upper == (MEM - 1) * 1024 and mem_lower == 639
    assert re.search(r"^cmdline = mbexample.elf from=kestrel-test$", text, re.M)
    m = re.search(r"^mmap_addr = 0x([0-9a-f]+), mmap_length = 0x([0-9a-f]+)$", text, re.M)
    mmap_addr, mmap_len = int(m.group(1), 16), int(m.group(2), 16)
    entries = [(int(s, 16), int(b, 16), int(ln, 16), int(t, 16)) for s, b, ln, t in re.findall(
        r"^ size = 0x([0-9a-f]+), base_addr = 0x([0-9a-f]+), length = 0x([0-9a-f]+), "
        r"type = 0x([0-9a-f]+)$", text, re.M)]
    assert entries and sum(s + 4 for s, _, _, _ in entries) == mmap_len
    assert max(b + ln for _, b, ln, t in entries if t == 1) == MEM << 20
    assert flags & 0x41 == 0x41                       # mem_* and mmap given
    # The same values are in the guest's memory, where Kestrel wrote them: find the info
    # structure in low memory and read the memory map behind mmap_addr.
    low = read_guest(k, "mbex", 0, 0x10000)
    found = [off for off in range(0, len(low) - 52, 4)
             if struct.unpack_from("<III", low, off) == (flags, mem_lower, mem_upper)
             and struct.unpack_from("<II", low, off + 44) == (mmap_len, mmap_addr)]
    assert found, "no Multiboot info with the printed values in the guest's low memory"
    raw = read_guest(k, "mbex", mmap_addr, mmap_len)
    got, off = [], 0
    while off < len(raw):
        size, base, length, typ = struct.unpack_from("<IQQI", raw, off)
        got.append((size, base, length, typ))
        off += size + 4
    assert got == entries
    assert k.xl_list()["mbex"]["state"] == "-b----"      # halted in its hlt loop
