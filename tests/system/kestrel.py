"""Boot a Kestrel image under QEMU TCG and drive its serial line.

The serial port is a unix-socket chardev with wait=on, so nothing printed before we
connect is lost and CTRL-A reaches the hypervisor (no -nographic mux in the way).
"""
import fcntl
import os
import re
import select
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The image every test boots unless it names another: build/kestrel.elf, or KESTREL_IMAGE
# (run_tests.py --debug-smoke runs a subset of the suite on the debug image that way).
ELF = os.environ.get("KESTREL_IMAGE") or os.path.join(ROOT, "build", "kestrel.elf")
PROMPT = rb"\(XEN\) $"
QEMU = "qemu-system-x86_64"
# Every wait the harness times (expect, wait_prompt, wait_exit, cmd, ...) is a deadline for
# something that comes: it returns as soon as it does, so the deadlines are sized for a slow,
# loaded 2-core host and cost nothing on a fast one. KESTREL_TEST_SLOW multiplies them all
# (and Kestrel.slow, for the waits a test times itself) on a machine slower still.
SLOW = float(os.environ.get("KESTREL_TEST_SLOW", "1"))
F_SETPIPE_SZ = 1031             # fcntl: a pipe's capacity
PIPE_SIZE = 1 << 20


class _PipeLine:
    """COM1 as QEMU's pipe chardev (two FIFOs) of 1 MiB: what QEMU writes waits in the pipe,
    however late the reader runs. On a unix socket every byte QEMU's 16550 writes is one
    buffer of ~1 KiB of the socket's ~200 KiB, so a reader a few hundred bytes behind (a
    loaded host) makes the writes fail, and the 16550 drops bytes, or a guest ending the
    machine loses what it printed last. Socket-like: sendall, recv, close."""

    def __init__(self, base):
        for end in (".in", ".out"):
            os.mkfifo(base + end)
        # Both ends opened read-write, before QEMU opens its own: no open waits for a peer,
        # and nothing QEMU writes before the reader runs is lost.
        self.rfd = os.open(base + ".out", os.O_RDWR | os.O_NONBLOCK)
        self.wfd = os.open(base + ".in", os.O_RDWR)
        for fd in (self.rfd, self.wfd):
            try:
                fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)
            except OSError:
                pass                # over /proc/sys/fs/pipe-max-size: the default 64 KiB
        self.proc = None
        self.closed = False

    def sendall(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.wfd, view):]

    def recv(self, n):
        """Bytes as they come; b"" once QEMU has exited and the pipe is empty."""
        while not self.closed:
            exited = self.proc is not None and self.proc.poll() is not None
            try:
                select.select([self.rfd], [], [], 0 if exited else 0.05)
                return os.read(self.rfd, n)      # what QEMU wrote before it exited, too
            except BlockingIOError:
                if exited:
                    break
            except (OSError, ValueError):
                break
        return b""

    def close(self):
        if not self.closed:
            self.closed = True
            for fd in (self.rfd, self.wfd):
                os.close(fd)


