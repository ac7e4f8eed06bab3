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
    end = time.monotonic() + 30             # until the dump's last line (0xb8f90..0xb8f9f)
    while time.monotonic() < end and not re.search(rb"000b8f90: [^\n]*\n", data):
        try:
            data += s.recv(65536)
        except socket.timeout:
            continue
    s.close()
    cells = []
    for line in re.findall(rb"^[0-9a-f]{16}: (.*)$", data.replace(b"\r", b""), re.M):
        cells += [int(w, 16) for w in re.findall(rb"0x([0-9a-f]{4})", line)]
    # A read that came back short (or empty) is no screen at all: say so, never "blank".
    assert len(cells) >= 2000, f"read {len(cells)} of the screen's 2000 cells:\n{data[-500:]!r}"
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
    k.cmd("version")
    text = "\n".join(monitor_screen(mon))
    # The screen was read: it still shows what the firmware wrote before Kestrel...
    assert "SeaBIOS" in text, text
    # ...and nothing of Kestrel's.
    assert "(XEN)" not in text and "Serial input to Xen" not in text and "Kestrel" not in text, text
