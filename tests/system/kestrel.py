"""Boot a Kestrel image under QEMU TCG and drive its serial line.

The serial port is a unix-socket chardev with wait=on, so nothing printed before we
connect is lost and CTRL-A reaches the hypervisor (no -nographic mux in the way).
"""
import os
import re
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ELF = os.path.join(ROOT, "build", "kestrel.elf")
PROMPT = rb"\(XEN\) $"
QEMU = "qemu-system-x86_64"


class Kestrel:
    """One QEMU running a Kestrel image, with its COM1 on a socket we own."""

    def __init__(self, append="", initrd=None, mem=256, cpu="max", kernel=ELF,
                 extra=(), reboot=False, kernel_arg=True):
        self.tmp = tempfile.mkdtemp(prefix="kestrel-test.")
        self.sock_path = os.path.join(self.tmp, "com1.sock")
        cmd = [QEMU, "-accel", "tcg", "-cpu", cpu, "-m", str(mem), "-display", "none",
               "-monitor", "none", "-nodefaults", "-no-user-config",
               "-chardev", f"socket,id=com1,path={self.sock_path},server=on,wait=on",
               "-serial", "chardev:com1"]
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
        deadline = time.monotonic() + 20
        self.sock = None
        while time.monotonic() < deadline:
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
        Raises AssertionError with the recent output on timeout."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern, re.M)
        end = time.monotonic() + timeout
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
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    # ---- input ------------------------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def wait_prompt(self, timeout=10, quiet=0.15):
        """Wait until the output ends in a prompt and stays quiet for `quiet` seconds: the
        prompt and the log prefix are the same text, so only silence tells them apart."""
        end = time.monotonic() + timeout
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

    def cmd(self, line, timeout=10):
        """Run a shell command; return its output (between the echoed line and the next
        prompt) as text, with the (XEN) prefixes kept."""
        start = len(self.output())
        self.pos = max(self.pos, start)
        self.send(line + "\r")
        self.expect(re.escape(line.encode()) + rb"\r\n", timeout)
        begin = self.pos
        self.wait_prompt(timeout)
        return self.output()[begin:self.pos].decode(errors="replace").rsplit("(XEN) ", 1)[0]

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
