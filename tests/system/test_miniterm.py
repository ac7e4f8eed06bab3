"""System tests for tools/miniterm, Kestrel's serial console client.

miniterm runs for real: in a pexpect pty for the interactive mode, as a
plain subprocess (no tty) for the --send/--expect mode. Its far end is a
pty pair, a unix socket server or a TCP server made here, minicom is
checked against the same kind of server, and when build/kestrel.elf
exists the hypervisor itself is driven under QEMU.

Run with: /usr/bin/python3 -m pytest tests/system/test_miniterm.py
"""

import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import termios
import threading
import time

import pexpect
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MINITERM = os.path.join(ROOT, "tools", "miniterm", "miniterm")
KERNEL = os.path.join(ROOT, "build", "kestrel.elf")
ESC = b"\x1d"  # CTRL-]
TIMEOUT = 5


@pytest.fixture(scope="session", autouse=True)
def miniterm_binary():
    """Builds miniterm with its own Makefile if it is not there yet."""
    if not os.access(MINITERM, os.X_OK):
        subprocess.run(["make", "-C", os.path.dirname(MINITERM)], check=True,
                       stdout=subprocess.DEVNULL)
    assert os.access(MINITERM, os.X_OK)
    return MINITERM


class Server:
    """A one-client-at-a-time stream server (unix or TCP) that records
    what it receives and can send, drop the client, or stop listening."""

    def __init__(self, family, address):
        self.family = family
        self.address = address
        self.lock = threading.Condition()
        self.received = b""
        self.conn = None
        self.clients = 0
        self.listener = None
        self.stopping = False
        self.thread = None
        self.start()

    def start(self):
        """Starts listening (again) on the same address."""
        if self.family == socket.AF_UNIX and os.path.exists(self.address):
            os.unlink(self.address)
        s = socket.socket(self.family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(self.address)
        s.listen(4)
        if self.family == socket.AF_INET:
            self.address = s.getsockname()
        self.listener = s
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        listener = self.listener
        while not self.stopping:
            ready, _, _ = select.select([listener], [], [], 0.05)
            if not ready:
                continue
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.conn = conn
                self.clients += 1
                self.lock.notify_all()
            while not self.stopping:
                ready, _, _ = select.select([conn], [], [], 0.05)
                if not ready:
                    continue
                try:
                    data = conn.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    break
                with self.lock:
                    self.received += data
                    self.lock.notify_all()
            with self.lock:
                if self.conn is conn:
                    self.conn = None
                conn.close()

    @property
    def device(self):
        if self.family == socket.AF_UNIX:
            return "unix:" + self.address
        return "tcp:%s:%d" % self.address

    def wait_clients(self, n, timeout=TIMEOUT):
        with self.lock:
            ok = self.lock.wait_for(lambda: self.clients >= n and self.conn,
                                    timeout)
        assert ok, "no client connected"

    def wait_received(self, data, timeout=TIMEOUT):
        with self.lock:
            ok = self.lock.wait_for(lambda: data in self.received, timeout)
        assert ok, "server did not receive %r (got %r)" % (data, self.received)

    def send(self, data):
        with self.lock:
            conn = self.conn
        assert conn is not None, "no client to send to"
        conn.sendall(data)

    def drop(self):
        """Stops listening and closes the client, like QEMU exiting."""
        self.stopping = True
        self.thread.join(2)
        self.listener.close()
        with self.lock:
            if self.conn:
                self.conn.close()
                self.conn = None
        if self.family == socket.AF_UNIX and os.path.exists(self.address):
            os.unlink(self.address)

    def close(self):
        self.drop()


@pytest.fixture
def unix_server(tmp_path):
    srv = Server(socket.AF_UNIX, str(tmp_path / "console.sock"))
    yield srv
    srv.close()


@pytest.fixture
def tcp_server():
    srv = Server(socket.AF_INET, ("127.0.0.1", 0))
    yield srv
    srv.close()


# The shell around miniterm records the terminal's settings before and
# after it runs, so the test can prove they were restored.
WRAPPER = ('stty -g > "$0.before"; "$@"; rc=$?; stty -g > "$0.after"; '
           'echo "miniterm-exit=$rc"; sleep 0.2')


class Term:
    """miniterm running in a pexpect pty, inside WRAPPER."""

    def __init__(self, tmp_path, args, env=None):
        self.stamp = str(tmp_path / "stty")
        self.child = pexpect.spawn(
            "/bin/sh", ["-c", WRAPPER, self.stamp, MINITERM] + args,
            timeout=TIMEOUT, env=env or dict(os.environ, TERM="vt100"),
            cwd=str(tmp_path))

    def expect(self, pattern, timeout=TIMEOUT):
        return self.child.expect(pattern, timeout=timeout)

    def send(self, data):
        self.child.send(data)

    def is_raw(self):
        """Tells whether the pty (miniterm's terminal) is in raw mode."""
        lflag = termios.tcgetattr(self.child.child_fd)[3]
        return not (lflag & (termios.ICANON | termios.ECHO | termios.ISIG))

    def miniterm_pid(self):
        """The pid of miniterm, the wrapper shell's child."""
        path = "/proc/%d/task/%d/children" % (self.child.pid, self.child.pid)
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            with open(path) as f:
                pids = f.read().split()
            if pids:
                return int(pids[0])
            time.sleep(0.02)
        raise AssertionError("miniterm not running")

    def finish(self):
        """Waits for miniterm to end; returns its exit status and
        asserts the terminal settings are exactly as before."""
        self.expect(rb"miniterm-exit=(\d+)")
        rc = int(self.child.match.group(1))
        self.child.expect(pexpect.EOF)
        with open(self.stamp + ".before") as f:
            before = f.read()
        with open(self.stamp + ".after") as f:
            after = f.read()
        assert before.strip() and before == after, "terminal not restored"
        return rc

    def quit(self):
        self.send(ESC + b"q")
        assert self.finish() == 0

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def term(tmp_path):
    """Starts miniterm(args) in a pty; kills it after the test."""
    started = []

    def start(args, env=None):
        t = Term(tmp_path, args, env)
        started.append(t)
        return t

    yield start
    for t in started:
        t.close()


def read_master(fd, want, timeout=TIMEOUT):
    """Reads from a pty master until want has arrived; returns all."""
    got = b""
    deadline = time.time() + timeout
    while want not in got and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            got += os.read(fd, 4096)
    assert want in got, "device did not receive %r (got %r)" % (want, got)
    return got


@pytest.fixture
def pty_device():
    """A pty pair: miniterm opens the slave, the test plays the device
    on the master."""
    master, slave = os.openpty()
    yield master, os.ttyname(slave)
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


# --- interactive mode ---------------------------------------------------

def test_pty_both_ways_ctrl_a_and_quit_restores_terminal(term, pty_device):
    master, slave_name = pty_device
    t = term(["-d", slave_name])
    t.expect(re.escape(slave_name.encode()) + rb" at 115200 8N1; escape is "
             rb"CTRL-\]")
    assert t.is_raw()
    os.write(master, b"(XEN) hello from the device\r\n")
    t.expect(rb"\(XEN\) hello from the device\r\n")
    t.send(b"typed\r")
    read_master(master, b"typed\r")
    # CTRL-A three times, each time, reaches the device untouched
    for _ in range(3):
        t.send(b"\x01\x01\x01")
        got = read_master(master, b"\x01\x01\x01")
        assert got == b"\x01\x01\x01"
    t.quit()


def test_escape_commands(term, pty_device, tmp_path):
    master, slave_name = pty_device
    t = term(["-d", slave_name])
    t.expect(rb"escape is CTRL-\]")
    t.send(ESC + b"h")
    for line in (rb"q  quit", rb"b  send a BREAK", rb"l  toggle logging",
                 rb"t  toggle timestamps", rb"x  toggle hex view",
                 rb"CTRL-\]  send CTRL-\] itself"):
        t.expect(line)
    # escape twice sends the escape byte itself
    t.send(ESC + ESC)
    assert read_master(master, ESC) == ESC
    # hex view
    t.send(ESC + b"x")
    t.expect(rb"hex view on")
    os.write(master, b"AB\n")
    t.expect(rb"41 42 0a")
    t.send(ESC + b"x")
    t.expect(rb"hex view off")
    # timestamps
    t.send(ESC + b"t")
    t.expect(rb"timestamps on")
    os.write(master, b"stamped\r\n")
    t.expect(rb"\[\d\d:\d\d:\d\d\.\d\d\d\] stamped")
    t.send(ESC + b"t")
    t.expect(rb"timestamps off")
    # BREAK on a tty, unknown keys are refused, not sent
    t.send(ESC + b"b")
    t.expect(rb"sent BREAK")
    t.send(ESC + b"z")
    t.expect(rb"CTRL-\] 0x7a: no such command")
    # logging toggled on by key, to a fresh file in the cwd
    t.send(ESC + b"l")
    t.expect(rb"logging to (miniterm-\d{8}-\d{6}\.log)")
    log = tmp_path / t.child.match.group(1).decode()
    os.write(master, b"into the log\r\n")
    t.expect(b"into the log")
    t.send(ESC + b"l")
    t.expect(rb"stopped")
    os.write(master, b"not logged\r\n")
    t.expect(b"not logged")
    assert log.read_bytes() == b"into the log\r\n"
    t.send(b"end\r")
    got = read_master(master, b"end\r")
    assert b"z" not in got and b"b" not in got
    t.quit()


def test_custom_escape_key(term, pty_device):
    master, slave_name = pty_device
    t = term(["-d", slave_name, "-e", "x"])
    t.expect(rb"escape is CTRL-X")
    t.send(ESC + b"q")  # CTRL-] is an ordinary byte now
    assert read_master(master, ESC + b"q") == ESC + b"q"
    t.send(b"\x18q")
    assert t.finish() == 0


def test_unix_socket(term, unix_server):
    t = term(["-d", unix_server.device])
    t.expect(rb"connected to unix:")
    unix_server.wait_clients(1)
    unix_server.send(b"(XEN) prompt over unix\r\n")
    t.expect(rb"\(XEN\) prompt over unix")
    t.send(b"\x01\x01\x01help\r")
    unix_server.wait_received(b"\x01\x01\x01help\r")
    t.send(ESC + b"b")
    t.expect(rb"BREAK needs a tty")
    t.quit()


def test_plain_socket_path_is_detected(term, unix_server):
    t = term(["-d", unix_server.address])
    unix_server.wait_clients(1)
    unix_server.send(b"no prefix needed\r\n")
    t.expect(b"no prefix needed")
    t.quit()


def test_tcp(term, tcp_server):
    t = term(["-d", tcp_server.device])
    t.expect(rb"connected to tcp:127\.0\.0\.1:\d+")
    tcp_server.wait_clients(1)
    tcp_server.send(b"over tcp\r\n")
    t.expect(b"over tcp")
    t.send(b"reply\r")
    tcp_server.wait_received(b"reply\r")
    t.quit()


def test_reconnects_when_socket_comes_back(term, unix_server):
    t = term(["-d", unix_server.device])
    unix_server.wait_clients(1)
    unix_server.send(b"first life\r\n")
    t.expect(b"first life")
    unix_server.drop()  # QEMU went away
    t.expect(rb"connection closed; waiting for it to come back")
    t.send(b"lost\r")
    t.expect(rb"not connected; typed input is dropped")
    time.sleep(0.6)  # a few failed attempts
    assert t.is_raw()
    unix_server.start()  # and came back
    unix_server.wait_clients(2)
    t.expect(rb"connected again")
    unix_server.send(b"second life\r\n")
    t.expect(b"second life")
    t.send(b"still typing\r")
    unix_server.wait_received(b"still typing\r")
    assert b"lost" not in unix_server.received
    t.quit()


def test_pty_device_loss_keeps_terminal(term, pty_device):
    master, slave_name = pty_device
    t = term(["-d", slave_name])
    t.expect(rb"escape is")
    os.close(master)  # the device side hangs up
    t.expect(rb"waiting for it to come back")
    assert t.is_raw()
    t.quit()


def test_any_bytes_pass_unchanged_both_ways(term, unix_server):
    """Random keyboard bytes (all but the escape key) reach the device
    exactly; random device bytes do not upset miniterm."""
    rnd = random.Random(7)
    keys = bytes(b for b in (rnd.randrange(256) for _ in range(6000))
                 if b != ESC[0])
    t = term(["-d", unix_server.device])
    unix_server.wait_clients(1)
    t.expect(rb"connected to")
    for i in range(0, len(keys), 500):
        t.send(keys[i:i + 500])
    unix_server.wait_received(keys)
    assert unix_server.received == keys
    unix_server.send(bytes(rnd.randrange(256) for _ in range(65536)) +
                     b"\r\nstill alive\r\n")
    t.expect(b"still alive")
    t.quit()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_restores_terminal(term, unix_server, sig):
    t = term(["-d", unix_server.device])
    unix_server.wait_clients(1)
    t.expect(rb"connected to")
    assert t.is_raw()
    os.kill(t.miniterm_pid(), sig)
    assert t.finish() == 128 + sig


def test_log_file_with_timestamps(term, unix_server, tmp_path):
    log = tmp_path / "console.log"
    log.write_bytes(b"older run\n")
    t = term(["-d", unix_server.device, "-l", str(log), "-t"])
    unix_server.wait_clients(1)
    unix_server.send(b"line one\r\nline two\r\npartial")
    t.expect(b"partial")
    # flushed as it arrives, while miniterm is still running
    deadline = time.time() + TIMEOUT
    while b"line two" not in log.read_bytes() and time.time() < deadline:
        time.sleep(0.02)
    unix_server.send(b" rest\r\n")
    t.expect(b"rest")
    t.quit()
    text = log.read_bytes().decode()
    stamp = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] "
    assert re.fullmatch(r"older run\n" + stamp + r"line one\r\n" + stamp +
                        r"line two\r\n" + stamp + r"partial rest\r\n", text), \
        text


