"""Helpers for the Linux guest tests (test_linux_bare.py, test_linux_guest.py and tests/vmx's
test_vmx_linux.py): the assets (Debian's stock kernel and the busybox initramfs, fetched or
built once under build/linux/), the domain cfg of a Linux guest, waiting for its boot, and a
shell session on its console that runs a command and returns its output and exit status.

The initramfs (tests/linux/mkinitramfs.sh) prints MARKER from its /init, then busybox's shell
prints SHELL_BANNER and the prompt PROMPT on the console; `poweroff`/`reboot` in that shell go
through busybox init as on any Linux, and the machine powers off when the shell exits.

Every wait here is a deadline (it returns as soon as what it waits for comes) scaled by the
machine's `slow` factor (KESTREL_TEST_SLOW, and KESTREL_BOCHS_SLOW on Bochs)."""
import os
import re
import subprocess
import time

import pytest

from kestrel import ROOT, write_cfg

LINUX_DIR = os.path.join(ROOT, "build", "linux")
MARKER = "KESTREL-LINUX-INIT up"
SHELL_BANNER = "Enter 'help' for a list of built-in commands."
PROMPT = "kestrel-guest# "
# Debian's kernel reaches /init in ~10-20 s under QEMU TCG on the development machine, more
# on a loaded one; Kestrel's domain should be at most 1.25x that (issue 15).
BOOT_S = 180
TO_XEN = "(XEN) *** Serial input to Xen (type 'CTRL-a' three times to switch input)\r\n"
TO_DOM = "(XEN) *** Serial input to DOM{} (type 'CTRL-a' three times to switch input)\r\n"

_assets = {}


def _run_script(name):
    """Run tests/linux/<name>; its last line is a path, or the test is skipped (SKIP: ...)."""
    r = subprocess.run(["sh", os.path.join(ROOT, "tests", "linux", name)],
                       capture_output=True, text=True, timeout=900)
    out = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    if r.returncode == 0 and out.startswith("SKIP"):
        pytest.skip(f"{name}: {out}")
    assert r.returncode == 0 and os.path.isfile(out), \
        f"tests/linux/{name} failed ({r.returncode}): {r.stdout}{r.stderr}"
    return out


def assets():
    """(vmlinuz, initrd.gz) paths: Debian's kernel (tests/linux/fetch-kernel.sh, downloaded
    once) and the busybox initramfs (tests/linux/mkinitramfs.sh, built when it changed).
    Skips the test only on a host without apt-get."""
    if not _assets:
        _assets["vmlinuz"] = _run_script("fetch-kernel.sh")
        _assets["initrd"] = _run_script("mkinitramfs.sh")
    return _assets["vmlinuz"], _assets["initrd"]


def linux_cfg(directory, name="web", kernel="vmlinuz", ramdisk="initrd.gz",
              extra="console=ttyS0", memory=256, **keys):
    """Write <name>.cfg for a Linux domain as issue 15's operator writes it; returns the
    path. Only the keys given are written (xl's defaults: on_poweroff=destroy,
    on_reboot=restart, on_crash=destroy)."""
    return write_cfg(directory, f"{name}.cfg", name=name, kernel=kernel, ramdisk=ramdisk,
                     extra=extra, memory=memory, **keys)


def linux_modules(directory, *cfgs, names=("web",), **keys):
    """Boot modules for Linux domains: the kernel and initramfs (module names vmlinuz and
    initrd.gz), then one cfg per name (or the cfg paths given)."""
    vmlinuz, initrd = assets()
    paths = list(cfgs) or [linux_cfg(directory, name=n, **keys) for n in names]
    return [vmlinuz, initrd] + paths


# ---- waiting for a Linux domain's boot on the (XEN) console -----------------------------

def _failure(k, dom, name, since):
    """The hypervisor's line saying domain d<dom> (<name>) will not boot, if any, after
    `since` in k's output: its cfg refused, it crashed or shut down, or its restart failed."""
    text = k.output()[since:]
    n = re.escape(name.encode())
    for rx in (rb"[^\r\n]*\b" + n + rb"\.cfg: [^\r\n]*domain not built[^\r\n]*",
               rb"\(XEN\) d" + str(dom).encode() + rb" \(" + n
               + rb"\): (?:crash|poweroff|reboot)[^\r\n]*",
               rb"\(XEN\) d\d+ \(" + n + rb"\): restart failed[^\r\n]*",
               rb"\(XEN\) [^\r\n]*(?:Panic|no domain can start)[^\r\n]*"):
        m = re.search(rx, text)
        if m:
            return m.group(0).decode(errors="replace")
    return None


