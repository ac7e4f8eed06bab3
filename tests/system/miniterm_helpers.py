"""Shared pieces of the miniterm system tests: the binary, socket and TCP servers that play
the far end of the line, a pexpect-driven terminal, and a pty device."""
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
# A deadline for something that comes (returns as soon as it does): sized for a loaded host.
TIMEOUT = 20 * float(os.environ.get("KESTREL_TEST_SLOW", "1"))


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