# --- errors ---------------------------------------------------------------

def run(args, timeout=20, **kw):
    return subprocess.run([MINITERM] + args, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, **kw)


def test_missing_device():
    r = run(["-d", "/dev/ttyS9"])
    assert r.returncode == 2
    assert r.stderr == b"miniterm: /dev/ttyS9: No such file or directory\n"
    r = run(["-d", "unix:/nonexistent/sock"])
    assert r.returncode == 2
    assert r.stderr == (b"miniterm: unix:/nonexistent/sock: No such file or "
                        b"directory\n")


def test_bad_baud_lists_valid_ones():
    r = run(["-b", "12345", "-d", "/dev/null"])
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.count("\n") == 1
    assert err.startswith("miniterm: -b 12345: invalid baud rate; valid: ")
    for rate in ("9600", "38400", "115200", "921600"):
        assert " %s" % rate in err


def test_usage_and_version():
    r = run(["-h"])
    assert r.returncode == 0
    assert b"usage: miniterm [-b BAUD] [-d DEVICE]" in r.stdout
    assert b"--expect REGEX" in r.stdout
    r = run(["--version"])
    assert r.returncode == 0
    assert re.match(rb"miniterm \d+\.\d+\.\d+", r.stdout)
    r = run(["--frobnicate"])
    assert r.returncode == 2
    assert r.stderr == b"miniterm: unknown option --frobnicate (try -h)\n"


