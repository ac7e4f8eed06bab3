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

from miniterm_helpers import *  # noqa: F401,F403 (the servers, the terminal, fixtures)

pytestmark = pytest.mark.qemu_only(
    "the serial client tools/miniterm on ptys and sockets; no Kestrel")

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