class Kestrel:
    """One QEMU running a Kestrel image, with its COM1 on a socket we own."""

    # What differs on tests/vmx/kestrel_bochs.py's machine (Intel VMX under Bochs):
    virt_name = "AMD SVM with NPT"   # the backend Kestrel picks on this machine's CPU
    hypercall_insn = "vmmcall"       # the instruction its guests make hypercalls with
    slow = SLOW                      # factor for waits a test times itself (expect's are scaled)

    def __init__(self, append="", initrd=None, mem=256, cpu="max", kernel=ELF,
                 extra=(), reboot=False, kernel_arg=True, serial="socket", smp=None):
        """serial="pipe": COM1 is a 1 MiB pipe instead of a unix socket (_PipeLine): for
        guests run bare that print fast and end the machine (nothing may be lost).
        smp: QEMU's -smp value (4, or "2,maxcpus=4"); None: QEMU's default, one CPU."""
        self.tmp = tempfile.mkdtemp(prefix="kestrel-test.")
        self.sock_path = os.path.join(self.tmp, "com1.sock")
        pipe = _PipeLine(os.path.join(self.tmp, "com1")) if serial == "pipe" else None
        chardev = (f"pipe,id=com1,path={self.tmp}/com1" if pipe else
                   f"socket,id=com1,path={self.sock_path},server=on,wait=on")
        cmd = [QEMU, "-accel", "tcg", "-cpu", cpu, "-m", str(mem), "-display", "none",
               "-monitor", "none", "-nodefaults", "-no-user-config",
               "-chardev", chardev, "-serial", "chardev:com1"]
        if smp is not None:
            cmd += ["-smp", str(smp)]
        if not reboot:
            cmd.append("-no-reboot")
        if kernel_arg:
            cmd += ["-kernel", kernel]
            if append:
                cmd += ["-append", append]
            if initrd:
                cmd += ["-initrd", ",".join(initrd) if isinstance(initrd, (list, tuple)) else initrd]
        cmd += list(extra)
        self.cmdline = cmd
        self.log_path = os.path.join(self.tmp, "qemu.log")
        self.t_start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT)
        self.buf = bytearray()
        self.pos = 0                 # where the next expect() starts looking
        self.cond = threading.Condition()
        self.closed = False
        self.t_first = None
        deadline = time.monotonic() + 20 * SLOW
        self.sock = None
        if pipe:
            pipe.proc = self.proc
            self.sock = pipe
        while self.sock is None and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("QEMU exited: " + open(self.log_path, errors="replace").read())
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock_path)
                self.sock = s
                break
            except OSError:
                s.close()
                time.sleep(0.01)
        if self.sock is None:
            self.stop()
            raise RuntimeError("could not connect to QEMU's serial socket")
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                d = self.sock.recv(65536)
            except OSError:
                d = b""
            with self.cond:
                if not d:
                    self.closed = True
                    self.cond.notify_all()
                    return
                if self.t_first is None:
                    self.t_first = time.monotonic()
                self.buf += d
                self.cond.notify_all()

    # ---- output -----------------------------------------------------------------------
    def expect(self, pattern, timeout=10):
        """Wait for regex (bytes or str) after the last match; return the match object.
        Raises AssertionError with the recent output on timeout (timeout * SLOW seconds)."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern, re.M)
        end = time.monotonic() + timeout * SLOW
        with self.cond:
            while True:
                m = rx.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                left = end - time.monotonic()
                if left <= 0 or self.closed:
                    tail = bytes(self.buf[max(self.pos, len(self.buf) - 3000):])
                    raise AssertionError(
                        f"timeout waiting for {rx.pattern!r}; closed={self.closed}; "
                        f"recent output:\n{tail.decode(errors='replace')}")
                self.cond.wait(min(left, 0.1))

    def output(self):
        with self.cond:
            return bytes(self.buf)

    def text(self):
        return self.output().decode(errors="replace")

    def wait_exit(self, timeout=10):
        """The machine's exit status once it ends within timeout (* SLOW), else None. Once it
        has ended, its serial output is all read too (the reader saw the socket close), so
        text() after this holds everything it printed."""
        try:
            rc = self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            return None
        self.drained()
        return rc

    def drained(self, timeout=10):
        """Wait (up to timeout * SLOW) until the reader has seen the socket close: the
        machine's output is all in buf. A loaded host can run the reader thread well after
        the machine has exited."""
        end = time.monotonic() + timeout * SLOW
        with self.cond:
            while not self.closed and time.monotonic() < end:
                self.cond.wait(0.05)
        return self.closed

    # ---- input ------------------------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def wait_prompt(self, timeout=10, quiet=0.15):
        """Wait until the output ends in a prompt and stays quiet for `quiet` seconds: the
        prompt and the log prefix are the same text, so only silence tells them apart.
        Both times are scaled by SLOW."""
        end = time.monotonic() + timeout * SLOW
        quiet *= SLOW
        with self.cond:
            while True:
                if self.buf.endswith(b"(XEN) ") and len(self.buf) > self.pos:
                    size = len(self.buf)
                    self.cond.wait(quiet)
                    if len(self.buf) == size:
                        self.pos = size
                        return
                    continue
                left = end - time.monotonic()
                if left <= 0 or self.closed:
                    tail = bytes(self.buf[max(0, len(self.buf) - 3000):])
                    raise AssertionError("timeout waiting for the prompt; recent output:\n"
                                         + tail.decode(errors="replace"))
                self.cond.wait(min(left, 0.05))

    def type_line(self, line, timeout=10):
        """Type a shell line and Enter; return once the line editor has echoed both."""
        self.send(line + "\r")
        self.expect(re.escape(line.encode()) + rb"\r\n", timeout)

    # A domain's line printed while the command ran: the prompt it erased (if any), then
    # "(dN) text". Guests keep printing while the operator works; that is not command output.
    ERASED_PROMPT = re.compile(r"(?:\(XEN\) )?\r\x1b\[K(?=\(d\d+\) )")
    GUEST_LINE = re.compile(r"^\(d\d+\) [^\n]*\n", re.M)

    def cmd(self, line, timeout=10, keep_guest_lines=False):
        """Run a shell command; return its output (between the echoed line and the next
        prompt) as text, with the (XEN) prefixes kept. Lines that running domains printed
        meanwhile are left out unless keep_guest_lines."""
        start = len(self.output())
        self.pos = max(self.pos, start)
        self.type_line(line, timeout)
        begin = self.pos
        self.wait_prompt(timeout)
        out = self.output()[begin:self.pos].decode(errors="replace").rsplit("(XEN) ", 1)[0]
        if not keep_guest_lines:
            out = self.GUEST_LINE.sub("", self.ERASED_PROMPT.sub("", out))
        return out

    # ---- helpers for tests that drive the line editor and watch raw output ----------
    def mark(self):
        """Skip everything received so far: the next expect() looks only at new output."""
        with self.cond:
            self.pos = len(self.buf)
        return self.pos

    def raw(self, data, timeout=10):
        """Send raw bytes (keys, escape sequences) and wait for the next prompt; return the
        output from the send up to that prompt (the prompt left off), as bytes."""
        begin = self.mark()
        self.send(data)
        self.wait_prompt(timeout)
        return self.output()[begin:self.pos][:-len(b"(XEN) ")]

    def quiet_for(self, seconds):
        """Bytes that arrive in the next `seconds` after everything seen so far."""
        begin = self.mark()
        time.sleep(seconds)
        return self.output()[begin:]

    @staticmethod
    def lines(text):
        """Output text -> its lines, with CRs and the '(XEN) ' prefixes removed."""
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        return [ln[6:] if ln.startswith("(XEN) ") else ln
                for ln in text.replace("\r", "").split("\n")]

    # ---- teardown ---------------------------------------------------------------------
    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---- helpers for the domain tests (boards of guests and cfgs, xl-style output) ---------
GUESTS = os.path.join(ROOT, "build", "guests")
XL_LIST_HEADER = "Name                                        ID   Mem VCPUs\tState\tTime(s)"
XL_LIST_ROW = re.compile(
    r"^(?P<name>.{40}) (?P<id>[ \d]{4}\d) (?P<mem>[ \d]{4}\d) (?P<vcpus>[ \d]{4}\d)     "
    r"(?P<state>[r-][b-][p-][s-][c-][d-])  (?P<time>[ \d]{5}\d\.\d)$")
DOM_LINE = re.compile(rb"\(d(\d+)\) ([^\r\n]*)\r?\n")


def guest_elf(name):
    """Path of an in-tree guest kernel."""
    return os.path.join(GUESTS, name + ".elf")


def write_cfg(directory, filename, **keys):
    """Write an xl.cfg module `filename` into directory; string values are quoted, ints not,
    a value given as ("raw", text) is written as is. Returns the path."""
    lines = []
    for key, val in keys.items():
        if isinstance(val, tuple) and val[0] == "raw":
            lines.append(f"{key} = {val[1]}")
        elif isinstance(val, int):
            lines.append(f"{key} = {val}")
        else:
            lines.append(f'{key} = "{val}"')
    path = os.path.join(str(directory), filename)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def domain_lines(data, dom=None):
    """The `(dN) ` lines in data (bytes or text) -> [(N, text)], or [text] for one dom."""
    if isinstance(data, str):
        data = data.encode()
    out = [(int(m.group(1)), m.group(2).decode(errors="replace"))
           for m in DOM_LINE.finditer(data)]
    return [t for n, t in out if n == dom] if dom is not None else out


def _xl_list(self):
    """Run `list`; check the xl header and every row's format; return {name: row} with
    id/mem/vcpus as ints, time as float and state as the six letters."""
    out = self.cmd("list")
    rows, header = {}, False
    for ln in out.replace("\r", "").split("\n"):
        ln = ln.replace("\x1b[K", "")
        if not ln.startswith("(XEN) ") or ln.startswith("(XEN) (d"):
            continue
        ln = ln[6:]
        if ln == XL_LIST_HEADER:
            header = True
            continue
        if not re.search(r"     [r-][b-][p-][s-][c-][d-]  ", ln):
            continue            # a log line that came in between
        m = XL_LIST_ROW.match(ln)
        assert m, f"list row not in xl's format: {ln!r}"
        rows[m.group("name").rstrip()] = dict(
            id=int(m.group("id")), mem=int(m.group("mem")), vcpus=int(m.group("vcpus")),
            state=m.group("state"), time=float(m.group("time")))
    assert header, f"no xl list header in:\n{out}"
    return rows


def _dom_output(self, dom):
    """Every `(d<dom>) ` line received so far."""
    return domain_lines(self.output(), dom)


Kestrel.xl_list = _xl_list
Kestrel.dom_output = _dom_output


def _expect_all(self, patterns, timeout=10):
    """Wait until every regex in patterns matched after the current position, in any order
    (domains' lines interleave); move past the last of them and return the matches."""
    rxs = [re.compile(p.encode() if isinstance(p, str) else p, re.M) for p in patterns]
    end = time.monotonic() + timeout * SLOW
    with self.cond:
        while True:
            ms = [rx.search(self.buf, self.pos) for rx in rxs]
            if all(ms):
                self.pos = max(m.end() for m in ms)
                return ms
            left = end - time.monotonic()
            if left <= 0 or self.closed:
                missing = [rx.pattern for rx, m in zip(rxs, ms) if not m]
                tail = bytes(self.buf[max(self.pos, len(self.buf) - 3000):])
                raise AssertionError(f"timeout waiting for {missing!r}; closed={self.closed}; "
                                     f"recent output:\n{tail.decode(errors='replace')}")
            self.cond.wait(min(left, 0.1))


Kestrel.expect_all = _expect_all


_LIST_BLOCK = re.compile(
    rb"Time\(s\)\r\n((?:\(XEN\) [^\r\n]*     [r-][b-][p-][s-][c-][d-]  [^\r\n]*\r\n)*?)"
    rb"\(XEN\) (?=\r\x1b\[K|\r|\Z)")


def _list_noisy(self, timeout=10):
    """`list` while domains print all the time (no quiet moment for wait_prompt): send it,
    take the rows up to the prompt that follows them; {name: row} as xl_list gives."""
    self.mark()
    self.send("list\r")
    end = time.monotonic() + timeout * SLOW
    while True:
        left = end - time.monotonic()
        m = self.expect(_LIST_BLOCK.pattern, max(left, 0.01) / SLOW)
        if m.end() < len(self.output()):
            break
        time.sleep(0.2)                 # the block ended with the buffer: make sure
        m2 = _LIST_BLOCK.search(self.output(), m.start())
        if m2 and m2.group(1) == m.group(1):
            break
        self.pos = m.start()
    rows = {}
    for ln in m.group(1).decode(errors="replace").split("\r\n"):
        if not ln:
            continue
        r = XL_LIST_ROW.match(ln[6:])
        assert r, f"list row not in xl's format: {ln!r}"
        rows[r.group("name").rstrip()] = dict(
            id=int(r.group("id")), mem=int(r.group("mem")), vcpus=int(r.group("vcpus")),
            state=r.group("state"), time=float(r.group("time")))
    return rows


Kestrel.list_noisy = _list_noisy
