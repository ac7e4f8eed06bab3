"""console=com2: the serial console on the second port (0x2F8, IRQ 3), as servers with IPMI
serial-over-LAN on COM2 need it (Xen's `com2=115200,8n1 console=com2`): the log, the
(XEN) shell and the CTRL-A x3 input switch all live there, and COM1 stays silent. A com2=
that points where no UART answers leaves the console on COM1, with a warning there."""
import os
import re
import socket
import threading
import time

import pytest

import echo_guest
from kestrel import Kestrel


class Port(Kestrel):
    """A second serial line of the same QEMU, read and written through its own unix socket:
    Kestrel's expect/cmd/wait_prompt work on it unchanged (they use only the socket)."""

    def __init__(self, path, timeout=20):
        self.proc = None
        self.buf = bytearray()
        self.pos = 0
        self.cond = threading.Condition()
        self.closed = False
        self.t_start = time.monotonic()
        self.t_first = None
        self.sock = None
        end = time.monotonic() + timeout
        while self.sock is None:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
            except OSError:
                s.close()
                assert time.monotonic() < end, f"could not connect to {path}"
                time.sleep(0.01)
        threading.Thread(target=self._read, daemon=True).start()

    def stop(self):
        self.sock.close()


def boot_with_com2(boot, tmp_path, append, mods):
    path = os.path.join(str(tmp_path), "com2.sock")
    extra = ["-chardev", f"socket,id=com2,path={path},server=on,wait=on",
             "-device", "isa-serial,chardev=com2,index=1"]
    k = boot(append=append, initrd=mods, extra=extra)
    return k, Port(path)


@pytest.mark.qemu_only("COM2 is a second QEMU serial socket; the Bochs machine wires COM1 only")
def test_console_on_com2_carries_log_shell_and_input_switch(boot, tmp_path):
    mods = echo_guest.modules(tmp_path)
    k, c2 = boot_with_com2(boot, tmp_path, "com2=115200,8n1 console=com2", mods)
    try:
        c2.expect(r"\(XEN\) Kestrel hypervisor ", 20)
        c2.expect(r"\(d1\) " + re.escape(echo_guest.READY), 20)
        c2.wait_prompt(10)
        assert "console = com2" in c2.cmd("cmdline")
        assert "echo" in c2.cmd("list")
        # CTRL-A x3 on COM2 hands its input to the domain: the guest's answer to what we
        # type (its hex, which the shell would never print) comes back on COM2.
        c2.send(b"\x01\x01\x01")
        c2.expect(r"\*\*\* Serial input to DOM1 [^\n]*\n", 10)
        begin = c2.mark()
        c2.send(b"over com2\r")
        c2.expect(re.escape(echo_guest.answer(b"over com2\r")), 10)
        assert c2.output()[begin:c2.pos] == echo_guest.answer(b"over com2\r")
        c2.send(b"\x01\x01\x01")
        c2.expect(r"\*\*\* Serial input to Xen ", 10)
        # COM1 carried none of it.
        time.sleep(0.2)
        assert k.output() == b"", k.output()[:300]
    finally:
        c2.stop()


def test_com2_without_a_uart_keeps_the_console_on_com1(boot, tmp_path):
    k = boot(append="com2=115200,8n1,0x2e8,5 console=com2", initrd=[])
    k.expect(r"\(XEN\) com2: no UART at port 0x2e8; the console stays on com1 at 0x3f8\r\n",
             20)
    k.expect(r"\*\*\* Serial input to Xen ", 20)
    k.wait_prompt(10)
    assert "console = com1" in k.cmd("cmdline")