def wait_line(k, dom, name, pattern, timeout=BOOT_S, since=None):
    """Wait for a `(d<dom>) ` line matching pattern (a regex, text) from k's current position
    (or `since`); return the match, move past it, and set k.seen_s to the seconds from the
    machine's start to the moment this wait saw it (as boot_seconds measures). Fails at
    once, with the hypervisor's own line, if the domain's cfg is refused or it crashes or
    shuts down meanwhile; on a timeout with the domain's last lines."""
    start = k.pos if since is None else since
    rx = re.compile(rb"\(d" + str(dom).encode() + rb"\) " + pattern.encode() + rb"[^\r\n]*",
                    re.M)
    end = time.monotonic() + timeout * k.slow
    with k.cond:
        while True:
            m = rx.search(k.buf, start)
            if m:
                k.pos = m.end()
                k.seen_s = time.monotonic() - k.t_start
                return m
            bad = _failure(k, dom, name, start)
            if bad:
                raise AssertionError(f"d{dom} ({name}) did not get to {pattern!r}: the "
                                     f"hypervisor said: {bad}")
            left = end - time.monotonic()
            if left <= 0 or k.closed:
                tail = bytes(k.buf[max(start, len(k.buf) - 3000):])
                raise AssertionError(
                    f"d{dom} ({name}) printed no {pattern!r} in {timeout * k.slow:.0f} s "
                    f"(closed={k.closed}); recent output:\n{tail.decode(errors='replace')}")
            k.cond.wait(min(left, 0.2))


def wait_boot(k, dom=1, name="web", timeout=BOOT_S, since=None):
    """Wait until d<dom> (<name>) printed the initramfs's MARKER and the shell's banner as
    `(dN)` lines (so its shell reads the console); returns k.pos after the banner."""
    wait_line(k, dom, name, re.escape(MARKER), timeout, since)
    wait_line(k, dom, name, re.escape(SHELL_BANNER), 60)
    return k.pos


def boot_seconds(k, pattern=re.escape(MARKER) + r"\r?\n", timeout=BOOT_S):
    """Wait for `pattern` (a regex) anywhere in k's output and return the seconds from the
    machine's start (k.t_start, taken just before QEMU or Bochs was started) to the moment
    it arrived: the figure issue 15 compares (QEMU start -> the guest's init prints its
    first line), measured the same way bare and under Kestrel. Call it before any other
    wait for the pattern, so the moment is when it came (to the reader thread's wake-up,
    milliseconds), not when a later wait noticed it."""
    rx = re.compile(pattern.encode(), re.M)
    end = time.monotonic() + timeout * k.slow
    with k.cond:
        while not rx.search(k.buf):
            left = end - time.monotonic()
            if left <= 0 or k.closed:
                raise AssertionError(f"no {pattern!r} in {timeout * k.slow:.0f} s; recent "
                                     f"output:\n{bytes(k.buf[-3000:]).decode(errors='replace')}")
            k.cond.wait(min(left, 0.05))
        return time.monotonic() - k.t_start


# ---- the guest's shell --------------------------------------------------------------------

class Shell:
    """The busybox shell of a Linux guest whose serial line reaches k raw: bare QEMU's COM1,
    or Kestrel's COM1 while input is attached to the domain (`console <dom>`)."""

    def __init__(self, k):
        self.k = k
        self.n = 0

    def sync(self, timeout=30):
        """Enter on an empty line; wait for the fresh prompt it brings."""
        self.k.mark()
        self.k.send("\r")
        self.k.expect(re.escape(PROMPT), timeout)

    def run(self, command, timeout=30):
        """Run a shell command line; return (exit status, its output with CRs removed).
        The output is taken between two markers the shell computes (`@@$((0))B<n>` prints
        `@@0B<n>`), so the echo of the typed line is never mistaken for them."""
        self.n += 1
        self.k.mark()
        self.k.send(f"echo @@$((0))B{self.n}; {command}; echo @@$((0))E{self.n} $?\r")
        m = self.k.expect(rf"(?s)@@0B{self.n}\r?\n(.*?)@@0E{self.n} (\d+)\r?\n".encode(),
                          timeout)
        self.k.expect(re.escape(PROMPT), timeout)
        return int(m.group(2)), m.group(1).decode(errors="replace").replace("\r", "")

    def check(self, command, timeout=30):
        """run(), asserting exit status 0; returns the output."""
        status, out = self.run(command, timeout)
        assert status == 0, f"`{command}` exited {status} in the guest:\n{out}"
        return out