def test_not_a_terminal():
    r = run(["-d", "/etc/hostname"])
    assert r.returncode == 2
    assert r.stderr == b"miniterm: /etc/hostname: not a terminal or socket\n"


# --- script mode ----------------------------------------------------------

class Responder(Server):
    """A fake hypervisor console: a prompt, then answers to input."""

    def __init__(self, address):
        super().__init__(socket.AF_UNIX, address)
        self.replies = threading.Thread(target=self._answer, daemon=True)
        self.replies.start()

    def _answer(self):
        self.wait_clients(1)
        self.send(b"(XEN) ")
        seen = 0
        while not self.stopping:
            with self.lock:
                self.lock.wait_for(lambda: len(self.received) > seen
                                   or self.stopping, 0.1)
                new = self.received[seen:]
                seen = len(self.received)
            try:
                if b"\x01\x01\x01" in new:
                    self.send(b"\r\n(XEN) *** Serial input to Xen (type "
                              b"'CTRL-a' three times to switch input)\r\n")
                if b"help\r" in new:
                    self.send(b"help\r\n(XEN) Commands:\r\n(XEN)   help\r\n"
                              b"(XEN) ")
            except (OSError, AssertionError):
                return


@pytest.fixture
def responder(tmp_path):
    srv = Responder(str(tmp_path / "xen.sock"))
    yield srv
    srv.close()


