"""console=com1,vga: log lines also appear on the VGA text screen. The screen is read with
QEMU's monitor (`xp`), not with the shell's `xd`: printing the dump would scroll the very
screen being dumped."""
import os
import re
import socket
import time

import pytest

pytestmark = pytest.mark.qemu_only("reads the VGA screen through QEMU's monitor")


def monitor_screen(path):
    """The 80x25 text screen, read through QEMU's human monitor on a unix socket."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            s.connect(path)
            break
        except OSError:
            time.sleep(0.05)
    s.settimeout(5)
    s.sendall(b"xp /2000hx 0xb8000\n")
    data = b""
    end = time.monotonic() + 10
    while time.monotonic() < end and data.count(b"\n00000000000b8f") == 0:
        try:
            data += s.recv(65536)
        except socket.timeout:
            break
    time.sleep(0.2)
    s.settimeout(0.5)
    try:
        data += s.recv(65536)
    except socket.timeout:
        pass
    s.close()
    cells = []
    for line in re.findall(rb"^[0-9a-f]{16}: (.*)$", data.replace(b"\r", b""), re.M):
        cells += [int(w, 16) for w in re.findall(rb"0x([0-9a-f]{4})", line)]
    chars = "".join(chr(c & 0xff) if 32 <= (c & 0xff) < 127 else " " for c in cells[:2000])
    return [chars[i:i + 80] for i in range(0, len(chars), 80)]


def boot_with_monitor(boot, tmp_path, append):
    mon = os.path.join(tmp_path, "mon.sock")
    k = boot(append=append, extra=["-device", "VGA", "-monitor", f"unix:{mon},server=on,wait=off"])
    k.wait_prompt()
    return k, mon


def test_vga_console_mirrors_log(boot, tmp_path):
    k, mon = boot_with_monitor(boot, str(tmp_path), "console=com1,vga")
    rows = monitor_screen(mon)
    text = "\n".join(rows)
    assert any(r.startswith("(XEN) ") for r in rows), text
    assert "Serial input to Xen" in text
    assert "[K" not in text          # the line editor's escape sequences are not drawn
    k.cmd("version")
    assert "Kestrel" in "\n".join(monitor_screen(mon))


def test_without_vga_screen_is_not_used(boot, tmp_path):
    k, mon = boot_with_monitor(boot, str(tmp_path), "")
    assert "Serial input to Xen" not in "\n".join(monitor_screen(mon))
