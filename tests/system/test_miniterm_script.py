"""System tests for tools/miniterm's script mode (--send/--expect/--timeout), its error
messages, and interoperability: minicom against the same servers, and the real hypervisor
under QEMU when build/kestrel.elf exists."""
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

from miniterm_helpers import *  # noqa: F401,F403 (the servers, the terminal, fixtures)

pytestmark = pytest.mark.qemu_only(
    "the serial client tools/miniterm on ptys and sockets, and with a Kestrel in QEMU")

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
    # help's own answer, not the line editor's echo of "help": its table of commands, from
    # its first line to its last (xd) and a new prompt.
    t.expect(rb"help\r\n(\(XEN\)  block-list [^\r\n]*\r\n(?:\(XEN\)  [^\r\n]*\r\n)*?"
             rb"\(XEN\)  xd [^\r\n]*\r\n)\(XEN\) ", timeout=30)
    listing = t.child.match.group(1).decode().split("\r\n")[:-1]
    assert len(listing) >= 30, listing
    for line in listing:        # "(XEN)  <command> [<key>]  <what it does>"
        assert re.match(r"\(XEN\)  [a-z0-9-]+ +(\[.\] +)?\w", line), line
    for line in ("(XEN)  help         [h]  show this message",
                 "(XEN)  list              list domains (xl list)",
                 "(XEN)  xd                hexdump host memory (len up to 4096)"):
        assert line in listing, listing
    t.quit()
