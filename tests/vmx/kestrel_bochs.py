"""Boot a Kestrel image under Bochs (Intel VMX with EPT) and drive its serial line.

Bochs has no -kernel: an ISO is built (mkiso.sh: ISOLINUX + mboot.c32) holding the image and
its modules. COM1 is a loopback TCP socket Bochs listens on (it blocks until we connect, so
nothing is lost). KestrelBochs has the interface of tests/system/kestrel.py's Kestrel
(expect/send/cmd/wait_prompt/text/xl_list/expect_all/...) so VMX tests read like the QEMU
ones: it is a Kestrel whose machine is Bochs instead of QEMU.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))
import kestrel  # noqa: E402
from kestrel import Kestrel, ROOT, ELF, guest_elf, write_cfg, domain_lines  # noqa: E402,F401

BOCHS = "/usr/bin/bochs-bin"             # /usr/bin/bochs only adds -q
BOCHSRC = os.path.join(HERE, "bochsrc.txt")
MKISO = os.path.join(HERE, "mkiso.sh")
# The Intel CPU Bochs emulates: VMX with EPT, VPID and unrestricted guest (any Bochs model with
# them will do, e.g. corei7_sandy_bridge_2600k).
CPU = os.environ.get("KESTREL_BOCHS_CPU", "corei7_skylake_x")
# Emulated instructions per second: the guest's TSC frequency and the pace of emulated
# time (Bochs runs ~100 M instructions/s here with clock sync=none).
IPS = int(os.environ.get("KESTREL_BOCHS_IPS", "50000000"))
# Clock: "slowdown" keeps emulated time from running ahead of real time (with "none", an
# idle Bochs skips ahead and a guest's once-a-second tick comes 50 times a second).
SYNC = os.environ.get("KESTREL_BOCHS_SYNC", "slowdown")
# Scales every timeout, on top of the harness's own KESTREL_TEST_SLOW (kestrel.SLOW, which
# Kestrel's methods apply to the timeouts these pass on).
SLOW = float(os.environ.get("KESTREL_BOCHS_SLOW", "1"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def build_iso(out, modules, append="", kernel=ELF):
    """Write an ISO that boots kernel with command line `append` and the modules (paths, or
    (path, args) pairs) in order."""
    args = [MKISO, out, kernel, append]
    for m in modules:
        path, margs = (m, "") if isinstance(m, str) else m
        args += [path, margs]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"mkiso.sh failed: {p.stdout}{p.stderr}")


class KestrelBochs(Kestrel):
    """One Bochs running a Kestrel image from an ISO, with its COM1 on a socket we own."""

    virt_name = "Intel VMX with EPT"
    hypercall_insn = "vmcall"
    slow = SLOW * kestrel.SLOW

    def __init__(self, initrd=(), append="", mem=256, cpu=CPU, ips=IPS, kernel=ELF,
                 iso=None, sync=SYNC, smp=1):
        self.tmp = tempfile.mkdtemp(prefix="kestrel-vmx.")
        if iso is None:
            iso = os.path.join(self.tmp, "boot.iso")
            build_iso(iso, [initrd] if isinstance(initrd, str) else list(initrd), append,
                      kernel)
        self.iso = iso
        self.log_path = os.path.join(self.tmp, "bochs.log")
        self.port = free_port()
        rc = open(BOCHSRC).read()
        rc = re.sub(r"(?m)^megs:.*$", f"megs: {mem}", rc)
        rc = re.sub(r"(?m)^(cpu:.*)count=1\b", rf"\g<1>count={int(smp)}", rc)   # processors
        rcfile = os.path.join(self.tmp, "bochsrc.txt")
        with open(rcfile, "w") as f:
            f.write(rc)
        dbg = os.path.join(self.tmp, "dbg.rc")
        with open(dbg, "w") as f:
            f.write("c\nquit\n")             # run; after a SIGINT break: quit
        env = dict(os.environ, BX_ISO=os.path.abspath(iso),
                   BX_SERIAL=f"127.0.0.1:{self.port}", BX_LOG=self.log_path, BX_CPU=cpu,
                   BX_IPS=str(ips), BX_SYNC=sync)
        self.stdout_path = os.path.join(self.tmp, "bochs.stdout")
        self.cmdline = [BOCHS, "-q", "-f", rcfile, "-rc", dbg]
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen(self.cmdline, stdin=subprocess.DEVNULL,
                                     stdout=open(self.stdout_path, "wb"),
                                     stderr=subprocess.STDOUT, env=env, cwd=self.tmp,
                                     start_new_session=True)
        self.buf = bytearray()
        self.pos = 0
        self.cond = threading.Condition()
        self.closed = False
        self.t_first = None
        self.sock = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("Bochs exited before COM1 connected: "
                                   + open(self.stdout_path, errors="replace").read()[-3000:])
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        if self.sock is None:
            self.stop()
            raise RuntimeError("could not connect to Bochs' COM1 socket")
        self.sock.settimeout(None)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # Bochs is several times slower than QEMU TCG: every wait is scaled by SLOW.
    def expect(self, pattern, timeout=10):
        return super().expect(pattern, timeout * SLOW)

    def wait_prompt(self, timeout=10, quiet=0.15):
        return super().wait_prompt(timeout * SLOW, quiet)

    def expect_all(self, patterns, timeout=10):
        return Kestrel.expect_all(self, patterns, timeout * SLOW)

    def type_line(self, line, timeout=10):
        """Kestrel.type_line, with Enter sent on its own once the line is echoed. Bochs hands
        received bytes to the UART at the line's baud rate (QEMU passes a burst): each byte
        makes the running guest exit and the scheduler loop go round, so with the line and
        Enter sent together a 100 Hz guest (echo) is often caught on its way back to HLT when
        the command looks at the domains (`list` showed it runnable 3 times in 10)."""
        start = self.pos
        if line:
            self.send(line)
            self.expect(re.escape(line.encode()), timeout)
            time.sleep(0.05)             # the keystrokes' work settles (five PIT periods)
        self.pos = start
        self.send("\r")
        self.expect(re.escape(line.encode()) + rb"\r\n", timeout)

    def wait_exit(self, timeout=10):
        try:
            rc = self.proc.wait(timeout * SLOW * kestrel.SLOW)
        except subprocess.TimeoutExpired:
            return None
        self.drained()
        return rc

    def _exiting(self):
        try:
            with open(self.stdout_path, "rb") as f:
                return b"Bochs is exiting" in f.read()
        except OSError:
            return False

    def stop(self):
        """SIGINT (the built-in debugger breaks and reads 'quit'), then TERM, then KILL. A
        SIGINT that lands while Bochs already exits can hang it: TERM first then."""
        if self.proc.poll() is None:
            first = signal.SIGTERM if self._exiting() else signal.SIGINT
            for sig, wait in ((first, 2), (signal.SIGTERM, 2), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass


# ---- the domain suite's machine switch ----------------------------------------------
# QEMU CPU models the system tests name -> the Bochs model that plays the same part.
CPU_MODELS = {
    "max": CPU,                              # every feature: VMX with EPT
    "qemu64": "p4_prescott_celeron_336",     # a 64-bit CPU with neither SVM nor VMX
}


def qemu_modules(initrd):
    """QEMU's -initrd modules (a list of "path args" strings, or one comma-separated string)
    -> mkiso.sh's (path, args) pairs, in the same order."""
    if not initrd:
        return []
    items = initrd.split(",") if isinstance(initrd, str) else list(initrd)
    out = []
    for item in items:
        path, _, args = str(item).partition(" ")
        out.append((path, args))
    return out