def attach(k, name, dom, timeout=30):
    """`console <name>` typed at the (XEN) prompt: input goes to d<dom>; returns its Shell,
    synced to a fresh prompt. (No wait for a quiet prompt first: beside a domain that
    prints all the time, as the canary does, there is none.)"""
    k.mark()
    k.send(f"console {name}\r")
    k.expect(re.escape(TO_DOM.format(dom)), 20)
    sh = Shell(k)
    sh.sync(timeout)
    return sh


def to_xen(k, tries=40):
    """CTRL-A x3 until input is back at Xen's shell (each press moves it to the next
    domain, then to Xen); returns once Xen's prompt follows the message."""
    for _ in range(tries):
        k.mark()
        k.send(b"\x01\x01\x01")
        m = k.expect(rb"\(XEN\) \*\*\* Serial input to (Xen|DOM\d+) [^\r\n]*\r\n", 10)
        if m.group(1) == b"Xen":
            k.expect(rb"\(XEN\) ", 10)
            return
    raise AssertionError(f"CTRL-A x3 did not bring input back to Xen in {tries} tries")


# ---- checks both the bare reference and the domain make ------------------------------------

DMESG_BAD = re.compile(r"\bBUG\b|WARNING:|Call Trace|\bOops\b|(?i:unstable)")


def dmesg_problems(sh):
    """(number of dmesg lines, the lines with BUG, WARNING:, Call Trace, Oops or
    "unstable" (clocksource, TSC))."""
    out = sh.check("dmesg", 60)
    lines = out.splitlines()
    return len(lines), [ln for ln in lines if DMESG_BAD.search(ln)]


def interrupts(sh):
    """/proc/interrupts -> {name: (total count, the line)}; name is the first column (an IRQ
    number or LOC, NMI, ...)."""
    rows = {}
    for ln in sh.check("cat /proc/interrupts").splitlines():
        m = re.match(r"\s*(\w+):((?:\s+\d+)+)(.*)$", ln)
        if m:
            rows[m.group(1)] = (sum(int(x) for x in m.group(2).split()), ln)
    return rows


def cpu_flags(sh):
    """The `flags` of /proc/cpuinfo's first CPU, as a set."""
    out = sh.check("grep -m1 '^flags' /proc/cpuinfo")
    return set(out.split(":", 1)[1].split()) if ":" in out else set()


# ---- the virtio guests' assets and boots (issue 17) -------------------------------------------
# tests/linux/mkinitramfs.sh --virtio's initramfs loads the kernel's virtio and ext4 modules
# (tests/linux/fetch-modules.sh), prints MODULES_LOADED with their names (a line per module
# that failed first), then on root=/dev/vdX mounts it and switch_roots into the ext4 image of
# tests/linux/mkrootfs.sh, whose /init prints ROOTFS_MARKER before the same shell and prompt;
# a root it cannot mount gives one ROOT_FAILED line and the plain MARKER and shell.

ROOTFS_MARKER = "KESTREL-ROOTFS up"
MODULES_LOADED = "KESTREL-MODULES loaded:"
MODULE_FAILED = "KESTREL-MODULES insmod "
ROOT_FAILED = r"KESTREL-ROOT (?:no block device|cannot mount|\S+ has no)"
RO_DISK_TEXT = "KESTREL-RO-DISK hello"     # /hello.txt of build/linux/ro.img

_virtio_assets = {}


def run_asset_script(name, *args):
    """Run tests/linux/<name> with args; its last line is a path, or the test is skipped
    (SKIP: ...)."""
    r = subprocess.run(["sh", os.path.join(ROOT, "tests", "linux", name), *args],
                       capture_output=True, text=True, timeout=900)
    out = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    if r.returncode == 0 and out.startswith("SKIP"):
        pytest.skip(f"{name}: {out}")
    assert r.returncode == 0 and os.path.isfile(out), \
        f"tests/linux/{name} {' '.join(args)} failed ({r.returncode}): {r.stdout}{r.stderr}"
    return out


def virtio_assets():
    """{vmlinuz, initrd (initrd-virtio.gz), modules (load.list's directory), rootfs
    (rootfs.img), ro (ro.img)}: built or fetched once. The images are the pristine copies:
    a test boots a copy (disk_copy), since a disk's writes change its file."""
    if not _virtio_assets:
        _virtio_assets["vmlinuz"], _ = assets()
        _virtio_assets["modules"] = os.path.dirname(run_asset_script("fetch-modules.sh"))
        _virtio_assets["initrd"] = run_asset_script("mkinitramfs.sh", "--virtio")
        _virtio_assets["rootfs"] = run_asset_script("mkrootfs.sh")
        _virtio_assets["ro"] = os.path.join(os.path.dirname(_virtio_assets["rootfs"]), "ro.img")
    return dict(_virtio_assets)