def test_script_all_matched_exit_0(responder):
    r = run(["-d", responder.device, "--expect", r"^\(XEN\) $",
             "--send", r"\x01\x01\x01", "--expect", "Serial input to Xen",
             "--timeout", "3", "--send", r"help\r",
             "--expect", r"Commands:.*\r$", "--expect", "^\\(XEN\\) $"])
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    assert b"*** Serial input to Xen" in r.stdout  # copied to stdout
    assert b"(XEN)   help" in r.stdout
    assert responder.received == b"\x01\x01\x01help\r"


def test_script_timeout_exit_1(responder):
    t0 = time.time()
    r = run(["-d", responder.device, "--timeout", "0.5",
             "--expect", "never printed"])
    assert r.returncode == 1
    assert 0.4 < time.time() - t0 < 4
    assert r.stderr == (b"miniterm: timeout after 0.5 s waiting for 'never "
                        b"printed'; last received: \"(XEN) \"\n")


def test_script_matches_only_new_input(responder):
    # the second expectation must not match the prompt the first consumed
    r = run(["-d", responder.device, "--timeout", "0.5", "--expect", "XEN",
             "--expect", "XEN"])
    assert r.returncode == 1
    assert b"last received: \") \"" in r.stderr


def test_script_errors_exit_2(tmp_path):
    r = run(["-d", "unix:" + str(tmp_path / "none"), "--expect", "x"])
    assert r.returncode == 2
    assert r.stderr.endswith(b": No such file or directory\n")
    r = run(["--expect", "(", "-d", "/dev/null"])
    assert r.returncode == 2
    assert r.stderr.startswith(b"miniterm: --expect '(': ")
    r = run(["--send", "\\q"])
    assert r.returncode == 2


