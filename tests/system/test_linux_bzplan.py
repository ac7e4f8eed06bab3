"""The Linux boot protocol planner (src/core/bzimage.c) on a real kernel: Debian's
linux-image-amd64 kernel, downloaded once by tests/linux/fetch-kernel.sh into build/linux/
(never checked in), planned by the host program build/linux/bzplan (tests/linux/linux.mk).
No machine is booted: this checks that the planner reads a real setup header as the
synthesized ones of tests/unit/test_bzimage.c, and that a 256 MiB domain with a 20 MiB
initrd gets a plan that fits (the kernel is not wired into domain building yet)."""
import os
import re
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BZPLAN = os.path.join(ROOT, "build", "linux", "bzplan")
MiB = 1 << 20


@pytest.fixture(scope="module")
def vmlinuz():
    """The kernel's path (downloaded if missing); skipped only without apt-get."""
    r = subprocess.run(["sh", os.path.join(ROOT, "tests", "linux", "fetch-kernel.sh")],
                       capture_output=True, text=True, timeout=900)
    out = r.stdout.strip()
    if r.returncode == 0 and out.startswith("SKIP"):
        pytest.skip(out)
    assert r.returncode == 0, f"fetch-kernel.sh failed: {r.stdout}{r.stderr}"
    assert os.path.isfile(out), out
    return out


@pytest.fixture(scope="module")
def bzplan():
    r = subprocess.run(["make", "-s", "-C", ROOT, "build/linux/bzplan"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return BZPLAN


def plan(bzplan, kernel, *args):
    """bzplan's key=value lines as a dict (repeated keys as lists), or the error line."""
    r = subprocess.run([bzplan, kernel] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    d = {}
    for line in r.stdout.splitlines():
        k, _, v = line.partition("=")
        d.setdefault(k, []).append(v)
    return d, ""


def rng(s):
    """'0xA-0xB' or '0xA+0xN' as (lo, hi)."""
    m = re.fullmatch(r"(0x[0-9a-f]+)([-+])(0x[0-9a-f]+)", s)
    assert m, s
    lo, hi = int(m.group(1), 16), int(m.group(3), 16)
    return lo, hi if m.group(2) == "-" else lo + hi


def test_debian_kernel_plan(vmlinuz, bzplan):
    cmdline = "console=ttyS0 root=/dev/ram0 rdinit=/init"
    p, err = plan(bzplan, vmlinuz, "--ram", "256", "--initrd-size", str(20 * MiB),
                  "--cmdline", cmdline)
    assert p is not None, err
    major, minor = (int(x) for x in p["version"][0].split("."))
    assert (major, minor) >= (2, 6)
    assert p["kernel_64"] == ["1"]                       # XLF_KERNEL_64: the 64-bit entry
    assert p["entry"][0].startswith("64 ")
    kaddr = int(p["kernel_addr"][0], 16)
    assert f"rip={kaddr + 0x200:#x}" in p["entry"][0]
    assert "rsi=0x7000" in p["entry"][0]
    klo, khi = rng(p["kernel_region"][0])
    init_size = int(p["init_size"][0], 16)
    assert klo >= 1 * MiB and khi <= 256 * MiB and khi - klo >= init_size
    ilo, ihi = rng(p["initrd"][0])
    assert ihi - ilo == 20 * MiB and ilo % 4096 == 0
    assert ihi <= 256 * MiB and (ihi <= klo or ilo >= khi)
    assert ihi + 4096 > 256 * MiB                        # as high as it goes
    clo, chi = rng(p["cmdline"][0])
    assert chi - clo == len(cmdline) + 1 and chi <= 0xA0000
    # The E820 map: sorted, no gaps or overlaps, [0, 256 MiB) exactly, holes reserved.
    e820 = [(rng(e.split()[0]), e.split()[1]) for e in p["e820"]]
    assert int(p["e820_entries"][0]) == len(e820)
    at = 0
    for (lo, hi), kind in e820:
        assert lo == at and hi > lo
        at = hi
        if kind == "ram":
            assert lo >= 0x1000 and not (lo < 0x100000 and hi > 0xA0000)
    assert at == 256 * MiB


def test_debian_kernel_limits(vmlinuz, bzplan):
    """The same kernel refused where it cannot fit, each with its one line."""
    p, err = plan(bzplan, vmlinuz, "--ram", "32")          # init_size is ~64 MiB
    assert p is None and "kernel does not fit" in err and "\n" not in err
    p, err = plan(bzplan, vmlinuz, "--ram", "256", "--initrd-size", str(250 * MiB))
    assert p is None and "initrd of" in err
    p, err = plan(bzplan, vmlinuz, "--cmdline", "x" * 5000)
    assert p is None and "cmdline_size" in err