def module_load_order():
    """The module names the virtio initramfs loads, in its order (build/linux/modules)."""
    with open(os.path.join(virtio_assets()["modules"], "load.list")) as f:
        return f.read().split()


def disk_copy(directory, which="rootfs", name=None):
    """A fresh copy of virtio_assets()[which] in directory (named name, default the
    original's basename); returns its path."""
    src = virtio_assets()[which]
    dst = os.path.join(str(directory), name or os.path.basename(src))
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        while True:
            chunk = fi.read(1 << 20)
            if not chunk:
                return dst
            fo.write(chunk)


def ext4_file(image, path):
    """The content of `path` inside the ext4 image file (Debian's debugfs, no mount), as
    text, or None when it is not there."""
    debugfs = "/usr/sbin/debugfs" if os.path.exists("/usr/sbin/debugfs") else "debugfs"
    r = subprocess.run([debugfs, "-R", f"cat {path}", image], capture_output=True, text=True)
    if r.returncode != 0 or "File not found" in r.stderr:
        return None
    return r.stdout


def modules_line(k, timeout=BOOT_S):
    """Wait for the virtio initramfs's MODULES_LOADED line anywhere after k.pos; return
    (the names it says loaded, the failure lines before it)."""
    m = k.expect(re.escape(MODULES_LOADED) + r"([^\r\n]*)\r?\n", timeout)
    text = k.output()[:m.start()].decode(errors="replace")
    failed = re.findall(re.escape(MODULE_FAILED) + r"[^\r\n]*", text)
    return m.group(1).decode().split(), failed


def tsc_khz():
    """The host's TSC rate in kHz, from /proc/cpuinfo's `cpu MHz` (2000000 if none): QEMU
    TCG's guest TSC is the host's."""
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^cpu MHz\s*:\s*([\d.]+)", f.read(), re.M)
        return int(float(m.group(1)) * 1000) if m else 2000000
    except OSError:
        return 2000000


def boot_to_rootfs(k, dom, name, timeout=BOOT_S, since=None):
    """Wait until d<dom> (<name>), booted with the virtio initramfs and root=/dev/vdX, ran
    the disk's /init (ROOTFS_MARKER) and its shell (banner). Returns None then; when the
    initramfs could not switch root (its ROOT_FAILED line, then its own MARKER) it returns
    what went wrong instead: that line, the modules that failed, and what the guest saw
    (ACPI LNRO0005 devices, virtio devices, its virtio/blk kernel lines), read from the
    initramfs's shell, so a test can fail saying what was missing."""
    start = k.pos if since is None else since
    m = wait_line(k, dom, name, "(?:" + re.escape(ROOTFS_MARKER) + "|" + ROOT_FAILED + "|"
                  + re.escape(MARKER) + ")", timeout, start)
    said = m.group(0).decode(errors="replace")
    if ROOTFS_MARKER in said:
        wait_line(k, dom, name, re.escape(SHELL_BANNER), 60)
        return None
    wait_line(k, dom, name, re.escape(SHELL_BANNER), 60)
    failed = [t for t in _dom_lines(k, dom, start) if t.startswith(MODULE_FAILED)]
    sh = attach(k, name, dom)
    acpi = sh.run("ls /sys/bus/acpi/devices | grep LNRO0005")[1].split()
    virtio = sh.run("ls /sys/bus/virtio/devices")[1].split()
    blk = sh.run("ls /sys/block | grep '^vd'")[1].split()
    _, log = sh.run("dmesg | grep -i -E 'virtio|vd[a-z]|LNRO' | grep -v 'ommand line' "
                    "| tail -n 8", 60)
    to_xen(k)
    if not acpi:
        missing = "no LNRO0005 (virtio-mmio) device in the DSDT"
    elif not virtio:
        missing = f"{len(acpi)} LNRO0005 devices but virtio_mmio probed no virtio device"
    elif not blk:
        missing = f"virtio devices {virtio} but no virtio disk (/dev/vdX)"
    else:
        missing = f"disks {blk}, but not the root"
    return (f"d{dom} ({name}) did not boot from its virtio disk: {missing}; the initramfs "
            f"said: {said[len(f'(d{dom}) '):]}\n" + "".join(f"  {t}\n" for t in failed)
            + f"the guest sees: LNRO0005 {acpi}, virtio {virtio}, disks {blk}; its log:\n"
            + log)


def _dom_lines(k, dom, since):
    """The text of d<dom>'s lines in k's output after `since`."""
    text = k.output()[since:].decode(errors="replace")
    return re.findall(r"\(d" + str(dom) + r"\) ([^\r\n]*)", text)