class BochsMachine(KestrelBochs):
    """Kestrel's QEMU interface (tests/system/kestrel.py) on Bochs: with KESTREL_MACHINE=bochs
    tests/system/conftest.py makes this the `Kestrel` every system test boots, so the domain
    suite's own tests run on Intel VMX with EPT. The boot modules go into the ISO with their
    strings, `append` is the command line, `mem` the RAM and `cpu` a model of CPU_MODELS.
    What only QEMU can do - another kernel image, extra QEMU options, no -kernel, reboot -
    raises: such a test is marked qemu_only and skipped on Bochs."""

    def __init__(self, append="", initrd=None, mem=256, cpu="max", kernel=ELF,
                 extra=(), reboot=False, kernel_arg=True, smp=None):
        if smp is not None and not str(smp).isdigit():
            raise RuntimeError(f"Bochs has no -smp {smp}: mark it qemu_only")
        if kernel != ELF or extra or reboot or not kernel_arg:
            raise RuntimeError("this test needs QEMU (kernel=, extra=, reboot= or "
                               "kernel_arg=): mark it qemu_only")
        if cpu not in CPU_MODELS:
            raise RuntimeError(f"no Bochs CPU model stands in for QEMU's -cpu {cpu}")
        super().__init__(initrd=qemu_modules(initrd), append=append, mem=mem,
                         cpu=CPU_MODELS[cpu], smp=int(smp or 1))


# ---- helpers the VMX tests share -----------------------------------------------------
_ROW = re.compile(
    r"^(?P<name>.{40}) (?P<id>[ \d]{4}\d) (?P<mem>[ \d]{4}\d) (?P<vcpus>[ \d]{4}\d)     "
    r"(?P<state>[r-][b-][p-][s-][c-][d-])  (?P<time>[ \d]{5}\d\.\d)$")


def list_rows(k, timeout=10):
    """`list` while domains print all the time: send it, wait for xl's header, give the rows
    a moment to arrive (a command's output is not interleaved with domains' lines) and
    return {name: row} with id/mem/vcpus as ints, time as float, state as six letters."""
    k.mark()
    k.send("list\r")
    m = k.expect(rb"Time\(s\)\r\n", timeout)
    time.sleep(0.5)
    rows = {}
    for ln in k.output()[m.end():].decode(errors="replace").split("\r\n"):
        ln = ln.replace("\x1b[K", "").replace("\r", "")
        if not ln.startswith("(XEN) "):
            break
        r = _ROW.match(ln[6:])
        if not r:
            break
        rows[r.group("name").rstrip()] = dict(
            id=int(r.group("id")), mem=int(r.group("mem")), vcpus=int(r.group("vcpus")),
            state=r.group("state"), time=float(r.group("time")))
    return rows


def counter(k, dom, name):
    """The last `(d<dom>) <name>: N` counter printed so far, or 0."""
    hits = re.findall(rf"\(d{dom}\) {name}: (\d+)\r\n".encode(), k.output())
    return int(hits[-1]) if hits else 0


def counter_advances(k, dom, name, by=10, timeout=15):
    """Wait until d<dom>'s `<name>: N` counter (canary, ifspin) goes up by `by`."""
    start = counter(k, dom, name)
    end = time.monotonic() + timeout * k.slow
    while counter(k, dom, name) < start + by:
        assert time.monotonic() < end, \
            f"d{dom} {name} stuck at {counter(k, dom, name)} (from {start})"
        time.sleep(0.1)