def test_script_device_closes_while_expecting(unix_server):
    def hang_up():
        unix_server.wait_clients(1)
        unix_server.send(b"bye\r\n")
        time.sleep(0.2)
        unix_server.drop()
    threading.Thread(target=hang_up, daemon=True).start()
    r = run(["-d", unix_server.device, "--expect", "never"])
    assert r.returncode == 1
    assert b"connection closed while waiting for 'never'" in r.stderr
    assert b"bye\\r\\n" in r.stderr


def test_script_logs_and_tcp(tcp_server, tmp_path):
    log = tmp_path / "ci.log"
    def talk():
        tcp_server.wait_clients(1)
        tcp_server.wait_received(b"ping\n")
        tcp_server.send(b"pong 42\nafter\n")
    threading.Thread(target=talk, daemon=True).start()
    r = run(["-d", tcp_server.device, "-l", str(log), "--send", r"ping\n",
             "--expect", r"pong [0-9]+"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"pong 42")
    assert log.read_bytes().startswith(b"pong 42")


# --- interop and the real hypervisor -------------------------------------

@pytest.mark.skipif(shutil.which("minicom") is None,
                    reason="minicom is not installed")
def test_minicom_interop(unix_server, tmp_path):
    """minicom talks to the same kind of socket server; this is what
    operators used before miniterm, so the harness must serve both."""
    env = dict(os.environ, TERM="vt100", HOME=str(tmp_path))
    child = pexpect.spawn("minicom", ["-D", "unix#" + unix_server.address,
                                      "-o"], env=env, timeout=TIMEOUT)
    try:
        unix_server.wait_clients(1)
        unix_server.send(b"(XEN) hello minicom\r\n")
        child.expect(b"hello minicom")
        child.send(b"typed in minicom\r")
        unix_server.wait_received(b"typed in minicom\r")
    finally:
        child.terminate(force=True)


@pytest.fixture
def qemu(tmp_path):
    """Boots build/kestrel.elf under QEMU with the serial line on a unix
    socket (server, wait=on); always killed afterwards."""
    if not os.path.exists(KERNEL):
        pytest.skip("build/kestrel.elf does not exist (hypervisor not built)")
    if shutil.which("qemu-system-x86_64") is None:
        pytest.skip("qemu-system-x86_64 is not installed")
    sock = str(tmp_path / "serial.sock")
    proc = subprocess.Popen(
        ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "128",
         "-display", "none", "-no-reboot", "-kernel", KERNEL,
         "-chardev", "socket,id=s0,path=%s,server=on,wait=on" % sock,
         "-serial", "chardev:s0", "-monitor", "none"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock):
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail("QEMU did not start: %s" % proc.stderr.read())
            time.sleep(0.05)
        yield sock
    finally:
        proc.kill()
        proc.wait()


def quiet(t, idle=0.5, limit=10):
    """Consumes output until there has been none for idle seconds;
    returns it."""
    got = b""
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            t.child.expect(rb"[\s\S]+", timeout=idle)
            got += t.child.after
        except pexpect.TIMEOUT:
            break
    return got


def test_kestrel_console(term, qemu):
    t = term(["-d", "unix:" + qemu])
    t.expect(rb"\(XEN\) ", timeout=30)
    quiet(t)  # the boot banner may itself announce "input to Xen"
    # CTRL-A x3 reaches Kestrel untouched; it switches input on each
    # press-triple (Xen -> DOM0 -> ... -> Xen), so go round to Xen
    for _ in range(8):
        t.send(b"\x01\x01\x01")
        t.expect(rb"\*\*\* Serial input to (\S+) [^\r\n]*\r?\n",
                 timeout=10)
        if t.child.match.group(1) == b"Xen":
            break
    assert t.child.match.group(1) == b"Xen"
    t.send(b"help\r")
    t.expect(rb"help\r\n", timeout=10)  # echoed by the line editor
    listing = quiet(t)
    assert listing.count(b"\n") >= 3, listing  # a list of commands
    assert b"help" in listing
    assert listing.endswith(b"(XEN) "), listing  # and a new prompt
    t.quit()
